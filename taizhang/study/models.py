"""Study (项目化实施 in practice): unit rosters, study activities with attendance, the materials library."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from taizhang.lib.models import Attachment

# The kinds the seed names; each campaign keeps its own list (the office adds more).
DEFAULT_KINDS = ["专题学习", "专题培训", "主题党日", "重走红色之路", "读书班", "专题党课", "实践活动"]


def new_token() -> str:
    return secrets.token_urlsafe(18)


class Member(models.Model):
    """A person on a unit's roster (党员/职工名册): attends activities and reads materials; not always a user."""

    unit = models.ForeignKey("orgs.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="members")
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_party_member = models.BooleanField(_("party member"), default=False)
    party_branch = models.CharField(_("party branch"), max_length=100, blank=True)
    is_active = models.BooleanField(_("on the roster"), default=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="memberships"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["unit__path", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["phone"],
                condition=~Q(phone=""),
                name="member_phone_unique",
                violation_error_message=_("Another member already has this phone number."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    PICKER_RELATED = ("unit",)

    @property
    def picker_label(self) -> str:
        return f"{self.name} · {self.unit.name}"

    @property
    def masked_phone(self) -> str:
        """138****5678: enough for a person to recognise their own number."""
        return f"{self.phone[:3]}****{self.phone[-4:]}" if len(self.phone) >= 7 else self.phone


class MemberGroup(models.Model):
    """A group of members within a unit (党小组, 学习小组): an audience for activities and study materials."""

    class Kind(models.TextChoices):
        PARTY = "party", _("party group (党小组)")
        STUDY = "study", _("study group (学习小组)")
        OTHER = "other", _("other group")

    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="member_groups"
    )
    name = models.CharField(_("group name"), max_length=100)
    kind = models.CharField(_("kind of group"), max_length=10, choices=Kind.choices, default=Kind.PARTY)
    leader = models.ForeignKey(
        Member,
        verbose_name=_("group leader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    members = models.ManyToManyField(Member, verbose_name=_("members"), blank=True, related_name="member_groups")
    is_active = models.BooleanField(_("in use"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("member group")
        verbose_name_plural = _("member groups")
        ordering = ["unit__path", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "name"],
                name="member_group_unique",
                violation_error_message=_("This unit already has a group of that name."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    PICKER_RELATED = ("unit",)

    @property
    def picker_label(self) -> str:
        return f"{self.name} · {self.unit.name}"


class ActivityKind(models.Model):
    """A kind of study activity in a campaign (专题学习, 主题党日, 重走红色之路 …)."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="activity_kinds")
    name = models.CharField(_("name"), max_length=50)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("activity kind")
        verbose_name_plural = _("activity kinds")
        ordering = ["campaign", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "name"],
                name="activity_kind_unique",
                violation_error_message=_("This campaign already has an activity kind of that name."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Activity(models.Model):
    """A study or practice activity: planned, then held (with attendance) or cancelled."""

    class State(models.TextChoices):
        PLANNED = "planned", _("planned")
        HELD = "held", _("held")
        CANCELLED = "cancelled", _("cancelled")

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="activities")
    kind = models.ForeignKey(ActivityKind, verbose_name=_("kind"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("theme"), max_length=200)
    key_task = models.ForeignKey(
        "campaigns.KeyTask",
        verbose_name=_("key task"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("organising unit"), on_delete=models.PROTECT, related_name="activities"
    )
    audience_units = models.ManyToManyField(
        "orgs.Unit",
        verbose_name=_("audience units"),
        blank=True,
        related_name="+",
        help_text=_("Units whose members are expected; empty means the organising unit and the units below it."),
    )
    audience_groups = models.ManyToManyField(
        MemberGroup,
        verbose_name=_("audience groups"),
        blank=True,
        related_name="+",
        help_text=_("Member groups (党小组, 学习小组) expected besides the audience units."),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online = models.BooleanField(_("online"), default=False)
    speaker = models.CharField(_("speaker"), max_length=100, blank=True)
    hours = models.DecimalField(_("study hours credited"), max_digits=4, decimal_places=1, default=0)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PLANNED)
    summary = models.TextField(_("summary of the activity"), blank=True)
    outsiders = models.PositiveIntegerField(_("other attendees"), default=0, help_text=_("People not on a roster."))
    materials = models.ManyToManyField("Material", verbose_name=_("materials used"), blank=True, related_name="+")
    # The same notion as a good-practice case's 特色样板 (bulletins is above study, so the mark lives here).
    is_model = models.BooleanField(_("model project (特色样板)"), default=False)
    model_reason = models.TextField(_("why it is a model"), blank=True)
    sign_in_token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["campaign", "unit", "starts_at"], name="activity_unit_idx")]

    def __str__(self) -> str:
        return self.title


def activity_photo_path(instance: "ActivityPhoto", filename: str) -> str:
    return f"activities/{instance.activity.campaign_id}/{instance.activity_id}/{filename}"


class ActivityPhoto(Attachment):
    """A photo of a held activity: a real image through the upload gate, served only to those who see the activity."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to=activity_photo_path)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(Attachment.Meta):
        verbose_name = _("activity photo")
        verbose_name_plural = _("activity photos")


class Attendance(models.Model):
    """One member at one activity: present, on leave (请假, with a reason) or absent."""

    class Status(models.TextChoices):
        PRESENT = "present", _("present")
        LEAVE = "leave", _("on leave")
        ABSENT = "absent", _("absent")

    class Via(models.TextChoices):
        ROSTER = "roster", _("ticked on the roster")
        QR = "qr", _("signed in by QR code")
        UPLOAD = "upload", _("uploaded sheet")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="attendances")
    status = models.CharField(_("attendance"), max_length=10, choices=Status.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    via = models.CharField(_("recorded by"), max_length=10, choices=Via.choices, default=Via.ROSTER)
    recorded_at = models.DateTimeField(auto_now=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [models.UniqueConstraint(fields=["activity", "member"], name="attendance_once")]
        indexes = [models.Index(fields=["member", "status"], name="attendance_member_idx")]

    def __str__(self) -> str:
        return f"{self.member} · {self.get_status_display()}"


class Material(models.Model):
    """A study document (《红色之路》 …): a file or an intranet link, assigned to units with a read-by date."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("title"), max_length=200)
    source = models.CharField(_("source"), max_length=200, blank=True)
    key_task = models.ForeignKey(
        "campaigns.KeyTask", verbose_name=_("key task"), null=True, blank=True, on_delete=models.SET_NULL
    )
    link = models.URLField(_("intranet link"), blank=True)
    tags = models.CharField(_("tags"), max_length=200, blank=True)
    read_token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("study material")
        verbose_name_plural = _("study materials")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class MaterialFile(Attachment):
    """The document itself; served only to members of the campaign."""

    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="materials/%Y/%m/")

    class Meta:
        verbose_name = _("material file")
        verbose_name_plural = _("material files")


class Assignment(models.Model):
    """A material assigned to a unit (so to the members of it and below) or to a member group, with a read-by
    date."""

    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    group = models.ForeignKey(
        MemberGroup,
        verbose_name=_("member group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    read_by = models.DateField(_("read by"))

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["material", "unit"],
                name="assignment_once",
                violation_error_message=_("The material is already assigned to this unit."),
            ),
            models.UniqueConstraint(
                fields=["material", "group"],
                name="assignment_group_once",
                violation_error_message=_("The material is already assigned to this group."),
            ),
            models.CheckConstraint(
                condition=Q(unit__isnull=False, group__isnull=True) | Q(unit__isnull=True, group__isnull=False),
                name="assignment_unit_or_group",
                violation_error_message=_("Assign the material to a unit or to a member group."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.material} → {self.unit or self.group}"


class Reading(models.Model):
    """A member's reading of a material: when it was first opened and when the reading was confirmed."""

    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="readings")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="readings")
    opened_at = models.DateTimeField(_("first opened at"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)

    class Meta:
        verbose_name = _("reading")
        verbose_name_plural = _("reading records")
        constraints = [models.UniqueConstraint(fields=["material", "member"], name="reading_once")]

    def __str__(self) -> str:
        return f"{self.member} · {self.material}"

    @property
    def minutes(self) -> int | None:
        """Time between opening and confirming, honestly: what the app saw, not what a person claims."""
        if self.confirmed_at is None:
            return None
        return int((self.confirmed_at - self.opened_at).total_seconds() // 60)


class ActivityPlan(models.Model):
    """How many activities of a kind a unit plans to hold in a quarter (its 学习计划)."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="activity_plans")
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    kind = models.ForeignKey(ActivityKind, verbose_name=_("kind"), on_delete=models.PROTECT, related_name="+")
    quarter = models.DateField(_("quarter"), help_text=_("The first day of the quarter."))
    planned = models.PositiveSmallIntegerField(_("planned"))

    class Meta:
        verbose_name = _("activity plan")
        verbose_name_plural = _("activity plans")
        ordering = ["campaign", "quarter", "unit__path", "kind__order"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit", "kind", "quarter"], name="activity_plan_once")
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.kind} · {self.planned}"
