"""Named read queries on the ledger, shared by pages and exports."""

import datetime
from dataclasses import dataclass

from django.db.models import F

from taizhang.orgs.queries import under

from .models import Item, Status

NULLABLE_SORTS = {"due"}
SORT_FIELDS = {
    "code": ["code"],
    "due": ["due", "code"],
    "percent": ["percent", "code"],
    "light": ["light_rank", "code"],
    "unit": ["owner_unit__path", "code"],
    "updated": ["updated_at", "code"],
}


def filtered_items(campaign, data: dict):
    """The campaign's items matching a cleaned ItemFilterForm, sorted as asked."""
    qs = Item.objects.filter(campaign=campaign).for_list()
    if data.get("q"):
        qs = qs.search(data["q"])
    if data.get("unit"):
        qs = qs.in_unit(data["unit"])
    if data.get("category"):
        qs = qs.filter(category=data["category"])
    if data.get("phase"):
        qs = qs.filter(phase=data["phase"])
    status = data.get("status") or "current"  # withdrawn items only when asked for ("all", "withdrawn")
    if status == "open":
        qs = qs.open()
    elif status == "current":
        qs = qs.exclude(status=Status.WITHDRAWN)
    elif status != "all":
        qs = qs.filter(status=status)
    if data.get("light"):
        qs = qs.filter(light=data["light"])
    if data.get("key_task"):
        key_task = data["key_task"]
        qs = qs.filter(key_task_id__in=[key_task.pk, *key_task.children.values_list("pk", flat=True)])
    if data.get("scope"):
        qs = qs.filter(scope=data["scope"])
    if data.get("due_from"):
        qs = qs.filter(due__gte=data["due_from"])
    if data.get("due_to"):
        qs = qs.filter(due__lte=data["due_to"])
    if data.get("owner"):
        qs = qs.filter(owner__icontains=data["owner"].strip())
    if data.get("model"):
        qs = qs.filter(is_model=True)
    sort = data.get("sort") or "code"
    descending = sort.startswith("-")
    fields = SORT_FIELDS.get(sort.lstrip("-"), ["code"])
    # Items without a deadline (ongoing) come last either way, on SQLite and PostgreSQL alike. Only the
    # nullable column says so: NULLS LAST on a NOT NULL column would keep the databases off its index.
    order = []
    for i, name in enumerate(fields):
        nulls_last = True if name in NULLABLE_SORTS else None
        order.append(
            F(name).desc(nulls_last=nulls_last) if descending and i == 0 else F(name).asc(nulls_last=nulls_last)
        )
    return qs.order_by(*order)


@dataclass(frozen=True)
class MilestoneCheck:
    """One milestone against the item's actual progress: reached by then, missed, or still ahead."""

    on: datetime.date
    expected: int
    actual: int | None  # percent on that date (past), or now (ahead); None: not known (progress from sub-items)
    state: str  # "met", "missed", "ahead"


def milestone_checks(item, today: datetime.date) -> list[MilestoneCheck]:
    """Each milestone of the item with the progress reported by its date (the latest entry as of then)."""
    milestones = list(item.milestones.values_list("on", "percent"))
    if not milestones:
        return []
    own = not item.children.exists()
    reports = sorted(item.progress_entries.values_list("as_of", "created_at", "percent")) if own else []
    checks = []
    for on, expected in milestones:
        if on > today:
            checks.append(MilestoneCheck(on, expected, item.percent, "met" if item.percent >= expected else "ahead"))
            continue
        if own:
            actual = next((percent for as_of, _at, percent in reversed(reports) if as_of <= on), 0)
        else:
            actual = None
        reached = actual is not None and actual >= expected
        checks.append(MilestoneCheck(on, expected, actual, "met" if reached else "missed"))
    return checks


def item_choices(campaign, q: str, *, under_paths=None, limit: int = 20) -> list[dict]:
    """Items for the search-as-you-type picker, by code or title (simplified or traditional alike).

    ``under_paths``: only items owned in those units' subtrees (an empty list finds nothing); None: all.
    """
    items = Item.objects.filter(campaign=campaign).search(q)
    if under_paths is not None:
        scope = under(under_paths, "owner_unit")
        if scope is None:
            return []
        items = items.filter(scope)
    rows = items.order_by("code").only("pk", "code", "title")[:limit]
    return [{"id": i.pk, "text": f"{i.code} {i.title}"} for i in rows]
