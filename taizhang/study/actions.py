"""The writes of study: rosters, activities and their attendance, materials and readings.

Every write checks permission through :mod:`taizhang.study.access`, runs in one transaction and
writes history. The public QR sign-in and the members' reading confirmations have no user: they
are checked by name and phone against the roster instead.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from taizhang.history.models import HistoryEntry
from taizhang.history.recording import diff, note, record, snapshot
from taizhang.lib.locks import lock_one
from taizhang.lib.text import search_key
from taizhang.lib.unitnames import UnitMatcher
from taizhang.orgs.models import Unit
from taizhang.orgs.queries import under

from .access import can_manage_roster, can_organise
from .models import (
    DEFAULT_KINDS,
    Activity,
    ActivityKind,
    ActivityPhoto,
    Assignment,
    Attendance,
    Material,
    MaterialFile,
    Member,
    Reading,
)

# A QR sign-in is open from half an hour before the activity until half an hour after it.
SIGN_IN_MARGIN = datetime.timedelta(minutes=30)
ROSTER_MAX_ROWS = 20_000
ACTIVITY_FIELDS = (
    "kind",
    "title",
    "key_task",
    "unit",
    "starts_at",
    "ends_at",
    "place",
    "online",
    "speaker",
    "hours",
    "state",
    "summary",
    "outsiders",
)


class StaleActivity(ValidationError):
    """Someone else saved the activity since the form was loaded."""

    def __init__(self):
        super().__init__(_("Someone else changed this activity while you were editing it. Reload the page."))


def normalise_phone(value) -> str:
    """Digits only (spaces, dashes and a +86 prefix dropped), as people write phone numbers differently."""
    digits = "".join(ch for ch in str(value or "") if ch.isascii() and ch.isdigit())
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def activity_kinds(campaign) -> list[ActivityKind]:
    """The campaign's kinds, the seed's list made on first use."""
    kinds = list(ActivityKind.objects.filter(campaign=campaign))
    if not kinds:
        ActivityKind.objects.bulk_create(
            [ActivityKind(campaign=campaign, name=name, order=order) for order, name in enumerate(DEFAULT_KINDS)],
            ignore_conflicts=True,
        )
        kinds = list(ActivityKind.objects.filter(campaign=campaign))
    return kinds


# Rosters ---------------------------------------------------------------------------


@dataclass
class RosterPlan:
    """What a roster file would do: members to add and update, or the errors that stop it."""

    creates: list[Member] = field(default_factory=list)
    updates: list[tuple[Member, dict]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


ROSTER_HEADERS = {
    "name": ("姓名", "名字", "name"),
    "unit": ("单位", "所在单位", "部门", "unit"),
    "phone": ("手机", "手机号", "手机号码", "电话", "联系电话", "phone"),
    "party": ("是否党员", "党员", "政治面貌", "party member"),
    "branch": ("党支部", "所在支部", "支部", "party branch"),
}
YES = {"是", "党员", "中共党员", "预备党员", "y", "yes", "true", "1", "√"}


def _header_map(row: list) -> dict[str, int]:
    found = {}
    for index, cell in enumerate(row):
        key = search_key(str(cell or "")).replace(" ", "")
        for name, words in ROSTER_HEADERS.items():
            if name not in found and any(search_key(word).replace(" ", "") == key for word in words):
                found[name] = index
    return found


def plan_roster(rows: list[list], *, access) -> RosterPlan:
    """Check a roster sheet (姓名 | 单位 | 手机 | 是否党员 | 党支部) row by row; nothing is written."""
    plan = RosterPlan()
    header_at = next((i for i, row in enumerate(rows[:10]) if {"name", "unit"} <= _header_map(row).keys()), None)
    if header_at is None:
        plan.errors.append(_("No header row with 姓名 and 单位 was found in the first ten rows."))
        return plan
    columns = _header_map(rows[header_at])
    body = rows[header_at + 1 :]
    if len(body) > ROSTER_MAX_ROWS:
        plan.errors.append(_("The roster has more than %(n)d rows; split it by unit.") % {"n": ROSTER_MAX_ROWS})
        return plan
    matcher = UnitMatcher(Unit.objects.filter(is_active=True))
    existing = {m.phone: m for m in Member.objects.exclude(phone="").select_related("unit")}
    seen_phones: dict[str, int] = {}

    def cell(row, name):
        index = columns.get(name)
        value = row[index] if index is not None and index < len(row) else ""
        return "" if value is None else str(value).strip()

    for number, row in enumerate(body, start=header_at + 2):
        name = cell(row, "name")
        if not name and not cell(row, "unit"):
            continue
        where = _("Row %(n)d") % {"n": number}
        if not name:
            plan.errors.append(_("%(where)s: the name is missing.") % {"where": where})
            continue
        match = matcher.match(cell(row, "unit"))
        if len(match.units) != 1 or match.unknown or match.ambiguous:
            plan.errors.append(
                _("%(where)s: unknown unit “%(unit)s”.") % {"where": where, "unit": cell(row, "unit") or "—"}
            )
            continue
        unit = match.units[0]
        if not can_manage_roster(access, unit):
            plan.errors.append(
                _("%(where)s: you cannot keep the roster of %(unit)s.") % {"where": where, "unit": unit.name}
            )
            continue
        phone = normalise_phone(cell(row, "phone"))
        if phone and not 7 <= len(phone) <= 15:
            plan.errors.append(_("%(where)s: “%(phone)s” is not a phone number.") % {"where": where, "phone": phone})
            continue
        if phone in seen_phones:
            plan.errors.append(
                _("%(where)s: the phone number is also on row %(other)d.")
                % {"where": where, "other": seen_phones[phone]}
            )
            continue
        if phone:
            seen_phones[phone] = number
        values = {
            "name": name[:50],
            "unit": unit,
            "phone": phone,
            "is_party_member": search_key(cell(row, "party")).strip() in YES,
            "party_branch": cell(row, "branch")[:100],
        }
        member = existing.get(phone) if phone else None
        if member is not None and member.name != values["name"]:
            plan.errors.append(
                _("%(where)s: the phone number belongs to %(other)s of %(unit)s.")
                % {"where": where, "other": member.name, "unit": member.unit.name}
            )
            continue
        if member is None:
            plan.creates.append(Member(**values))
        else:
            changed = {k: v for k, v in values.items() if getattr(member, k) != v}
            if changed:
                plan.updates.append((member, changed))
    return plan


@transaction.atomic
def import_roster(rows: list[list], *, access, acting_user) -> RosterPlan:
    """Apply a roster sheet, all or nothing: a file with any error writes nothing."""
    plan = plan_roster(rows, access=access)
    if plan.errors:
        raise ValidationError(plan.errors)
    created = Member.objects.bulk_create(plan.creates, batch_size=1000)
    for member in created:
        if member.pk is None:  # a database that does not return ids
            member.pk = Member.objects.get(phone=member.phone, name=member.name, unit=member.unit).pk
        record(member, HistoryEntry.Action.CREATE, actor=acting_user, note=note(gettext_noop("imported from a roster")))
    for member, changed in plan.updates:
        before = snapshot(member, changed.keys())
        for name, value in changed.items():
            setattr(member, name, value)
        member.save(update_fields=list(changed))
        record(member, HistoryEntry.Action.UPDATE, actor=acting_user, changes=diff(member, before))
    return plan


@transaction.atomic
def save_member(member: Member, *, data: dict, access, acting_user) -> Member:
    """Add a member to a roster or change one; the phone stays unique."""
    unit = data.get("unit", member.unit if member.pk else None)
    if (
        unit is None
        or not can_manage_roster(access, unit)
        or (member.pk and not can_manage_roster(access, member.unit))
    ):
        raise PermissionDenied(_("You can keep only your own unit's roster."))
    data = {**data, "phone": normalise_phone(data.get("phone", member.phone))}
    before = snapshot(member, data.keys()) if member.pk else None
    for name, value in data.items():
        setattr(member, name, value)
    member.full_clean()
    member.save()
    if before is None:
        record(member, HistoryEntry.Action.CREATE, actor=acting_user)
    elif changes := diff(member, before):
        record(member, HistoryEntry.Action.UPDATE, actor=acting_user, changes=changes)
    return member


# Activities ------------------------------------------------------------------------


def _check_activity(activity: Activity) -> None:
    if activity.ends_at and activity.starts_at and activity.ends_at < activity.starts_at:
        raise ValidationError({"ends_at": _("The activity cannot end before it starts.")})
    if activity.kind_id and activity.kind.campaign_id != activity.campaign_id:
        raise ValidationError({"kind": _("Choose a kind of this campaign.")})
    if activity.key_task_id and activity.key_task.campaign_id != activity.campaign_id:
        raise ValidationError({"key_task": _("Choose a key task of this campaign.")})


def _check_groups(groups) -> None:
    if any(not group.is_active for group in groups):
        raise ValidationError({"audience_groups": _("Choose member groups that are in use.")})


@transaction.atomic
def create_activity(*, campaign, data: dict, audience_units=(), audience_groups=(), access, acting_user) -> Activity:
    if not can_organise(access, data.get("unit")):
        raise PermissionDenied(_("You can plan activities only for your own unit."))
    activity = Activity(campaign=campaign, created_by=acting_user, **data)
    activity.full_clean(exclude=["sign_in_token"])
    _check_activity(activity)
    _check_groups(audience_groups)
    activity.save()
    activity.audience_units.set(audience_units)
    activity.audience_groups.set(audience_groups)
    record(activity, HistoryEntry.Action.CREATE, actor=acting_user, campaign=campaign)
    return activity


@transaction.atomic
def update_activity(
    activity: Activity,
    *,
    data: dict,
    audience_units=None,
    audience_groups=None,
    expected_version: int,
    access,
    acting_user,
) -> Activity:
    locked = lock_one(Activity, pk=activity.pk)
    if not can_organise(access, locked.unit) or ("unit" in data and not can_organise(access, data["unit"])):
        raise PermissionDenied(_("You can change activities only of your own unit."))
    if locked.version != expected_version:
        raise StaleActivity()
    audience = [
        *(["audience_units"] if audience_units is not None else []),
        *(["audience_groups"] if audience_groups is not None else []),
    ]
    before = snapshot(locked, [*data.keys(), *audience])
    for name, value in data.items():
        setattr(locked, name, value)
    locked.full_clean(exclude=["sign_in_token"])
    _check_activity(locked)
    if audience_groups is not None:
        # A group already in the audience may stay after it is taken out of use; a new one must be in use.
        kept = set(locked.audience_groups.values_list("pk", flat=True))
        _check_groups([group for group in audience_groups if group.pk not in kept])
    locked.version += 1
    locked.save()
    if audience_units is not None:
        locked.audience_units.set(audience_units)
    if audience_groups is not None:
        locked.audience_groups.set(audience_groups)
    if changes := diff(locked, before):
        record(locked, HistoryEntry.Action.UPDATE, actor=acting_user, changes=changes, campaign=locked.campaign)
    return locked


def expected_members(activity: Activity):
    """The members an activity is for: on the rosters of its audience units and below, and in its audience
    groups; with neither, on the roster of the organising unit and below."""
    from .groups import group_members_query

    groups = list(activity.audience_groups.values_list("pk", flat=True))
    units = list(activity.audience_units.all())
    if groups and not units:
        members = Member.objects.filter(group_members_query(groups), is_active=True)
    else:
        query = under(unit.path for unit in (units or [activity.unit]))
        if groups:
            query |= group_members_query(groups)
        members = Member.objects.filter(query, is_active=True)
    return members.select_related("unit")


@transaction.atomic
def record_attendance(activity: Activity, *, marks: dict[int, tuple[str, str]], access, acting_user) -> int:
    """Tick the roster: member id → (status, reason). Members outside the activity's units are refused."""
    locked = lock_one(Activity, pk=activity.pk)
    if not can_organise(access, locked.unit):
        raise PermissionDenied(_("Only the organising unit records attendance."))
    if locked.state == Activity.State.CANCELLED:
        raise ValidationError(_("The activity was cancelled; there is no attendance to record."))
    if locked.starts_at > timezone.now():
        raise ValidationError(_("The activity has not started yet."))
    allowed = set(expected_members(locked).filter(pk__in=marks).values_list("pk", flat=True))
    strangers = set(marks) - allowed
    if strangers:
        names = "、".join(Member.objects.filter(pk__in=strangers).values_list("name", flat=True)[:5]) or _("unknown")
        raise ValidationError(
            _("%(names)s: not on the roster of the activity's units; nothing was recorded.") % {"names": names}
        )
    statuses = set(Attendance.Status.values)
    existing = {a.member_id: a for a in Attendance.objects.filter(activity=locked, member_id__in=marks)}
    changed = 0
    for member_id, (status, reason) in marks.items():
        if status not in statuses:
            raise ValidationError(_("Unknown attendance: %(value)s.") % {"value": status})
        if status == Attendance.Status.LEAVE and not reason.strip():
            raise ValidationError(_("Give the reason for each leave (请假)."))
        current = existing.get(member_id)
        if current is None:
            Attendance.objects.create(
                activity=locked, member_id=member_id, status=status, reason=reason[:200], recorded_by=acting_user
            )
            changed += 1
        elif (current.status, current.reason) != (status, reason[:200]):
            current.status, current.reason, current.recorded_by = status, reason[:200], acting_user
            current.save(update_fields=["status", "reason", "recorded_by", "recorded_at"])
            changed += 1
    if locked.state == Activity.State.PLANNED:
        locked.state = Activity.State.HELD
        locked.version += 1
        locked.save(update_fields=["state", "version"])
    if changed:
        record(
            locked,
            HistoryEntry.Action.UPDATE,
            actor=acting_user,
            campaign=locked.campaign,
            note=note(gettext_noop("attendance recorded for %(n)d members"), n=changed),
        )
    return changed


def sign_in_window(activity: Activity) -> tuple[datetime.datetime, datetime.datetime]:
    return activity.starts_at - SIGN_IN_MARGIN, activity.ends_at + SIGN_IN_MARGIN


def sign_in(token: str, *, name: str, phone: str, now: datetime.datetime | None = None) -> Attendance:
    """A member scans the QR code at the door and signs in with name and phone: once, in the window."""
    now = now or timezone.now()
    activity = Activity.objects.filter(sign_in_token=token).exclude(state=Activity.State.CANCELLED).first()
    if activity is None:
        raise ValidationError(_("This sign-in code is not valid."))
    opens, closes = sign_in_window(activity)
    if not opens <= now <= closes:
        raise ValidationError(_("Sign-in is open from half an hour before the activity until half an hour after it."))
    phone = normalise_phone(phone)
    member = expected_members(activity).filter(phone=phone).first() if phone else None
    if member is None or member.name != name.strip():
        raise ValidationError(_("The name and phone number do not match the roster of the activity's units."))
    try:
        with transaction.atomic():
            attendance, created = Attendance.objects.get_or_create(
                activity=activity,
                member=member,
                defaults={"status": Attendance.Status.PRESENT, "via": Attendance.Via.QR},
            )
    except IntegrityError:  # two scans at once: the other one signed in
        created = False
        attendance = Attendance.objects.get(activity=activity, member=member)
    if not created:
        if attendance.status == Attendance.Status.PRESENT:
            raise ValidationError(_("You have already signed in to this activity."))
        with transaction.atomic():
            updated = Attendance.objects.filter(pk=attendance.pk).exclude(status=Attendance.Status.PRESENT)
            if not updated.update(status=Attendance.Status.PRESENT, via=Attendance.Via.QR, reason=""):
                raise ValidationError(_("You have already signed in to this activity."))
        attendance.refresh_from_db()
    return attendance


# Materials -------------------------------------------------------------------------


@transaction.atomic
def create_material(*, campaign, data: dict, files=(), access, acting_user) -> Material:
    from taizhang.ledger.actions import validate_attachment

    if not access.is_office:
        raise PermissionDenied(_("Only the campaign office adds study materials."))
    for upload in files:
        validate_attachment(upload)
    material = Material(campaign=campaign, created_by=acting_user, **data)
    material.full_clean(exclude=["read_token"])
    if material.key_task_id and material.key_task.campaign_id != campaign.pk:
        raise ValidationError({"key_task": _("Choose a key task of this campaign.")})
    if not files and not material.link:
        raise ValidationError(_("Attach the document or give its intranet link."))
    material.save()
    for upload in files:
        MaterialFile.objects.create(material=material, file=upload, name=upload.name[:200], size=upload.size)
    record(material, HistoryEntry.Action.CREATE, actor=acting_user, campaign=campaign)
    return material


@transaction.atomic
def assign_material(
    material: Material, *, unit=None, group=None, read_by: datetime.date, access, acting_user
) -> Assignment:
    """Assign a material to a unit (its members and those below) or to a member group, to read by a date."""
    if not access.is_office:
        raise PermissionDenied(_("Only the campaign office assigns study materials."))
    if (unit is None) == (group is None):
        raise ValidationError(_("Assign the material to a unit or to a member group."))
    if group is not None and not group.is_active:
        raise ValidationError({"group": _("Choose member groups that are in use.")})
    assignment = Assignment(material=material, unit=unit, group=group, read_by=read_by)
    assignment.full_clean()
    assignment.save()
    target = unit.name if unit is not None else f"{group.name}（{group.unit.name}）"
    record(
        material,
        HistoryEntry.Action.UPDATE,
        actor=acting_user,
        campaign=material.campaign,
        note=note(gettext_noop("assigned to %(unit)s, to read by %(date)s"), unit=target, date=read_by.isoformat()),
    )
    return assignment


def assigned_members(material: Material):
    """The members a material is assigned to: of the assigned units and below, and of the assigned groups."""
    from .groups import group_members_query

    paths = Unit.objects.filter(pk__in=material.assignments.exclude(unit=None).values("unit")).values_list(
        "path", flat=True
    )
    query = under(paths)
    groups = list(material.assignments.exclude(group=None).values_list("group_id", flat=True))
    if groups:
        query = group_members_query(groups) if query is None else query | group_members_query(groups)
    return Member.objects.none() if query is None else Member.objects.filter(query, is_active=True)


def open_material(material: Material, *, name: str, phone: str, now=None) -> Reading:
    """A member opens an assigned material from its link: recorded once, at the first opening."""
    phone = normalise_phone(phone)
    member = assigned_members(material).filter(phone=phone).first() if phone else None
    if member is None or member.name != name.strip():
        raise ValidationError(_("The name and phone number do not match a member this material is assigned to."))
    reading, _created = Reading.objects.get_or_create(
        material=material, member=member, defaults={"opened_at": now or timezone.now()}
    )
    return reading


@transaction.atomic
def confirm_reading(reading: Reading, *, now=None) -> Reading:
    """The member says they have read it; the first confirmation counts, later ones change nothing."""
    Reading.objects.filter(pk=reading.pk, confirmed_at__isnull=True).update(confirmed_at=now or timezone.now())
    reading.refresh_from_db()
    return reading


@transaction.atomic
def set_activity_plan(campaign, *, unit, quarter: datetime.date, counts: dict, access, acting_user) -> int:
    """A unit's plan for a quarter: kind → how many activities; 0 removes the line. Returns lines changed."""
    from .models import ActivityPlan
    from .queries import quarter_label, quarter_of

    if not can_organise(access, unit):
        raise PermissionDenied(_("You can plan activities only for your own unit."))
    first, _last = quarter_of(quarter)
    changed = 0
    existing = {p.kind_id: p for p in ActivityPlan.objects.filter(campaign=campaign, unit=unit, quarter=first)}
    for kind, n in counts.items():
        if kind.campaign_id != campaign.pk:
            raise ValidationError(_("Choose a kind of this campaign."))
        if not 0 <= n <= 999:
            raise ValidationError(_("Plan between 0 and 999 activities of a kind."))
        current = existing.get(kind.pk)
        old = current.planned if current else 0
        if old == n:
            continue
        if n == 0:
            current.delete()
        elif current is None:
            ActivityPlan.objects.create(campaign=campaign, unit=unit, kind=kind, quarter=first, planned=n)
        else:
            current.planned = n
            current.save(update_fields=["planned"])
        record(
            unit,
            HistoryEntry.Action.UPDATE,
            actor=acting_user,
            campaign=campaign,
            changes=[
                {
                    "field": "activity_plan",
                    "label": f"{quarter_label(first)} {kind.name}",
                    "old": str(old),
                    "new": str(n),
                }
            ],
        )
        changed += 1
    return changed


# Photos of a held activity -------------------------------------------------------------

PHOTO_MAX_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 30


@transaction.atomic
def add_activity_photos(activity: Activity, *, uploads, caption: str = "", access, acting_user) -> list[ActivityPhoto]:
    """The organising unit (or the office) adds photos to a held activity: real images only, all or none."""
    from taizhang.lib.media import check_upload

    locked = lock_one(Activity, pk=activity.pk)
    if not can_organise(access, locked.unit):
        raise PermissionDenied(_("Only the organising unit adds photos to its activities."))
    if locked.state != Activity.State.HELD:
        raise ValidationError(_("Photos are added to an activity that was held."))
    uploads = list(uploads)
    if not uploads:
        raise ValidationError(_("Choose at least one photo."))
    if ActivityPhoto.objects.filter(activity=locked).count() + len(uploads) > MAX_PHOTOS:
        raise ValidationError(_("An activity has at most %(n)d photos.") % {"n": MAX_PHOTOS})
    for upload in uploads:  # every photo is checked before any is stored
        check_upload(upload, max_bytes=PHOTO_MAX_BYTES, images_only=True)
    photos = []
    for upload in uploads:
        photo = ActivityPhoto(
            activity=locked,
            file=upload,
            name=(upload.name or "photo")[-200:],
            size=upload.size,
            caption=(caption or "").strip()[:200],
            created_by=acting_user,
        )
        photo.save()
        photos.append(photo)
        record(
            locked,
            HistoryEntry.Action.UPDATE,
            actor=acting_user,
            campaign=locked.campaign,
            note=note(gettext_noop("Photo added: %(name)s"), name=photo.name),
        )
    return photos


@transaction.atomic
def remove_activity_photo(photo: ActivityPhoto, *, access, acting_user) -> None:
    """The organising unit (or the office) takes a photo off the activity; the history keeps that it was there."""
    locked = lock_one(Activity, pk=photo.activity_id)
    if not can_organise(access, locked.unit):
        raise PermissionDenied(_("Only the organising unit removes photos of its activities."))
    name, storage, stored = photo.name, photo.file.storage, photo.file.name
    photo.delete()
    transaction.on_commit(lambda: storage.delete(stored))
    record(
        locked,
        HistoryEntry.Action.UPDATE,
        actor=acting_user,
        campaign=locked.campaign,
        note=note(gettext_noop("Photo removed: %(name)s"), name=name),
    )


# 特色样板 and attendance from a sheet ----------------------------------------------------


@transaction.atomic
def mark_model(activity: Activity, *, is_model: bool, reason: str = "", access, acting_user) -> Activity:
    """The office marks a held activity a model project (特色样板), with the reason, or takes the mark away."""
    if not access.is_office:
        raise PermissionDenied(_("Only the campaign office marks model projects."))
    locked = lock_one(Activity, pk=activity.pk)
    if is_model and locked.state != Activity.State.HELD:
        raise ValidationError(_("Only an activity that was held can be a model project."))
    reason = (reason or "").strip()
    if is_model and not reason:
        raise ValidationError({"model_reason": _("Say why it is a model.")})
    before = snapshot(locked, ["is_model", "model_reason"])
    locked.is_model, locked.model_reason = is_model, reason if is_model else ""
    changes = diff(locked, before)
    if changes:
        locked.version += 1
        locked.save(update_fields=["is_model", "model_reason", "version"])
        record(locked, HistoryEntry.Action.UPDATE, actor=acting_user, changes=changes, campaign=locked.campaign)
    return locked


ATTENDANCE_WORDS = {
    "出席": Attendance.Status.PRESENT,
    "参加": Attendance.Status.PRESENT,
    "到": Attendance.Status.PRESENT,
    "是": Attendance.Status.PRESENT,
    "√": Attendance.Status.PRESENT,
    "请假": Attendance.Status.LEAVE,
    "缺席": Attendance.Status.ABSENT,
    "未到": Attendance.Status.ABSENT,
    "否": Attendance.Status.ABSENT,
}


def attendance_marks(rows: list[list], activity: Activity) -> dict[int, tuple[str, str]]:
    """An attendance sheet (姓名 | 手机 | 出席情况 | 请假原因) → member id → (status, reason), every problem listed.

    A member is found by phone (or by name when the sheet has no phones and the name is unique) among
    those the activity is for; anyone else is refused with the row number. Nothing is written here.
    """
    header_at = next((i for i, row in enumerate(rows[:10]) if "姓名" in [str(c or "").strip() for c in row]), None)
    if header_at is None:
        raise ValidationError(_("No header row with 姓名 was found in the first ten rows."))
    header = [str(c or "").strip() for c in rows[header_at]]

    def column(*names):
        return next((header.index(n) for n in names if n in header), None)

    name_at, phone_at = column("姓名"), column("手机", "手机号", "电话")
    status_at, reason_at = column("出席情况", "出席", "签到", "状态"), column("请假原因", "原因", "备注")
    members = list(expected_members(activity))
    by_phone = {m.phone: m for m in members if m.phone}
    by_name: dict[str, list] = {}
    for member in members:
        by_name.setdefault(member.name, []).append(member)
    errors, marks = [], {}
    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):

        def cell(index, row=row):
            return "" if index is None or index >= len(row) or row[index] is None else str(row[index]).strip()

        name, phone = cell(name_at), normalise_phone(cell(phone_at))
        if not name and not phone:
            continue
        where = _("Row %(n)d") % {"n": number}
        member = (
            by_phone.get(phone) if phone else (by_name.get(name, [None]) if len(by_name.get(name, [])) <= 1 else None)
        )
        if isinstance(member, list):
            member = member[0]
        if member is None:
            errors.append(
                _("%(where)s: %(name)s is not on the roster of the activity's units.") % {"where": where, "name": name}
            )
            continue
        word = cell(status_at)
        status = ATTENDANCE_WORDS.get(word, word if word in Attendance.Status.values else "")
        if not status:
            errors.append(_("%(where)s: unknown attendance “%(value)s”.") % {"where": where, "value": word or "—"})
            continue
        if member.pk in marks:
            errors.append(_("%(where)s: %(name)s is listed twice.") % {"where": where, "name": member.name})
            continue
        marks[member.pk] = (status, cell(reason_at))
    if errors:
        raise ValidationError(errors)
    return marks


def import_attendance(rows: list[list], activity: Activity, *, access, acting_user) -> int:
    """Attendance from a sheet, all or nothing, through :func:`record_attendance` (the same checks as the ticks)."""
    return record_attendance(activity, marks=attendance_marks(rows, activity), access=access, acting_user=acting_user)


# The campaign's list of activity kinds ------------------------------------------------------------


@transaction.atomic
def save_activity_kinds(campaign, *, changes: dict, new: tuple[str, int] | None = None, access, acting_user) -> int:
    """The office renames and reorders the campaign's kinds (kind id → (name, order)) and adds one; in history.

    Kinds are not deleted (activities and plans refer to them); names stay unique in the campaign. All or none.
    """
    if not access.is_office:
        raise PermissionDenied(_("Only the campaign office keeps the list of activity kinds."))
    kinds = {kind.pk: kind for kind in activity_kinds(campaign)}
    unknown = set(changes) - set(kinds)
    if unknown:
        raise ValidationError(_("Choose a kind of this campaign."))
    names = {pk: kind.name for pk, kind in kinds.items()}
    for pk, (name, _order) in changes.items():
        names[pk] = name.strip()
    wanted = [*names.values(), *([new[0].strip()] if new else [])]
    if any(not name or len(name) > 50 for name in wanted):
        raise ValidationError(_("Give each kind a name of at most 50 characters."))
    if len(set(wanted)) != len(wanted):
        raise ValidationError(_("This campaign already has an activity kind of that name."))
    changed = 0
    # Two kinds may swap names: park the renamed ones on a unique placeholder first.
    renamed = [pk for pk, (name, _o) in changes.items() if name.strip() != kinds[pk].name]
    for pk in renamed:
        ActivityKind.objects.filter(pk=pk).update(name=f"~{pk}")
    for pk, (name, order) in changes.items():
        kind = kinds[pk]
        before = snapshot(kind, ["name", "order"])
        kind.name, kind.order = name.strip(), order
        if pk in renamed or diff(kind, before):
            kind.save(update_fields=["name", "order"])
        if changes_ := diff(kind, before):
            record(kind, HistoryEntry.Action.UPDATE, actor=acting_user, changes=changes_, campaign=campaign)
            changed += 1
    if new:
        kind = ActivityKind.objects.create(campaign=campaign, name=new[0].strip(), order=new[1])
        record(kind, HistoryEntry.Action.CREATE, actor=acting_user, campaign=campaign)
        changed += 1
    return changed


def copy_activity_kinds(source, campaign, acting_user) -> None:
    """A copied campaign starts with the kinds of the one it copies (names and order), in its history."""
    kinds = list(ActivityKind.objects.filter(campaign=source))
    if not kinds:
        return
    made = ActivityKind.objects.bulk_create(
        [ActivityKind(campaign=campaign, name=kind.name, order=kind.order) for kind in kinds]
    )
    for kind in made:
        if kind.pk is None:  # a database that does not return ids
            kind.pk = ActivityKind.objects.get(campaign=campaign, name=kind.name).pk
        record(
            kind,
            HistoryEntry.Action.CREATE,
            actor=acting_user,
            campaign=campaign,
            note=note(gettext_noop("copied from %(source)s"), source=source.name),
        )
