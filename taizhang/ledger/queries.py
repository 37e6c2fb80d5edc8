"""Named read queries on the ledger, shared by pages and exports."""

from django.db.models import Case, F, IntegerField, Value, When

from .models import Item, Light

LIGHT_SEVERITY = Case(
    When(light=Light.RED, then=Value(4)),
    When(light=Light.YELLOW, then=Value(3)),
    When(light=Light.BLUE, then=Value(2)),
    When(light=Light.GREEN, then=Value(1)),
    default=Value(0),
    output_field=IntegerField(),
)

SORT_FIELDS = {
    "code": ["code"],
    "due": ["due", "code"],
    "percent": ["percent", "code"],
    "light": ["light_severity", "code"],
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
    if "light_severity" in fields:
        qs = qs.annotate(light_severity=LIGHT_SEVERITY)
    # Items without a deadline (ongoing) come last either way, on SQLite and PostgreSQL alike.
    order = [
        F(f).desc(nulls_last=True) if descending and i == 0 else F(f).asc(nulls_last=True) for i, f in enumerate(fields)
    ]
    return qs.order_by(*order)
