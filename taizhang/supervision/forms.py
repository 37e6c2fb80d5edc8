import datetime
import uuid

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from taizhang.campaigns.models import KeyTask
from taizhang.ledger.forms import MultipleFileField
from taizhang.ledger.models import Item
from taizhang.lib.forms import StyledForm
from taizhang.lib.widgets import PickerField
from taizhang.orgs.models import ContactPoint, Unit, User

from .models import Responsibility, Visit


class NoticeForm(forms.Form):
    required_by = forms.DateField(
        label=_("Response required by"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    contact = forms.CharField(label=_("Contact (name and phone)"), max_length=100)
    requirements = forms.CharField(label=_("Requirements"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["required_by"].initial = timezone.localdate() + datetime.timedelta(days=7)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")


class ResponseForm(forms.Form):
    response = forms.CharField(
        label=_("Response"), widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}), max_length=4000
    )


# The responsibility system, instructions, visits ---------------------------------------------------


def _picker(field, url: str) -> None:
    field.url = url
    field.widget.url = url


class AssignmentForm(StyledForm, forms.Form):
    kind = forms.ChoiceField(label=_("Responsibility"), choices=Responsibility.choices)
    unit = PickerField(Unit.objects.active(), label=_("For unit (and the units below it)"), required=False)
    key_task = forms.ModelChoiceField(KeyTask.objects.none(), label=_("Only for the key task"), required=False)
    item = PickerField(Item.objects.none(), label=_("Only for the item"), required=False)
    holder_unit = PickerField(Unit.objects.active(), label=_("Held by the unit"), required=False)
    holder_title = forms.CharField(label=_("Held by the role or title (e.g. 党委书记)"), max_length=100, required=False)
    holder_user = PickerField(User.objects.filter(is_active=True), label=_("Held by the person"), required=False)
    holder_name = forms.CharField(label=_("Or the person's name"), max_length=100, required=False)

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key_task"].queryset = KeyTask.objects.filter(campaign=campaign)
        self.fields["item"].queryset = Item.objects.filter(campaign=campaign)
        _picker(self.fields["unit"], reverse("orgs:unit_search"))
        _picker(self.fields["holder_unit"], reverse("orgs:unit_search"))
        _picker(self.fields["item"], reverse("ledger:item_search", args=[campaign.slug]))
        _picker(self.fields["holder_user"], reverse("campaigns:people_search", args=[campaign.slug]))


class HolderForm(StyledForm, forms.Form):
    """Who holds an assignment, edited in place on the grid; ``version`` refuses an edit of an older copy."""

    small_widgets = True
    holder_title = forms.CharField(label=_("Held by the role or title (e.g. 党委书记)"), max_length=100, required=False)
    holder_name = forms.CharField(label=_("Or the person's name"), max_length=100, required=False)
    holder_unit = PickerField(Unit.objects.active(), label=_("Held by the unit"), required=False)
    holder_user = PickerField(User.objects.filter(is_active=True), label=_("Held by the person"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        _picker(self.fields["holder_unit"], reverse("orgs:unit_search"))
        _picker(self.fields["holder_user"], reverse("campaigns:people_search", args=[campaign.slug]))
        # Where focus lands when the form is swapped in (app.js moves it to [data-tz-heading]).
        self.fields["holder_title"].widget.attrs.update({"data-tz-heading": "", "tabindex": "0"})


class GridFilterForm(StyledForm, forms.Form):
    small_widgets = True
    under = PickerField(Unit.objects.active(), label=_("Units under"), required=False)
    gaps = forms.BooleanField(label=_("Only gaps"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _picker(self.fields["under"], reverse("orgs:unit_search"))


class InstructionForm(StyledForm, forms.Form):
    text = forms.CharField(label=_("Instruction (批示)"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    respond_by = forms.DateField(
        label=_("Answer by"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    item = PickerField(Item.objects.none(), label=_("Item"), required=False)
    unit = PickerField(Unit.objects.active(), label=_("Or a unit (when not about one item)"), required=False)

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["respond_by"].initial = timezone.localdate() + datetime.timedelta(days=campaign.instruction_days)
        self.fields["item"].queryset = Item.objects.filter(campaign=campaign)
        _picker(self.fields["item"], reverse("ledger:item_search", args=[campaign.slug]))
        _picker(self.fields["unit"], reverse("orgs:unit_search"))

    def clean(self):
        data = super().clean()
        if not data.get("item") and not data.get("unit"):
            raise forms.ValidationError(_("Choose the item or the unit the instruction is for."))
        return data


class AnswerForm(StyledForm, forms.Form):
    text = forms.CharField(label=_("Answer"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    files = MultipleFileField(label=_("Evidence (files, photos)"), required=False)


class ReviewForm(StyledForm, forms.Form):
    decision = forms.ChoiceField(
        label=_("Review decision"),
        choices=[("done", _("Carried out (已落实)")), ("again", _("Instruct again (再次批示)"))],
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("Remarks"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    respond_by = forms.DateField(
        label=_("New answer date (when instructing again)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class VisitForm(StyledForm, forms.Form):
    """One short form a leader fills in on a phone at the end of a visit."""

    contact_point = forms.ModelChoiceField(ContactPoint.objects.none(), label=_("Contact point"), required=False)
    unit = PickerField(Unit.objects.active(), label=_("Or another unit"), required=False)
    visited_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    form = forms.ChoiceField(label=_("Form"), choices=Visit.Form.choices)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    people_count = forms.IntegerField(label=_("People met"), min_value=0, max_value=100000, initial=0)
    people_names = forms.CharField(
        label=_("Whom (names)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 1})
    )
    raised = forms.CharField(
        label=_("Problems raised (one a line: each goes to triage)"),
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    item = PickerField(Item.objects.none(), label=_("Or: the problems concern this item"), required=False)
    solved = forms.CharField(
        label=_("Solved on the spot"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    follow_up = forms.CharField(
        label=_("Follow-up tasks"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    photos = MultipleFileField(label=_("Photos (optional)"), required=False)
    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)

    def __init__(self, *args, campaign, leader=None, **kwargs):
        super().__init__(*args, **kwargs)
        points = ContactPoint.objects.filter(campaign=campaign).select_related("unit", "leader")
        if leader is not None:
            points = points.filter(leader=leader)
        self.fields["contact_point"].queryset = points
        self.fields["contact_point"].label_from_instance = lambda cp: str(cp.unit)
        self.fields["visited_on"].initial = timezone.localdate()
        self.fields["token"].initial = uuid.uuid4().hex
        self.fields["item"].queryset = Item.objects.filter(campaign=campaign)
        self.fields["photos"].widget.attrs["accept"] = "image/*"
        _picker(self.fields["unit"], reverse("orgs:unit_search"))
        _picker(self.fields["item"], reverse("ledger:item_search", args=[campaign.slug]))

    def clean(self):
        data = super().clean()
        if not data.get("contact_point") and not data.get("unit"):
            raise forms.ValidationError(_("Choose the contact point or the unit visited."))
        return data
