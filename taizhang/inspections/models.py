"""Inspection teams and their rounds, inspections of units, findings (问题) and the units' rectification (整改)."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from taizhang.lib.models import Attachment


def new_token() -> str:
    """A form's one-time key (a page renders one; writes without a form get their own)."""
    return uuid.uuid4().hex


class InspectionTeam(models.Model):
    """A supervision team (督导巡回组): a leader, inspectors of the campaign, the units it covers."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="inspection_teams"
    )
    name = models.CharField(_("name"), max_length=100)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("team leader"), on_delete=models.PROTECT, related_name="+"
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), related_name="inspection_teams", blank=True
    )
    units = models.ManyToManyField("orgs.Unit", verbose_name=_("units covered"), related_name="+", blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("inspection team")
        verbose_name_plural = _("inspection teams")
        ordering = ["campaign", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "name"],
                name="inspection_team_unique_name",
                violation_error_message=_("A team with this name already exists in the campaign."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("inspections:team_detail", args=[self.campaign.slug, self.pk])


class Round(models.Model):
    """One round of a team's plan (第几轮): its dates and the units it visits."""

    team = models.ForeignKey(InspectionTeam, verbose_name=_("team"), on_delete=models.PROTECT, related_name="rounds")
    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    units = models.ManyToManyField("orgs.Unit", verbose_name=_("units"), related_name="+", blank=True)

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["team", "starts_on", "id"]

    def __str__(self) -> str:
        return f"{self.team} · {self.name}"


class Method(models.TextChoices):
    BRIEFING = "briefing", _("hearing a briefing (听取汇报)")
    LEDGER = "ledger", _("reading the ledger (查阅台账)")
    INTERVIEW = "interview", _("individual talks (个别谈话)")
    SITE = "site", _("on-site check (实地查看)")
    SURVEY = "survey", _("questionnaire (问卷)")


class Inspection(models.Model):
    """One inspection of one unit by a team (督导检查): dates, methods, the items checked, a summary."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="inspections"
    )
    team = models.ForeignKey(
        InspectionTeam, verbose_name=_("team"), on_delete=models.PROTECT, related_name="inspections"
    )
    round = models.ForeignKey(
        Round, verbose_name=_("round"), null=True, blank=True, on_delete=models.PROTECT, related_name="inspections"
    )
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    methods = models.JSONField(_("methods"), default=list, blank=True)
    items = models.ManyToManyField("ledger.Item", verbose_name=_("items checked"), related_name="+", blank=True)
    summary = models.TextField(_("summary"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    # The form's one-time key: a second POST of the same form finds it taken and writes nothing.
    token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return f"{self.unit} {self.starts_on.isoformat()}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:inspection_detail", args=[self.campaign.slug, self.pk])

    def get_methods_display(self) -> str:
        labels = dict(Method.choices)
        return "、".join(str(labels.get(m, m)) for m in self.methods)


class Finding(models.Model):
    """A problem an inspection found (问题), and the rectification order (整改通知) it gives the unit."""

    class Category(models.TextChoices):
        LAGGING = "lagging", _("progress lagging (进度滞后)")
        LEDGER_UNTRUE = "ledger_untrue", _("ledger not true (台账不实)")
        FORMALISM = "formalism", _("going through the motions (流于形式)")
        DISSATISFIED = "dissatisfied", _("people not satisfied (群众不满意)")
        RESPONSIBILITY = "responsibility", _("responsibility not carried out (责任不落实)")
        OTHER = "other", _("other (其他)")

    class Severity(models.TextChoices):
        MINOR = "minor", _("minor (一般)")
        MAJOR = "major", _("major (较重)")
        SEVERE = "severe", _("severe (严重)")

    class State(models.TextChoices):
        OPEN = "open", _("to rectify (待整改)")
        ANSWERED = "answered", _("rectified, to verify (已整改待核)")
        RETURNED = "returned", _("returned for rectification (退回整改)")
        VERIFIED = "verified", _("closed (已销号)")

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="findings"
    )
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="findings")
    item = models.ForeignKey(
        "ledger.Item", verbose_name=_("item"), null=True, blank=True, on_delete=models.PROTECT, related_name="findings"
    )
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.PROTECT, related_name="findings"
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.MINOR)
    description = models.TextField(_("problem found"))
    required = models.TextField(_("rectification required"))
    found_on = models.DateField(_("found on"))
    deadline = models.DateField(_("rectification deadline"))
    responsible = models.CharField(_("person responsible"), max_length=100)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    # The unit's latest answer: what it did, and whether it says the rectification is done (已整改) or under way.
    measures = models.TextField(_("rectification measures"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    return_reason = models.TextField(_("reason returned"), blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["deadline", "id"]
        indexes = [
            models.Index(fields=["campaign", "unit", "state"], name="finding_unit_state_idx"),
            models.Index(fields=["campaign", "state", "deadline"], name="finding_state_deadline_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.get_category_display()}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:finding_detail", args=[self.campaign.slug, self.pk])

    @property
    def is_open(self) -> bool:
        return self.state != self.State.VERIFIED

    def days_late(self, today) -> int:
        """Days past the rectification deadline while not verified (0 when in time or closed)."""
        return max((today - self.deadline).days, 0) if self.is_open else 0


class Rectification(models.Model):
    """One answer of the unit to a finding: its measures, evidence, and whether it is done (已整改) or under way."""

    finding = models.ForeignKey(
        Finding, verbose_name=_("finding"), on_delete=models.PROTECT, related_name="rectifications"
    )
    measures = models.TextField(_("rectification measures"))
    done = models.BooleanField(_("rectified"), default=False)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("answered by"), on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"))

    class Meta:
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        ordering = ["answered_at", "id"]

    def __str__(self) -> str:
        return f"{self.finding_id} {self.answered_at:%Y-%m-%d}"


def evidence_path(instance: "RectificationEvidence", filename: str) -> str:
    return f"inspections/{instance.rectification.finding_id}/{filename}"


class RectificationEvidence(Attachment):
    """A file or photo a unit sends with its rectification."""

    rectification = models.ForeignKey(Rectification, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=300)

    class Meta(Attachment.Meta):
        verbose_name = _("rectification evidence")
        verbose_name_plural = _("rectification evidence")
