"""Strict assessment (严格考核): schemes, their rules, scoring runs, unit scores with the facts behind every point."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from taizhang.lib.models import Attachment
from taizhang.orgs.models import Unit

POINTS = {"max_digits": 7, "decimal_places": 2}


class AssessmentScheme(models.Model):
    """A campaign's scoring scheme (考核细则) for one kind of unit; frozen once scoring starts, then versioned."""

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        IN_USE = "in_use", _("in use (frozen)")

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="assessment_schemes"
    )
    unit_kind = models.CharField(_("kind of unit"), max_length=20, choices=Unit.Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    total = models.DecimalField(_("total points"), default=Decimal(100), validators=[MinValueValidator(1)], **POINTS)
    version = models.PositiveIntegerField(_("version"), default=1)
    previous = models.ForeignKey(
        "self", verbose_name=_("replaces"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    # Grades by score bands, then the quota of 优秀 (a share of the units ranked).
    excellent_from = models.DecimalField(_("excellent from"), default=Decimal(90), **POINTS)
    good_from = models.DecimalField(_("good from"), default=Decimal(80), **POINTS)
    fair_from = models.DecimalField(_("fair from"), default=Decimal(60), **POINTS)
    excellent_quota = models.PositiveSmallIntegerField(
        _("excellent at most (percent of units)"), default=20, validators=[MaxValueValidator(100)]
    )
    review_days = models.PositiveSmallIntegerField(
        _("review window (days)"), default=7, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    head_assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("head assessor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Rewards and penalties: the top N of each ranking are nominated; a 较差 grade or a red item past N days
    # gives a penalty action.
    nominate_top = models.PositiveSmallIntegerField(_("nominate the top N for awards"), default=3)
    red_days = models.PositiveSmallIntegerField(_("penalty for an item red more than N days overdue"), default=30)
    # The year-end export's layout: one line per column, "header=field" (fields in ``outputs.YEAR_END_FIELDS``).
    export_columns = models.TextField(_("year-end export columns"), blank=True)
    revision = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        ordering = ["campaign", "unit_kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit_kind", "version"],
                name="assessment_scheme_version_once",
                violation_error_message=_("This version of the scheme already exists."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def is_frozen(self) -> bool:
        return self.state == self.State.IN_USE


class SchemeSection(models.Model):
    """A section of a scheme (一级指标) with an optional floor for the points of its items together."""

    scheme = models.ForeignKey(AssessmentScheme, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("section"), max_length=200)

    class Meta:
        verbose_name = _("scheme section")
        verbose_name_plural = _("scheme sections")
        ordering = ["scheme", "order", "pk"]

    def __str__(self) -> str:
        return self.title


class SchemeItem(models.Model):
    """One line of the scheme (序号 考核项目 分值 考核内容 评分标准 考核方法 责任部门): automatic by its rule, or manual."""

    scheme = models.ForeignKey(AssessmentScheme, on_delete=models.CASCADE, related_name="items")
    section = models.ForeignKey(SchemeSection, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("assessment item"), max_length=200)
    points = models.DecimalField(_("points"), validators=[MinValueValidator(0)], **POINTS)
    floor = models.DecimalField(_("floor"), default=Decimal(0), **POINTS)
    content = models.TextField(_("what is assessed"), blank=True)
    standard = models.TextField(_("scoring standard"), blank=True)
    method = models.CharField(_("method"), max_length=100, blank=True)
    department = models.CharField(_("responsible department"), max_length=100, blank=True)
    allows_bonus = models.BooleanField(_("bonus item (adjustments may pass the maximum)"), default=False)

    class Meta:
        verbose_name = _("scheme item")
        verbose_name_plural = _("scheme items")
        ordering = ["scheme", "section__order", "order", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_manual(self) -> bool:
        return self.rule.kind == Rule.Kind.MANUAL


class Rule(models.Model):
    """The scoring rule of a scheme item: a kind from the catalogue (``rules.CATALOGUE``) and its parameters."""

    class Kind(models.TextChoices):
        MANUAL = "manual", _("scored by assessors")
        ON_TIME = "on_time", _("items completed on time")
        OVERDUE = "overdue", _("items overdue")
        RED_WEEKS = "red_weeks", _("weeks with red items")
        REPORT_RATE = "report_rate", _("on-time reporting rate")
        REPORTS_MISSED = "reports_missed", _("reports missed or returned")
        CHASE = "chase", _("chase-up notices received and answered late")
        FINDINGS = "findings", _("inspection findings by severity")
        RECTIFICATION_LATE = "rectification_late", _("rectifications late")
        INSTRUCTION_LATE = "instruction_late", _("instructions answered late")
        SATISFACTION = "satisfaction", _("satisfaction rate of rated items")
        PRACTICES = "practices", _("good practices published")
        STUDY = "study", _("study activities held against plan")
        RED_DAYS = "red_days", _("days items were red")
        BULLETINS = "bulletins", _("bulletins carrying the unit's cases")
        ATTENDANCE = "attendance", _("attendance rate at study activities")
        READING = "reading", _("reading rate of study materials")

    item = models.OneToOneField(SchemeItem, on_delete=models.CASCADE, related_name="rule")
    kind = models.CharField(_("rule"), max_length=30, choices=Kind.choices, default=Kind.MANUAL)
    params = models.JSONField(_("parameters"), default=dict, blank=True)

    class Meta:
        verbose_name = _("rule")
        verbose_name_plural = _("rules")

    def __str__(self) -> str:
        return self.get_kind_display()


class ScoringRun(models.Model):
    """One computation of a scheme over a date range (a quarter, the year), then its review and its freeze (定档)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("being computed")
        DONE = "done", _("computed")
        FAILED = "failed", _("failed")

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="+")
    scheme = models.ForeignKey(
        AssessmentScheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="runs"
    )
    label = models.CharField(_("period"), max_length=60)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    cutoff = models.DateTimeField(_("data as of"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    review_until = models.DateField(_("units may object until"), null=True, blank=True)
    frozen_at = models.DateTimeField(_("frozen (定档) at"), null=True, blank=True)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("frozen by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("scoring run")
        verbose_name_plural = _("scoring runs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.scheme.name} {self.label}"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("excellent")
    GOOD = "good", _("good")
    FAIR = "fair", _("fair")
    POOR = "poor", _("poor")


class UnitScore(models.Model):
    """A unit's result in a run: its total, rank within its kind and grade."""

    run = models.ForeignKey(ScoringRun, on_delete=models.CASCADE, related_name="unit_scores")
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    total = models.DecimalField(_("score"), default=Decimal(0), **POINTS)
    automatic = models.DecimalField(_("automatic points"), default=Decimal(0), **POINTS)
    rank = models.PositiveIntegerField(_("rank"), default=0)
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices, blank=True)

    class Meta:
        verbose_name = _("unit score")
        verbose_name_plural = _("unit scores")
        ordering = ["run", "rank", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["run", "unit"], name="unit_score_once")]

    def __str__(self) -> str:
        return f"{self.unit} {self.total}"


class ItemScore(models.Model):
    """A unit's points on one scheme item: the rule's (or the assessor's), plus approved adjustments, clamped."""

    unit_score = models.ForeignKey(UnitScore, on_delete=models.CASCADE, related_name="item_scores")
    scheme_item = models.ForeignKey(SchemeItem, on_delete=models.PROTECT, related_name="+")
    computed = models.DecimalField(_("points by the rule"), null=True, blank=True, **POINTS)
    manual_reason = models.TextField(_("reason"), blank=True)
    manual_evidence = models.CharField(_("evidence"), max_length=300, blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    adjusted = models.DecimalField(_("approved adjustments"), default=Decimal(0), **POINTS)
    points = models.DecimalField(_("points"), default=Decimal(0), **POINTS)
    facts = models.PositiveIntegerField(_("facts"), default=0)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("item score")
        verbose_name_plural = _("item scores")
        ordering = ["unit_score", "scheme_item__section__order", "scheme_item__order", "scheme_item_id"]
        constraints = [models.UniqueConstraint(fields=["unit_score", "scheme_item"], name="item_score_once")]

    def __str__(self) -> str:
        return f"{self.scheme_item} {self.points}"


class FactKind(models.TextChoices):
    """What a fact behind a point is (and so which page it links to)."""

    ITEM = "item", _("item")
    REPORT = "report", _("report")
    WEEK = "week", _("week")
    CHASE = "chase", _("chase-up notice")
    FINDING = "finding", _("finding")
    INSTRUCTION = "instruction", _("instruction")
    PRACTICE = "practice", _("good practice")
    ACTIVITY = "activity", _("activity")
    BULLETIN = "bulletin", _("bulletin")
    MATERIAL = "material", _("study material")
    FIGURE = "figure", _("figure")


class ItemFacts(models.Model):
    """The facts behind one unit's points on one item of a run, in order: ``[kind, object id, label, points]``.

    One row per unit and item rather than one per fact: a year's run over 2,000 units holds hundreds of
    thousands of facts, and a row (with its index entry) for each cost more than the whole computation.
    Each fact still names its object (``kind`` and ``object id``), so every point links to its page.
    """

    # One index only, the unique (run, unit, scheme_item); units and scheme items with facts are never deleted.
    run = models.ForeignKey(ScoringRun, on_delete=models.CASCADE, related_name="+", db_index=False)
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+", db_index=False)
    scheme_item = models.ForeignKey(SchemeItem, on_delete=models.PROTECT, related_name="+", db_index=False)
    rows = models.JSONField(default=list)

    class Meta:
        verbose_name = _("facts behind a score")
        verbose_name_plural = _("facts behind scores")
        constraints = [models.UniqueConstraint(fields=["run", "unit", "scheme_item"], name="item_facts_once")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.scheme_item_id} ({len(self.rows)})"


class Adjustment(models.Model):
    """A proposed change of points (加减分) with its reason; counts once a second person approves it."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("awaiting approval")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    item_score = models.ForeignKey(ItemScore, on_delete=models.PROTECT, related_name="adjustments")
    points = models.DecimalField(_("points (+/−)"), **POINTS)
    reason = models.TextField(_("reason"))
    evidence = models.CharField(_("evidence"), max_length=300, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("adjustment")
        verbose_name_plural = _("adjustments")
        ordering = ["-proposed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.points:+} {self.reason[:30]}"


class Objection(models.Model):
    """A unit's objection (申诉) to its points on one item, during the review window; the assessor answers."""

    class State(models.TextChoices):
        OPEN = "open", _("awaiting answer")
        ANSWERED = "answered", _("answered")

    item_score = models.ForeignKey(ItemScore, on_delete=models.PROTECT, related_name="objections")
    reason = models.TextField(_("reason"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["-raised_at", "-id"]

    def __str__(self) -> str:
        return self.reason[:40]


def evidence_path(instance, filename: str) -> str:
    return f"assessment/{instance.folder}/{filename}"


class AdjustmentEvidence(Attachment):
    """A file that supports a proposed adjustment (加减分的依据)."""

    adjustment = models.ForeignKey(Adjustment, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=300)

    class Meta(Attachment.Meta):
        verbose_name = _("adjustment evidence")
        verbose_name_plural = _("adjustment evidence")

    @property
    def folder(self) -> str:
        return f"adjustments/{self.adjustment_id}"


class ObjectionEvidence(Attachment):
    """A file a unit sends with its objection (申诉材料)."""

    objection = models.ForeignKey(Objection, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=300)

    class Meta(Attachment.Meta):
        verbose_name = _("objection evidence")
        verbose_name_plural = _("objection evidence")

    @property
    def folder(self) -> str:
        return f"objections/{self.objection_id}"


class ManualScoreEvidence(Attachment):
    """A file behind an assessor's manual score (评分依据): kept with the item score, whoever scores it again."""

    item_score = models.ForeignKey(ItemScore, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=300)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta(Attachment.Meta):
        verbose_name = _("manual score evidence")
        verbose_name_plural = _("manual score evidence")

    @property
    def folder(self) -> str:
        return f"scores/{self.item_score_id}"


class Nomination(models.Model):
    """A unit nominated for an award (先进单位 / 优秀组织奖) by a frozen result."""

    run = models.ForeignKey(ScoringRun, on_delete=models.CASCADE, related_name="nominations")
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    award = models.CharField(_("award"), max_length=100)
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["run", "pk"]

    def __str__(self) -> str:
        return f"{self.unit} {self.award}"


class PenaltyAction(models.Model):
    """A penalty a frozen result gives (约谈, 通报批评, 限期整改), tracked to closure like a finding."""

    class Kind(models.TextChoices):
        TALK = "talk", _("talk with the unit head")
        CRITICISM = "criticism", _("circulated criticism")
        RECTIFY = "rectify", _("rectification by a deadline")

    class State(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    run = models.ForeignKey(ScoringRun, on_delete=models.CASCADE, related_name="penalties")
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("penalty"), max_length=10, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=300)
    # The facts that triggered it: [{"kind": "item", "id": 12, "label": "…"}].
    facts = models.JSONField(default=list, blank=True)
    # Who must carry it out (the unit's principal holder by default); notified, and shown with the action.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person responsible"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateField(_("deadline"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    closure = models.TextField(_("how it was closed"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("penalty action")
        verbose_name_plural = _("penalty actions")
        ordering = ["run", "deadline", "pk"]

    def __str__(self) -> str:
        return f"{self.unit} {self.get_kind_display()}"


class PenaltyEvidence(Attachment):
    """A file that shows how a penalty action was carried out (整改材料, 约谈记录): sent by the person responsible
    or the unit while it is open, or by the office when it closes it."""

    penalty = models.ForeignKey(PenaltyAction, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=300)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta(Attachment.Meta):
        verbose_name = _("penalty evidence")
        verbose_name_plural = _("penalty evidence")

    @property
    def folder(self) -> str:
        return f"penalties/{self.penalty_id}"
