from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from taizhang.campaigns.models import KeyTask
from taizhang.lib.forms import StyledForm
from taizhang.orgs.models import Unit
from taizhang.orgs.queries import under, use_unit_picker, use_unit_tree

from .models import Activity, ActivityKind, Attendance, Material, Member, MemberGroup

ISO_DATETIME = "%Y-%m-%dT%H:%M"


def own_units(access):
    """The active units a person plans and keeps rosters for: every one for the office, else a liaison's own
    units and those below them."""
    active = Unit.objects.filter(is_active=True)
    if access.is_office:
        return active
    query = under((unit.path for unit in access.liaison_units), field="")
    return active.none() if query is None else active.filter(query)


def use_own_units(field, access) -> None:
    """A unit field over :func:`own_units`: the office's (every active unit) by the picker, a liaison's few
    as a select."""
    (use_unit_picker if access.is_office else use_unit_tree)(field, own_units(access))


def use_group_picker(field, campaign, *, keep=None) -> None:
    """A member-group field chosen by the search-as-you-type picker: groups in use (and those an activity
    already has, so editing it keeps a group taken out of use since)."""
    from django.urls import reverse

    from taizhang.lib.widgets import use_picker

    groups = MemberGroup.objects.filter(is_active=True)
    if keep is not None and keep.pk:
        groups = MemberGroup.objects.filter(Q(is_active=True) | Q(pk__in=keep.audience_groups.values("pk")))
    field.queryset = groups
    use_picker(field, url=reverse("study:group_search", args=[campaign.slug]))


class ActivityForm(StyledForm, forms.ModelForm):
    class Meta:
        model = Activity
        fields = (
            "kind",
            "title",
            "unit",
            "audience_units",
            "audience_groups",
            "key_task",
            "starts_at",
            "ends_at",
            "place",
            "online",
            "speaker",
            "hours",
            "state",
            "outsiders",
            "summary",
        )
        widgets = {
            # ISO values: an <input type=datetime-local> rejects the zh-Hans display format.
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format=ISO_DATETIME),
            "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format=ISO_DATETIME),
            "summary": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, campaign, access, **kwargs):
        super().__init__(*args, **kwargs)
        from .actions import activity_kinds

        self.fields["kind"].queryset = ActivityKind.objects.filter(pk__in=[k.pk for k in activity_kinds(campaign)])
        self.fields["key_task"].queryset = KeyTask.objects.filter(campaign=campaign)
        use_own_units(self.fields["unit"], access)
        use_unit_picker(self.fields["audience_units"], Unit.objects.filter(is_active=True))
        use_group_picker(self.fields["audience_groups"], campaign, keep=self.instance)
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = [ISO_DATETIME, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class MemberForm(StyledForm, forms.ModelForm):
    class Meta:
        model = Member
        fields = ("name", "unit", "phone", "is_party_member", "party_branch", "is_active")

    def __init__(self, *args, access, **kwargs):
        super().__init__(*args, **kwargs)
        use_own_units(self.fields["unit"], access)


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster (xlsx or csv)"), widget=forms.ClearableFileInput(attrs={"class": "form-control"})
    )


class MaterialForm(StyledForm, forms.ModelForm):
    link = forms.URLField(label=_("intranet link"), required=False, assume_scheme="https")
    files = forms.FileField(
        label=_("Document"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"class": "form-control"}),
        help_text=_("PDF, Word or an image; or give an intranet link instead."),
    )

    class Meta:
        model = Material
        fields = ("title", "source", "key_task", "link", "tags")

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key_task"].queryset = KeyTask.objects.filter(campaign=campaign)


class AssignForm(StyledForm, forms.Form):
    unit = forms.ModelChoiceField(label=_("unit"), queryset=Unit.objects.none(), required=False)
    group = forms.ModelChoiceField(label=_("or a member group"), queryset=MemberGroup.objects.none(), required=False)
    read_by = forms.DateField(label=_("read by"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        use_unit_picker(self.fields["unit"], Unit.objects.filter(is_active=True))
        use_group_picker(self.fields["group"], campaign)

    def clean(self):
        data = super().clean()
        if not self.errors and (data.get("unit") is None) == (data.get("group") is None):
            raise forms.ValidationError(_("Assign the material to a unit or to a member group."))
        return data


class GroupForm(StyledForm, forms.ModelForm):
    """A member group's name, kind and leader; its unit is chosen when it is made and kept after."""

    class Meta:
        model = MemberGroup
        fields = ("unit", "name", "kind", "leader", "is_active")

    def __init__(self, *args, campaign, access, **kwargs):
        super().__init__(*args, **kwargs)
        from django.urls import reverse

        from taizhang.lib.widgets import use_picker

        if self.instance.pk:
            del self.fields["unit"]
            self.fields["leader"].queryset = self.instance.members.filter(is_active=True)
            use_picker(
                self.fields["leader"],
                url=reverse("study:group_member_search", args=[campaign.slug, self.instance.pk]) + "?in=1",
            )
        else:
            use_own_units(self.fields["unit"], access)
            del self.fields["leader"]
            del self.fields["is_active"]


class GroupMembersForm(forms.Form):
    """Members to add to a group, found by the picker among its unit's roster."""

    members = forms.ModelMultipleChoiceField(label=_("Add members"), queryset=Member.objects.none())

    def __init__(self, *args, campaign, group, **kwargs):
        super().__init__(*args, **kwargs)
        from django.urls import reverse

        from taizhang.lib.widgets import use_picker

        field = self.fields["members"]
        field.queryset = Member.objects.filter(is_active=True, unit__path__startswith=group.unit.path)
        use_picker(field, url=reverse("study:group_member_search", args=[campaign.slug, group.pk]))


class IdentifyForm(StyledForm, forms.Form):
    """A member names themselves (QR sign-in, reading a material): checked against the roster."""

    name = forms.CharField(label=_("name"), max_length=50)
    phone = forms.CharField(
        label=_("phone"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"})
    )


ATTENDANCE_CHOICES = Attendance.Status.choices


class PlanUnitForm(forms.Form):
    """Which unit's plan to set: typed by name (the office, among every unit: a page never lists 2,000 of
    them), or chosen among a liaison's own unit and those below it (a handful)."""

    unit = forms.ModelChoiceField(label=_("unit"), queryset=Unit.objects.none())

    def __init__(self, *args, access, **kwargs):
        super().__init__(*args, **kwargs)
        self.by_name = access.is_office
        if self.by_name:
            self.fields["unit"] = forms.CharField(
                label=_("unit"),
                max_length=200,
                help_text=_("The unit's name, short name or alias, as on the org tree."),
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "autocomplete": "off"}),
            )
            self.units = own_units(access)  # the office's: every active unit
            return
        use_own_units(self.fields["unit"], access)
        self.fields["unit"].widget.attrs["class"] = "form-select form-select-sm"

    def clean_unit(self):
        value = self.cleaned_data["unit"]
        if not self.by_name:
            return value
        from taizhang.lib.unitnames import UnitMatcher

        match = UnitMatcher(self.units).match(value)
        if len(match.units) == 1 and not match.unknown and not match.ambiguous:
            return match.units[0]
        if match.ambiguous or len(match.units) > 1:
            raise forms.ValidationError(
                _("“%(name)s” names more than one unit; write its full name.") % {"name": value}
            )
        raise forms.ValidationError(_("No unit is called “%(name)s”.") % {"name": value})
