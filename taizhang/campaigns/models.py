import hashlib
import json
from collections.abc import Mapping

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from taizhang.lib.models import Attachment


class Scope(models.TextChoices):
    INSIDE = "inside", _("inside (grassroots and employees)")
    OUTSIDE = "outside", _("outside")


class DemandNotice(models.TextChoices):
    EACH = "each", _("each problem as it arrives")
    DAILY = "daily", _("one digest a day")
    OFF = "off", _("no notice")


class Campaign(models.Model):
    """One campaign (e.g. 2021 我为群众办实事) over the shared org tree, with its rule settings."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short code"), max_length=60, unique=True)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    is_active = models.BooleanField(_("active"), default=True)

    # Reporting rhythm (Asia/Shanghai).
    weekly_report_weekday = models.PositiveSmallIntegerField(
        _("weekly report due on"), choices=Weekday.choices, default=Weekday.FRIDAY
    )
    weekly_report_hour = models.PositiveSmallIntegerField(
        _("weekly report due hour"), default=17, validators=[MaxValueValidator(23)]
    )
    monthly_report_day = models.PositiveSmallIntegerField(
        _("monthly report due day"), default=5, validators=[MinValueValidator(1), MaxValueValidator(28)]
    )

    # Warning lights: every threshold is a setting.
    blue_days_before_due = models.PositiveSmallIntegerField(_("blue: days before the deadline"), default=7)
    yellow_points_behind = models.PositiveSmallIntegerField(_("yellow: points behind schedule"), default=10)
    red_points_behind = models.PositiveSmallIntegerField(_("red: points behind schedule"), default=30)
    yellow_missed_reports = models.PositiveSmallIntegerField(_("yellow: reports missed"), default=2)
    red_missed_reports = models.PositiveSmallIntegerField(_("red: reports missed"), default=3)
    # At least a day: 0 would turn every item yellow the day after its planned start.
    yellow_idle_days = models.PositiveSmallIntegerField(
        _("yellow: days not started after the planned start"), default=30, validators=[MinValueValidator(1)]
    )
    red_idle_days = models.PositiveSmallIntegerField(
        _("red: days not started after the planned start"), default=90, validators=[MinValueValidator(1)]
    )

    # Closing.
    ratings_required = models.BooleanField(_("ratings required before closing items from demands"), default=True)
    satisfied_threshold = models.PositiveSmallIntegerField(
        _("satisfaction threshold (percent)"), default=50, validators=[MaxValueValidator(100)]
    )

    # Supervision.
    visit_gap_days = models.PositiveSmallIntegerField(
        _("contact points: days without a leader's visit before they are listed"),
        default=60,
        validators=[MinValueValidator(1)],
    )
    instruction_days = models.PositiveSmallIntegerField(
        _("instructions: days the unit has to answer"), default=7, validators=[MinValueValidator(1)]
    )

    # The public's problems.
    demand_notice = models.CharField(
        _("the office is told of new problems from the public"),
        max_length=10,
        choices=DemandNotice.choices,
        default=DemandNotice.EACH,
    )

    created_at = models.DateTimeField(auto_now_add=True)

    # The rule settings the campaign office keeps on its own page; one list serves the form and the history.
    RHYTHM_FIELDS = ("weekly_report_weekday", "weekly_report_hour", "monthly_report_day")
    LIGHT_FIELDS = (
        "blue_days_before_due",
        "yellow_points_behind",
        "red_points_behind",
        "yellow_missed_reports",
        "red_missed_reports",
        "yellow_idle_days",
        "red_idle_days",
    )
    CLOSING_FIELDS = ("ratings_required", "satisfied_threshold")
    SUPERVISION_FIELDS = ("visit_gap_days", "instruction_days")
    DEMAND_FIELDS = ("demand_notice",)
    RULE_FIELDS = RHYTHM_FIELDS + LIGHT_FIELDS + CLOSING_FIELDS + SUPERVISION_FIELDS + DEMAND_FIELDS

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_start",
                violation_error_message=_("The campaign cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def rules_fingerprint(self) -> str:
        """A short hash of the rule values, to tell whether they changed since a form was opened."""
        return rules_fingerprint({name: getattr(self, name) for name in self.RULE_FIELDS})


def rules_fingerprint(values: Mapping[str, object]) -> str:
    text = json.dumps({name: values[name] for name in Campaign.RULE_FIELDS}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def threshold_order_errors(values: Mapping[str, object]) -> dict[str, str]:
    """Field → message for every yellow threshold that would not light before its red one."""
    pairs = [
        ("yellow_points_behind", "red_points_behind", True),
        # Zero switches a missed-reports light off, so only two thresholds both in use are compared.
        ("yellow_missed_reports", "red_missed_reports", False),
        ("yellow_idle_days", "red_idle_days", True),
    ]
    errors = {}
    for yellow_name, red_name, always in pairs:
        yellow, red = values.get(yellow_name), values.get(red_name)
        if yellow is None or red is None or (not always and not (yellow and red)):
            continue
        if yellow >= red:
            errors[yellow_name] = _(
                "The yellow light must come before the red one: set this below the red threshold (%(red)d)."
            ) % {"red": red}
    return errors


class Category(models.Model):
    """A content category of a campaign's items (服务基层, 关爱员工 …), in the campaign's order."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(_("name"), max_length=100)
    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["campaign", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "name"],
                name="category_unique_name",
                violation_error_message=_("This category already exists in the campaign."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Phase(models.Model):
    """A phase of a campaign (筹划部署, 组织实施, 检查验收) with its dates."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="phases")
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["campaign", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "name"],
                name="phase_unique_name",
                violation_error_message=_("This phase already exists in the campaign."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class KeyTask(models.Model):
    """An aspect of the plan or a key task under it (19 aspects, 39 key tasks in the seed)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="key_tasks")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("aspect")
    )
    code = models.CharField(_("number"), max_length=20, blank=True)
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("key task")
        verbose_name_plural = _("key tasks")
        ordering = ["campaign", "parent_id", "order", "id"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()


class PlanSection(models.Model):
    """A part of the implementation plan (实施方案): one of the 六项准备, 六个环节 or 六个结合.

    Preparations are a checklist (each with a state and its evidence); key tasks are placed under
    a link (环节); combinations (结合) say what the campaign is tied to.
    """

    class Kind(models.TextChoices):
        PREPARATION = "preparation", pgettext_lazy("plan", "preparation")
        LINK = "link", pgettext_lazy("plan", "link")
        COMBINATION = "combination", pgettext_lazy("plan", "combination")

    class State(models.TextChoices):
        TODO = "todo", _("not started")
        DOING = "doing", _("under way")
        DONE = "done", _("done")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="plan_sections")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.TODO)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    key_tasks = models.ManyToManyField(KeyTask, verbose_name=_("key tasks"), blank=True, related_name="plan_sections")

    class Meta:
        verbose_name = _("plan section")
        verbose_name_plural = _("plan sections")
        ordering = ["campaign", "kind", "order", "id"]

    def __str__(self) -> str:
        return self.name


def plan_evidence_path(instance: "PlanEvidence", filename: str) -> str:
    return f"plan/{instance.section.campaign_id}/{instance.section_id}/{filename}"


class PlanEvidence(Attachment):
    """A document that shows a preparation was made (the plan as issued, the materials, the working body's notice)."""

    section = models.ForeignKey(PlanSection, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=plan_evidence_path)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("plan evidence")
        verbose_name_plural = _("plan evidence")
