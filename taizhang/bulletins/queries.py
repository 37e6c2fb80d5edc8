"""Reading cases: the library's search and filters, similar cases, the item picker."""

import operator
from dataclasses import dataclass
from functools import reduce

from django.db.models import Case, Q, Value, When

from taizhang.ledger import queries as ledger_queries
from taizhang.lib.paging import IdPaginator
from taizhang.lib.similar import ngrams, similarity
from taizhang.lib.text import search_key
from taizhang.orgs.models import Unit

from .models import Practice

CANDIDATES = 200
MAX_GRAMS = 40


def library(campaign, access, *, q="", unit=None, category=None, key_task=None, model=None, year=None, status=""):
    """The cases a person may read, searched and filtered; newest first.

    The conditions go in one ``filter()``: each chained call copies the query, and on a page whose
    database work is 2 ms those copies were a fifth of the rest.
    """
    conditions = [Q(campaign=campaign)]
    key = search_key(q) if q else ""
    # Partial words, simplified and traditional alike (PracticeQuerySet.search's rule).
    conditions += [Q(search_text__contains=word) for word in key.split(" ") if word]
    if unit is not None:
        conditions.append(Q(unit__in=Unit.objects.filter(path__startswith=unit.path).values("pk")))
    # Tags as IN (subquery), not a join: the planner then keeps walking the cases in order.
    if category is not None:
        conditions.append(Q(pk__in=Practice.categories.through.objects.filter(category=category).values("practice_id")))
    if key_task is not None:
        conditions.append(Q(pk__in=Practice.key_tasks.through.objects.filter(keytask=key_task).values("practice_id")))
    if model:
        conditions.append(Q(is_model=True))
    if year:
        conditions.append(Q(year=year))
    if status:
        conditions.append(Q(status=status))
    return Practice.objects.visible_to(access).filter(*conditions).order_by("-created_at", "-id")


# What a row of the list shows (practice_list.html): title, 样板 badge and reason, unit, status, year, readings.
LIST_FIELDS = (
    "pk",
    "title",
    "status",
    "year",
    "is_model",
    "model_reason",
    "read_count",
    "unit__name",
    "unit__short_name",
)


@dataclass(slots=True)
class CaseRow:
    """One row of the case library: the columns the list shows, read as values (no model to build)."""

    pk: int
    title: str
    status: str
    year: int
    is_model: bool
    model_reason: str
    read_count: int
    unit_name: str
    unit_short_name: str

    @property
    def unit_display_name(self) -> str:
        return self.unit_short_name or self.unit_name

    def get_status_display(self) -> str:
        return str(Practice.Status(self.status).label)


class LibraryPaginator(IdPaginator):
    """Pages of the library: the page's rows come by their ids alone, as :class:`CaseRow`.

    The ids were chosen by the filters already; repeating the filters (a search with LIKE, a join on
    the categories) on the page's query only makes the database choose a worse plan than the key lookup.
    Only the columns the list shows, with no ORDER BY (the ids are in order already) and no model
    instances: for a page of 30 rows building 60 models (a case and its unit each) cost as much as the query.
    """

    def _get_page(self, object_list, number, paginator):
        ids = list(object_list)
        values = self.rows.model.objects.filter(pk__in=ids).order_by().values_list(*LIST_FIELDS)
        by_id = {row[0]: CaseRow(*row) for row in values}
        return super(IdPaginator, self)._get_page([by_id[pk] for pk in ids if pk in by_id], number, paginator)


def similar_cases(practice: Practice, candidates, *, limit: int = 5, minimum: float = 0.12):
    """Cases whose title and summary share the most character bigrams with this one (simplified = traditional)."""
    grams = ngrams(f"{practice.title}{practice.summary}")
    chosen = sorted(grams)[:MAX_GRAMS]
    if not chosen:
        return []
    hits = reduce(operator.add, [Case(When(search_text__contains=g, then=Value(1)), default=Value(0)) for g in chosen])
    rows = (
        candidates.exclude(pk=practice.pk)
        .annotate(hits=hits)
        .filter(hits__gt=0)
        .order_by("-hits", "pk")
        .only("pk", "title", "summary", "unit", "is_model", "status")
        .select_related("unit")[:CANDIDATES]
    )
    scored = [(similarity(grams, ngrams(f"{p.title}{p.summary}")), p) for p in rows]
    return [p for score, p in sorted(scored, key=lambda s: -s[0]) if score >= minimum][:limit]


def item_choices(campaign, access, q: str, limit: int = 20) -> list[dict]:
    """Items a case may link: the office's and leaders' all, a liaison's own units' (and their sub-units')."""
    own = None if (access.is_office or access.is_leader) else [u.path for u in access.liaison_units]
    return ledger_queries.item_choices(campaign, q, under_paths=own, limit=limit)
