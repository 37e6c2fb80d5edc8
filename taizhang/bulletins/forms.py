import json

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from taizhang.campaigns.models import Category, KeyTask
from taizhang.ledger.models import Item
from taizhang.lib.forms import name_empty_choices, style_widgets
from taizhang.lib.params import BadParameter, parse_id
from taizhang.lib.widgets import PickerField, SearchPicker, use_picker
from taizhang.orgs.models import Unit, User
from taizhang.orgs.queries import use_unit_picker, use_unit_tree

from .models import Bulletin, Practice


class StyledForm:
    """Bootstrap classes on every widget, compact; the item picker draws its own."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self, small=True, skip=(SearchPicker,))


class CheckboxList(forms.CheckboxSelectMultiple):
    """Checkboxes under the field's label (the shared field template puts a lone checkbox's label after it)."""

    input_type = "checkbox-list"

    def create_option(self, *args, **kwargs):
        option = super().create_option(*args, **kwargs)
        option["type"] = "checkbox"
        return option


def _ids(values) -> list[int]:
    """The values that are record numbers the database can hold ("²", "١٢" and 23 digits are not)."""
    ids = []
    for value in values or []:
        try:
            ids.append(parse_id(str(value), name=""))
        except BadParameter:
            continue
    return ids


class IdsField(forms.ModelMultipleChoiceField):
    """Several records by number: junk or a number beyond the database's integer is a form error, not a 500."""

    def _check_values(self, value):
        for pk in value:
            if not _ids([pk]):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


class PracticeForm(StyledForm, forms.Form):
    title = forms.CharField(label=_("Case title"), max_length=200)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 14, "class": "form-control font-monospace"}),
        required=False,
        help_text=_(
            "Headings, paragraphs, lists, bold, tables and the case's own photos are kept; anything else is removed."
        ),
    )
    categories = IdsField(label=_("Categories"), queryset=Category.objects.none(), required=False, widget=CheckboxList)
    key_tasks = IdsField(
        label=_("Key tasks"), queryset=KeyTask.objects.none(), required=False, widget=forms.SelectMultiple
    )
    items = IdsField(label=_("Linked items"), queryset=Item.objects.none(), required=False)

    def __init__(self, *args, campaign, access, picker_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if access.is_office:
            use_unit_picker(self.fields["unit"], Unit.objects.active())
        else:
            units = Unit.objects.none()
            for own in access.liaison_units:
                units = units | Unit.objects.filter(path__startswith=own.path, is_active=True)
            use_unit_tree(self.fields["unit"], units, blank=False)
        self.fields["categories"].queryset = Category.objects.filter(campaign=campaign)
        self.fields["key_tasks"].queryset = KeyTask.objects.filter(campaign=campaign)
        self.fields["key_tasks"].widget.attrs["size"] = 6
        self.fields["items"].queryset = Item.objects.filter(campaign=campaign)
        # The shared picker (lib.widgets), fed by this app's endpoint: a liaison finds only its units' items.
        use_picker(self.fields["items"], url=picker_url)
        self.fields["body"].widget.attrs["data-richtext"] = json.dumps(
            {
                "label": str(_("Text")),
                "h2": str(_("Heading")),
                "h3": str(_("Subheading")),
                "p": str(_("Paragraph")),
                "bold": str(_("Bold")),
                "ul": str(_("List")),
                "ol": str(_("Numbered list")),
                "table": str(_("Table")),
            },
            ensure_ascii=False,
        )

    @classmethod
    def initial_for(cls, practice: Practice) -> dict:
        return {
            "title": practice.title,
            "unit": practice.unit_id,
            "summary": practice.summary,
            "body": practice.body,
            "categories": list(practice.categories.values_list("pk", flat=True)),
            "key_tasks": list(practice.key_tasks.values_list("pk", flat=True)),
            "items": list(practice.items.values_list("pk", flat=True)),
        }


class PhotoForm(StyledForm, forms.Form):
    photo = forms.FileField(label=_("Photo"), widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)


class CommentForm(StyledForm, forms.Form):
    comment = forms.CharField(label=_("What should change"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ModelMarkForm(StyledForm, forms.Form):
    reason = forms.CharField(label=_("Why it is a model"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ReasonForm(StyledForm, forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ErratumForm(StyledForm, forms.Form):
    text = forms.CharField(label=_("Correction"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class LibraryFilterForm(StyledForm, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    unit = forms.ModelChoiceField(label=_("Unit (with sub-units)"), queryset=Unit.objects.none(), required=False)
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none(), required=False)
    key_task = forms.ModelChoiceField(label=_("Key task"), queryset=KeyTask.objects.none(), required=False)
    model = forms.BooleanField(label=_("Model projects only"), required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    status = forms.ChoiceField(label=_("Status"), choices=[("", "—"), *Practice.Status.choices], required=False)

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        use_unit_picker(self.fields["unit"], Unit.objects.all())
        self.fields["category"].queryset = Category.objects.filter(campaign=campaign)
        self.fields["key_task"].queryset = KeyTask.objects.filter(campaign=campaign)
        name_empty_choices(self, filters=True)


class BulletinForm(StyledForm, forms.Form):
    masthead = forms.CharField(label=_("Masthead"), max_length=100, initial=_("Information bulletin"))
    issued_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    publisher = forms.CharField(label=_("Publisher"), max_length=100, initial=_("Campaign office"))
    period_starts = forms.DateField(
        label=_("Period from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    period_ends = forms.DateField(
        label=_("Period to"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    foreword = forms.CharField(label=_("Foreword"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    editor = forms.CharField(label=_("Editor"), max_length=100, required=False)
    proofreaders = forms.CharField(
        label=_("Proofreaders"), max_length=300, required=False, help_text=_("Several names separated by 、 or commas.")
    )
    figure_kinds = forms.MultipleChoiceField(
        label=_("Figures"), choices=Bulletin.Figure.choices, required=False, widget=CheckboxList
    )

    def clean_proofreaders(self) -> list[str]:
        import re

        return [p for p in re.split(r"[、,，;；\s]+", self.cleaned_data.get("proofreaders") or "") if p]

    def clean(self):
        data = super().clean()
        if data.get("period_starts") and data.get("period_ends") and data["period_starts"] > data["period_ends"]:
            self.add_error("period_ends", _("The period ends before it starts."))
        return data

    @classmethod
    def initial_for(cls, bulletin: Bulletin) -> dict:
        return {
            "masthead": bulletin.masthead,
            "issued_on": bulletin.issued_on,
            "publisher": bulletin.publisher,
            "period_starts": bulletin.period_starts,
            "period_ends": bulletin.period_ends,
            "foreword": bulletin.foreword,
            "editor": bulletin.editor,
            "proofreaders": "、".join(bulletin.proofreaders),
            "figure_kinds": bulletin.figure_kinds,
        }


class SignatoryForm(forms.Form):
    """Name the office head who signs off the bulletins (a person of the campaign office)."""

    user = PickerField(User.objects.filter(is_active=True), label=_("Signatory (签发人)"))

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        url = reverse("campaigns:people_search", args=[campaign.slug]) + "?role=office"
        self.fields["user"].widget.url = url
