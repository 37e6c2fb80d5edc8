"""Read helpers for the org tree."""

from collections import defaultdict
from collections.abc import Iterable

from .models import Unit


def in_tree_order(units: Iterable[Unit]) -> list[Unit]:
    """Depth-first, siblings by their set order then name: the order people expect to read the tree in.

    Units whose parent is not among ``units`` are treated as roots, so a filtered set still reads well.
    """
    units = list(units)
    present = {u.pk for u in units}
    children: dict[int | None, list[Unit]] = defaultdict(list)
    for unit in units:
        children[unit.parent_id if unit.parent_id in present else None].append(unit)
    for siblings in children.values():
        siblings.sort(key=lambda u: (u.sort_order, u.name))
    ordered: list[Unit] = []
    stack = list(reversed(children[None]))
    while stack:
        unit = stack.pop()
        ordered.append(unit)
        stack.extend(reversed(children.get(unit.pk, [])))
    return ordered


def tree_choices(queryset, *, blank: bool = True, indent: bool = True) -> list[tuple]:
    """Choices for a unit select, in tree order, indented by depth with ideographic spaces.

    Reads plain rows, not model instances: the item list builds this on every request, over 2,000 units.
    """
    rows = queryset.values_list("pk", "parent_id", "sort_order", "name", "depth")
    units = [
        Unit(pk=pk, parent_id=parent, sort_order=order, name=name, depth=depth)
        for pk, parent, order, name, depth in rows
    ]
    choices = [("", "---------")] if blank else []
    for unit in in_tree_order(units):
        choices.append((unit.pk, ("\u3000" * unit.depth if indent else "") + unit.name))
    return choices
