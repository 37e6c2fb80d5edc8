"""Forms of the inspection pages: teams, rounds, inspections, findings, the unit's answer, verification."""

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from taizhang.ledger.forms import MultipleFileField
from taizhang.ledger.models import Item
from taizhang.lib.forms import StyledForm
from taizhang.lib.widgets import PickerField, PickerMultipleField
from taizhang.orgs.models import Unit, User

from .models import Finding, Method, Round, new_token

DATE = {"type": "date"}


def _picker_url(field, url: str) -> None:
    field.url = url
    field.widget.url = url


class TeamForm(StyledForm, forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=100)
    leader = PickerField(User.objects.filter(is_active=True), label=_("Team leader"))
    members = PickerMultipleField(
        User.objects.filter(is_active=True), label=_("Members (inspectors of the campaign)"), required=False
    )
    units = PickerMultipleField(Unit.objects.filter(is_active=True), label=_("Units covered"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        people = reverse("campaigns:people_search", args=[campaign.slug])
        _picker_url(self.fields["leader"], people)
        _picker_url(self.fields["members"], people + "?role=inspector")
        _picker_url(self.fields["units"], reverse("orgs:unit_search"))


class RoundForm(StyledForm, forms.Form):
    name = forms.CharField(label=_("Round"), max_length=100)
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs=DATE))
    ends_on = forms.DateField(label=_("To"), widget=forms.DateInput(attrs=DATE))
    units = PickerMultipleField(Unit.objects.filter(is_active=True), label=_("Units"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _picker_url(self.fields["units"], reverse("orgs:unit_search"))


class InspectionForm(StyledForm, forms.Form):
    team = forms.ModelChoiceField(queryset=None, label=_("Team"))
    unit = PickerField(Unit.objects.filter(is_active=True), label=_("Unit inspected"))
    round = forms.ModelChoiceField(queryset=None, label=_("Round"), required=False)
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs=DATE))
    ends_on = forms.DateField(label=_("To"), widget=forms.DateInput(attrs=DATE), required=False)
    methods = forms.MultipleChoiceField(label=_("Methods"), choices=Method.choices, widget=forms.CheckboxSelectMultiple)
    items = PickerMultipleField(Item.objects.all(), label=_("Items checked"), required=False)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)

    def __init__(self, *args, campaign, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        only = list(teams[:2])
        if len(only) == 1:  # an inspector on one team: nothing to choose
            self.fields["team"].initial, self.fields["team"].empty_label = only[0].pk, None
        self.fields["round"].queryset = Round.objects.filter(team__in=teams)
        self.fields["items"].queryset = Item.objects.filter(campaign=campaign)
        _picker_url(self.fields["unit"], reverse("orgs:unit_search"))
        _picker_url(self.fields["items"], reverse("ledger:item_search", args=[campaign.slug]))
        self.fields["starts_on"].initial = timezone.localdate()
        self.fields["token"].initial = new_token()


class FindingForm(StyledForm, forms.Form):
    item = forms.ModelChoiceField(
        queryset=None, label=_("Item"), required=False, empty_label=_("— the unit as a whole —")
    )
    category = forms.ChoiceField(label=_("Category"), choices=Finding.Category.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=Finding.Severity.choices)
    description = forms.CharField(label=_("Problem found"), widget=forms.Textarea(attrs={"rows": 3}))
    required = forms.CharField(label=_("Rectification required"), widget=forms.Textarea(attrs={"rows": 2}))
    deadline = forms.DateField(label=_("Rectification deadline"), widget=forms.DateInput(attrs=DATE))
    responsible = forms.CharField(label=_("Person responsible"), max_length=100)
    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)

    def __init__(self, *args, inspection, **kwargs):
        super().__init__(*args, **kwargs)
        # The items checked (a handful) are the choice: a finding on another item starts from another inspection.
        self.fields["item"].queryset = inspection.items.order_by("code")
        self.fields["token"].initial = new_token()


class AnswerForm(StyledForm, forms.Form):
    measures = forms.CharField(label=_("Rectification measures"), widget=forms.Textarea(attrs={"rows": 4}))
    done = forms.TypedChoiceField(
        label=_("State"),
        choices=[("1", _("rectified (已整改)")), ("0", _("under way (整改中)"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    evidence = MultipleFileField(label=_("Evidence (files or photos)"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReturnForm(StyledForm, forms.Form):
    reason = forms.CharField(label=_("Why it is returned"), widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class VerifyForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class FindingFilter(StyledForm, forms.Form):
    small_widgets = True
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("all")), *Finding.State.choices, ("overdue", _("overdue"))]
    )
    severity = forms.ChoiceField(
        label=_("Severity"), required=False, choices=[("", _("all")), *Finding.Severity.choices]
    )
