from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportPreset(models.Model):
    """A saved column mapping (header as written → field), offered for the next file."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="import_presets"
    )
    name = models.CharField(_("name"), max_length=100)
    mapping = models.JSONField(_("mapping"), default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("import preset")
        verbose_name_plural = _("import presets")
        ordering = ["campaign", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "name"],
                name="import_preset_unique_name",
                violation_error_message=_("A preset with this name already exists."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class ImportJob(models.Model):
    """One uploaded ledger on its way in: mapped, analysed, previewed, then written in the background."""

    class Kind(models.TextChoices):
        LEDGER = "ledger", _("ledger")
        STATISTICS = "statistics", _("statistics sheet")

    class State(models.TextChoices):
        UPLOADED = "uploaded", _("uploaded")
        ANALYSING = "analysing", _("reading the file")
        PREVIEW = "preview", _("ready to review")
        WRITING = "writing", _("writing")
        DONE = "done", _("imported")
        FAILED = "failed", _("failed")

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="import_jobs"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.LEDGER)
    # For a statistics sheet: the reporting period it is uploaded for (the sheet is that period's report).
    period = models.ForeignKey(
        "reporting.ReportingPeriod",
        verbose_name=_("period"),
        null=True,
        blank=True,
        # A rhythm change may remove a period not yet due; an upload for it is then refused, never a 500.
        on_delete=models.SET_NULL,
        related_name="+",
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", max_length=300)
    filename = models.CharField(_("file name"), max_length=200)
    sheet_name = models.CharField(_("sheet"), max_length=100, blank=True)
    # Column index (as text) → field, confirmed on the mapping screen.
    mapping = models.JSONField(_("mapping"), default=dict, blank=True)
    # The office's choices on the preview: progress date (as_of), code prefixes per owner unit, status percents.
    options = models.JSONField(_("options"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.UPLOADED)
    done_rows = models.PositiveIntegerField(default=0)
    total_rows = models.PositiveIntegerField(default=0)
    # The plan's summary (counts, errors, skipped, changes) and, when done, the outcome.
    result = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    # The worker's last sign of life (a state change or progress); a job silent too long is marked failed.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.filename

    @property
    def percent(self) -> int:
        if self.state in (self.State.DONE, self.State.PREVIEW):
            return 100
        return int(self.done_rows * 100 / self.total_rows) if self.total_rows else 0

    @property
    def running(self) -> bool:
        return self.state in (self.State.UPLOADED, self.State.ANALYSING, self.State.WRITING)
