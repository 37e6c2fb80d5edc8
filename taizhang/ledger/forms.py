from collections.abc import Callable

from django import forms
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from taizhang.campaigns.models import Category, KeyTask, Phase, Scope
from taizhang.lib.forms import name_empty_choices, style_widgets
from taizhang.lib.widgets import FastSelect, use_picker
from taizhang.orgs.models import Unit
from taizhang.orgs.queries import use_unit_picker

from .models import Item, Light, ProgressEntry, Status

SORTS = {
    "code": _("code"),
    "due": _("deadline"),
    "percent": _("progress"),
    "light": _("light"),
    "unit": _("responsible unit"),
    "updated": _("last updated"),
}


class ItemFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    unit = forms.ModelChoiceField(label=_("Unit (with sub-units)"), queryset=Unit.objects.none(), required=False)
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none(), required=False)
    phase = forms.ModelChoiceField(label=_("Phase"), queryset=Phase.objects.none(), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        # By default the list shows what the overview counts: every item but the withdrawn ones.
        choices=[
            ("", _("all but withdrawn")),
            ("open", _("open (not closed or withdrawn)")),
            ("all", _("all, withdrawn too")),
            *Status.choices,
        ],
        required=False,
    )
    light = forms.ChoiceField(label=_("Light"), choices=[("", "---------"), *Light.choices], required=False)
    # The plan's tree is a few dozen rows, not a list that grows with the data: a plain select.
    key_task = forms.ModelChoiceField(
        label=_("Key task (with those under it)"), queryset=KeyTask.objects.none(), required=False
    )
    scope = forms.ChoiceField(label=_("Scope"), choices=[("", "---------"), *Scope.choices], required=False)
    due_from = forms.DateField(label=_("Due from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    due_to = forms.DateField(label=_("Due by"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    owner = forms.CharField(label=_("Person responsible"), required=False, max_length=100)
    model = forms.BooleanField(label=_("Model projects only"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            *((key, format_lazy("{} ↑", label)) for key, label in SORTS.items()),
            *((f"-{key}", format_lazy("{} ↓", label)) for key, label in SORTS.items()),
        ],
    )

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        if self.data.get("status") == "current":  # the links of before: the default now
            self.data = self.data.copy()
            self.data["status"] = ""
        # 2,000 units: a search-as-you-type picker, not a select carrying them all on every list page.
        use_unit_picker(self.fields["unit"], Unit.objects.filter(is_active=True))
        self.fields["category"].queryset = campaign.categories.all()
        self.fields["phase"].queryset = campaign.phases.all()
        self.fields["key_task"].queryset = KeyTask.objects.filter(campaign=campaign).order_by(
            "parent_id", "order", "id"
        )
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select form-select-sm"
            else:
                css = "form-control form-control-sm"
            widget.attrs.setdefault("class", css)
            widget.attrs.setdefault("id", f"filter-{name}")
        name_empty_choices(self, filters=True)
        # The selects built as strings: the list page renders this form on every request.
        for field in self.fields.values():
            if type(field.widget) is forms.Select:
                fast = FastSelect(attrs=field.widget.attrs)
                fast.choices = field.widget.choices
                fast.is_required = field.widget.is_required
                field.widget = fast

    def clean(self):
        data = super().clean()
        if data.get("due_from") and data.get("due_to") and data["due_from"] > data["due_to"]:
            self.add_error("due_to", _("The end of the range is before its start."))
        return data


class ItemForm(forms.ModelForm):
    """Create or edit an item; ``version`` guards against overwriting someone else's edit."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    owner_unit = forms.ModelChoiceField(label=_("responsible unit"), queryset=Unit.objects.none())
    partner_units = forms.ModelMultipleChoiceField(
        label=_("partner units"), queryset=Unit.objects.none(), required=False
    )
    parent = forms.ModelChoiceField(label=_("parent item"), queryset=Item.objects.none(), required=False)

    class Meta:
        model = Item
        # Every field a person edits is one the history keeps: one list serves both.
        fields = list(Item.AUDITED_FIELDS)
        widgets = {
            "content": forms.Textarea(attrs={"rows": 3}),
            "measures": forms.Textarea(attrs={"rows": 3}),
            "note": forms.Textarea(attrs={"rows": 2}),
            "model_reason": forms.Textarea(attrs={"rows": 2}),
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "due": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        units = Unit.objects.filter(is_active=True)
        if self.instance.pk:
            units = units | Unit.objects.filter(pk=self.instance.owner_unit_id)
        # Units and items are chosen by typing (2,000 units, 100,000 items): the form carries only the chosen.
        use_unit_picker(self.fields["owner_unit"], units)
        use_unit_picker(self.fields["partner_units"], Unit.objects.filter(is_active=True))
        self.fields["starts_on"].help_text = _(
            "Empty: from the day the item is added (or the campaign's start, if later). A date you enter counts."
        )
        self.fields["category"].queryset = campaign.categories.all()
        self.fields["phase"].queryset = campaign.phases.all()
        self.fields["key_task"].queryset = KeyTask.objects.filter(campaign=campaign)
        parents = Item.objects.filter(campaign=campaign).exclude(status=Status.WITHDRAWN)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
            self.fields["version"].initial = self.instance.version
        self.fields["parent"].queryset = parents
        use_picker(self.fields["parent"], url=reverse("ledger:item_search", args=[campaign.slug]))
        # One rule with every form: 特色样板 a checkbox (not a wide empty text box), empty choices 请选择.
        style_widgets(self)

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        clash = Item.objects.filter(campaign=self.campaign, code=code)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("An item with this code already exists in the campaign."))
        return code

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("due") and data["due"] < data["starts_on"]:
            self.add_error("due", _("The deadline is before the planned start."))
        return data

    def item_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name != "partner_units"}


class MilestoneForm(forms.Form):
    """One planned point of an item: by this date, this percent done (序时进度 runs through it)."""

    on = forms.DateField(
        label=_("date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d"),
    )
    percent = forms.IntegerField(
        label=_("expected progress (%)"),
        required=False,
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "class": "form-control form-control-sm"}),
    )

    def clean(self):
        data = super().clean()
        on, percent = data.get("on"), data.get("percent")
        if (on is None) != (percent is None) and not self.errors:
            raise forms.ValidationError(_("Give both the date and the percent, or leave the row empty."))
        return data


class BaseMilestoneFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        style_widgets(form, small=True)  # the rows of a table show no <label>: each control is named here

    def points(self) -> list[tuple]:
        """The filled rows not marked for removal, as (date, percent)."""
        return [
            (form.cleaned_data["on"], form.cleaned_data["percent"])
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("on") is not None
            and form.cleaned_data.get("percent") is not None
        ]


MilestoneFormSet = forms.formset_factory(
    MilestoneForm, formset=BaseMilestoneFormSet, extra=1, can_delete=True, max_num=24, validate_max=True
)


def milestone_formset(data=None, *, item=None) -> BaseMilestoneFormSet:
    """The item form's milestones table; a post without the table (another client) leaves them unbound."""
    initial = [{"on": m.on, "percent": m.percent} for m in item.milestones.all()] if item is not None else []
    if data is not None and "milestones-TOTAL_FORMS" not in data:
        data = None
    return MilestoneFormSet(data, initial=initial, prefix="milestones")


def milestone_points(formset: BaseMilestoneFormSet) -> list[tuple] | None:
    """The milestones the table holds, or None when it was not sent (the item's stay as they are)."""
    return formset.points() if formset.is_bound else None


def milestones_ok(formset: BaseMilestoneFormSet) -> bool:
    return not formset.is_bound or formset.is_valid()


class MultipleFileInput(forms.ClearableFileInput):
    # A class attribute, not an HTML attribute: only this renders ``multiple`` and reads every file.
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field, cleaned one by one."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "form-control"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        clean_one = super().clean
        if isinstance(data, (list, tuple)):
            return [clean_one(one, initial) for one in data]
        return clean_one(data, initial)


# The reporting periods a progress entry can be filed under, [(key, name)] with the current one first. Reporting
# lies above the ledger and registers them (reporting.apps); without it the period is left empty.
PeriodChoices = Callable[[object], list[tuple[str, str]]]
_period_choices: PeriodChoices | None = None


def register_period_choices(provider: PeriodChoices | None) -> None:
    global _period_choices
    _period_choices = provider


class ProgressForm(forms.ModelForm):
    attachments = MultipleFileField(label=_("Attachments"), required=False)
    period_label = forms.ChoiceField(label=_("period"), required=False)

    class Meta:
        model = ProgressEntry
        fields = ["percent", "done", "difficulties", "next_steps", "period_label"]
        widgets = {
            "percent": forms.NumberInput(attrs={"min": 0, "max": 100, "class": "form-control"}),
            "done": forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
            "difficulties": forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
            "next_steps": forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        }

    def __init__(self, *args, campaign=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = _period_choices(campaign) if _period_choices and campaign is not None else []
        field = self.fields["period_label"]
        field.choices = choices or [("", "—")]
        field.widget.attrs["class"] = "form-select"
        self._current_period = choices[0][0] if choices else ""
        field.initial = self._current_period

    def clean_period_label(self) -> str:
        # Left out (an older client, the API): the current period, never free text.
        return self.cleaned_data.get("period_label") or self._current_period


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}), max_length=2000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)  # the comment box has no <label> on the item page: its accessible name comes from here


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}), max_length=2000
    )
    merged_into = forms.ModelChoiceField(
        label=_("Merge into (optional)"),
        queryset=Item.objects.none(),
        required=False,
    )

    def __init__(self, *args, item, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["merged_into"].queryset = (
            Item.objects.filter(campaign=item.campaign).exclude(pk=item.pk).exclude(status=Status.WITHDRAWN)
        )
        use_picker(self.fields["merged_into"], url=reverse("ledger:item_search", args=[item.campaign.slug]))
