"""Reading the reporting rhythm: who is expected, the completeness board, missed reports in a row."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Q
from django.utils import timezone

from taizhang.ledger.models import Item
from taizhang.lib.aggregates import count_where
from taizhang.lib.rows import raw_rows
from taizhang.orgs.models import Unit
from taizhang.orgs.queries import in_tree_order

from .models import ExpectedUnit, ReportingPeriod, UnitReport
from .periods import TZ

REPORTED = (UnitReport.Status.SUBMITTED, UnitReport.Status.ACCEPTED)
ONE_DAY = datetime.timedelta(days=1)


class ReportState(NamedTuple):
    """The little of a report a board cell needs."""

    status: str
    is_late: bool


class Cell:
    """What a board cell shows."""

    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"
    RETURNED = "returned"
    DRAFT = "draft"  # not yet due, started
    PENDING = "pending"  # not yet due
    NOT_EXPECTED = "not_expected"


def expected_unit_ids(campaign) -> set[int]:
    """Units that must report: active units owning open items, plus those the office added.

    Closed (inactive) units and units with no open item are not expected, so never counted as missing.
    """
    closed = Unit.objects.filter(is_active=False).values_list("pk", flat=True)
    return _owning_or_added(campaign) - set(closed)


def is_expected(campaign, unit) -> bool:
    """``expected_unit_ids`` for one unit, without reading the whole campaign's owners."""
    if not unit.is_active:
        return False
    owns = Item.objects.filter(campaign=campaign, owner_unit=unit).open().exists()
    return owns or ExpectedUnit.objects.filter(campaign=campaign, unit=unit).exists()


def _owning_or_added(campaign) -> set[int]:
    """Units owning open items (from the (campaign, owner_unit, status, light) index alone) or added by the office."""
    owning = Item.objects.filter(campaign=campaign).open().values_list("owner_unit_id", flat=True).distinct()
    added = ExpectedUnit.objects.filter(campaign=campaign).values_list("unit_id", flat=True)
    return set(owning.order_by()) | set(added)


def cell_state(
    report: UnitReport | ReportState | None, period: ReportingPeriod, expected: bool, now: datetime.datetime
) -> str:
    if report is not None and report.status in REPORTED:
        return Cell.LATE if report.is_late else Cell.ON_TIME
    if report is not None and report.status == UnitReport.Status.RETURNED:
        return Cell.RETURNED
    if not expected:
        return Cell.NOT_EXPECTED
    if period.due_at > now:
        return Cell.DRAFT if report is not None else Cell.PENDING
    return Cell.MISSING


@dataclass
class Rates:
    """Counts over an expected unit's (or a subtree's) due periods."""

    expected: int = 0
    on_time: int = 0
    late: int = 0
    returned: int = 0

    @property
    def reported(self) -> int:
        return self.on_time + self.late

    @property
    def missing(self) -> int:
        return self.expected - self.reported - self.returned

    @property
    def reporting_rate(self) -> float | None:
        return round(100 * self.reported / self.expected, 1) if self.expected else None

    @property
    def on_time_rate(self) -> float | None:
        return round(100 * self.on_time / self.expected, 1) if self.expected else None

    def add(self, other: "Rates") -> None:
        self.expected += other.expected
        self.on_time += other.on_time
        self.late += other.late
        self.returned += other.returned


def periods_in_range(campaign, kind: str, start: datetime.date | None = None, end: datetime.date | None = None):
    periods = ReportingPeriod.objects.filter(campaign=campaign, kind=kind)
    if start:
        periods = periods.filter(ends_on__gte=start)
    if end:
        periods = periods.filter(starts_on__lte=end)
    return periods.order_by("starts_on")


def default_range(campaign, kind: str, now: datetime.datetime, count: int = 8) -> tuple[datetime.date, datetime.date]:
    """The last ``count`` due periods and the current one."""
    periods = list(
        ReportingPeriod.objects.filter(campaign=campaign, kind=kind, due_at__lte=now)
        .order_by("-starts_on")
        .values_list("starts_on", flat=True)[:count]
    )
    current = (
        ReportingPeriod.objects.filter(campaign=campaign, kind=kind, due_at__gt=now)
        .order_by("starts_on")
        .values_list("ends_on", flat=True)
        .first()
    )
    start = periods[-1] if periods else campaign.starts_on
    return start, current or campaign.ends_on


def unit_counts(
    campaign, periods: list[ReportingPeriod], expected: set[int], now: datetime.datetime
) -> dict[int, tuple[int, int, int, int]]:
    """(expected, on time, late, returned) per expected unit over the periods already due: one aggregate query."""
    due = [p.pk for p in periods if p.due_at <= now]
    nothing = (len(due), 0, 0, 0)
    counts = dict.fromkeys(expected, nothing)
    if not due:
        return counts
    rows = (
        UnitReport.objects.filter(period_id__in=due)
        .values_list("unit_id")
        # SUM(CASE …) over columns of the covering index: no table lookups (COUNT(id) would need them).
        .annotate(
            on_time=count_where(Q(status__in=REPORTED, is_late=False)),
            late=count_where(Q(status__in=REPORTED, is_late=True)),
            returned=count_where(Q(status=UnitReport.Status.RETURNED)),
        )
        .order_by()
    )
    for unit_id, on_time, late, returned in raw_rows(rows):
        if unit_id in counts:
            counts[unit_id] = (len(due), on_time, late, returned)
    return counts


def unit_rates(
    campaign, periods: list[ReportingPeriod], expected: set[int], now: datetime.datetime
) -> dict[int, Rates]:
    """Rates per expected unit over the periods already due."""
    return {unit_id: Rates(*row) for unit_id, row in unit_counts(campaign, periods, expected, now).items()}


class BoardUnit(NamedTuple):
    """The little of a unit a board row needs."""

    pk: int
    name: str
    short_name: str
    path: str
    depth: int
    parent_id: int | None
    sort_order: int
    is_active: bool


@dataclass
class BoardRow:
    unit: BoardUnit
    expected: bool
    own: Rates | None
    total: Rates
    cells: list = field(default_factory=list)


def board(
    campaign,
    *,
    kind: str = ReportingPeriod.Kind.WEEKLY,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    root: Unit | None = None,
    now: datetime.datetime | None = None,
    offset: int = 0,
    limit: int = 100,
) -> dict:
    """Units × periods with each cell's state, per-unit rates and rates rolled up the org tree.

    Rows are the expected units and the units above them (rolled-up rates), in tree order;
    only ``limit`` rows from ``offset`` get their cells.
    """
    now = now or timezone.now()
    periods = list(periods_in_range(campaign, kind, start, end))
    units = Unit.objects.all()
    if root is not None:
        units = units.filter(path__startswith=root.path)
    # Plain rows, not model instances, without converters: thousands of units are read on every board.
    fields = ("id", "name", "short_name", "path", "depth", "parent_id", "sort_order", "is_active")
    units = in_tree_order(BoardUnit(*row) for row in raw_rows(units.values_list(*fields).order_by()))
    by_id = {u.pk: u for u in units}
    # Expected: as expected_unit_ids, with the closed units known from the rows just read.
    expected = {pk for pk in _owning_or_added(campaign) if pk in by_id and by_id[pk].is_active}
    own = unit_counts(campaign, periods, expected, now)
    # Rolled up from the leaves as plain counts: children come after their parents in tree order,
    # so walk it backwards, each unit adding its total to its parent's once.
    totals: dict[int, list[int]] = {}
    for unit in reversed(units):
        total = totals.get(unit.pk)
        mine = own.get(unit.pk)
        if mine is not None:
            if total is None:
                total = totals[unit.pk] = [0, 0, 0, 0]
            total[0] += mine[0]
            total[1] += mine[1]
            total[2] += mine[2]
            total[3] += mine[3]
        if total is not None and unit.parent_id in by_id:
            parent = totals.get(unit.parent_id)
            if parent is None:
                totals[unit.parent_id] = total.copy()
            else:
                parent[0] += total[0]
                parent[1] += total[1]
                parent[2] += total[2]
                parent[3] += total[3]
    shown = [u for u in units if u.pk in totals]
    page = shown[offset : offset + limit]
    page_ids = [u.pk for u in page]
    reports: dict[int, dict[int, ReportState]] = defaultdict(dict)
    if page_ids and periods:
        # No ORDER BY: the model's default order would join units and periods to sort 2,600 rows for nothing.
        rows = (
            UnitReport.objects.filter(unit_id__in=page_ids, period_id__in=[p.pk for p in periods])
            .values_list("unit_id", "period_id", "status", "is_late")
            .order_by()
        )
        for unit_id, period_id, status, is_late in raw_rows(rows):
            reports[unit_id][period_id] = ReportState(status, bool(is_late))
    rows = []
    for unit in page:
        is_expected = unit.pk in expected
        mine = reports.get(unit.pk, {})
        cells = []
        for period in periods:
            report = mine.get(period.pk)
            cells.append((period, report, cell_state(report, period, is_expected, now)))
        mine = own.get(unit.pk)
        rows.append(
            BoardRow(
                unit=unit,
                expected=is_expected,
                own=None if mine is None else Rates(*mine),
                total=Rates(*totals[unit.pk]),
                cells=cells,
            )
        )
    overall = Rates(*(sum(column) for column in zip(*own.values(), strict=True))) if own else Rates()
    return {"periods": periods, "rows": rows, "row_count": len(shown), "overall": overall, "now": now}


# Missed reports, for the warning lights ------------------------------------------------


def _due_periods_before(campaign, on: datetime.date, kind: str) -> tuple[list[int], datetime.datetime]:
    cutoff = datetime.datetime.combine(on, datetime.time(), tzinfo=TZ)
    ids = list(
        ReportingPeriod.objects.filter(campaign=campaign, kind=kind, due_at__lt=cutoff)
        .order_by("-due_at")
        .values_list("id", flat=True)
    )
    return ids, cutoff


def missed_reports_in_a_row(unit, campaign, on: datetime.date, kind: str = ReportingPeriod.Kind.WEEKLY) -> int:
    """How many of the most recent periods due before ``on`` (Asia/Shanghai) the unit did not submit, in a row.

    A report counts as submitted from the day it was submitted (late or returned included): a late
    report handed in this morning clears the count today, not tomorrow night.
    """
    ids, cutoff = _due_periods_before(campaign, on, kind)
    submitted = set(
        UnitReport.objects.filter(unit=unit, period_id__in=ids, submitted_at__lt=cutoff + ONE_DAY).values_list(
            "period_id", flat=True
        )
    )
    missed = 0
    for period_id in ids:
        if period_id in submitted:
            break
        missed += 1
    return missed


def missed_reports_by_unit(campaign, on: datetime.date, kind: str = ReportingPeriod.Kind.WEEKLY) -> dict[int, int]:
    """``missed_reports_in_a_row`` for every expected unit at once: unit id → missed in a row."""
    ids, cutoff = _due_periods_before(campaign, on, kind)
    submitted = defaultdict(set)
    for unit_id, period_id in UnitReport.objects.filter(
        period_id__in=ids, submitted_at__lt=cutoff + ONE_DAY
    ).values_list("unit_id", "period_id"):
        submitted[unit_id].add(period_id)
    result = {}
    for unit_id in expected_unit_ids(campaign):
        done = submitted.get(unit_id, set())
        missed = 0
        for period_id in ids:
            if period_id in done:
                break
            missed += 1
        result[unit_id] = missed
    return result


def missed_reports_for_lights(campaign, on: datetime.date, unit_ids=None) -> dict[int, int]:
    """The ledger's light input (registered in apps.py): unit id → weekly reports missed in a row.

    ``unit_ids`` None: every expected unit. Otherwise those units, a closed one counting none (it is
    not expected to report); the same count as :func:`missed_reports_in_a_row`, in two queries.
    """
    if unit_ids is None:
        return missed_reports_by_unit(campaign, on)
    active = set(Unit.objects.filter(pk__in=list(unit_ids), is_active=True).values_list("pk", flat=True))
    result = dict.fromkeys(unit_ids, 0)
    if not active:
        return result
    ids, cutoff = _due_periods_before(campaign, on, ReportingPeriod.Kind.WEEKLY)
    submitted = defaultdict(set)
    for unit_id, period_id in UnitReport.objects.filter(
        unit_id__in=active, period_id__in=ids, submitted_at__lt=cutoff + ONE_DAY
    ).values_list("unit_id", "period_id"):
        submitted[unit_id].add(period_id)
    for unit_id in active:
        done = submitted[unit_id]
        missed = 0
        for period_id in ids:
            if period_id in done:
                break
            missed += 1
        result[unit_id] = missed
    return result
