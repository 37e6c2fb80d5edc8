"""Reads of the responsibility system: who holds which responsibility, for a unit, a key task or an item.

A unit's holders of a responsibility are the ones assigned at the unit, or else the nearest unit above
it that has some (inherited down the tree). A key task's or an item's own holders of a kind override
the unit's for that kind. The assessment app scores by :func:`responsibility_holders`.
"""

import datetime
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import NamedTuple

from django.db import connection
from django.db.models import BooleanField, F, IntegerField, Max, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from taizhang.ledger.models import OPEN_STATUSES, Item
from taizhang.orgs.models import ContactPoint, Unit

from .models import Assignment, Responsibility, holder_label

KINDS = [kind for kind, _label in Responsibility.choices]

# Panels apps above this one put on a contact point's page (template names; inspections adds its findings).
CONTACT_POINT_PANELS: list[str] = []


def register_contact_point_panel(template_name: str) -> None:
    """Arrows point down: a higher app names a template the contact point page includes (it gets the page's
    context: campaign, access, point)."""
    if template_name not in CONTACT_POINT_PANELS:
        CONTACT_POINT_PANELS.append(template_name)


class Holder(NamedTuple):
    """One holder of a responsibility as the grid and the assessment read it."""

    assignment_id: int
    kind: str
    label: str  # "办公室 党委书记 王明": the unit, role and person it names
    unit_id: int  # the unit the assignment was made at (an ancestor when inherited)
    holder_unit_id: int | None
    holder_user_id: int | None
    holder_title: str
    holder_name: str
    inherited: bool = False

    def __str__(self) -> str:
        return self.label


HOLDER_COLUMNS = (
    "pk",
    "kind",
    "unit_id",
    "holder_unit_id",
    "holder_user_id",
    "holder_title",
    "holder_name",
    "holder_unit__short_name",
    "holder_unit__name",
    "holder_user__name",
    "holder_user__username",
)


class _Row(NamedTuple):
    """An assignment as read for the grid: plain columns, not a model instance (4,000 of them at 2,000 units)."""

    pk: int
    kind: str
    unit_id: int
    holder_unit_id: int | None
    holder_user_id: int | None
    holder_title: str
    holder_name: str
    unit_short: str | None
    unit_name: str | None
    user_name: str | None
    username: str | None


def _holder(row: _Row, *, inherited: bool = False) -> Holder:
    person = (row.user_name or row.username or "") if row.holder_user_id else row.holder_name
    return Holder(
        assignment_id=row.pk,
        kind=row.kind,
        label=holder_label(row.unit_short, row.unit_name, row.holder_title, person),
        unit_id=row.unit_id,
        holder_unit_id=row.holder_unit_id,
        holder_user_id=row.holder_user_id,
        holder_title=row.holder_title,
        holder_name=row.holder_name,
        inherited=inherited,
    )


def current(campaign):
    """The campaign's assignments in force."""
    return Assignment.objects.filter(campaign=campaign, ended_at__isnull=True)


def _rows(queryset) -> list[_Row]:
    return [_Row(*values) for values in queryset.order_by("id").values_list(*HOLDER_COLUMNS)]


def path_ids(path: str) -> list[int]:
    """The ids on a unit's materialised path, root first, the unit last ("000001.000007." → [1, 7])."""
    return [int(part) for part in path.split(".") if part]


def _unit_level(campaign, where: Q | None = None) -> dict[int, dict[str, list[_Row]]]:
    """Assignments made at units (no key task, no item), by unit and kind; those matching ``where`` when given."""
    rows = current(campaign).filter(key_task__isnull=True, item__isnull=True)
    if where is not None:
        rows = rows.filter(where)
    by_unit: dict[int, dict[str, list[_Row]]] = {}
    for row in _rows(rows):
        by_unit.setdefault(row.unit_id, {}).setdefault(row.kind, []).append(row)
    return by_unit


def holders_along(
    units: list[tuple[int, int | None, str]], own: dict[int, dict[str, list[_Row]]]
) -> dict[int, dict[str, list[Holder]]]:
    """Each unit's holders by kind from the assignments at it and above it.

    ``units`` are (id, parent id, path) in path order. A unit starts from what its parent passes down
    (worked out once per parent, shared by all its children) when the parent came first, else from its
    path's ancestors; its own assignments then replace those kinds. The dicts are shared: read them only.
    """
    result: dict[int, dict[str, list[Holder]]] = {}
    passed_down: dict[int, dict[str, list[Holder]]] = {}

    def inherited(rows: list[_Row]) -> list[Holder]:
        return [_holder(row, inherited=True) for row in rows]

    def from_parent(parent_id: int) -> dict[str, list[Holder]]:
        view = passed_down.get(parent_id)
        if view is None:
            mine = own.get(parent_id, {})
            view = passed_down[parent_id] = {
                kind: inherited(mine[kind]) if kind in mine else holders for kind, holders in result[parent_id].items()
            }
        return view

    for pk, parent_id, path in units:
        if parent_id in result:
            kinds = from_parent(parent_id)
        else:
            at: dict[str, int] = {}
            for ancestor in path_ids(path)[:-1]:
                for kind in own.get(ancestor, ()):
                    at[kind] = ancestor
            kinds = {kind: inherited(own[ancestor][kind]) for kind, ancestor in at.items()}
        mine = own.get(pk)
        if mine:
            kinds = {**kinds, **{kind: [_holder(row) for row in rows] for kind, rows in mine.items()}}
        result[pk] = kinds
    return result


def responsibility_holders(campaign, unit_ids: Collection[int] | None = None) -> dict[int, dict[str, list[Holder]]]:
    """Unit id → responsibility kind → its holders (inherited down the tree), for ``unit_ids`` or every unit.

    Kinds nobody holds for a unit are absent from its dict. Two queries whatever the number of units.
    """
    units = Unit.objects.all() if unit_ids is None else Unit.objects.filter(pk__in=list(unit_ids))
    rows = list(units.order_by("path").values_list("pk", "parent_id", "path"))
    lines = {ancestor for _pk, _parent, path in rows for ancestor in path_ids(path)} | {row[0] for row in rows}
    found = holders_along(rows, _unit_level(campaign, None if unit_ids is None else Q(unit_id__in=lines)))
    return {pk: dict(kinds) for pk, kinds in found.items()}  # the caller's to change


def _task_line(task) -> list[int]:
    """The key task and the aspects above it, nearest first."""
    tasks = []
    while task is not None and len(tasks) < 5:
        tasks.append(task.pk)
        task = task.parent
    return tasks


def holders_for_key_task(task) -> dict[str, list[Holder]]:
    """Who holds which responsibility named for a key task: its own, else its aspect's (the nearest wins)."""
    tasks = _task_line(task)
    rows = current(task.campaign).filter(key_task_id__in=tasks, item__isnull=True)
    levels = dict(rows.values_list("pk", "key_task_id"))
    nearest: dict[str, int] = {}
    found = _rows(rows)
    for row in found:
        level = tasks.index(levels[row.pk])
        nearest[row.kind] = min(level, nearest.get(row.kind, level))
    result: dict[str, list[Holder]] = {}
    for row in found:
        if tasks.index(levels[row.pk]) == nearest[row.kind]:
            result.setdefault(row.kind, []).append(_holder(row))
    return result


def holders_for_item(item) -> dict[str, list[Holder]]:
    """Who holds which responsibility for one item: its own, else its key task's (and the task's aspect's),
    else its owner unit's (inherited)."""
    campaign = item.campaign
    result = dict(responsibility_holders(campaign, [item.owner_unit_id]).get(item.owner_unit_id, {}))
    tasks = _task_line(item.key_task)
    overrides = current(campaign).filter(Q(item=item) | Q(key_task_id__in=tasks, item__isnull=True))
    levels_of = {
        pk: (item_id, task_id) for pk, item_id, task_id in overrides.values_list("pk", "item_id", "key_task_id")
    }
    by_level: dict[tuple, list[_Row]] = defaultdict(list)
    for row in _rows(overrides):
        item_id, task_id = levels_of[row.pk]
        level = 0 if item_id is not None else 1 + tasks.index(task_id)
        by_level[(row.kind, level)].append(row)
    for kind in KINDS:
        levels = sorted(level for k, level in by_level if k == kind)
        if levels:
            result[kind] = [_holder(a) for a in by_level[(kind, levels[0])]]
    return result


class GridUnit(NamedTuple):
    """The little of a unit a grid row shows, with its open items and whether it is a gap (both from SQL)."""

    pk: int
    name: str
    short_name: str
    depth: int
    path: str
    parent_id: int | None
    open_items: int
    gap: bool

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def __str__(self) -> str:
        return self.display_name


@dataclass
class GridRow:
    """One unit of the grid: its holders by kind, its open items and whether it lacks a first holder."""

    unit: GridUnit
    holders: dict[str, list[Holder]]

    @property
    def open_items(self) -> int:
        return self.unit.open_items

    @property
    def gap(self) -> bool:
        return self.unit.gap

    @property
    def cells(self) -> list[list[Holder]]:
        return [self.holders.get(kind, []) for kind in KINDS]


GRID_PAGE_SIZE = 50

# A path is zero-padded ids of six digits and a dot ("000001.000007."), so a unit's ancestors' paths are its
# path's prefixes of 7, 14, … characters: the database finds them through the path index.
SEGMENT = 7


def _unit_column(name: str) -> str:
    """The outer unit's column as the grid's SQL names it (the units' query reads the table unaliased)."""
    quote = connection.ops.quote_name
    return f"{quote(Unit._meta.db_table)}.{quote(name)}"


def _open_items_sql(campaign) -> tuple[str, list]:
    """The outer unit's open items of the campaign, as SQL after ``FROM`` (for EXISTS and COUNT alike)."""
    statuses = ", ".join(["%s"] * len(OPEN_STATUSES))
    return (
        f"FROM {Item._meta.db_table} i WHERE i.campaign_id = %s AND i.owner_unit_id = {_unit_column('id')} "
        f"AND i.status IN ({statuses})",
        [campaign.pk, *OPEN_STATUSES],
    )


def _gap_sql(campaign, depth: int) -> RawSQL:
    """Open items of its own and nobody holding the first responsibility (第一责任人) at the unit or above it.

    Written as SQL, not as Exists() of querysets: compiling those two subqueries (with a Substr per level)
    cost the page more than running them. A unit's line is its path's prefixes of 7, 14, … characters,
    which the database finds through the path index.
    """
    items, params = _open_items_sql(campaign)
    path = _unit_column("path")
    lines = ", ".join(f"substr({path}, 1, {SEGMENT * (level + 1)})" for level in range(depth + 1))
    first = (
        f"SELECT 1 FROM {Assignment._meta.db_table} a JOIN {Unit._meta.db_table} au ON au.id = a.unit_id "
        "WHERE a.campaign_id = %s AND a.kind = %s AND a.ended_at IS NULL AND a.key_task_id IS NULL "
        f"AND a.item_id IS NULL AND au.path IN ({lines})"
    )
    return RawSQL(
        f"(EXISTS (SELECT 1 {items}) AND NOT EXISTS ({first}))",
        [*params, campaign.pk, Responsibility.FIRST],
        output_field=BooleanField(),
    )


def _subtree(root: Unit | None):
    units = Unit.objects.active()
    return units if root is None else units.filter(path__startswith=root.path)


def _with_gap(campaign, units, depth: int | None = None):
    """``units`` annotated with ``gap``: open items of its own and nobody holding the first responsibility
    (第一责任人) at it or above it. This is the one place that rule lives (grid, counts, exports).
    ``depth``: the deepest of these units when the caller knows it already (else asked)."""
    if depth is None:
        depth = units.aggregate(deepest=Max("depth"))["deepest"] or 0
    return units.annotate(gap=_gap_sql(campaign, depth))


def grid_ids(campaign, *, root: Unit | None, gaps_only: bool = False):
    """The ids of the grid's units in path order, a lazy query for the database to count and page."""
    units = _subtree(root)
    if gaps_only:
        units = _with_gap(campaign, units).filter(gap=True)
    return units.order_by("path").values_list("pk", flat=True)


def subtree_depth(root: Unit | None) -> int:
    """The deepest active unit's depth in ``root``'s subtree (how many prefixes a unit's line can have)."""
    return _subtree(root).aggregate(deepest=Max("depth"))["deepest"] or 0


def gap_count(campaign, *, root: Unit | None, depth: int | None = None) -> int:
    """How many units of the subtree are gaps, counted by the database (``depth``: :func:`subtree_depth`)."""
    return _with_gap(campaign, _subtree(root), depth).filter(gap=True).count()


def grid_units(
    campaign,
    *,
    root: Unit | None = None,
    ids: Collection[int] | None = None,
    gaps_only: bool = False,
    depth: int | None = None,
):
    """The grid's units as :class:`GridUnit` rows in path order: those of ``ids`` (a page), else the subtree.
    ``depth``: the deepest unit's depth when known (a page's subtree's), which saves asking for it."""
    units = _subtree(root) if ids is None else Unit.objects.filter(pk__in=list(ids))
    units = _with_gap(campaign, units, depth)
    if gaps_only:
        units = units.filter(gap=True)
    items, params = _open_items_sql(campaign)
    units = units.annotate(open_items=RawSQL(f"(SELECT COUNT(*) {items})", params, output_field=IntegerField()))
    return [GridUnit(*row) for row in units.order_by("path").values_list(*GridUnit._fields)]


def grid_rows(campaign, units) -> list[GridRow]:
    """The rows for these grid units (a page of them, or all for the exports): their holders, inherited down
    the tree, from one query of the assignments at the units and on their lines above them."""
    lines = {ancestor for unit in units for ancestor in path_ids(unit.path)}
    # Past a few hundred units (an export), the campaign's unit assignments are read whole rather than by id.
    where = Q(unit_id__in=lines) if len(lines) <= 500 else None
    holders = holders_along([(u.pk, u.parent_id, u.path) for u in units], _unit_level(campaign, where))
    return [GridRow(unit=u, holders=holders[u.pk]) for u in units]


def grid(campaign, *, root: Unit | None, gaps_only: bool = False) -> list[GridRow]:
    """Every grid row of ``root``'s subtree (the exports); the page reads :func:`grid_units` a page at a time."""
    return grid_rows(campaign, grid_units(campaign, root=root, gaps_only=gaps_only))


def unvisited_contact_points(campaign, *, mine: bool = False, user=None):
    """Contact points without a visit in the campaign's ``visit_gap_days``, the longest unvisited first."""
    since = timezone.localdate() - datetime.timedelta(days=campaign.visit_gap_days)
    points = (
        ContactPoint.objects.filter(campaign=campaign)
        .select_related("leader", "unit")
        .annotate(last_visit=Max("visits__visited_on"))
        .filter(Q(last_visit__isnull=True) | Q(last_visit__lt=since))
        .order_by(F("last_visit").asc(nulls_first=True), "unit__path")
    )
    if mine:
        points = points.filter(leader=user)
    return points
