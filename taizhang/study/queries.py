"""Read queries of study: participation rolled up the org tree, a member's study record, reading rates."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from taizhang.orgs.models import Unit

from .models import Activity, Attendance, Member, Reading


def _day_start(day: datetime.date) -> datetime.datetime:
    """Midnight of ``day`` in the site's time zone: a range on the stored column, which an index can serve
    (``__date`` lookups convert every row's value first)."""
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


@dataclass
class Participation:
    """A unit's figures, its subtree included: members, members who attended a held activity, activities held."""

    unit: Unit
    members: int = 0
    attended: int = 0
    held: int = 0
    planned: int = 0

    @property
    def rate(self) -> float | None:
        return round(100 * self.attended / self.members, 1) if self.members else None


def participation(campaign, *, since: datetime.date | None = None, until: datetime.date | None = None, root=None):
    """Every unit (of ``root``'s subtree) with its participation, rolled up the tree; in tree order.

    Counts come from three grouped queries (members per unit, distinct attending members per unit,
    activities per organising unit and state) and are added up the tree in Python by path.
    """
    units = Unit.objects.filter(is_active=True)
    if root is not None:
        units = units.filter(path__startswith=root.path)
    units = list(units.order_by("path").only("id", "name", "path", "depth", "parent_id"))
    by_id = {unit.pk: unit for unit in units}
    own_members = dict(
        Member.objects.filter(is_active=True, unit_id__in=by_id)
        .values("unit_id")
        .annotate(n=Count("id"))
        .values_list("unit_id", "n")
    )
    held = Q(activity__campaign=campaign, activity__state=Activity.State.HELD, status=Attendance.Status.PRESENT)
    if since:
        held &= Q(activity__starts_at__gte=_day_start(since))
    if until:
        held &= Q(activity__starts_at__lt=_day_start(until + datetime.timedelta(days=1)))
    attending = dict(
        Attendance.objects.filter(held, member__unit_id__in=by_id, member__is_active=True)
        .values("member__unit_id")
        .annotate(n=Count("member_id", distinct=True))
        .values_list("member__unit_id", "n")
    )
    activities = Activity.objects.filter(campaign=campaign, unit_id__in=by_id)
    if since:
        activities = activities.filter(starts_at__gte=_day_start(since))
    if until:
        activities = activities.filter(starts_at__lt=_day_start(until + datetime.timedelta(days=1)))
    by_state: dict[int, dict[str, int]] = defaultdict(dict)
    for unit_id, state, n in (
        activities.values("unit_id", "state").annotate(n=Count("id")).values_list("unit_id", "state", "n")
    ):
        by_state[unit_id][state] = n
    rows = {unit.pk: Participation(unit=unit) for unit in units}
    path_to_id = {unit.path: unit.pk for unit in units}
    for unit in units:
        own = (
            own_members.get(unit.pk, 0),
            attending.get(unit.pk, 0),
            by_state[unit.pk].get(Activity.State.HELD, 0),
            by_state[unit.pk].get(Activity.State.PLANNED, 0),
        )
        if not any(own):
            continue
        # The unit and each ancestor in scope: every prefix of its path that ends a segment ("000001.").
        for end, char in enumerate(unit.path):
            row_id = path_to_id.get(unit.path[: end + 1]) if char == "." else None
            if row_id is not None:
                row = rows[row_id]
                row.members += own[0]
                row.attended += own[1]
                row.held += own[2]
                row.planned += own[3]
    return [rows[unit.pk] for unit in units]


def study_record(member: Member, campaign):
    """A member's activities attended, hours credited and materials read in a campaign."""
    attended = (
        Attendance.objects.filter(
            member=member, activity__campaign=campaign, status=Attendance.Status.PRESENT, activity__state="held"
        )
        .select_related("activity", "activity__kind")
        .order_by("-activity__starts_at")
    )
    hours = attended.aggregate(h=Sum("activity__hours"))["h"] or 0
    readings = Reading.objects.filter(member=member, material__campaign=campaign).select_related("material")
    return {"attended": list(attended), "hours": hours, "readings": list(readings)}


def reading_rate(material) -> tuple[int, int]:
    """(members confirmed, members assigned) for one material."""
    from .actions import assigned_members

    assigned = assigned_members(material)
    confirmed = Reading.objects.filter(material=material, confirmed_at__isnull=False, member__in=assigned).count()
    return confirmed, assigned.count()


@dataclass
class AssignmentRate:
    """One assignment of a material (to a unit and below, or to a member group) with its reading rate."""

    assignment: object
    assigned: int = 0
    confirmed: int = 0

    @property
    def rate(self) -> float | None:
        return round(100 * self.confirmed / self.assigned, 1) if self.assigned else None


def reading_rates(material) -> list[AssignmentRate]:
    """Every assignment of a material with members assigned and members who confirmed, per unit or group.

    Two grouped queries whatever the number of assignments: active members with their unit's path and
    whether they confirmed, counted against each unit assignment by path prefix; and the same per group
    through the membership table.
    """
    from .models import Assignment, MemberGroup

    assignments = list(
        Assignment.objects.filter(material=material)
        .select_related("unit", "group", "group__unit")
        .order_by("group_id", "unit__path", "group__unit__path", "group__name")
    )
    rows = [AssignmentRate(assignment=a) for a in assignments]
    confirmed_ids = Reading.objects.filter(material=material, confirmed_at__isnull=False).values("member_id")
    by_unit = [row for row in rows if row.assignment.unit_id]
    if by_unit:
        from taizhang.orgs.queries import under

        counts = (
            Member.objects.filter(under(row.assignment.unit.path for row in by_unit), is_active=True)
            .values("unit__path")
            .annotate(n=Count("id"), c=Count("id", filter=Q(pk__in=confirmed_ids)))
            .values_list("unit__path", "n", "c")
            .order_by()
        )
        for path, n, c in counts:
            for row in by_unit:
                if path.startswith(row.assignment.unit.path):
                    row.assigned += n
                    row.confirmed += c
    by_group = {row.assignment.group_id: row for row in rows if row.assignment.group_id}
    if by_group:
        through = MemberGroup.members.through
        counts = (
            through.objects.filter(membergroup_id__in=by_group, member__is_active=True)
            .values("membergroup_id")
            .annotate(n=Count("member_id"), c=Count("member_id", filter=Q(member_id__in=confirmed_ids)))
            .values_list("membergroup_id", "n", "c")
            .order_by()
        )
        for group_id, n, c in counts:
            by_group[group_id].assigned, by_group[group_id].confirmed = n, c
    return rows


# Quarterly plans of activities -----------------------------------------------------------------


def quarter_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the quarter ``day`` falls in."""
    first = datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    nxt = datetime.date(first.year + (first.month == 10), (first.month + 2) % 12 + 1, 1)
    return first, nxt - datetime.timedelta(days=1)


def quarter_label(first: datetime.date) -> str:
    """The quarter's one name, as reporting names its quarters (2026年第二季度)."""
    from taizhang.lib.periods import period_name, quarter_key

    return period_name(quarter_key(first))


def plan_light(planned: int, held: int, first: datetime.date, last: datetime.date, today: datetime.date) -> str:
    """Green when a unit keeps pace with its plan for the quarter; yellow behind pace; red when the quarter
    ended short. The pace is linear over the quarter: by its middle, half of the planned activities."""
    if planned <= 0 or held >= planned:
        return "green"
    if today > last:
        return "red"
    if today < first:
        return "green"
    elapsed = ((today - first).days + 1) / ((last - first).days + 1)
    return "yellow" if held < int(planned * elapsed) else "green"


@dataclass
class PlanRow:
    unit: Unit
    cells: list  # (kind, planned, held, light) in the campaign's kind order
    light: str


def plan_progress(campaign, quarter: datetime.date, today: datetime.date, *, root=None) -> list[PlanRow]:
    """Units with a plan for the quarter: planned against held per kind, and the unit's worst light."""
    from .models import ActivityKind, ActivityPlan

    first, last = quarter_of(quarter)
    plans = ActivityPlan.objects.filter(campaign=campaign, quarter=first).order_by()
    if root is not None:
        plans = plans.filter(unit__path__startswith=root.path)
    planned: dict[int, dict[int, int]] = defaultdict(dict)
    for unit_id, kind_id, n in plans.values_list("unit_id", "kind_id", "planned"):
        planned[unit_id][kind_id] = n
    units = {unit.pk: unit for unit in Unit.objects.filter(pk__in=list(planned)).only("id", "name", "path", "depth")}
    held: dict[tuple[int, int], int] = {}
    rows = (
        Activity.objects.filter(
            campaign=campaign,
            state=Activity.State.HELD,
            starts_at__gte=_day_start(first),
            starts_at__lt=_day_start(last + datetime.timedelta(days=1)),
        )
        .values("unit_id", "kind_id")
        .annotate(n=Count("id"))
        .values_list("unit_id", "kind_id", "n")
        .order_by()
    )
    for unit_id, kind_id, n in rows:
        if unit_id in units:
            held[unit_id, kind_id] = n
    kinds = list(ActivityKind.objects.filter(campaign=campaign))
    order = {"green": 0, "yellow": 1, "red": 2}
    result = []
    for unit in sorted(units.values(), key=lambda u: u.path):
        cells = []
        worst = "green"
        for kind in kinds:
            n_planned = planned[unit.pk].get(kind.pk, 0)
            n_held = held.get((unit.pk, kind.pk), 0)
            light = plan_light(n_planned, n_held, first, last, today)
            if n_planned and order[light] > order[worst]:
                worst = light
            cells.append((kind, n_planned, n_held, light))
        result.append(PlanRow(unit=unit, cells=cells, light=worst))
    return result
