"""The forms of acceptance, closing, reopening and look-backs."""

from django import forms
from django.utils.translation import gettext_lazy as _

from taizhang.ledger.forms import MultipleFileField
from taizhang.lib.forms import style_widgets

from .models import Acceptance


class AcceptanceForm(forms.Form):
    checked_on = forms.DateField(label=_("Date of acceptance"), widget=forms.DateInput(attrs={"type": "date"}))
    checkers = forms.CharField(label=_("Checkers"), max_length=300)
    result = forms.ChoiceField(label=_("Result"), choices=Acceptance.Result.choices, widget=forms.RadioSelect)
    reasons = forms.CharField(
        label=_("Reasons for returning"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    statement = forms.CharField(label=_("Closing statement"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    attachments = MultipleFileField(label=_("Evidence"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


class CloseForm(forms.Form):
    statement = forms.CharField(label=_("Closing statement"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class LookBackForm(forms.Form):
    holds = forms.TypedChoiceField(
        label=_("Does the result hold?"),
        choices=[("1", _("yes, it holds")), ("0", _("no, reopen the item"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    result = forms.CharField(label=_("What the look-back found"), widget=forms.Textarea(attrs={"rows": 2}))
