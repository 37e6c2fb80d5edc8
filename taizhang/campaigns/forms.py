from django import forms
from django.utils.translation import gettext_lazy as _

from taizhang.lib.forms import StyledForm, style_widgets
from taizhang.lib.widgets import PickerField, PickerMultipleField
from taizhang.orgs.models import Role, Unit, User

from .models import Campaign, Scope, threshold_order_errors


class CampaignRulesForm(forms.ModelForm):
    """The campaign's rules; ``fingerprint`` guards against overwriting someone else's change."""

    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Campaign
        # Every rule the office edits is one the history keeps: one list serves both.
        fields = list(Campaign.RULE_FIELDS)

    def __init__(self, *args, read_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fingerprint"].initial = self.instance.rules_fingerprint()
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)
            field.disabled = read_only

    def clean(self):
        data = super().clean()
        for name, message in threshold_order_errors(data).items():
            if name not in self.errors:
                self.add_error(name, message)
        return data

    def rules_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in Campaign.RULE_FIELDS}

    def fieldsets(self) -> list[tuple[str, str, list]]:
        """The fields in groups (title, help line, bound fields), in the page's order."""
        groups = [
            (
                _("Reporting rhythm"),
                _("When weekly and monthly reports are due (Beijing time). Periods not yet due follow a change."),
                Campaign.RHYTHM_FIELDS,
            ),
            (
                _("Warning lights"),
                _(
                    "When an item lights blue, yellow or red. Zero switches off a light for missed reports. Every item is relit after a change."
                ),
                Campaign.LIGHT_FIELDS,
            ),
            (
                _("Closing"),
                _("What an item from the public's demands needs before it can be closed."),
                Campaign.CLOSING_FIELDS,
            ),
            (
                _("Supervision"),
                _("When a contact point counts as not visited, and how long a unit has to answer an instruction."),
                Campaign.SUPERVISION_FIELDS,
            ),
            (
                _("Problems from the public"),
                _("How the office hears of a problem a member of the public submits: each one, or a morning digest."),
                Campaign.DEMAND_FIELDS,
            ),
        ]
        return [(title, help_line, [self[name] for name in names]) for title, help_line, names in groups]


class StartCampaignForm(forms.ModelForm):
    """A new campaign: its name, short code and dates, and what it starts from."""

    START_CHOICES = [
        ("empty", _("an empty campaign")),
        ("seed", _("the seed's template: 5 categories, 3 phases, 19 aspects and 39 key tasks")),
        ("copy", _("a copy of another campaign")),
    ]
    start_from = forms.ChoiceField(
        label=_("Start from"), choices=START_CHOICES, initial="seed", widget=forms.RadioSelect
    )
    copy_from = forms.ModelChoiceField(label=_("Campaign to copy"), queryset=Campaign.objects.none(), required=False)
    copy = forms.MultipleChoiceField(
        label=_("What to copy"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[
            ("tree", _("categories, phases and the key-task tree")),
            ("rules", _("the campaign rules")),
            ("grants", _("the role grants")),
            ("contacts", _("the leaders' contact points")),
        ],
        initial=["tree", "rules", "grants", "contacts"],
    )

    class Meta:
        model = Campaign
        fields = ("name", "slug", "starts_on", "ends_on", "description")
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from taizhang.orgs.models import Role

        campaigns = Campaign.objects.all()
        if not user.is_superuser:
            campaigns = campaigns.filter(grants__user=user, grants__role=Role.OFFICE).distinct()
        self.fields["copy_from"].queryset = campaigns
        style_widgets(self)

    def clean(self):
        data = super().clean()
        if data.get("start_from") == "copy" and not data.get("copy_from"):
            self.add_error("copy_from", _("Choose the campaign to copy."))
        return data


class CategoryRowForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("name"), max_length=100)
    scope = forms.ChoiceField(label=_("scope"), required=False, choices=[("", "—"), *Scope.choices])
    order = forms.IntegerField(label=_("order"), min_value=0, max_value=999, initial=0)
    delete = forms.BooleanField(label=_("remove"), required=False)


class PhaseRowForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("name"), max_length=100)
    starts_on = forms.DateField(
        label=_("starts on"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ends_on = forms.DateField(
        label=_("ends on"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    order = forms.IntegerField(label=_("order"), min_value=0, max_value=999, initial=0)
    delete = forms.BooleanField(label=_("remove"), required=False)


class KeyTaskRowForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    parent = forms.TypedChoiceField(label=_("aspect"), required=False, coerce=int, empty_value=None)
    code = forms.CharField(label=_("number"), max_length=20, required=False)
    name = forms.CharField(label=_("name"), max_length=200)
    order = forms.IntegerField(label=_("order"), min_value=0, max_value=999, initial=0)
    delete = forms.BooleanField(label=_("remove"), required=False)

    def __init__(self, *args, aspects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", _("(an aspect)")), *[(a.pk, str(a)) for a in aspects]]


class PlanSectionRowForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("kind"))
    name = forms.CharField(label=_("name"), max_length=200)
    order = forms.IntegerField(label=_("order"), min_value=0, max_value=999, initial=0)
    delete = forms.BooleanField(label=_("remove"), required=False)

    def __init__(self, *args, **kwargs):
        from .models import PlanSection

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = PlanSection.Kind.choices


def structure_formsets(campaign, data=None):
    """The three editable lists of the set-up page, each with three empty rows to add to."""
    from .models import Category, KeyTask, Phase, PlanSection

    plan_set = forms.formset_factory(PlanSectionRowForm, extra=2, max_num=100, absolute_max=200)
    category_set = forms.formset_factory(CategoryRowForm, extra=3, max_num=500, absolute_max=1000)
    phase_set = forms.formset_factory(PhaseRowForm, extra=2, max_num=50, absolute_max=100)
    task_set = forms.formset_factory(KeyTaskRowForm, extra=3, max_num=1000, absolute_max=2000)
    aspects = list(KeyTask.objects.filter(campaign=campaign, parent=None))
    tasks = KeyTask.objects.filter(campaign=campaign).order_by("parent_id", "order", "id")
    # The tree as it reads: aspects in their order, each followed by its key tasks in theirs.
    aspect_place = {a.pk: (a.order, a.pk) for a in aspects}
    sets = {
        "categories": category_set(
            data,
            prefix="categories",
            initial=[
                {"id": c.pk, "name": c.name, "scope": c.scope, "order": c.order}
                for c in Category.objects.filter(campaign=campaign)
            ],
        ),
        "phases": phase_set(
            data,
            prefix="phases",
            initial=[
                {"id": p.pk, "name": p.name, "starts_on": p.starts_on, "ends_on": p.ends_on, "order": p.order}
                for p in Phase.objects.filter(campaign=campaign)
            ],
        ),
        "key_tasks": task_set(
            data,
            prefix="key_tasks",
            form_kwargs={"aspects": aspects},
            initial=[
                {"id": t.pk, "parent": t.parent_id, "code": t.code, "name": t.name, "order": t.order}
                for t in sorted(
                    tasks,
                    key=lambda t: (
                        aspect_place.get(t.parent_id or t.pk, (t.order, t.pk)),
                        t.parent_id is not None,
                        t.order,
                        t.pk,
                    ),
                )
            ],
        ),
        "plan_sections": plan_set(
            data,
            prefix="plan_sections",
            initial=[
                {"id": p.pk, "kind": p.kind, "name": p.name, "order": p.order}
                for p in PlanSection.objects.filter(campaign=campaign)
            ],
        ),
    }
    for formset in sets.values():
        for form in formset:
            style_widgets(form)
    return sets


class PlanSectionForm(forms.Form):
    """A preparation's state, date, note and evidence; or, for a link, the key tasks placed under it."""

    state = forms.ChoiceField(label=_("state"), required=False)
    done_on = forms.DateField(
        label=_("done on"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    evidence = forms.FileField(label=_("evidence"), required=False)
    key_tasks = forms.ModelMultipleChoiceField(
        label=_("key tasks"), required=False, queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, section, **kwargs):
        from .models import KeyTask, PlanSection

        super().__init__(*args, prefix=f"s{section.pk}", **kwargs)
        self.section = section
        self.fields["state"].choices = PlanSection.State.choices
        self.fields["key_tasks"].queryset = KeyTask.objects.filter(campaign=section.campaign, parent=None)
        if section.kind != PlanSection.Kind.PREPARATION:
            for name in ("state", "done_on", "evidence"):
                del self.fields[name]
        if section.kind != PlanSection.Kind.LINK:
            del self.fields["key_tasks"]
        self.initial.update(
            {
                "state": section.state,
                "done_on": section.done_on,
                "note": section.note,
                "key_tasks": [t.pk for t in section.key_tasks.all()],
            }
        )
        style_widgets(self)


# People and roles (the writes are orgs.accounts') ---------------------------------------


def _picker_urls(form, slug: str) -> None:
    from django.urls import reverse

    people = reverse("campaigns:people_search", args=[slug])
    units = reverse("orgs:unit_search")
    for name, field in form.fields.items():
        url = {"user": people, "users": people, "leader": people + "?role=leader"}.get(name)
        if name in ("unit", "role_unit", "units"):
            url = units
        if url and hasattr(field, "url"):
            field.url = field.widget.url = url


class UserCreateForm(StyledForm, forms.ModelForm):
    """A new person: user name, name, unit, phone, mail, a first password, and a role in this campaign."""

    unit = PickerField(Unit.objects.filter(is_active=True), label=_("unit"), required=False)
    password = forms.CharField(label=_("first password"), widget=forms.PasswordInput, min_length=8, max_length=128)
    role = forms.ChoiceField(
        label=_("role in this campaign"), choices=[("", "---------"), *Role.choices], required=False
    )
    role_unit = PickerField(
        Unit.objects.filter(is_active=True),
        label=_("unit the role is for"),
        required=False,
        help_text=_("For a liaison; empty: the person's own unit."),
    )

    class Meta:
        model = User
        fields = ("username", "name", "unit", "phone", "email")

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        _picker_urls(self, campaign.slug)

    def user_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class GrantForm(StyledForm, forms.Form):
    users = PickerMultipleField(User.objects.filter(is_active=True), label=_("people"))
    role = forms.ChoiceField(label=_("role"), choices=Role.choices)
    units = PickerMultipleField(
        Unit.objects.filter(is_active=True),
        label=_("units"),
        required=False,
        help_text=_("For liaisons: each person becomes a liaison of each unit."),
    )

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        _picker_urls(self, campaign.slug)


class ContactPointForm(StyledForm, forms.Form):
    leader = PickerField(User.objects.filter(is_active=True), label=_("leader"))
    units = PickerMultipleField(Unit.objects.filter(is_active=True), label=_("units"))
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        _picker_urls(self, campaign.slug)


class UsersUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Users (xlsx or csv)"), widget=forms.ClearableFileInput(attrs={"class": "form-control"})
    )
