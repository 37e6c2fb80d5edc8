"""The writes on meetings and their decisions: one function each, permission checked here, history recorded.

The office plans a meeting, builds its agenda from the ledger, records it as held, writes the minutes
and the decisions; the chair (or the office) approves the minutes. A decision's owner unit reports
progress and marks it done; the office closes it. Every write bumps the object's version, so a form
opened before someone else's change — or the same form sent twice — is refused, not written twice.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from taizhang.history.models import HistoryEntry
from taizhang.history.recording import diff, note, record, snapshot
from taizhang.lib.locks import lock_one
from taizhang.orgs.access import Access
from taizhang.reporting.models import ReportingPeriod

from . import agenda
from .models import AgendaPoint, Decision, DecisionProgress, Meeting

MEETING_FIELDS = ("kind", "title", "starts_at", "place", "chair", "attendees", "guests", "period")


class StaleEdit(ValidationError):
    """The meeting or decision changed after the form was opened (or the form was sent twice)."""

    def __init__(self):
        super().__init__(
            _("This was changed after you opened the form (or the form was sent twice). Reload the page and try again.")
        )


# Who may do what ----------------------------------------------------------------------------------


def can_read_meeting(access: Access, meeting: Meeting) -> bool:
    """The office and the overseers read every meeting; a liaison those whose decisions name its unit."""
    if access.is_overseer:
        return True
    return any(access.speaks_for(d.owner_unit) for d in meeting.decisions.select_related("owner_unit"))


def can_write_meeting(access: Access) -> bool:
    return access.is_office


def can_approve(access: Access, meeting: Meeting) -> bool:
    return access.is_office or (meeting.chair_id is not None and meeting.chair_id == access.user.pk)


def can_read_decision(access: Access, decision: Decision) -> bool:
    return access.is_overseer or access.speaks_for(decision.owner_unit)


def can_update_decision(access: Access, decision: Decision) -> bool:
    """The office, and the liaisons of the owner unit (or of a unit above it)."""
    return not decision.is_finished and (access.is_office or access.speaks_for(decision.owner_unit))


def _require_office(meeting_or_campaign, acting_user) -> Access:
    campaign = getattr(meeting_or_campaign, "campaign", meeting_or_campaign)
    access = Access.for_user(acting_user, campaign)
    if not can_write_meeting(access):
        raise PermissionDenied(_("Only the campaign office records meetings."))
    return access


def _check_version(obj, expected_version: int | None) -> None:
    if expected_version is None or obj.version != expected_version:
        raise StaleEdit()


def _bump(meeting: Meeting) -> None:
    meeting.version += 1
    Meeting.objects.filter(pk=meeting.pk).update(version=meeting.version)


# Meetings -----------------------------------------------------------------------------------------


def _clean_meeting(campaign, data: dict) -> dict:
    data = dict(data)
    data["title"] = (data.get("title") or "").strip()
    if not data["title"]:
        raise ValidationError({"title": _("Give the meeting a title.")})
    if data.get("kind") not in Meeting.Kind.values:
        raise ValidationError({"kind": _("Choose the kind of meeting.")})
    if not data.get("starts_at"):
        raise ValidationError({"starts_at": _("Give the date and time of the meeting.")})
    period = data.get("period")
    if period is not None and (period.campaign_id != campaign.pk or period.kind != ReportingPeriod.Kind.QUARTERLY):
        raise ValidationError({"period": _("Choose a quarter of this campaign.")})
    return data


def _assign(meeting: Meeting, data: dict) -> None:
    for name in ("kind", "title", "starts_at", "place", "chair", "guests", "period"):
        if name in data:
            setattr(meeting, name, data[name] if name not in ("place", "guests") else (data[name] or "").strip())


@transaction.atomic
def create_meeting(campaign, *, data: dict, attendees=(), acting_user) -> Meeting:
    _require_office(campaign, acting_user)
    data = _clean_meeting(campaign, data)
    meeting = Meeting(campaign=campaign, created_by=acting_user)
    _assign(meeting, data)
    meeting.save()
    meeting.attendees.set(attendees)
    record(meeting, HistoryEntry.Action.CREATE, actor=acting_user, campaign=campaign)
    return meeting


@transaction.atomic
def update_meeting(meeting: Meeting, *, data: dict, attendees=None, expected_version: int, acting_user) -> Meeting:
    _require_office(meeting, acting_user)
    meeting = lock_one(Meeting, pk=meeting.pk)
    _check_version(meeting, expected_version)
    if meeting.state == Meeting.State.APPROVED:
        raise ValidationError(_("The minutes are approved: the meeting can no longer change."))
    data = _clean_meeting(meeting.campaign, data)
    before = snapshot(meeting, MEETING_FIELDS)
    _assign(meeting, data)
    meeting.version += 1
    meeting.save()
    if attendees is not None:
        meeting.attendees.set(attendees)
    changes = diff(meeting, before)
    if changes:
        record(meeting, HistoryEntry.Action.UPDATE, actor=acting_user, campaign=meeting.campaign, changes=changes)
    return meeting


def _agenda_text(meeting: Meeting) -> str:
    return "\n".join(f"{n}. {p.title}" for n, p in enumerate(meeting.points.order_by("order", "id"), 1))


@transaction.atomic
def build_agenda(
    meeting: Meeting, *, expected_version: int, acting_user, top: int = agenda.TOP, now=None
) -> list[AgendaPoint]:
    """One click: the agenda points proposed from the ledger replace the ones built before; written ones stay."""
    _require_office(meeting, acting_user)
    meeting = lock_one(Meeting, pk=meeting.pk)
    _check_version(meeting, expected_version)
    if meeting.state == Meeting.State.APPROVED:
        raise ValidationError(_("The minutes are approved: the agenda can no longer change."))
    before = _agenda_text(meeting)
    figures = agenda.agenda_figures(meeting, top=top, now=now)
    meeting.points.exclude(source=AgendaPoint.Source.WRITTEN).delete()
    start = (meeting.points.aggregate(m=Max("order"))["m"] or 0) + 1
    points = AgendaPoint.objects.bulk_create(
        [
            AgendaPoint(meeting=meeting, order=start + n, title=s.title[:200], body=s.body(), source=s.source)
            for n, s in enumerate(figures["sections"])
        ]
    )
    _bump(meeting)
    record(
        meeting,
        HistoryEntry.Action.UPDATE,
        actor=acting_user,
        campaign=meeting.campaign,
        changes=[{"field": "agenda", "label": str(_("agenda")), "old": before, "new": _agenda_text(meeting)}],
        note=note(gettext_noop("Agenda built from the ledger: %(n)d points."), n=len(points)),
    )
    return points


@transaction.atomic
def save_agenda(meeting: Meeting, *, points: list[dict], expected_version: int, acting_user) -> Meeting:
    """The office's edit of the whole agenda: ``points`` in order, each {"id" (or None), "title", "body"}."""
    _require_office(meeting, acting_user)
    meeting = lock_one(Meeting, pk=meeting.pk)
    _check_version(meeting, expected_version)
    if meeting.state == Meeting.State.APPROVED:
        raise ValidationError(_("The minutes are approved: the agenda can no longer change."))
    for point in points:
        if not (point.get("title") or "").strip():
            raise ValidationError(_("Every agenda point needs a title."))
    before = _agenda_text(meeting)
    existing = {p.pk: p for p in meeting.points.all()}
    keep = set()
    for order, point in enumerate(points, 1):
        current = existing.get(point.get("id"))
        if current is None:
            current = AgendaPoint(meeting=meeting)
        current.order, current.title, current.body = order, point["title"].strip()[:200], (point.get("body") or "")
        current.save()
        keep.add(current.pk)
    meeting.points.exclude(pk__in=keep).delete()
    _bump(meeting)
    after = _agenda_text(meeting)
    if after != before or points:
        record(
            meeting,
            HistoryEntry.Action.UPDATE,
            actor=acting_user,
            campaign=meeting.campaign,
            changes=[{"field": "agenda", "label": str(_("agenda")), "old": before, "new": after}]
            if after != before
            else [],
            note=note(gettext_noop("Agenda edited.")),
        )
    return meeting


@transaction.atomic
def record_minutes(meeting: Meeting, *, minutes: str, expected_version: int, acting_user) -> Meeting:
    _require_office(meeting, acting_user)
    meeting = lock_one(Meeting, pk=meeting.pk)
    _check_version(meeting, expected_version)
    if meeting.state == Meeting.State.APPROVED:
        raise ValidationError(_("The minutes are approved and can no longer change."))
    before = snapshot(meeting, ["minutes"])
    meeting.minutes = (minutes or "").strip()
    meeting.version += 1
    meeting.save(update_fields=["minutes", "version"])
    changes = diff(meeting, before)
    if changes:
        record(meeting, HistoryEntry.Action.UPDATE, actor=acting_user, campaign=meeting.campaign, changes=changes)
    return meeting


@transaction.atomic
def mark_held(meeting: Meeting, *, expected_version: int, acting_user) -> Meeting:
    _require_office(meeting, acting_user)
    meeting = lock_one(Meeting, pk=meeting.pk)
    _check_version(meeting, expected_version)
    if meeting.state != Meeting.State.PLANNED:
        raise ValidationError(_("The meeting is already recorded as held."))
    if meeting.starts_at > timezone.now():
        raise ValidationError(_("A meeting cannot be recorded as held before it starts."))
    return _set_state(meeting, Meeting.State.HELD, acting_user)


@transaction.atomic
def approve_minutes(meeting: Meeting, *, expected_version: int, acting_user) -> Meeting:
    access = Access.for_user(acting_user, meeting.campaign)
    if not can_approve(access, meeting):
        raise PermissionDenied(_("Only the chair of the meeting or the office approves its minutes."))
    meeting = lock_one(Meeting, pk=meeting.pk)
    _check_version(meeting, expected_version)
    if meeting.state != Meeting.State.HELD:
        raise ValidationError(_("Only the minutes of a meeting held and not yet approved can be approved."))
    if not meeting.minutes.strip():
        raise ValidationError(_("Write the minutes before approving them."))
    meeting.approved_by, meeting.approved_at = acting_user, timezone.now()
    return _set_state(meeting, Meeting.State.APPROVED, acting_user, extra=["approved_by", "approved_at"])


def _set_state(meeting: Meeting, state: str, acting_user, extra=()) -> Meeting:
    before = snapshot(meeting, ["state"])
    meeting.state = state
    meeting.version += 1
    meeting.save(update_fields=["state", "version", *extra])
    record(
        meeting, HistoryEntry.Action.UPDATE, actor=acting_user, campaign=meeting.campaign, changes=diff(meeting, before)
    )
    return meeting


# Decisions ----------------------------------------------------------------------------------------


def _check_decision_fields(meeting: Meeting, text: str, owner_unit, deadline) -> str:
    text = (text or "").strip()
    errors = {}
    if not text:
        errors["text"] = _("Write what was decided.")
    if owner_unit is None:
        errors["owner_unit"] = _("Every decision needs a responsible unit.")
    elif not owner_unit.is_active:
        errors["owner_unit"] = _("This unit is closed; choose an active unit.")
    if deadline is None:
        errors["deadline"] = _("Give the deadline.")
    elif deadline < timezone.localdate(meeting.starts_at):
        errors["deadline"] = _("The deadline cannot be before the meeting.")
    if errors:
        raise ValidationError(errors)
    return text


@transaction.atomic
def add_decision(
    meeting: Meeting, *, text: str, owner_unit, deadline: datetime.date, expected_version: int, acting_user
) -> Decision:
    """A decision of the meeting, assigned to its owner unit (who is told once, on commit)."""
    _require_office(meeting, acting_user)
    meeting = lock_one(Meeting, pk=meeting.pk)
    _check_version(meeting, expected_version)
    if meeting.state == Meeting.State.PLANNED:
        raise ValidationError(_("Record the meeting as held before adding its decisions."))
    if meeting.state == Meeting.State.APPROVED:
        raise ValidationError(_("The minutes are approved: no decision can be added."))
    text = _check_decision_fields(meeting, text, owner_unit, deadline)
    seq = (meeting.decisions.aggregate(m=Max("seq"))["m"] or 0) + 1
    decision = Decision.objects.create(
        meeting=meeting, campaign=meeting.campaign, seq=seq, text=text, owner_unit=owner_unit, deadline=deadline
    )
    _bump(meeting)
    record(decision, HistoryEntry.Action.CREATE, actor=acting_user, campaign=meeting.campaign)
    record(
        meeting,
        HistoryEntry.Action.UPDATE,
        actor=acting_user,
        campaign=meeting.campaign,
        note=note(gettext_noop("Decision %(n)d recorded for %(unit)s."), n=seq, unit=owner_unit.name),
    )
    from . import reminders

    transaction.on_commit(lambda: reminders.notify_assigned(decision))
    return decision


@transaction.atomic
def update_decision(
    decision: Decision, *, text: str, owner_unit, deadline: datetime.date, expected_version: int, acting_user
) -> Decision:
    """The office corrects a decision; a new owner unit is told it was assigned (once per unit)."""
    _require_office(decision, acting_user)
    decision = lock_one(Decision.objects.select_related("owner_unit", "meeting", "campaign"), pk=decision.pk)
    _check_version(decision, expected_version)
    if decision.is_finished:
        raise ValidationError(_("This decision is already done."))
    text = _check_decision_fields(decision.meeting, text, owner_unit, deadline)
    before = snapshot(decision, ["text", "owner_unit", "deadline"])
    reassigned = owner_unit.pk != decision.owner_unit_id
    decision.text, decision.owner_unit, decision.deadline = text, owner_unit, deadline
    decision.version += 1
    decision.save(update_fields=["text", "owner_unit", "deadline", "version"])
    changes = diff(decision, before)
    if changes:
        record(decision, HistoryEntry.Action.UPDATE, actor=acting_user, campaign=decision.campaign, changes=changes)
    if reassigned:
        from . import reminders

        transaction.on_commit(lambda: reminders.notify_assigned(decision))
    return decision


@transaction.atomic
def add_progress(decision: Decision, *, percent: int, text: str, expected_version: int, acting_user) -> Decision:
    access = Access.for_user(acting_user, decision.campaign)
    decision = lock_one(Decision.objects.select_related("owner_unit", "meeting", "campaign"), pk=decision.pk)
    if decision.is_finished:
        raise ValidationError(_("This decision is already done."))
    if not can_update_decision(access, decision):
        raise PermissionDenied(_("Only the responsible unit and the office report progress on this decision."))
    _check_version(decision, expected_version)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write what was done.")})
    if percent is None or not 0 <= percent <= 100:
        raise ValidationError({"percent": _("Progress is a percent from 0 to 100.")})
    DecisionProgress.objects.create(decision=decision, percent=percent, text=text, author=acting_user)
    before = snapshot(decision, ["status", "percent"])
    decision.percent, decision.status = percent, Decision.Status.IN_PROGRESS
    decision.version += 1
    decision.save(update_fields=["percent", "status", "version"])
    record(
        decision,
        HistoryEntry.Action.PROGRESS,
        actor=acting_user,
        campaign=decision.campaign,
        changes=diff(decision, before),
        note=text[:400],
    )
    return decision


@transaction.atomic
def mark_done(decision: Decision, *, text: str = "", expected_version: int, acting_user) -> Decision:
    access = Access.for_user(acting_user, decision.campaign)
    decision = lock_one(Decision.objects.select_related("owner_unit", "meeting", "campaign"), pk=decision.pk)
    if decision.is_finished:
        raise ValidationError(_("This decision is already done."))
    if not can_update_decision(access, decision):
        raise PermissionDenied(_("Only the responsible unit and the office mark this decision done."))
    _check_version(decision, expected_version)
    text = (text or "").strip()
    if text:
        DecisionProgress.objects.create(decision=decision, percent=100, text=text, author=acting_user)
    before = snapshot(decision, ["status", "percent"])
    decision.status, decision.percent, decision.done_at = Decision.Status.DONE, 100, timezone.now()
    decision.version += 1
    decision.save(update_fields=["status", "percent", "done_at", "version"])
    record(
        decision,
        HistoryEntry.Action.UPDATE,
        actor=acting_user,
        campaign=decision.campaign,
        changes=diff(decision, before),
        note=text[:400],
    )
    return decision


@transaction.atomic
def close_decision(decision: Decision, *, expected_version: int, acting_user) -> Decision:
    """The office closes (销号) a decision its unit has marked done."""
    _require_office(decision, acting_user)
    decision = lock_one(Decision.objects.select_related("owner_unit", "meeting", "campaign"), pk=decision.pk)
    _check_version(decision, expected_version)
    if decision.status != Decision.Status.DONE:
        raise ValidationError(_("Only a decision marked done can be closed."))
    before = snapshot(decision, ["status"])
    decision.status, decision.closed_at = Decision.Status.CLOSED, timezone.now()
    decision.version += 1
    decision.save(update_fields=["status", "closed_at", "version"])
    record(
        decision,
        HistoryEntry.Action.CLOSE,
        actor=acting_user,
        campaign=decision.campaign,
        changes=diff(decision, before),
    )
    return decision
