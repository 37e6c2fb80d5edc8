"""Forms of the key-task pages (the writes are ledger.keytasks' actions)."""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from taizhang.ledger.models import KeyTaskTrack
from taizhang.lib.deadlines import parse_deadline
from taizhang.lib.forms import StyledForm
from taizhang.lib.widgets import PickerField
from taizhang.orgs.models import Unit


class KeyTaskForm(StyledForm, forms.ModelForm):
    """Owner unit, leader, planned start, deadline: a date, or the words ("6月底前") it is read from."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    owner_unit = PickerField(Unit.objects.filter(is_active=True), label=_("responsible unit"), required=False)

    class Meta:
        model = KeyTaskTrack
        fields = ("owner_unit", "lead", "starts_on", "due", "due_text")
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "due": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        url = reverse("orgs:unit_search")
        self.fields["owner_unit"].url = self.fields["owner_unit"].widget.url = url
        self.fields["due_text"].help_text = _("Words such as 6月底前 or 长期坚持; an empty date is read from them.")
        if self.instance is not None:
            self.fields["version"].initial = self.instance.version

    def clean(self):
        data = super().clean()
        words = (data.get("due_text") or "").strip()
        if words and not data.get("due"):
            deadline = parse_deadline(words, year=self.campaign.starts_on.year, start=self.campaign.starts_on)
            if not deadline.understood:
                self.add_error("due_text", _("This deadline could not be read; give a date."))
            data["due"] = deadline.due
        return data

    def track_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in KeyTaskTrack.AUDITED_FIELDS} | {
            "lead": (self.cleaned_data.get("lead") or "").strip(),
            "due_text": (self.cleaned_data.get("due_text") or "").strip(),
        }


class KeyTaskProgressForm(StyledForm, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    percent = forms.IntegerField(label=_("progress (%)"), min_value=0, max_value=100)
    done = forms.CharField(label=_("what was done"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
