"""Named read queries on the ledger, shared by pages and exports."""

from django.db.models import F

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
    status = data.get("status")
    if status == "open":
        qs = qs.open()
    elif status == "current":
        qs = qs.exclude(status=Status.WITHDRAWN)
    elif status:
        qs = qs.filter(status=status)
    if data.get("light"):
        qs = qs.filter(light=data["light"])
    if data.get("due_from"):
        qs = qs.filter(due__gte=data["due_from"])
    if data.get("due_to"):
        qs = qs.filter(due__lte=data["due_to"])
    if data.get("owner"):
        qs = qs.filter(owner__icontains=data["owner"].strip())
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
