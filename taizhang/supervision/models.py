from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from taizhang.lib.models import Attachment


class ChaseNotice(models.Model):
    """A chase-up notice (督查催办单) the office issues on a yellow or red item; the owner unit answers it."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="chase_notices"
    )
    seq = models.PositiveIntegerField(_("sequence"))
    number = models.CharField(_("notice number"), max_length=40)
    item = models.ForeignKey(
        "ledger.Item", verbose_name=_("item"), on_delete=models.PROTECT, related_name="chase_notices"
    )
    # The item's facts when the notice went out: the notice says what it said, whatever happens next.
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("responsible unit"), on_delete=models.PROTECT, related_name="+"
    )
    light = models.CharField(_("light"), max_length=10)
    light_code = models.CharField(_("light reason"), max_length=20, blank=True)
    light_n = models.IntegerField(default=0)
    due = models.DateField(_("deadline"), null=True, blank=True)
    percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)

    required_by = models.DateField(_("response required by"))
    contact = models.CharField(_("contact (name and phone)"), max_length=100)
    requirements = models.TextField(_("requirements"), blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued at"))

    response = models.TextField(_("response"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("chase-up notice")
        verbose_name_plural = _("chase-up notices")
        ordering = ["campaign", "-seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "seq"],
                name="chase_notice_unique_seq",
                violation_error_message=_("A notice with this number already exists in the campaign."),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_answered(self) -> bool:
        return self.responded_at is not None

    @property
    def reason(self) -> str:
        from taizhang.ledger.lights import describe

        return describe(self.light_code, self.light_n)

    @property
    def days_overdue(self) -> int:
        return self.light_n if self.light_code.endswith("overdue") else 0

    @property
    def points_behind(self) -> int:
        return self.light_n if self.light_code.endswith("behind") else 0


# The responsibility system (责任制) ----------------------------------------------------------------


class Responsibility(models.TextChoices):
    """The seed's eight responsibilities, each held for a campaign by a unit, a role or a named person."""

    PRINCIPAL = "principal", _("principal responsibility (主体责任)")
    FIRST = "first", _("first responsibility (第一责任)")
    LEAD_PUSH = "lead_push", _("responsibility to lead and push (带头推动责任)")
    DIRECT_LEADERSHIP = "direct_leadership", _("direct leadership responsibility (具体领导责任)")
    ORGANISE = "organise", _("organising responsibility (组织实施责任)")
    SUPPORT = "support", _("supporting responsibility (配合责任)")
    LINKAGE = "linkage", _("linkage responsibility (联动责任)")
    HEAD = "head", _("lead-department responsibility (牵头责任)")


def holder_label(unit_short: str | None, unit_name: str | None, title: str, person: str) -> str:
    """How a holder reads: its unit, its role or title, its person ("办公室 党委书记 王明")."""
    unit = unit_short or unit_name or ""
    return " ".join(part for part in (unit, title, person) if part)


class Assignment(models.Model):
    """One responsibility held by a unit, a role or a person, for a unit and its subtree, or for one key task or item.

    The unit's holders pass down the tree to every unit below it that names none of its own; a key task's
    or an item's own holders override the unit's for that kind. Ended, never deleted.
    """

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="assignments"
    )
    kind = models.CharField(_("responsibility"), max_length=20, choices=Responsibility.choices)
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("for unit"), on_delete=models.PROTECT, related_name="responsibilities"
    )
    key_task = models.ForeignKey(
        "campaigns.KeyTask",
        verbose_name=_("key task"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsibilities",
    )
    item = models.ForeignKey(
        "ledger.Item", verbose_name=_("item"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The holder: a unit, a role (a title such as 党委书记), a person (a user or a name), or a role and a person.
    holder_unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("holding unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    holder_title = models.CharField(_("holding role or title"), max_length=100, blank=True)
    holder_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("holding person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    holder_name = models.CharField(_("holder's name"), max_length=100, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned by"), on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(_("assigned at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    # Bumped by each edit of the holder: an edit made on an older copy of the grid is refused, not applied.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("responsibility assignment")
        verbose_name_plural = _("responsibility assignments")
        ordering = ["campaign", "unit__path", "kind", "id"]
        indexes = [models.Index(fields=["campaign", "unit"], name="assignment_unit_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.holder_label}"

    @property
    def holder_label(self) -> str:
        user, unit = self.holder_user, self.holder_unit
        person = (user.name or user.username) if user is not None else self.holder_name
        return holder_label(unit and unit.short_name, unit and unit.name, self.holder_title, person)


# Instructions (批示) -------------------------------------------------------------------------------


class Instruction(models.Model):
    """A leader's written instruction (批示) on an item or a unit, answered by the unit by a deadline."""

    class State(models.TextChoices):
        PENDING = "pending", _("awaiting the answer (待答复)")
        ANSWERED = "answered", _("answered (已答复)")
        DONE = "done", _("carried out (已落实)")
        AGAIN = "again", _("instructed again (再次批示)")

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="instructions"
    )
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("responsible unit"), on_delete=models.PROTECT, related_name="instructions"
    )
    item = models.ForeignKey(
        "ledger.Item",
        verbose_name=_("item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="instructions",
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("leader"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("text"))
    given_at = models.DateTimeField(_("given at"))
    respond_by = models.DateField(_("answer by"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)

    class Meta:
        verbose_name = _("instruction")
        verbose_name_plural = _("instructions")
        ordering = ["campaign", "-given_at", "-id"]
        indexes = [
            models.Index(fields=["campaign", "state", "respond_by"], name="instruction_state_idx"),
            models.Index(fields=["campaign", "unit"], name="instruction_unit_idx"),
        ]

    def __str__(self) -> str:
        return self.text[:40]

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("supervision:instruction_detail", args=[self.campaign.slug, self.pk])

    @property
    def waits_for_unit(self) -> bool:
        return self.state in (self.State.PENDING, self.State.AGAIN)

    def is_overdue(self, today) -> bool:
        return self.waits_for_unit and self.respond_by < today


class InstructionStep(models.Model):
    """One step of an instruction after it was given: the unit's answer, the leader's 已落实 or asking again."""

    class Kind(models.TextChoices):
        ANSWER = "answer", _("answer")
        DONE = "done", _("marked carried out")
        AGAIN = "again", _("instructed again")

    instruction = models.ForeignKey(
        Instruction, verbose_name=_("instruction"), on_delete=models.PROTECT, related_name="steps"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text = models.TextField(_("text"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("instruction step")
        verbose_name_plural = _("instruction steps")
        ordering = ["instruction", "at", "id"]

    def __str__(self) -> str:
        return self.get_kind_display()


def evidence_path(instance, filename: str) -> str:
    return f"instructions/{instance.step.instruction.campaign_id}/{filename}"


class InstructionEvidence(Attachment):
    """A file the unit attached to its answer to an instruction."""

    step = models.ForeignKey(InstructionStep, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=300)

    class Meta(Attachment.Meta):
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")


# Leaders in the field (实地巡诊) -------------------------------------------------------------------


class Visit(models.Model):
    """A leader's site visit (实地巡诊): where, whom, what was raised and solved on the spot, what follows."""

    class Form(models.TextChoices):
        SITE = "site", _("on-site inspection (现场查看)")
        FORUM = "forum", _("forum (座谈会)")
        INTERVIEW = "interview", _("one-to-one talks (个别访谈)")
        OFFICE = "office", _("working on site (现场办公)")

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="visits"
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("leader"), on_delete=models.PROTECT, related_name="+"
    )
    visited_on = models.DateField(_("date of the visit"))
    contact_point = models.ForeignKey(
        "orgs.ContactPoint",
        verbose_name=_("contact point"),
        null=True,
        blank=True,
        # A contact point removed later keeps its visits: they still name the leader and the unit.
        on_delete=models.SET_NULL,
        related_name="visits",
    )
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("unit visited"), on_delete=models.PROTECT, related_name="+")
    place = models.CharField(_("place"), max_length=200, blank=True)
    form = models.CharField(_("form"), max_length=20, choices=Form.choices, default=Form.SITE)
    people_count = models.PositiveIntegerField(_("people met"), default=0)
    people_names = models.TextField(_("names of the people met"), blank=True)
    raised = models.TextField(_("problems raised"), blank=True)
    solved = models.TextField(_("solved on the spot"), blank=True)
    follow_up = models.TextField(_("follow-up tasks"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    # The form's one-time token: a second POST of the same form finds the visit instead of writing another.
    token = models.CharField(max_length=40, unique=True, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["campaign", "-visited_on", "-id"]
        indexes = [
            models.Index(fields=["campaign", "contact_point", "-visited_on"], name="visit_point_idx"),
            models.Index(fields=["campaign", "unit"], name="visit_unit_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.visited_on} · {self.unit}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("supervision:visit_detail", args=[self.campaign.slug, self.pk])


class VisitProblem(models.Model):
    """One problem raised at a visit: a demand sent to triage, or a note on the item it concerns."""

    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.PROTECT, related_name="problems")
    text = models.TextField(_("the problem"))
    demand = models.ForeignKey(
        "people.Demand", verbose_name=_("demand"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    item = models.ForeignKey(
        "ledger.Item", verbose_name=_("item"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("problem raised")
        verbose_name_plural = _("problems raised")
        ordering = ["visit", "id"]

    def __str__(self) -> str:
        return self.text[:40]


def visit_photo_path(instance, filename: str) -> str:
    return f"visits/{instance.visit.campaign_id}/{filename}"


class VisitPhoto(Attachment):
    """A photo taken at a visit."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="photos")
    file = models.FileField(_("file"), upload_to=visit_photo_path, max_length=300)

    class Meta(Attachment.Meta):
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
