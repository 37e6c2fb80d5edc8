"""The writes of inspections: teams and rounds, inspections, findings, the unit's answer, verification, return.

Each action checks permission here (through :class:`Access` and the team), runs in one transaction, records
history and tells people on commit through the notices app (its dedupe: each notice once). A form's one-time
``token`` makes a second POST of the same form write nothing; a finding's ``version`` refuses a stale answer,
verification or return (a double click, or two inspectors at once). A finding on an item relights the item
through the ledger's one loader (this app provides the overdue rectifications it reads).
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from taizhang.audit import chain
from taizhang.history.models import HistoryEntry
from taizhang.history.recording import diff, note, record, snapshot
from taizhang.ledger.lights import recompute_item
from taizhang.ledger.models import Item
from taizhang.lib.locks import lock_one
from taizhang.lib.media import check_upload
from taizhang.orgs.access import Access
from taizhang.orgs.models import Role, RoleGrant

from .models import Finding, Inspection, InspectionTeam, Method, Rectification, RectificationEvidence, Round
from .queries import TO_RECTIFY, is_on_team, team_covers


class StaleFinding(ValidationError):
    """The finding changed since the page was opened (answered, verified or returned by someone else)."""

    def __init__(self):
        super().__init__(_("This finding was changed since you opened the page. Reload it and try again."))


def today() -> datetime.date:
    return timezone.localdate()


# Who may ----------------------------------------------------------------------------------------


def can_manage_teams(access: Access) -> bool:
    return access.is_office


def can_inspect(access: Access, team: InspectionTeam, unit=None) -> bool:
    """The office, or an inspector of the team (for a unit the team covers)."""
    if team.campaign_id != access.campaign.pk:
        return False
    if access.is_office:
        return True
    if not (access.is_inspector and is_on_team(access.user, team)):
        return False
    return unit is None or team_covers(team, unit)


def can_verify(access: Access, finding: Finding) -> bool:
    """The office, or an inspector of the team that found it."""
    return access.is_office or (access.is_inspector and is_on_team(access.user, finding.inspection.team))


def can_answer(access: Access, finding: Finding) -> bool:
    """The unit answers its own findings (its liaisons, or those of a unit above it), and the office."""
    return access.is_office or access.speaks_for(finding.unit)


def _inspectors(campaign, users) -> None:
    """Members of a team are people with the inspector role in the campaign."""
    granted = set(
        RoleGrant.objects.filter(campaign=campaign, role=Role.INSPECTOR, user__in=users).values_list(
            "user_id", flat=True
        )
    )
    missing = [u.display_name for u in users if u.pk not in granted]
    if missing:
        raise ValidationError(
            {"members": _("Not inspectors in this campaign: %(names)s.") % {"names": "、".join(missing)}}
        )


# Teams and rounds -------------------------------------------------------------------------------


TEAM_FIELDS = ("name", "leader", "members", "units")


def _clean_team(campaign, data: dict) -> None:
    name = (data.get("name") or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the team a name.")})
    if data.get("leader") is None:
        raise ValidationError({"leader": _("Name the team leader.")})
    _inspectors(campaign, list(data.get("members") or []))


@transaction.atomic
def create_team(campaign, *, data: dict, acting_user) -> InspectionTeam:
    """督导巡回组: the office sets up a team of inspectors and the units it covers."""
    access = Access.for_user(acting_user, campaign)
    access.require(can_manage_teams(access), _("Only the campaign office sets up inspection teams."))
    _clean_team(campaign, data)
    team = InspectionTeam(campaign=campaign, name=data["name"].strip(), leader=data["leader"])
    team.full_clean(exclude=["members", "units"])
    team.save()
    team.members.set(data.get("members") or [])
    team.units.set(data.get("units") or [])
    record(team, HistoryEntry.Action.CREATE, actor=acting_user, campaign=campaign)
    return team


@transaction.atomic
def update_team(team: InspectionTeam, *, data: dict, expected_version: int | None, acting_user) -> InspectionTeam:
    access = Access.for_user(acting_user, team.campaign)
    access.require(can_manage_teams(access), _("Only the campaign office sets up inspection teams."))
    team = lock_one(InspectionTeam.objects.select_related("campaign"), pk=team.pk)
    if expected_version is not None and team.version != expected_version:
        raise ValidationError(_("This team was changed since you opened the page. Reload it and try again."))
    _clean_team(team.campaign, data)
    before = snapshot(team, TEAM_FIELDS)
    team.name, team.leader = data["name"].strip(), data["leader"]
    team.full_clean(exclude=["members", "units"])
    team.version += 1
    team.save()
    team.members.set(data.get("members") or [])
    team.units.set(data.get("units") or [])
    changes = diff(team, before)
    if changes:
        record(team, HistoryEntry.Action.UPDATE, actor=acting_user, campaign=team.campaign, changes=changes)
    return team


@transaction.atomic
def add_round(team: InspectionTeam, *, data: dict, acting_user) -> Round:
    """A round of the team's plan: the office or the team's own inspectors plan it."""
    access = Access.for_user(acting_user, team.campaign)
    access.require(can_inspect(access, team), _("Only the campaign office and the team plan its rounds."))
    starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
    if not (data.get("name") or "").strip():
        raise ValidationError({"name": _("Give the round a name.")})
    if starts_on is None or ends_on is None or ends_on < starts_on:
        raise ValidationError({"ends_on": _("The round must end on or after the day it starts.")})
    units = list(data.get("units") or [])
    outside = [u.display_name for u in units if not team_covers(team, u)]
    if outside:
        raise ValidationError({"units": _("Not covered by this team: %(names)s.") % {"names": "、".join(outside)}})
    round_ = Round.objects.create(team=team, name=data["name"].strip(), starts_on=starts_on, ends_on=ends_on)
    round_.units.set(units)
    record(
        team,
        HistoryEntry.Action.UPDATE,
        actor=acting_user,
        campaign=team.campaign,
        note=note(
            gettext_noop("Round planned: %(name)s, %(start)s to %(end)s."),
            name=round_.name,
            start=starts_on.isoformat(),
            end=ends_on.isoformat(),
        ),
    )
    return round_


# Inspections ------------------------------------------------------------------------------------


@transaction.atomic
def record_inspection(team: InspectionTeam, *, data: dict, token: str, acting_user) -> Inspection:
    """督导检查: an inspector of the team records an inspection of a unit it covers. The same form twice: one row."""
    campaign = team.campaign
    access = Access.for_user(acting_user, campaign)
    unit = data.get("unit")
    if unit is None:
        raise ValidationError({"unit": _("Choose the unit inspected.")})
    access.require(
        can_inspect(access, team, unit), _("Only the team's inspectors record inspections of the units it covers.")
    )
    team = lock_one(InspectionTeam.objects.select_related("campaign"), pk=team.pk)
    if token:
        done = Inspection.objects.filter(token=token).first()
        if done is not None:
            return done
    starts_on, ends_on = data.get("starts_on"), data.get("ends_on") or data.get("starts_on")
    if starts_on is None:
        raise ValidationError({"starts_on": _("Give the date of the inspection.")})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The inspection must end on or after the day it starts.")})
    methods = list(data.get("methods") or [])
    if not methods or any(m not in Method.values for m in methods):
        raise ValidationError({"methods": _("Choose how the unit was inspected.")})
    round_ = data.get("round")
    if round_ is not None and round_.team_id != team.pk:
        raise ValidationError({"round": _("That round belongs to another team.")})
    items = list(data.get("items") or [])
    if any(i.campaign_id != campaign.pk for i in items):
        raise ValidationError({"items": _("Choose items of this campaign.")})
    inspection = Inspection.objects.create(
        campaign=campaign,
        team=team,
        round=round_,
        unit=unit,
        starts_on=starts_on,
        ends_on=ends_on,
        methods=methods,
        summary=(data.get("summary") or "").strip(),
        recorded_by=acting_user,
        **({"token": token} if token else {}),
    )
    inspection.items.set(items)
    record(inspection, HistoryEntry.Action.CREATE, actor=acting_user, campaign=campaign)
    return inspection


# Findings ---------------------------------------------------------------------------------------


@transaction.atomic
def add_finding(inspection: Inspection, *, data: dict, token: str = "", acting_user) -> Finding:
    """问题 and its rectification order (整改通知) to the unit: told at once, the item relit."""
    campaign = inspection.campaign
    access = Access.for_user(acting_user, campaign)
    access.require(
        can_inspect(access, inspection.team, inspection.unit),
        _("Only the team's inspectors record findings of its inspections."),
    )
    item = data.get("item")
    if item is not None:
        if item.campaign_id != campaign.pk:
            raise ValidationError({"item": _("Choose an item of this campaign.")})
        lock_one(Item, pk=item.pk)  # the item before what hangs below it (lib.locks' order)
    inspection = lock_one(Inspection.objects.select_related("campaign", "team", "unit"), pk=inspection.pk)
    if token:
        done = Finding.objects.filter(token=token).first()
        if done is not None:
            return done
    errors = {}
    for name, message in (
        ("description", _("Describe the problem found.")),
        ("required", _("Say what must be rectified.")),
        ("responsible", _("Name the person responsible.")),
    ):
        if not (data.get(name) or "").strip():
            errors[name] = message
    deadline = data.get("deadline")
    if deadline is None:
        errors["deadline"] = _("Give the rectification deadline.")
    elif deadline < inspection.starts_on:
        errors["deadline"] = _("The rectification deadline cannot be before the inspection (%(date)s).") % {
            "date": inspection.starts_on.isoformat()
        }
    if data.get("category") not in Finding.Category.values:
        errors["category"] = _("Choose a category.")
    if (data.get("severity") or Finding.Severity.MINOR) not in Finding.Severity.values:
        errors["severity"] = _("Choose a severity.")
    if errors:
        raise ValidationError(errors)
    finding = Finding.objects.create(
        campaign=campaign,
        unit=item.owner_unit if item is not None else inspection.unit,
        item=item,
        inspection=inspection,
        category=data["category"],
        severity=data.get("severity") or Finding.Severity.MINOR,
        description=data["description"].strip(),
        required=data["required"].strip(),
        found_on=data.get("found_on") or inspection.starts_on,
        deadline=deadline,
        responsible=data["responsible"].strip(),
        **({"token": token} if token else {}),
    )
    chain.append(campaign, finding)
    record(finding, HistoryEntry.Action.CREATE, actor=acting_user, campaign=campaign)
    if item is not None:
        record(
            item,
            HistoryEntry.Action.COMMENT,
            actor=acting_user,
            campaign=campaign,
            note=note(
                gettext_noop("Inspection finding: %(text)s Rectify by %(date)s."),
                text=finding.description[:300],
                date=deadline.isoformat(),
            ),
        )
        recompute_item(Item.objects.select_related("campaign").get(pk=item.pk), actor=acting_user)
    transaction.on_commit(lambda: _tell_unit(finding, "new"))
    return finding


def _locked_finding(finding: Finding, expected_version: int | None) -> Finding:
    if finding.item_id:
        lock_one(Item, pk=finding.item_id)
    current = lock_one(Finding.objects.select_related("campaign", "unit", "inspection__team", "item"), pk=finding.pk)
    if expected_version is not None and current.version != expected_version:
        raise StaleFinding()
    return current


def _relight(finding: Finding, acting_user) -> None:
    if finding.item_id:
        recompute_item(Item.objects.select_related("campaign").get(pk=finding.item_id), actor=acting_user)


@transaction.atomic
def answer_finding(
    finding: Finding, *, measures: str, done: bool, evidence=(), expected_version: int | None, acting_user
) -> Rectification:
    """The unit's answer: its measures and evidence, rectified (已整改, to verify) or still under way (整改中)."""
    access = Access.for_user(acting_user, finding.campaign)
    access.require(can_answer(access, finding), _("Only the unit concerned answers its findings."))
    measures = (measures or "").strip()
    if not measures:
        raise ValidationError({"measures": _("Describe the rectification measures.")})
    for upload in evidence:
        check_upload(upload, max_bytes=settings.ATTACHMENT_MAX_BYTES)
    current = _locked_finding(finding, expected_version)
    if current.state not in TO_RECTIFY:
        raise ValidationError(_("This finding is not waiting for the unit's rectification."))
    now = timezone.now()
    rectification = Rectification.objects.create(
        finding=current, measures=measures, done=bool(done), answered_by=acting_user, answered_at=now
    )
    for upload in evidence:
        RectificationEvidence(rectification=rectification, file=upload, name=upload.name[:200], size=upload.size).save()
    before = snapshot(current, ("state", "measures"))
    current.measures, current.answered_at = measures, now
    if done:
        current.state = Finding.State.ANSWERED
    current.version += 1
    current.save(update_fields=["state", "measures", "answered_at", "version"])
    chain.append_many(current.campaign, [rectification, current])
    record(
        current,
        HistoryEntry.Action.SUBMIT,
        actor=acting_user,
        campaign=current.campaign,
        changes=diff(current, before),
        note=note(
            gettext_noop("Rectified: %(text)s") if done else gettext_noop("Rectification under way: %(text)s"),
            text=measures[:400],
        ),
    )
    return rectification


@transaction.atomic
def verify_finding(finding: Finding, *, expected_version: int | None, acting_user) -> Finding:
    """销号: an inspector of the team confirms the rectification; the item's light is judged again."""
    access = Access.for_user(acting_user, finding.campaign)
    access.require(can_verify(access, finding), _("Only an inspector of the team verifies its findings."))
    current = _locked_finding(finding, expected_version)
    if current.state != Finding.State.ANSWERED:
        raise ValidationError(_("Only a rectified finding waiting for verification can be closed."))
    before = snapshot(current, ("state",))
    current.state, current.verified_at, current.verified_by = Finding.State.VERIFIED, timezone.now(), acting_user
    current.version += 1
    current.save(update_fields=["state", "verified_at", "verified_by", "version"])
    chain.append(current.campaign, current)
    record(
        current, HistoryEntry.Action.CLOSE, actor=acting_user, campaign=current.campaign, changes=diff(current, before)
    )
    _relight(current, acting_user)
    return current


@transaction.atomic
def return_finding(finding: Finding, *, reason: str, expected_version: int | None, acting_user) -> Finding:
    """退回整改: the rectification does not hold; the unit is told why and works on."""
    access = Access.for_user(acting_user, finding.campaign)
    access.require(can_verify(access, finding), _("Only an inspector of the team verifies its findings."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the rectification is returned.")})
    current = _locked_finding(finding, expected_version)
    if current.state != Finding.State.ANSWERED:
        raise ValidationError(_("Only a rectified finding waiting for verification can be returned."))
    before = snapshot(current, ("state",))
    current.state, current.return_reason = Finding.State.RETURNED, reason
    current.version += 1
    current.save(update_fields=["state", "return_reason", "version"])
    chain.append(current.campaign, current)
    record(
        current,
        HistoryEntry.Action.RETURN,
        actor=acting_user,
        campaign=current.campaign,
        changes=diff(current, before),
        note=note(gettext_noop("Returned for rectification: %(reason)s"), reason=reason[:400]),
    )
    _relight(current, acting_user)
    version = current.version
    transaction.on_commit(lambda: _tell_unit(current, f"returned:{version}"))
    return current


# Notices ----------------------------------------------------------------------------------------


def _liaisons_of(finding: Finding) -> list:
    from taizhang.notices.rhythm import liaisons_for

    grants = list(RoleGrant.objects.filter(campaign=finding.campaign, role=Role.LIAISON).select_related("user", "unit"))
    return liaisons_for(finding.unit, grants)


def _send(finding: Finding, event: str, users, subject: str, body: str) -> int:
    from taizhang.notices.models import Reason
    from taizhang.notices.sending import notify

    made = 0
    for user in users:
        made += (
            notify(
                reason=Reason.RECTIFICATION,
                scope=f"finding:{finding.pk}:{event}",
                subject=subject,
                body=body,
                url=finding.get_absolute_url(),
                campaign=finding.campaign,
                user=user,
            )
            is not None
        )
    return made


def _tell_unit(finding: Finding, event: str) -> int:
    """A new finding or a returned rectification, to the unit's liaisons (once per event)."""
    words = {"category": finding.get_category_display(), "unit": finding.unit.display_name}
    if event == "new":
        subject = _("Rectification order: %(category)s") % words
        body = _("%(text)s Rectify by %(date)s.") % {"text": finding.description, "date": finding.deadline.isoformat()}
    else:
        subject = _("Rectification returned: %(category)s") % words
        body = _("Returned: %(reason)s") % {"reason": finding.return_reason}
    return _send(finding, event, _liaisons_of(finding), subject, body)


def send_deadline_notices(campaign, *, on: datetime.date | None = None) -> int:
    """Each morning: rectification deadlines approaching (to the unit) and missed (to the unit and the team leader).

    Once per finding and deadline: the dedupe key names both, so a rerun (or a second worker) sends nothing.
    """
    on = on or today()
    near = on + datetime.timedelta(days=campaign.blue_days_before_due)
    made = 0
    findings = (
        Finding.objects.filter(campaign=campaign, state__in=TO_RECTIFY, deadline__lte=near)
        .select_related("campaign", "unit", "inspection__team__leader")
        .order_by("deadline", "id")
    )
    for finding in findings:
        words = {"category": finding.get_category_display(), "date": finding.deadline.isoformat()}
        if finding.deadline >= on:
            made += _send(
                finding,
                f"near:{finding.deadline.isoformat()}",
                _liaisons_of(finding),
                _("Rectification due %(date)s: %(category)s") % words,
                finding.required,
            )
        else:
            made += _send(
                finding,
                f"missed:{finding.deadline.isoformat()}",
                [*_liaisons_of(finding), finding.inspection.team.leader],
                _("Rectification overdue since %(date)s: %(category)s") % words,
                _("%(unit)s: %(text)s") % {"unit": finding.unit.display_name, "text": finding.required},
            )
    return made
