from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from taizhang.lib.periods import period_name


class ReportingPeriod(models.Model):
    """One weekly, monthly or quarterly reporting period of a campaign, generated from its rhythm."""

    class Kind(models.TextChoices):
        WEEKLY = "weekly", _("weekly report")
        MONTHLY = "monthly", _("monthly report")
        QUARTERLY = "quarterly", _("quarterly review")

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="reporting_periods"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    due_at = models.DateTimeField(_("due"))
    label = models.CharField(_("period"), max_length=60)

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        ordering = ["campaign", "kind", "starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "kind", "starts_on"],
                name="period_unique_start",
                violation_error_message=_("This period already exists."),
            ),
        ]
        indexes = [models.Index(fields=["campaign", "kind", "due_at"], name="period_due_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """What people read (2026年第48周（11月23日—11月27日）); ``label`` is the key links and sheets carry."""
        return period_name(self.label, starts_on=self.starts_on, ends_on=self.ends_on)

    @property
    def short_name(self) -> str:
        """The name without a week's days: board columns and file names."""
        return period_name(self.label, short=True)

    @property
    def is_monthly(self) -> bool:
        return self.kind == self.Kind.MONTHLY


class ExpectedUnit(models.Model):
    """A unit the office asks to report although it owns no open item (the others are expected by default)."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("expected unit")
        verbose_name_plural = _("expected units")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit"],
                name="expected_unit_unique",
                violation_error_message=_("This unit is already expected to report."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.unit)


class UnitReport(models.Model):
    """One unit's submission for one period (上报): draft → submitted (on time / late) → accepted or returned."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned")
        ACCEPTED = "accepted", _("accepted")

    period = models.ForeignKey(
        ReportingPeriod, verbose_name=_("period"), on_delete=models.PROTECT, related_name="reports"
    )
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="reports")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    no_change = models.BooleanField(_("no change this period"), default=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Stamped at each submission against the period's due time.
    is_late = models.BooleanField(_("late"), default=False)
    # Monthly summary (the seed's four headings).
    results = models.TextField(_("results achieved"), blank=True)
    practices = models.TextField(_("experience and practices"), blank=True)
    problems = models.TextField(_("problems"), blank=True)
    suggestions = models.TextField(_("opinions and suggestions"), blank=True)
    return_reason = models.TextField(_("reason returned"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    SUMMARY_FIELDS = ("results", "practices", "problems", "suggestions")
    AUDITED_FIELDS = ("status", "no_change", "is_late", *SUMMARY_FIELDS, "return_reason")

    class Meta:
        verbose_name = _("unit report")
        verbose_name_plural = _("unit reports")
        ordering = ["period", "unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "unit"],
                name="unit_report_unique",
                violation_error_message=_("This unit already has a report for this period."),
            ),
        ]
        # Covers the completeness aggregate (per unit, over periods): an index-only scan.
        indexes = [models.Index(fields=["unit", "period", "status", "is_late"], name="report_board_idx")]

    def __str__(self) -> str:
        return f"{self.unit} · {self.period}"

    @property
    def is_reported(self) -> bool:
        return self.status in (self.Status.SUBMITTED, self.Status.ACCEPTED)

    @property
    def is_locked(self) -> bool:
        return self.status in (self.Status.SUBMITTED, self.Status.ACCEPTED)


def document_path(instance: "GeneratedDocument", filename: str) -> str:
    return f"documents/{instance.campaign_id}/{filename}"


class GeneratedDocument(models.Model):
    """A monthly digest or quarterly pack, generated in the background and downloaded when ready."""

    class Kind(models.TextChoices):
        MONTHLY_DIGEST = "monthly_digest", _("monthly digest")
        QUARTERLY_PACK = "quarterly_pack", _("quarterly review pack")

    class Format(models.TextChoices):
        DOCX = "docx", _("Word (.docx)")
        PDF = "pdf", _("PDF")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("being generated")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(ReportingPeriod, verbose_name=_("period"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("document"), max_length=20, choices=Kind.choices)
    format = models.CharField(_("format"), max_length=5, choices=Format.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    file = models.FileField(upload_to=document_path, max_length=300, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("generated document")
        verbose_name_plural = _("generated documents")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period}"

    @property
    def filename(self) -> str:
        """The download's name: "2026年11月 月报汇总.docx"."""
        return f"{self.period.short_name} {self.get_kind_display()}.{self.format}"

    @property
    def ascii_filename(self) -> str:
        return f"{self.campaign.slug}-{self.kind}-{self.period.label}.{self.format}"
