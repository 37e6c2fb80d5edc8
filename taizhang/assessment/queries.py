"""Reads of assessment results: the facts behind a unit's points on an item."""

from collections.abc import Iterator
from decimal import Decimal
from typing import NamedTuple

from .models import FactKind, ItemFacts, ScoringRun


class Fact(NamedTuple):
    """One fact behind a point: what it is, the object it names (None for a figure or a week), what it weighed."""

    kind: str
    object_id: int | None
    label: str
    points: Decimal

    @property
    def kind_label(self) -> str:
        return FactKind(self.kind).label


def _facts(rows: list) -> list[Fact]:
    return [Fact(kind, object_id, label, Decimal(points)) for kind, object_id, label, points in rows]


def facts_of(run: ScoringRun, unit_id: int, scheme_item_id: int) -> list[Fact]:
    """The facts behind one unit's points on one item, in the order the rule found them."""
    rows = (
        ItemFacts.objects.filter(run=run, unit_id=unit_id, scheme_item_id=scheme_item_id)
        .values_list("rows", flat=True)
        .first()
    )
    return _facts(rows or [])


def run_facts(run: ScoringRun, unit_ids=None) -> Iterator[tuple[int, int, Fact]]:
    """(unit, scheme item, fact) for every fact of a run (of ``unit_ids`` when given), unit by unit."""
    rows = ItemFacts.objects.filter(run=run)
    if unit_ids is not None:
        rows = rows.filter(unit_id__in=list(unit_ids))
    for unit_id, item_id, facts in rows.order_by("unit__path", "scheme_item_id").values_list(
        "unit_id", "scheme_item_id", "rows"
    ):
        for fact in _facts(facts):
            yield unit_id, item_id, fact
