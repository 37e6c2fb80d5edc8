"""Meetings that decide (领导小组会议, 季度讲评会诊, 直属党委全体会议): agenda, minutes, decisions tracked like items."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Meeting(models.Model):
    """A meeting of the campaign: when, who, its agenda and minutes, and the decisions it took."""

    class Kind(models.TextChoices):
        LEADING_GROUP = "leading_group", _("leading group meeting")
        QUARTERLY_REVIEW = "quarterly_review", _("quarterly review meeting")
        PARTY_COMMITTEE = "party_committee", _("plenary meeting of the party committee")
        OTHER = "other", _("other meeting")

    class State(models.TextChoices):
        PLANNED = "planned", _("planned")
        HELD = "held", _("held")
        APPROVED = "approved", _("minutes approved")

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="meetings"
    )
    kind = models.CharField(_("kind of meeting"), max_length=20, choices=Kind.choices, default=Kind.LEADING_GROUP)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chair"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("attendees"), blank=True, related_name="meetings_attended"
    )
    guests = models.TextField(_("other attendees"), blank=True, help_text=_("Names of people without an account."))
    # The quarter a quarterly review looks back on: its figures come from reporting's quarterly pack.
    period = models.ForeignKey(
        "reporting.ReportingPeriod",
        verbose_name=_("quarter reviewed"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    minutes = models.TextField(_("minutes"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PLANNED)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("minutes approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("minutes approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["campaign", "-starts_at", "-id"]
        indexes = [models.Index(fields=["campaign", "-starts_at"], name="meeting_campaign_date_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetings:meeting_detail", args=[self.campaign.slug, self.pk])


class AgendaPoint(models.Model):
    """One point of a meeting's agenda, in order; built from the ledger or written by the office."""

    class Source(models.TextChoices):
        WRITTEN = "written", _("written by the office")
        LAGGING_UNITS = "lagging_units", _("units lagging in reporting")
        RED_ITEMS = "red_items", _("red and overdue items")
        FINDINGS = "findings", _("open inspection findings")
        INSTRUCTIONS = "instructions", _("open instructions")
        HIGHLIGHTS = "highlights", _("units' good practice")
        QUARTERLY = "quarterly", _("quarterly review figures")
        DECISIONS = "decisions", _("earlier decisions not yet done")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="points")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("agenda point"), max_length=200)
    body = models.TextField(_("details"), blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.WRITTEN)

    class Meta:
        verbose_name = _("agenda point")
        verbose_name_plural = _("agenda points")
        ordering = ["meeting", "order", "id"]

    def __str__(self) -> str:
        return self.title


class DecisionQuerySet(models.QuerySet):
    def unfinished(self):
        return self.exclude(status__in=(Decision.Status.DONE, Decision.Status.CLOSED))

    def overdue(self, today):
        return self.unfinished().filter(deadline__lt=today)


class Decision(models.Model):
    """A decision (议定事项) of a meeting: an owner unit carries it out by a deadline, tracked like an item."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("assigned")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        CLOSED = "closed", _("closed")

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="decisions")
    # The meeting's campaign, kept here so the campaign's decision lists need no join.
    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="decisions"
    )
    seq = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("decision"))
    owner_unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("responsible unit"), on_delete=models.PROTECT, related_name="decisions"
    )
    deadline = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ASSIGNED)
    percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    version = models.PositiveIntegerField(default=1)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["meeting", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "seq"],
                name="decision_unique_seq",
                violation_error_message=_("A decision with this number already exists in the meeting."),
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "status", "deadline"], name="decision_campaign_status_idx"),
            models.Index(fields=["owner_unit", "status"], name="decision_unit_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.seq}"

    def get_absolute_url(self) -> str:
        return reverse("meetings:decision_detail", args=[self.campaign.slug, self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.CLOSED)


class DecisionProgress(models.Model):
    """A progress note on a decision (append-only, like an item's progress entries)."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="progress")
    percent = models.PositiveSmallIntegerField(_("progress (%)"))
    text = models.TextField(_("what was done"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")
        ordering = ["decision", "-at", "-id"]

    def __str__(self) -> str:
        return f"{self.decision} · {self.percent}%"
