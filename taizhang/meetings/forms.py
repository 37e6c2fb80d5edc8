from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from taizhang.lib.forms import StyledForm
from taizhang.lib.widgets import PickerField, PickerMultipleField
from taizhang.orgs.models import Unit, User
from taizhang.reporting.models import ReportingPeriod

from .models import Meeting

DATETIME_INPUT = {"type": "datetime-local"}


class MeetingForm(StyledForm, forms.Form):
    kind = forms.ChoiceField(label=_("Kind of meeting"), choices=Meeting.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("Date and time"), widget=forms.DateTimeInput(attrs=DATETIME_INPUT, format="%Y-%m-%dT%H:%M")
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    chair = PickerField(User.objects.filter(is_active=True), label=_("Chair"), required=False)
    attendees = PickerMultipleField(User.objects.filter(is_active=True), label=_("Attendees"), required=False)
    guests = forms.CharField(
        label=_("Other attendees"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Names of people without an account."),
    )
    period = forms.ModelChoiceField(
        ReportingPeriod.objects.none(),
        label=_("Quarter reviewed"),
        required=False,
        help_text=_("For a quarterly review: the quarter its figures cover (the last one ended, when left empty)."),
    )

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        url = reverse("campaigns:people_search", args=[campaign.slug])
        for name in ("chair", "attendees"):
            self.fields[name].widget.url = url
        self.fields["period"].queryset = ReportingPeriod.objects.filter(
            campaign=campaign, kind=ReportingPeriod.Kind.QUARTERLY
        ).order_by("starts_on")


def meeting_initial(meeting: Meeting) -> dict:
    return {
        "kind": meeting.kind,
        "title": meeting.title,
        "starts_at": timezone.localtime(meeting.starts_at),
        "place": meeting.place,
        "chair": meeting.chair,
        "attendees": list(meeting.attendees.all()),
        "guests": meeting.guests,
        "period": meeting.period,
    }


class AgendaPointForm(StyledForm, forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(label=_("Agenda point"), max_length=200, required=False)
    body = forms.CharField(
        label=_("Details"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )
    remove = forms.BooleanField(label=_("Remove this point"), required=False)


AgendaFormSet = forms.formset_factory(AgendaPointForm, extra=1, max_num=60, absolute_max=60)


class MinutesForm(StyledForm, forms.Form):
    minutes = forms.CharField(
        label=_("Minutes"), required=False, max_length=50000, widget=forms.Textarea(attrs={"rows": 12})
    )


class DecisionForm(StyledForm, forms.Form):
    text = forms.CharField(label=_("Decision"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    owner_unit = PickerField(Unit.objects.filter(is_active=True), label=_("Responsible unit"))
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].widget.url = reverse("orgs:unit_search")
        self.fields["owner_unit"].error_messages["required"] = _("Every decision needs a responsible unit.")


class ProgressForm(StyledForm, forms.Form):
    percent = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    text = forms.CharField(label=_("What was done"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class DoneForm(StyledForm, forms.Form):
    text = forms.CharField(
        label=_("How it was carried out"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
