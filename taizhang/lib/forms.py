"""Form plumbing shared by every app's views."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Django's and our own placeholders for "no choice", which read as nothing to a screen reader or an elderly user.
_DASHES = {"---------", "—", "-", ""}


def apply_errors(form, error: ValidationError) -> None:
    """Show an action's ValidationError on the form: on its field when the form has one, else above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def name_empty_choices(form, *, filters: bool = False) -> None:
    """The empty choice of every select reads 全部 ("All") on a filter, 请选择 ("Please choose") on a form.

    Call it again after code that sets a select's choices after ``style_widgets`` (``use_unit_tree`` in a
    subclass's ``__init__``). A filter's controls also get their label as accessible name and, for text
    boxes, as a visible placeholder: compact filters may show no ``<label>``.
    """
    from django import forms

    word = _("All") if filters else _("Please choose")
    for field in form.fields.values():
        widget = field.widget
        if filters and isinstance(widget, forms.TextInput) and field.label:
            widget.attrs.setdefault("placeholder", field.label)
        if not isinstance(widget, forms.Select) or widget.allow_multiple_selected:
            continue
        if isinstance(field, forms.ModelChoiceField) and not isinstance(widget.choices, list):
            if field.empty_label is not None and str(field.empty_label) in _DASHES:
                field.empty_label = word
            continue
        choices = list(widget.choices)
        if choices and choices[0][0] in ("", None) and str(choices[0][1]) in _DASHES:
            widget.choices = [("", word), *choices[1:]]


def style_widgets(form, *, small: bool = False, skip: tuple = (), filters: bool = False) -> None:
    """Bootstrap's classes on every widget of ``form``, one rule for every app (a class already set is kept).

    Checkboxes get ``form-check-input``; selects ``form-select``; the rest ``form-control``; ``small`` for the
    compact ``-sm`` sizes of filters and inline forms. Hidden inputs, radio and checkbox lists (their own
    markup) and the ``skip`` widget classes are left alone. Empty choices are named (``name_empty_choices``;
    ``filters=True`` for a filter form).
    """
    from django import forms

    size = " form-select-sm" if small else ""
    control = " form-control-sm" if small else ""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, (forms.HiddenInput, forms.RadioSelect, forms.CheckboxSelectMultiple, *skip)):
            continue
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select" + size
        else:
            css = "form-control" + control
        widget.attrs.setdefault("class", css)
        # Its accessible name even where a template draws the control without its <label> (a compact filter,
        # a reason box beside its button); the same words as the label, so a label read aloud reads the same.
        if field.label:
            widget.attrs.setdefault("aria-label", field.label)
    name_empty_choices(form, filters=filters)


class StyledForm:
    """A form mixin: Bootstrap classes on every widget (``small_widgets = True`` for the compact sizes,
    ``filters = True`` for a filter form: empty choices read 全部 and every control has an accessible name)."""

    small_widgets = False
    filters = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self, small=self.small_widgets, filters=self.filters)
