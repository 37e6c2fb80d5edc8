"""Read helpers for the org tree."""

from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from django.db.models import Q

from .models import Unit


def under(paths: Iterable[str], field: str = "unit") -> Q | None:
    """A filter for rows whose ``field`` (a unit foreign key, or ``""`` for units themselves) lies in the
    subtree of any of the units with these ``paths``; ``None`` when there are none (no subtree, no rows)."""
    lookup = f"{field}__path__startswith" if field else "path__startswith"
    query = None
    for path in paths:
        query = Q(**{lookup: path}) if query is None else query | Q(**{lookup: path})
    return query


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


class _Node(NamedTuple):
    """The little of a unit that tree order and a select option need (model instances cost 30 µs each)."""

    pk: int
    parent_id: int | None
    sort_order: int
    name: str
    depth: int


def tree_choices(queryset, *, blank: bool = True, indent: bool = True) -> list[tuple]:
    """Choices for a unit select, in tree order, indented by depth with ideographic spaces.

    Reads plain rows, not model instances: the item list builds this on every request, over 2,000 units.
    """
    rows = queryset.values_list("pk", "parent_id", "sort_order", "name", "depth")
    choices = [("", "---------")] if blank else []
    for unit in in_tree_order(_Node(*row) for row in rows):
        choices.append((unit.pk, ("\u3000" * unit.depth if indent else "") + unit.name))
    return choices


def use_unit_tree(field, queryset, *, choices_from=None, blank: bool = True) -> None:
    """Point a unit field at ``queryset`` and show it as the org tree, fast at thousands of units.

    The field validates against ``queryset``; the options (in tree order, from ``choices_from``
    when given) go straight to a string-built widget: Django's own Select renders each option
    through the template engine, and the field's choices setter normalises every one.
    """
    from taizhang.lib.widgets import FastSelect, FastSelectMultiple

    field.queryset = queryset
    multiple = field.widget.allow_multiple_selected
    if not isinstance(field.widget, FastSelect | FastSelectMultiple):
        widget = (FastSelectMultiple if multiple else FastSelect)(attrs=field.widget.attrs)
        widget.is_required = field.widget.is_required
        field.widget = widget
    field.widget.choices = tree_choices(
        queryset if choices_from is None else choices_from, blank=blank and not multiple
    )


def use_unit_picker(field, queryset) -> None:
    """Point a unit field at ``queryset``, chosen with the search-as-you-type picker (``orgs:unit_search``).

    For choices among every active unit (2,000 of them): the page carries only the chosen units. The
    field validates against ``queryset``; a short list (a liaison's own units) stays a select
    (:func:`use_unit_tree`).
    """
    from django.urls import reverse

    from taizhang.lib.widgets import use_picker

    field.queryset = queryset
    use_picker(field, url=reverse("orgs:unit_search"))


def unit_choices(q: str, *, kinds: Iterable[str] = (), limit: int = 20) -> list[dict]:
    """Active units for the search-as-you-type picker: name, short name or alias, simplified or traditional."""
    from taizhang.lib.text import search_key

    key = search_key(q)
    if not key:
        return []
    units = Unit.objects.filter(is_active=True)
    for word in key.split(" "):
        units = units.filter(search_text__contains=word)
    if kinds:
        units = units.filter(kind__in=list(kinds))
    rows = units.order_by("depth", "path").select_related("parent").only("pk", "name", "parent__name")[:limit]
    return [{"id": u.pk, "text": u.picker_label} for u in rows]
