"""Form widgets for long option lists.

Django renders each <option> through the template engine, about a millisecond
apiece; a unit select over 2,000 units would cost seconds on every page.
"""

from django import forms
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe


class FastSelect(forms.Select):
    """A single select rendered by string building (same markup as forms.Select, no optgroups)."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        selected = "" if value is None else str(value)
        parts = [format_html('<select name="{}"{}>', name, forms.utils.flatatt(attrs))]
        for option_value, label in self.choices:
            option_value = "" if option_value is None else str(option_value)
            mark = " selected" if option_value == selected else ""
            parts.append(f'<option value="{escape(option_value)}"{mark}>{escape(label)}</option>')
        parts.append("</select>")
        return mark_safe("".join(parts))
