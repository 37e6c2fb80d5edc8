"""The writes of supervision.

Chase-up notices (the office issues one on a yellow or red item, the owner unit answers), the
responsibility system (the office assigns and ends responsibilities), instructions (a leader gives
one, the owner unit answers, the leader marks it carried out or instructs again) and leaders' visits.
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from taizhang.history.models import HistoryEntry
from taizhang.history.recording import diff, note, record, snapshot
from taizhang.ledger.models import Item, Light
from taizhang.lib.locks import lock_one
from taizhang.lib.media import check_upload
from taizhang.orgs.access import Access

from .models import (
    Assignment,
    ChaseNotice,
    Instruction,
    InstructionEvidence,
    InstructionStep,
    Responsibility,
    Visit,
    VisitPhoto,
    VisitProblem,
)

CHASEABLE = (Light.YELLOW, Light.RED)


def notice_number(campaign, seq: int) -> str:
    """The campaign's year and a running number, "2026-007", the same in every language."""
    return f"{campaign.starts_on.year}-{seq:03d}"


def can_answer(access: Access, notice: ChaseNotice) -> bool:
    return access.is_office or access.speaks_for(notice.unit)


@transaction.atomic
def issue_notice(
    item: Item, *, required_by: datetime.date, contact: str, requirements: str = "", acting_user
) -> ChaseNotice:
    campaign = item.campaign
    access = Access.for_user(acting_user, campaign)
    if not access.is_office:
        raise PermissionDenied(_("Only the campaign office issues chase-up notices."))
    item = lock_one(Item.objects.select_related("owner_unit"), pk=item.pk)
    if item.light not in CHASEABLE:
        raise ValidationError(_("Chase-up notices are for yellow and red items only."))
    if required_by < timezone.localdate():
        raise ValidationError({"required_by": _("The response date cannot be in the past.")})
    contact = (contact or "").strip()
    if not contact:
        raise ValidationError({"contact": _("Give a contact person and phone.")})
    # The campaign row is the lock that keeps numbers in sequence when two people issue at once.
    lock_one(type(campaign), pk=campaign.pk)
    seq = (ChaseNotice.objects.filter(campaign=campaign).aggregate(m=Max("seq"))["m"] or 0) + 1
    notice = ChaseNotice.objects.create(
        campaign=campaign,
        seq=seq,
        number=notice_number(campaign, seq),
        item=item,
        unit=item.owner_unit,
        light=item.light,
        light_code=item.light_code,
        light_n=item.light_n,
        due=item.due,
        percent=item.percent,
        required_by=required_by,
        contact=contact,
        requirements=(requirements or "").strip(),
        issued_by=acting_user,
        issued_at=timezone.now(),
    )
    record(
        item,
        HistoryEntry.Action.COMMENT,
        actor=acting_user,
        campaign=campaign,
        note=note(
            gettext_noop("Chase-up notice %(number)s issued; response required by %(date)s."),
            number=notice.number,
            date=required_by.isoformat(),
        ),
    )
    transaction.on_commit(lambda: _notify_unit(notice))
    return notice


def _notify_unit(notice: ChaseNotice) -> None:
    """Tell the owner unit's liaisons (in the app, and by email where they chose it)."""
    from taizhang.notices.models import Reason
    from taizhang.notices.rhythm import _liaisons, liaisons_for
    from taizhang.notices.sending import notify

    url = reverse("supervision:notice_detail", args=[notice.campaign.slug, notice.pk])
    subject = _("Chase-up notice %(number)s: %(code)s") % {"number": notice.number, "code": notice.item.code}
    body = _("%(title)s — %(reason)s. Please respond by %(date)s.") % {
        "title": notice.item.title,
        "reason": notice.reason,
        "date": notice.required_by.isoformat(),
    }
    for user in liaisons_for(notice.unit, _liaisons(notice.campaign)):
        notify(
            reason=Reason.CHASE,
            scope=f"chase-notice:{notice.pk}",
            subject=subject,
            body=body,
            url=url,
            campaign=notice.campaign,
            user=user,
        )


@transaction.atomic
def respond_notice(notice: ChaseNotice, *, response: str, acting_user) -> ChaseNotice:
    access = Access.for_user(acting_user, notice.campaign)
    if not can_answer(access, notice):
        raise PermissionDenied(_("Only the responsible unit answers its chase-up notices."))
    notice = lock_one(ChaseNotice, pk=notice.pk)
    if notice.is_answered:
        raise ValidationError(_("This notice has already been answered."))
    response = (response or "").strip()
    if not response:
        raise ValidationError({"response": _("Write the response first.")})
    notice.response = response
    notice.responded_by = acting_user
    notice.responded_at = timezone.now()
    notice.save(update_fields=["response", "responded_by", "responded_at"])
    record(
        notice.item,
        HistoryEntry.Action.COMMENT,
        actor=acting_user,
        campaign=notice.campaign,
        note=note(
            gettext_noop("Response to chase-up notice %(number)s: %(text)s"), number=notice.number, text=response[:400]
        ),
    )
    return notice


# The responsibility system (责任制) ----------------------------------------------------------------


def _require_office(campaign, user, message: str) -> Access:
    access = Access.for_user(user, campaign)
    if not access.is_office:
        raise PermissionDenied(message)
    return access


@transaction.atomic
def assign_responsibility(
    campaign,
    *,
    kind: str,
    unit=None,
    key_task=None,
    item=None,
    holder_unit=None,
    holder_title: str = "",
    holder_user=None,
    holder_name: str = "",
    acting_user,
) -> Assignment:
    """The office names who holds a responsibility for a unit (and the units below it), a key task or an item."""
    _require_office(campaign, acting_user, _("Only the campaign office assigns responsibilities."))
    if kind not in Responsibility.values:
        raise ValidationError({"kind": _("Choose one of the eight responsibilities.")})
    if item is not None:
        if item.campaign_id != campaign.pk:
            raise ValidationError({"item": _("Choose an item of this campaign.")})
        unit = item.owner_unit
    if key_task is not None and key_task.campaign_id != campaign.pk:
        raise ValidationError({"key_task": _("Choose a key task of this campaign.")})
    if unit is None:
        raise ValidationError({"unit": _("Choose the unit the responsibility is for.")})
    holder_title, holder_name = (holder_title or "").strip(), (holder_name or "").strip()
    if holder_user is not None and not holder_name:
        holder_name = ""
    if holder_unit is None and not holder_title and holder_user is None and not holder_name:
        raise ValidationError(_("Name who holds it: a unit, a role or a person."))
    holder = {
        "holder_unit": holder_unit,
        "holder_title": holder_title,
        "holder_user": holder_user,
        "holder_name": holder_name,
    }
    lock_one(type(campaign), pk=campaign.pk)  # two offices assigning the same holder at once make one row
    same = Assignment.objects.filter(
        campaign=campaign, kind=kind, unit=unit, key_task=key_task, item=item, ended_at__isnull=True, **holder
    ).first()
    if same is not None:  # a double POST, or the same holder named twice
        return same
    assignment = Assignment.objects.create(
        campaign=campaign,
        kind=kind,
        unit=unit,
        key_task=key_task,
        item=item,
        assigned_by=acting_user,
        assigned_at=timezone.now(),
        **holder,
    )
    record(
        assignment,
        HistoryEntry.Action.CREATE,
        actor=acting_user,
        campaign=campaign,
        note=note(
            gettext_noop("%(kind)s for %(scope)s: %(holder)s"),
            kind=str(assignment.get_kind_display()),
            scope=_scope_label(assignment),
            holder=assignment.holder_label,
        ),
    )
    return assignment


def _scope_label(assignment: Assignment) -> str:
    if assignment.item_id:
        return f"{assignment.item.code} {assignment.item.title}"
    if assignment.key_task_id:
        return str(assignment.key_task)
    return str(assignment.unit)


HOLDER_FIELDS = ("holder_unit", "holder_title", "holder_user", "holder_name")


class StaleAssignment(ValidationError):
    """The assignment changed since the person opened it: their edit is refused, not applied over the other."""

    def __init__(self):
        super().__init__(_("Someone changed this assignment since you opened it. Here it is as it stands now."))


@transaction.atomic
def edit_assignment(
    assignment: Assignment,
    *,
    holder_unit=None,
    holder_title: str = "",
    holder_user=None,
    holder_name: str = "",
    expected_version: int | None,
    acting_user,
) -> Assignment:
    """The office changes who holds an assignment in force, in place (the grid's row edit); in history."""
    _require_office(assignment.campaign, acting_user, _("Only the campaign office assigns responsibilities."))
    assignment = lock_one(
        Assignment.objects.select_related("campaign", "unit", "item", "key_task", "holder_unit", "holder_user"),
        pk=assignment.pk,
    )
    if expected_version is not None and assignment.version != expected_version:
        raise StaleAssignment()
    if assignment.ended_at is not None:
        raise ValidationError(_("This assignment has ended; assign the responsibility anew."))
    holder_title, holder_name = (holder_title or "").strip(), (holder_name or "").strip()
    if holder_unit is None and not holder_title and holder_user is None and not holder_name:
        raise ValidationError(_("Name who holds it: a unit, a role or a person."))
    before = snapshot(assignment, HOLDER_FIELDS)
    label = assignment.holder_label
    assignment.holder_unit, assignment.holder_title = holder_unit, holder_title
    assignment.holder_user, assignment.holder_name = holder_user, holder_name
    changes = diff(assignment, before)
    if not changes:  # the same holder saved again (a double click): nothing to record
        return assignment
    assignment.version += 1
    assignment.save(update_fields=[*HOLDER_FIELDS, "version"])
    record(
        assignment,
        HistoryEntry.Action.UPDATE,
        actor=acting_user,
        campaign=assignment.campaign,
        changes=changes,
        note=note(
            gettext_noop("%(kind)s for %(scope)s: %(old)s → %(holder)s"),
            kind=str(assignment.get_kind_display()),
            scope=_scope_label(assignment),
            old=label,
            holder=assignment.holder_label,
        ),
    )
    return assignment


@transaction.atomic
def end_assignment(assignment: Assignment, *, acting_user) -> Assignment:
    """The office ends an assignment (never deleted: the grid stops showing it, history keeps it)."""
    _require_office(assignment.campaign, acting_user, _("Only the campaign office assigns responsibilities."))
    assignment = lock_one(Assignment, pk=assignment.pk)
    if assignment.ended_at is not None:
        return assignment
    assignment.ended_at = timezone.now()
    assignment.save(update_fields=["ended_at"])
    record(
        assignment,
        HistoryEntry.Action.DEACTIVATE,
        actor=acting_user,
        campaign=assignment.campaign,
        note=note(
            gettext_noop("%(kind)s for %(scope)s ended: %(holder)s"),
            kind=str(assignment.get_kind_display()),
            scope=_scope_label(assignment),
            holder=assignment.holder_label,
        ),
    )
    return assignment


# Instructions (批示) -------------------------------------------------------------------------------

MAX_EVIDENCE_FILES = 10
WAITING = (Instruction.State.PENDING, Instruction.State.AGAIN)


def can_answer_instruction(access: Access, instruction: Instruction) -> bool:
    """The owner unit's liaisons (or a unit above it) answer, and the office on their behalf."""
    return instruction.waits_for_unit and (access.is_office or access.speaks_for(instruction.unit))


def can_review_instruction(access: Access, instruction: Instruction) -> bool:
    """The leader who gave it (or the office) marks an answered instruction carried out or instructs again."""
    return instruction.state == Instruction.State.ANSWERED and (
        access.is_office or (access.is_leader and instruction.leader_id == access.user.pk)
    )


def can_read_instruction(access: Access, instruction: Instruction) -> bool:
    """Overseers read every instruction; a unit reads only its own (and those of units below it)."""
    return access.is_overseer or access.speaks_for(instruction.unit)


def _relight(instruction: Instruction, actor) -> None:
    if instruction.item_id:
        from taizhang.ledger.lights import recompute_item

        recompute_item(Item.objects.select_related("campaign").get(pk=instruction.item_id), actor=actor)


def _check_respond_by(respond_by: datetime.date) -> None:
    if respond_by < timezone.localdate():
        raise ValidationError({"respond_by": _("The answer date cannot be before the day the instruction is given.")})


@transaction.atomic
def give_instruction(
    campaign, *, text: str, item: Item | None = None, unit=None, respond_by: datetime.date | None = None, acting_user
) -> Instruction:
    """A leader's 批示 on an item (its owner unit answers) or on a unit; the item lights one level higher until answered."""
    access = Access.for_user(acting_user, campaign)
    if not access.is_leader:
        raise PermissionDenied(_("Only leaders give instructions."))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the instruction first.")})
    if item is not None:
        if item.campaign_id != campaign.pk:
            raise ValidationError({"item": _("Choose an item of this campaign.")})
        item = lock_one(Item.objects.select_related("owner_unit"), pk=item.pk)
        unit = item.owner_unit
    if unit is None:
        raise ValidationError({"unit": _("Choose the item or the unit the instruction is for.")})
    if respond_by is None:
        respond_by = timezone.localdate() + datetime.timedelta(days=campaign.instruction_days)
    _check_respond_by(respond_by)
    same = Instruction.objects.filter(
        campaign=campaign, leader=acting_user, item=item, unit=unit, text=text, state=Instruction.State.PENDING
    ).first()
    if same is not None:  # the same form posted twice
        return same
    instruction = Instruction.objects.create(
        campaign=campaign,
        unit=unit,
        item=item,
        leader=acting_user,
        text=text,
        given_at=timezone.now(),
        respond_by=respond_by,
    )
    words = note(
        gettext_noop("Instruction (批示), answer by %(date)s: %(text)s"), date=respond_by.isoformat(), text=text[:400]
    )
    record(instruction, HistoryEntry.Action.INSTRUCTION, actor=acting_user, campaign=campaign, note=words)
    if item is not None:
        record(item, HistoryEntry.Action.INSTRUCTION, actor=acting_user, campaign=campaign, note=words)
        _relight(instruction, acting_user)
    transaction.on_commit(lambda: _tell_unit(instruction, "given"))
    return instruction


@transaction.atomic
def answer_instruction(instruction: Instruction, *, text: str, files=(), acting_user) -> Instruction:
    """The owner unit answers (with evidence files); the leader is told."""
    access = Access.for_user(acting_user, instruction.campaign)
    instruction = lock_one(Instruction.objects.select_related("campaign", "unit"), pk=instruction.pk)
    if not (access.is_office or access.speaks_for(instruction.unit)):
        raise PermissionDenied(_("Only the responsible unit answers its instructions."))
    if not instruction.waits_for_unit:
        raise ValidationError(_("This instruction has already been answered."))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the answer first.")})
    files = list(files)
    if len(files) > MAX_EVIDENCE_FILES:
        raise ValidationError({"files": _("Attach at most %(n)d files.") % {"n": MAX_EVIDENCE_FILES}})
    for upload in files:  # every file through the gate before anything is written
        try:
            check_upload(upload, max_bytes=settings.ATTACHMENT_MAX_BYTES)
        except ValidationError as error:
            raise ValidationError({"files": error.messages}) from error
    now = timezone.now()
    step = InstructionStep.objects.create(
        instruction=instruction, kind=InstructionStep.Kind.ANSWER, text=text, author=acting_user, at=now
    )
    for upload in files:
        InstructionEvidence(step=step, file=upload, name=upload.name, size=upload.size).save()
    instruction.state = Instruction.State.ANSWERED
    instruction.answered_at = now
    instruction.save(update_fields=["state", "answered_at"])
    words = note(gettext_noop("Instruction answered: %(text)s"), text=text[:400])
    record(instruction, HistoryEntry.Action.INSTRUCTION, actor=acting_user, campaign=instruction.campaign, note=words)
    if instruction.item_id:
        record(
            instruction.item,
            HistoryEntry.Action.INSTRUCTION,
            actor=acting_user,
            campaign=instruction.campaign,
            note=words,
        )
    _relight(instruction, acting_user)
    transaction.on_commit(lambda: _tell_leader(instruction, step))
    return instruction


@transaction.atomic
def review_instruction(
    instruction: Instruction,
    *,
    done: bool,
    text: str = "",
    respond_by: datetime.date | None = None,
    acting_user,
) -> Instruction:
    """The leader marks the answered instruction carried out (已落实), or instructs again (再次批示) with a new date."""
    access = Access.for_user(acting_user, instruction.campaign)
    instruction = lock_one(Instruction.objects.select_related("campaign", "unit"), pk=instruction.pk)
    if not (access.is_office or (access.is_leader and instruction.leader_id == acting_user.pk)):
        raise PermissionDenied(_("Only the leader who gave the instruction reviews its answer."))
    if instruction.state != Instruction.State.ANSWERED:
        raise ValidationError(_("Only an answered instruction can be marked carried out or instructed again."))
    text = (text or "").strip()
    campaign = instruction.campaign
    if done:
        instruction.state = Instruction.State.DONE
        fields = ["state"]
        words = note(gettext_noop("Instruction marked carried out (已落实). %(text)s"), text=text[:400])
    else:
        if not text:
            raise ValidationError({"text": _("Say what is still to be done.")})
        if respond_by is None:
            respond_by = timezone.localdate() + datetime.timedelta(days=campaign.instruction_days)
        _check_respond_by(respond_by)
        instruction.state = Instruction.State.AGAIN
        instruction.respond_by = respond_by
        instruction.answered_at = None
        fields = ["state", "respond_by", "answered_at"]
        words = note(
            gettext_noop("Instructed again (再次批示), answer by %(date)s: %(text)s"),
            date=respond_by.isoformat(),
            text=text[:400],
        )
    step = InstructionStep.objects.create(
        instruction=instruction,
        kind=InstructionStep.Kind.DONE if done else InstructionStep.Kind.AGAIN,
        text=text,
        author=acting_user,
        at=timezone.now(),
    )
    instruction.save(update_fields=fields)
    record(instruction, HistoryEntry.Action.INSTRUCTION, actor=acting_user, campaign=campaign, note=words)
    if instruction.item_id:
        record(instruction.item, HistoryEntry.Action.INSTRUCTION, actor=acting_user, campaign=campaign, note=words)
    _relight(instruction, acting_user)
    if not done:
        transaction.on_commit(lambda: _tell_unit(instruction, f"again:{step.pk}"))
    return instruction


def _subject(instruction: Instruction) -> str:
    about = instruction.item.code if instruction.item_id else str(instruction.unit)
    return _("Instruction (批示) on %(about)s") % {"about": about}


def _tell_unit(instruction: Instruction, event: str, body: str | None = None) -> int:
    """Tell the owner unit's liaisons (by their preferences) and its group robots; once per event."""
    from taizhang.notices.models import GroupRobot, Reason
    from taizhang.notices.rhythm import _liaisons, liaisons_for
    from taizhang.notices.sending import notify

    campaign = instruction.campaign
    body = body or _("%(leader)s: %(text)s — please answer by %(date)s.") % {
        "leader": instruction.leader.display_name,
        "text": instruction.text[:300],
        "date": instruction.respond_by.isoformat(),
    }
    made = 0
    scope = f"instruction:{instruction.pk}:{event}"
    for user in liaisons_for(instruction.unit, _liaisons(campaign)):
        made += (
            notify(
                reason=Reason.INSTRUCTION,
                scope=scope,
                subject=_subject(instruction),
                body=body,
                url=instruction.get_absolute_url(),
                campaign=campaign,
                user=user,
            )
            is not None
        )
    for robot in GroupRobot.objects.filter(unit=instruction.unit, is_active=True):
        made += (
            notify(
                reason=Reason.INSTRUCTION,
                scope=scope,
                subject=_subject(instruction),
                body=body,
                url=instruction.get_absolute_url(),
                campaign=campaign,
                robot=robot,
            )
            is not None
        )
    return made


def _tell_leader(instruction: Instruction, step: InstructionStep) -> None:
    from taizhang.notices.models import Reason
    from taizhang.notices.sending import notify

    notify(
        reason=Reason.INSTRUCTION,
        scope=f"instruction:{instruction.pk}:answer:{step.pk}",
        subject=_("Answered: %(subject)s") % {"subject": _subject(instruction)},
        body=step.text[:500],
        url=instruction.get_absolute_url(),
        campaign=instruction.campaign,
        user=instruction.leader,
    )


def send_instruction_deadlines(campaign, *, now: datetime.datetime | None = None) -> int:
    """The day before an instruction's answer date, and the day after it passed unanswered: tell the unit, once each.

    The leader hears of an overdue one too. Safe to run as often as the scheduler likes (the notices' dedupe).
    """
    from taizhang.notices.models import Reason
    from taizhang.notices.sending import notify

    today = timezone.localdate(now or timezone.now())
    waiting = Instruction.objects.filter(
        campaign=campaign, state__in=(Instruction.State.PENDING, Instruction.State.AGAIN)
    ).select_related("campaign", "unit", "item", "leader")
    made = 0
    for instruction in waiting.filter(respond_by__gte=today, respond_by__lte=today + datetime.timedelta(days=1)):
        made += _tell_unit(
            instruction,
            f"due:{instruction.respond_by.isoformat()}",
            _("The answer to this instruction is due on %(date)s: %(text)s")
            % {"date": instruction.respond_by.isoformat(), "text": instruction.text[:300]},
        )
    for instruction in waiting.filter(respond_by__lt=today):
        body = _("The answer to this instruction was due on %(date)s and has not come: %(text)s") % {
            "date": instruction.respond_by.isoformat(),
            "text": instruction.text[:300],
        }
        made += _tell_unit(instruction, f"late:{instruction.respond_by.isoformat()}", body)
        made += (
            notify(
                reason=Reason.INSTRUCTION,
                scope=f"instruction:{instruction.pk}:late:{instruction.respond_by.isoformat()}",
                subject=_("Overdue: %(subject)s") % {"subject": _subject(instruction)},
                body=body,
                url=instruction.get_absolute_url(),
                campaign=campaign,
                user=instruction.leader,
            )
            is not None
        )
    return made


# Leaders in the field (实地巡诊) -------------------------------------------------------------------

MAX_PHOTOS = 6
PHOTO_MAX_BYTES = 10 * 1024 * 1024


def problem_lines(raised: str) -> list[str]:
    """The problems raised, one a line (blank lines and list marks dropped)."""
    lines = []
    for line in (raised or "").splitlines():
        line = line.strip().lstrip("-•·*").strip()
        if line:
            lines.append(line)
    return lines


@transaction.atomic
def record_visit(
    campaign,
    *,
    visited_on: datetime.date,
    form: str,
    contact_point=None,
    unit=None,
    place: str = "",
    people_count: int = 0,
    people_names: str = "",
    raised: str = "",
    solved: str = "",
    follow_up: str = "",
    item: Item | None = None,
    photos=(),
    leader=None,
    token: str | None = None,
    acting_user,
) -> Visit:
    """A leader records a site visit; each problem raised (one a line) goes to triage as a demand (走下去听),
    or, when the visit was about an existing item, is noted on that item."""
    access = Access.for_user(acting_user, campaign)
    if not (access.is_leader or access.is_office):
        raise PermissionDenied(_("Only leaders and the campaign office record visits."))
    if token:
        done = Visit.objects.filter(token=token, campaign=campaign).first()
        if done is not None:  # the same form posted twice
            return done
    leader = acting_user if access.is_leader or leader is None else leader
    errors = {}
    if form not in Visit.Form.values:
        errors["form"] = _("Choose the form of the visit.")
    if visited_on is None or visited_on > timezone.localdate():
        errors["visited_on"] = _("The visit cannot be in the future.")
    if contact_point is not None:
        if contact_point.campaign_id != campaign.pk:
            errors["contact_point"] = _("Choose a contact point of this campaign.")
        unit = contact_point.unit
    if unit is None:
        errors["unit"] = _("Choose the contact point or the unit visited.")
    if item is not None and item.campaign_id != campaign.pk:
        errors["item"] = _("Choose an item of this campaign.")
    if people_count is None or people_count < 0:
        errors["people_count"] = _("Give the number of people met.")
    photos = list(photos)
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = _("Attach at most %(n)d photos.") % {"n": MAX_PHOTOS}
    for photo in photos[:MAX_PHOTOS]:
        try:
            check_upload(photo, max_bytes=PHOTO_MAX_BYTES, images_only=True)
        except ValidationError as error:
            errors.setdefault("photos", []).extend(error.messages)
    if errors:
        raise ValidationError(errors)
    visit = Visit.objects.create(
        campaign=campaign,
        leader=leader,
        visited_on=visited_on,
        contact_point=contact_point,
        unit=unit,
        place=(place or "").strip(),
        form=form,
        people_count=people_count,
        people_names=(people_names or "").strip(),
        raised=(raised or "").strip(),
        solved=(solved or "").strip(),
        follow_up=(follow_up or "").strip(),
        recorded_by=acting_user,
        recorded_at=timezone.now(),
        token=token or None,
    )
    for photo in photos:
        VisitPhoto(visit=visit, file=photo, name=photo.name, size=photo.size).save()
    for text in problem_lines(raised):
        if item is not None:
            VisitProblem.objects.create(visit=visit, text=text, item=item)
            continue
        from taizhang.people.actions import submit_demand
        from taizhang.people.models import Channel

        demand = submit_demand(
            campaign=campaign,
            data={
                "text": text,
                "channel": Channel.VISIT,
                "unit": unit,
                "collected_on": visited_on,
                "place": visit.place,
                "collected_by": leader.display_name,
            },
            acting_user=acting_user,
        )
        VisitProblem.objects.create(visit=visit, text=text, demand=demand)
    words = note(
        gettext_noop("Visit to %(unit)s on %(date)s (%(form)s)"),
        unit=str(unit),
        date=visited_on.isoformat(),
        form=str(visit.get_form_display()),
    )
    record(visit, HistoryEntry.Action.CREATE, actor=acting_user, campaign=campaign, note=words)
    if item is not None:
        record(item, HistoryEntry.Action.COMMENT, actor=acting_user, campaign=campaign, note=words)
    return visit
