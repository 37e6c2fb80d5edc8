"""Member groups (党小组, 学习小组): the writes and reads of groups of members within a unit.

A group belongs to one unit; its members are on the roster of that unit or of a unit below it. Whoever
keeps the unit's roster keeps its groups (:func:`~taizhang.study.access.can_manage_group`). Every change
is one action here, in one transaction, with history on the group. Groups are an audience of activities
and an assignee of study materials (see ``expected_members`` and ``assigned_members`` in the actions).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from taizhang.history.models import HistoryEntry
from taizhang.history.recording import diff, note, record, snapshot
from taizhang.lib.locks import lock_one

from .access import can_manage_group
from .models import Member, MemberGroup

GROUP_FIELDS = ("name", "kind", "leader", "is_active")
# One change of membership names at most this many people in its history line (and the count).
NAMES_IN_NOTE = 20
MAX_MEMBERS_AT_ONCE = 500


class StaleGroup(ValidationError):
    """Someone else saved the group since the form was loaded."""

    def __init__(self):
        super().__init__(_("Someone else changed this group while you were editing it. Reload the page."))


def _refuse(access, unit) -> None:
    if not can_manage_group(access, unit):
        raise PermissionDenied(_("You can keep only your own unit's member groups."))


def _check_leader(group: MemberGroup) -> None:
    if group.leader_id and not group.leader.unit.path.startswith(group.unit.path):
        raise ValidationError({"leader": _("The group leader must be on the roster of the group's unit.")})


@transaction.atomic
def create_group(*, unit, data: dict, access, acting_user) -> MemberGroup:
    """A new group of a unit: name, kind, optional leader (who joins the group)."""
    _refuse(access, unit)
    group = MemberGroup(unit=unit, created_by=acting_user, **{k: v for k, v in data.items() if k in GROUP_FIELDS})
    group.name = group.name.strip()
    group.full_clean()
    _check_leader(group)
    group.save()
    record(group, HistoryEntry.Action.CREATE, actor=acting_user)
    if group.leader_id:
        group.members.add(group.leader)
    return group


@transaction.atomic
def update_group(group: MemberGroup, *, data: dict, expected_version: int, access, acting_user) -> MemberGroup:
    """Rename a group, change its kind or leader, or take it out of use (nothing is deleted)."""
    locked = lock_one(MemberGroup, pk=group.pk)
    _refuse(access, locked.unit)
    if locked.version != expected_version:
        raise StaleGroup()
    data = {k: v for k, v in data.items() if k in GROUP_FIELDS}
    before = snapshot(locked, data.keys())
    for name, value in data.items():
        setattr(locked, name, value)
    locked.name = locked.name.strip()
    locked.full_clean()
    _check_leader(locked)
    changes = diff(locked, before)
    if changes:
        locked.version += 1
        locked.save()
        record(locked, HistoryEntry.Action.UPDATE, actor=acting_user, changes=changes)
        if locked.leader_id:
            locked.members.add(locked.leader)
    return locked


def _names(members) -> str:
    names = "、".join(m.name for m in members[:NAMES_IN_NOTE])
    return names + ("……" if len(members) > NAMES_IN_NOTE else "")


@transaction.atomic
def add_members(group: MemberGroup, *, member_ids, access, acting_user) -> int:
    """Put members in a group; each must be on the roster of the group's unit (or below). All or none."""
    locked = lock_one(MemberGroup, pk=group.pk)
    _refuse(access, locked.unit)
    ids = {int(i) for i in member_ids}
    if not ids:
        raise ValidationError(_("Choose the members to add."))
    if len(ids) > MAX_MEMBERS_AT_ONCE:
        raise ValidationError(_("Add at most %(n)d members at once.") % {"n": MAX_MEMBERS_AT_ONCE})
    found = list(
        Member.objects.filter(pk__in=ids, is_active=True, unit__path__startswith=locked.unit.path).order_by("name")
    )
    if len(found) != len(ids):
        strangers = Member.objects.filter(pk__in=ids - {m.pk for m in found}).values_list("name", flat=True)[:5]
        raise ValidationError(
            _("%(names)s: not on the roster of %(unit)s; nobody was added.")
            % {"names": "、".join(strangers) or _("unknown"), "unit": locked.unit.name}
        )
    already = set(locked.members.filter(pk__in=ids).values_list("pk", flat=True))
    new = [m for m in found if m.pk not in already]
    if new:
        locked.members.add(*new)
        record(
            locked,
            HistoryEntry.Action.UPDATE,
            actor=acting_user,
            note=note(gettext_noop("%(n)d members added: %(names)s"), n=len(new), names=_names(new)),
        )
    return len(new)


@transaction.atomic
def remove_members(group: MemberGroup, *, member_ids, access, acting_user) -> int:
    """Take members out of a group (they stay on their unit's roster). The leader leaves the leader's post too."""
    locked = lock_one(MemberGroup, pk=group.pk)
    _refuse(access, locked.unit)
    ids = {int(i) for i in member_ids}
    leaving = list(locked.members.filter(pk__in=ids).order_by("name"))
    if not leaving:
        return 0
    locked.members.remove(*leaving)
    if locked.leader_id in {m.pk for m in leaving}:
        locked.leader = None
        locked.version += 1
        locked.save(update_fields=["leader", "version"])
    record(
        locked,
        HistoryEntry.Action.UPDATE,
        actor=acting_user,
        note=note(gettext_noop("%(n)d members removed: %(names)s"), n=len(leaving), names=_names(leaving)),
    )
    return len(leaving)


# Reads -------------------------------------------------------------------------------------


def groups_of(access, *, unit=None):
    """The groups a person may see, of ``unit``'s subtree when given, with their member counts."""
    groups = MemberGroup.objects.select_related("unit", "leader")
    if unit is not None:
        groups = groups.filter(unit__path__startswith=unit.path)
    if not (access.is_office or access.is_leader):
        paths = [u.path for u in access.liaison_units]
        if not paths:
            return groups.none()
        query = Q()
        for path in paths:
            query |= Q(unit__path__startswith=path)
        groups = groups.filter(query)
    return groups.annotate(size=Count("members", filter=Q(members__is_active=True))).order_by(
        "unit__path", "name", "id"
    )


def group_members_query(group_ids) -> Q:
    """A filter on members for those in any of these groups (a subquery, so no row comes twice)."""
    through = MemberGroup.members.through
    return Q(pk__in=through.objects.filter(membergroup_id__in=group_ids).values("member_id"))


def search_groups(q: str, *, limit: int = 20) -> list[dict]:
    """Groups in use for the pickers (activity audience, material assignment): by group or unit name."""
    from taizhang.lib.text import search_key

    words = search_key(q).split()
    if not words:
        return []
    groups = MemberGroup.objects.filter(is_active=True).select_related("unit")
    for word in words:
        groups = groups.filter(Q(name__icontains=word) | Q(unit__search_text__contains=word))
    return [{"id": g.pk, "text": g.picker_label} for g in groups.order_by("unit__path", "name")[:limit]]


def search_members_for(group: MemberGroup, q: str, *, in_group: bool = False, limit: int = 20) -> list[dict]:
    """Members on the roster of the group's unit (or below) not yet in it (``in_group``: those in it), by
    name or the last digits of the phone."""
    q = q.strip()[:50]
    if not q:
        return []
    members = Member.objects.filter(is_active=True, unit__path__startswith=group.unit.path).select_related("unit")
    members = members.filter(member_groups=group) if in_group else members.exclude(member_groups=group)
    if q.isascii() and q.isdigit() and len(q) >= 4:
        members = members.filter(phone__endswith=q)
    else:
        members = members.filter(name__contains=q)
    return [{"id": m.pk, "text": f"{m.name} · {m.unit.name}"} for m in members.order_by("name", "pk")[:limit]]
