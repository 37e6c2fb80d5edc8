"""Form plumbing shared by every app's views."""

from django.core.exceptions import ValidationError


def apply_errors(form, error: ValidationError) -> None:
    """Show an action's ValidationError on the form: on its field when the form has one, else above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def style_widgets(form, *, small: bool = False, skip: tuple = ()) -> None:
    """Bootstrap's classes on every widget of ``form``, one rule for every app (a class already set is kept).

    Checkboxes get ``form-check-input``; selects ``form-select``; the rest ``form-control``; ``small`` for the
    compact ``-sm`` sizes of filters and inline forms. Hidden inputs, radio and checkbox lists (their own
    markup) and the ``skip`` widget classes are left alone.
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


class StyledForm:
    """A form mixin: Bootstrap classes on every widget (``small_widgets = True`` for the compact sizes)."""

    small_widgets = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self, small=self.small_widgets)
