"""Reading cases: the library's search and filters, similar cases, the item picker."""

import operator
from functools import reduce

from django.db.models import Case, Value, When

from taizhang.ledger import queries as ledger_queries
from taizhang.lib.paging import IdPaginator
from taizhang.lib.similar import ngrams, similarity
from taizhang.orgs.models import Unit

from .models import Practice

CANDIDATES = 200
MAX_GRAMS = 40


def library(campaign, access, *, q="", unit=None, category=None, key_task=None, model=None, year=None, status=""):
    """The cases a person may read, searched and filtered; newest first."""
    cases = Practice.objects.filter(campaign=campaign).visible_to(access)
    if q:
        cases = cases.search(q)
    if unit is not None:
        cases = cases.filter(unit__in=Unit.objects.filter(path__startswith=unit.path).values("pk"))
    # Tags as IN (subquery), not a join: the planner then keeps walking the cases in order.
    if category is not None:
        tagged = Practice.categories.through.objects.filter(category=category).values("practice_id")
        cases = cases.filter(pk__in=tagged)
    if key_task is not None:
        tagged = Practice.key_tasks.through.objects.filter(keytask=key_task).values("practice_id")
        cases = cases.filter(pk__in=tagged)
    if model:
        cases = cases.filter(is_model=True)
    if year:
        cases = cases.filter(year=year)
    if status:
        cases = cases.filter(status=status)
    # The list shows neither the text nor its search key: a page of rows need not carry them.
    return cases.select_related("unit").defer("body", "search_text", "summary").order_by("-created_at", "-id")


LIST_FIELDS = (
    "pk",
    "campaign",
    "title",
    "status",
    "year",
    "is_model",
    "model_reason",
    "read_count",
    "created_at",
    "unit__name",
    "unit__short_name",
)


class LibraryPaginator(IdPaginator):
    """Pages of the library: the page's rows come by their ids alone.

    The ids were chosen by the filters already; repeating the filters (a search with LIKE, a join on
    the categories) on the page's query only makes the database choose a worse plan than the key lookup.
    """

    def _get_page(self, object_list, number, paginator):
        ids = list(object_list)
        # Only the columns the list shows: a unit's and a case's other columns (texts, search keys, JSON)
        # cost more to load than the query itself.
        rows = self.rows.model.objects.filter(pk__in=ids).select_related("unit").only(*LIST_FIELDS)
        by_id = {row.pk: row for row in rows}
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
