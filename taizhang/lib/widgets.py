"""Form widgets for long option lists.

Django renders each <option> through the template engine, about a millisecond
apiece; a unit select over 2,000 units would cost seconds on every page.
"""

from html import escape

from django import forms
from django.utils.html import format_html
from django.utils.safestring import mark_safe


def _options(choices, selected: set[str]) -> list[str]:
    parts = []
    for option_value, label in choices:
        option_value = "" if option_value is None else str(option_value)
        mark = " selected" if option_value in selected else ""
        parts.append(f'<option value="{escape(option_value)}"{mark}>{escape(str(label), quote=False)}</option>')
    return parts


class _PlainChoices:
    """Keeps choices as given: the stock setter normalises each of thousands of options on every form."""

    @property
    def choices(self):
        return self._choices

    @choices.setter
    def choices(self, value):
        self._choices = value


class FastSelect(_PlainChoices, forms.Select):
    """A single select rendered by string building (same markup as forms.Select, no optgroups)."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        selected = {"" if value is None else str(value)}
        parts = [format_html('<select name="{}"{}>', name, forms.utils.flatatt(attrs))]
        parts += _options(self.choices, selected)
        parts.append("</select>")
        return mark_safe("".join(parts))


class FastSelectMultiple(_PlainChoices, forms.SelectMultiple):
    """The same for a multiple select."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        selected = {str(v) for v in (value or ()) if v is not None}
        parts = [format_html('<select name="{}" multiple{}>', name, forms.utils.flatatt(attrs))]
        parts += _options(self.choices, selected)
        parts.append("</select>")
        return mark_safe("".join(parts))
