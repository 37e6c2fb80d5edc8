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


class SearchPicker(forms.Widget):
    """A search-as-you-type picker: only the chosen options are on the page, more are found by typing.

    Whatever the size of the set (100,000 items, 2,000 units, every user), the page carries the chosen
    values as checked boxes and a search box; ``static/js/picker.js`` asks ``url`` (a small JSON
    endpoint answering ``{"results": [{"id": …, "text": …}]}`` for ``?q=``, with the page's permission
    checks) and adds what is picked. Without script the chosen values still submit unchanged.

    Use it through :class:`PickerField` / :class:`PickerMultipleField`, which give it the labels of the
    chosen values (the widget never iterates the field's choices: that would load the whole set).
    """

    template_name = ""  # rendered by string building, like the selects above

    def __init__(self, *, url: str = "", multiple: bool = False, attrs=None):
        super().__init__(attrs)
        self.url = url
        self.multiple = multiple
        self.labels = lambda values: {}

    def value_from_datadict(self, data, files, name):
        if self.multiple:
            return data.getlist(name) if hasattr(data, "getlist") else data.get(name)
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        values = [v for v in values if v not in (None, "")]
        return values[-1] if values else None

    def value_omitted_from_data(self, data, files, name):
        return False  # an unticked box sends nothing: nothing chosen, not "left out"

    def format_value(self, value):
        if value is None or value == "":
            return []
        if not isinstance(value, list | tuple | set):
            value = [value]
        return [str(v.pk if hasattr(v, "pk") else v) for v in value if v not in (None, "")]

    def render(self, name, value, attrs=None, renderer=None):
        from django.utils.translation import gettext as _

        attrs = self.build_attrs(self.attrs, attrs)
        field_id = attrs.pop("id", f"id_{name}")
        values = self.format_value(value)
        labels = self.labels(values) if values else {}
        chosen = "".join(
            format_html(
                '<label class="form-check picker-choice"><input type="checkbox" class="form-check-input" '
                'name="{}" value="{}" checked> {}</label>',
                name,
                v,
                labels.get(v, v),
            )
            for v in values
        )
        described = attrs.get("aria-describedby")
        return format_html(
            '<div class="picker" data-url="{}" data-name="{}" data-multiple="{}">'
            '<div class="picker-chosen" aria-live="polite">{}</div>'
            '<input type="search" id="{}" class="form-control form-control-sm picker-search" autocomplete="off" '
            'placeholder="{}" role="combobox" aria-autocomplete="list" aria-expanded="false" '
            'aria-controls="{}_results"{}{}>'
            '<div class="list-group picker-results small" id="{}_results" role="listbox" aria-label="{}"></div>'
            "</div>",
            self.url,
            name,
            "1" if self.multiple else "0",
            mark_safe(chosen),
            field_id,
            _("Type to search") if self.multiple else _("Type to search, pick one"),
            field_id,
            format_html(' aria-describedby="{}"', described) if described else "",
            mark_safe(" required") if attrs.get("required") and not values else "",
            field_id,
            _("Matches"),
        )


def _picker_labels(field):
    def labels(values):
        from taizhang.lib.params import MAX_ID

        # Only record numbers the database can hold: a junk value in the query string is shown, not looked up.
        pks = [v for v in values if str(v).isascii() and str(v).isdigit() and 0 < int(v) <= MAX_ID]
        # A model may say how pickers show it (picker_label), the same words its search endpoint uses,
        # and what that label reads besides the row (PICKER_RELATED), fetched in the same query.
        rows = field.queryset.filter(pk__in=pks)
        related = getattr(rows.model, "PICKER_RELATED", ())
        if related:
            rows = rows.select_related(*related)
        return {str(obj.pk): getattr(obj, "picker_label", None) or field.label_from_instance(obj) for obj in rows}

    return labels


class PickerField(forms.ModelChoiceField):
    """A ModelChoiceField chosen with a :class:`SearchPicker` fed by ``url`` (set it in the form's __init__)."""

    def __init__(self, queryset, *, url: str = "", **kwargs):
        kwargs.setdefault("widget", SearchPicker(url=url))
        super().__init__(queryset, **kwargs)
        self.widget.labels = _picker_labels(self)

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result.widget.labels = _picker_labels(result)
        return result


class PickerMultipleField(forms.ModelMultipleChoiceField):
    """The same for several values."""

    def __init__(self, queryset, *, url: str = "", **kwargs):
        kwargs.setdefault("widget", SearchPicker(url=url, multiple=True))
        super().__init__(queryset, **kwargs)
        self.widget.labels = _picker_labels(self)

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result.widget.labels = _picker_labels(result)
        return result


def use_picker(field, *, url: str) -> None:
    """Give a model choice field (single or multiple) a :class:`SearchPicker` fed by ``url``.

    For fields whose queryset is set in the form's ``__init__`` (the campaign's items, the active units):
    the field still validates against its queryset; the page carries only the chosen values.
    """
    multiple = isinstance(field, forms.ModelMultipleChoiceField)
    widget = SearchPicker(url=url, multiple=multiple, attrs=field.widget.attrs)
    widget.is_required = field.required
    widget.labels = _picker_labels(field)
    field.widget = widget
