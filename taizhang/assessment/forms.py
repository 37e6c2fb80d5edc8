from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from taizhang.ledger.forms import MultipleFileField
from taizhang.lib.forms import StyledForm
from taizhang.lib.widgets import PickerField
from taizhang.orgs.models import Unit, User

from .models import AssessmentScheme, Rule, SchemeSection

SCHEME_FORM_FIELDS = [
    "name",
    "total",
    "excellent_from",
    "good_from",
    "fair_from",
    "excellent_quota",
    "review_days",
    "nominate_top",
    "red_days",
    "export_columns",
]


class SchemeForm(StyledForm, forms.ModelForm):
    class Meta:
        model = AssessmentScheme
        fields = ["unit_kind", *SCHEME_FORM_FIELDS]
        widgets = {"export_columns": forms.Textarea(attrs={"rows": 3})}


class SchemeSettingsForm(StyledForm, forms.ModelForm):
    revision = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = AssessmentScheme
        fields = SCHEME_FORM_FIELDS
        widgets = {"export_columns": forms.Textarea(attrs={"rows": 3})}


class SectionForm(StyledForm, forms.Form):
    title = forms.CharField(label=_("Section"), max_length=200)


class ItemForm(StyledForm, forms.Form):
    section = forms.ModelChoiceField(label=_("Section"), queryset=SchemeSection.objects.none())
    title = forms.CharField(label=_("Assessment item"), max_length=200)
    points = forms.DecimalField(label=_("Points"), max_digits=7, decimal_places=2)
    floor = forms.DecimalField(label=_("Floor"), max_digits=7, decimal_places=2, required=False, initial=0)
    kind = forms.ChoiceField(label=_("Rule"), choices=Rule.Kind.choices)
    per = forms.DecimalField(label=_("Points each"), required=False, max_digits=7, decimal_places=2)
    partner_percent = forms.DecimalField(label=_("Share for partner units (%)"), required=False)
    low = forms.DecimalField(label=_("Lower rate (%)"), required=False)
    high = forms.DecimalField(label=_("Upper rate (%)"), required=False)
    content = forms.CharField(label=_("What is assessed"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    standard = forms.CharField(
        label=_("Scoring standard"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Empty: the rule's words."),
    )
    method = forms.CharField(label=_("Method"), required=False, max_length=100)
    department = forms.CharField(label=_("Responsible department"), required=False, max_length=100)
    allows_bonus = forms.BooleanField(label=_("Bonus item (adjustments may pass the maximum)"), required=False)

    PARAMS = ("per", "partner_percent", "low", "high")

    def __init__(self, *args, scheme=None, **kwargs):
        super().__init__(*args, **kwargs)
        if scheme is not None:
            self.fields["section"].queryset = scheme.sections.all()

    def action_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.PARAMS and k != "section"}
        data["params"] = {k: self.cleaned_data[k] for k in self.PARAMS if self.cleaned_data.get(k) is not None}
        return data


class RunForm(StyledForm, forms.Form):
    label = forms.CharField(label=_("Period"), max_length=60, required=False)
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))


class ManualScoreForm(StyledForm, forms.Form):
    points = forms.DecimalField(label=_("Points"), max_digits=7, decimal_places=2)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.CharField(label=_("Evidence"), required=False, max_length=300)
    files = MultipleFileField(label=_("Evidence files (optional)"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class AdjustmentForm(StyledForm, forms.Form):
    points = forms.DecimalField(label=_("Points (+/−)"), max_digits=7, decimal_places=2)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.CharField(label=_("Evidence"), required=False, max_length=300)
    files = MultipleFileField(label=_("Evidence files (optional)"), required=False)


class ObjectionForm(StyledForm, forms.Form):
    reason = forms.CharField(label=_("Why you object"), widget=forms.Textarea(attrs={"rows": 3}))
    files = MultipleFileField(label=_("Supporting files (optional)"), required=False)


class AnswerForm(StyledForm, forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 2}))


class PenaltyOwnerForm(StyledForm, forms.Form):
    owner = PickerField(User.objects.filter(is_active=True), label=_("Person responsible"))

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        url = reverse("campaigns:people_search", args=[campaign.slug])
        self.fields["owner"].url = self.fields["owner"].widget.url = url


class ClosureForm(StyledForm, forms.Form):
    closure = forms.CharField(label=_("How it was closed"), widget=forms.Textarea(attrs={"rows": 2}))


class ImportForm(StyledForm, forms.Form):
    unit_kind = forms.ChoiceField(label=_("Kind of unit"), choices=Unit.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    file = forms.FileField(label=_("Scheme (.xlsx)"))
