from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from taizhang.ledger.models import Item, Status
from taizhang.lib.forms import StyledForm, style_widgets
from taizhang.lib.widgets import use_picker
from taizhang.orgs.models import Unit
from taizhang.orgs.queries import use_unit_picker, use_unit_tree

from .actions import STAFF_CHANNELS
from .models import Channel, DemandStatus, PeopleSettings, Rating
from .queries import public_units


class DemandForm(forms.Form):
    """The public form: no login; personal data optional; ``website`` is a honeypot bots fill in."""

    category = forms.ModelChoiceField(label=_("Category"), queryset=None, required=False)
    unit = forms.ModelChoiceField(label=_("Unit concerned (optional)"), queryset=None, required=False)
    text = forms.CharField(label=_("What is the problem?"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))
    photo = forms.FileField(label=_("Photo (optional)"), required=False)
    name = forms.CharField(label=_("Your name (optional)"), max_length=100, required=False)
    phone = forms.CharField(label=_("Your phone (optional)"), max_length=40, required=False)
    email = forms.EmailField(label=_("Your email (optional, to be told of progress)"), required=False)
    website = forms.CharField(label=_("Leave this empty"), required=False)

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.fields["category"].queryset = campaign.categories.all()
        # The campaign's units, found by typing (names only, from the public endpoint): the page stays small.
        self.fields["unit"].queryset = public_units(campaign)
        use_picker(self.fields["unit"], url=reverse("people:public_unit_search", args=[campaign.slug]))
        # The kinds the server takes (lib/media.py); a phone then hands over a JPEG rather than HEIC.
        self.fields["photo"].widget.attrs["accept"] = "image/jpeg,image/png,image/gif,image/webp"
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        style_widgets(self)

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if len(text) < 5:
            raise forms.ValidationError(_("Describe the problem in a few more words."))
        return text

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and not all(ch in "0123456789+- ()" for ch in phone):  # isdigit() would take "²"
            raise forms.ValidationError(_("A phone number has only digits, spaces, +, - and brackets."))
        return phone

    def demand_data(self) -> dict:
        return {k: self.cleaned_data.get(k) for k in ("category", "unit", "text", "name", "phone", "email")}


class StaffDemandForm(DemandForm):
    """Staff record a problem gathered on a visit, hearing or discussion."""

    channel = forms.ChoiceField(label=_("Channel"), choices=[(c.value, c.label) for c in STAFF_CHANNELS])
    collected_on = forms.DateField(
        label=_("Date collected"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    collected_by = forms.CharField(label=_("Collected by"), max_length=100, required=False)

    field_order = ["channel", "collected_on", "place", "collected_by", "category", "unit", "text"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["website"]
        # Staff gathered it in the field: any active unit, from the signed-in unit picker.
        use_unit_picker(self.fields["unit"], Unit.objects.filter(is_active=True))
        self.fields["name"].label = _("Name of the person (optional)")
        self.fields["phone"].label = _("Their phone (optional)")
        self.fields["email"].label = _("Their email (optional)")
        style_widgets(self)

    def demand_data(self) -> dict:
        data = super().demand_data()
        data.update({k: self.cleaned_data.get(k) for k in ("channel", "collected_on", "place", "collected_by")})
        return data


class SurveyUploadForm(forms.Form):
    file = forms.FileField(label=_("Survey export (xlsx or csv)"))
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[(c.value, c.label) for c in STAFF_CHANNELS], initial=Channel.SURVEY
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.csv"
        style_widgets(self)


class TrackForm(forms.Form):
    code = forms.CharField(label=_("Tracking code"), max_length=20)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update({"autocomplete": "off", "autocapitalize": "characters"})
        style_widgets(self)


class DemandFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("all")), *DemandStatus.choices], required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=[("", _("all")), *Channel.choices], required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self, filters=True)


class LinkForm(forms.Form):
    """An existing item, by its number (the suggestion buttons) or by the code the office types."""

    item = forms.IntegerField(widget=forms.HiddenInput, required=False)
    code = forms.CharField(label=_("Item code"), max_length=40, required=False)

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.fields["code"].widget.attrs["placeholder"] = _("Item code")
        style_widgets(self)

    def clean(self):
        data = super().clean()
        items = Item.objects.filter(campaign=self.campaign).exclude(status=Status.WITHDRAWN)
        if data.get("item"):
            data["item"] = items.filter(pk=data["item"]).first()
        elif (data.get("code") or "").strip():
            data["item"] = items.filter(code=data["code"].strip()).first()
        else:
            data["item"] = None
        if data["item"] is None:
            raise forms.ValidationError(_("No open item of this campaign has this code."))
        return data


class MergeForm(forms.Form):
    into = forms.CharField(label=_("Tracking code of the same problem"), max_length=20)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


class AnswerForm(forms.Form):
    reply = forms.CharField(label=_("Reply to the person"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


class RatingForm(forms.Form):
    value = forms.ChoiceField(label=_("Are you satisfied?"), choices=Rating.Value.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    ballot = forms.CharField(label=_("The code on your slip"), max_length=20, required=False)

    def __init__(self, *args, with_ballot: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].widget.attrs["class"] = "form-control"
        if with_ballot:
            field = self.fields["ballot"]
            field.required = True
            field.error_messages["required"] = _("Enter the code on the slip you were given with the QR code.")
            field.widget.attrs.update({"class": "form-control font-monospace", "autocomplete": "off"})
        else:
            del self.fields["ballot"]


class BallotCountForm(forms.Form):
    count = forms.IntegerField(label=_("Number of codes to print"), min_value=1, max_value=500, initial=50)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["count"].widget.attrs["class"] = "form-control"


class ObjectionForm(forms.Form):
    text = forms.CharField(label=_("Your objection"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    name = forms.CharField(label=_("Your name (optional)"), max_length=100, required=False)
    phone = forms.CharField(label=_("Your phone (optional)"), max_length=40, required=False)
    website = forms.CharField(label=_("Leave this empty"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})  # a honeypot
        style_widgets(self)


class PublicFilterForm(forms.Form):
    category = forms.ModelChoiceField(label=_("Category"), queryset=None, required=False)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None, required=False)

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = campaign.categories.all()
        units = Unit.objects.filter(is_active=True)
        use_unit_tree(self.fields["unit"], units)
        style_widgets(self, filters=True)


class PeopleSettingsForm(StyledForm, forms.ModelForm):
    class Meta:
        model = PeopleSettings
        fields = ("lookback_days", "objection_days", "submissions_per_hour")
