"""Reading the people's side: similar problems and items for triage, counts, what a submitter sees."""

import operator
from collections import Counter
from functools import lru_cache, reduce

from django.db.models import Case, Value, When

from taizhang.ledger.models import Item, Status
from taizhang.lib.text import search_key

from .models import Acceptance, Channel, Demand, DemandStatus


@lru_cache(maxsize=50_000)
def ngrams(text: str, n: int = 2) -> frozenset[str]:
    """Character n-grams of the normalised text (simplified, NFKC, case-folded, no spaces).

    Cached: normalising traditional characters is the costly part, and titles come back on every triage.
    """
    key = search_key(text).replace(" ", "")
    if len(key) < n:
        return frozenset({key} if key else ())
    return frozenset(key[i : i + n] for i in range(len(key) - n + 1))


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Dice coefficient of two n-gram sets: 1.0 for the same text, 0.0 for nothing in common."""
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


CANDIDATES = 200
MAX_GRAMS = 40


def _candidates(queryset, grams: frozenset[str]):
    """The rows sharing the most n-grams with the text, counted by the database in one scan.

    Python then scores only these few exactly, so a campaign of 100,000 items is not pulled into memory.
    """
    chosen = sorted(grams)[:MAX_GRAMS]
    if not chosen:
        return queryset.none()
    hits = reduce(
        operator.add,
        [Case(When(search_text__contains=g, then=Value(1)), default=Value(0)) for g in chosen],
    )
    return queryset.annotate(hits=hits).filter(hits__gt=0).order_by("-hits", "pk")[:CANDIDATES]


def similar_demands(demand: Demand, *, limit: int = 5, minimum: float = 0.2) -> list[tuple[float, Demand]]:
    grams = ngrams(demand.text)
    others = Demand.objects.filter(campaign=demand.campaign).exclude(status=DemandStatus.MERGED)
    if demand.pk:
        others = others.exclude(pk=demand.pk)
    others = others.only("text", "search_text", "tracking_code", "status", "created_at", "channel")
    scored = [(similarity(grams, ngrams(other.text)), other) for other in _candidates(others, grams)]
    scored = [(s, d) for s, d in scored if s >= minimum]
    scored.sort(key=lambda pair: (-pair[0], pair[1].pk))
    return scored[:limit]


def similar_items(demand: Demand, *, limit: int = 5, minimum: float = 0.15) -> list[tuple[float, Item]]:
    grams = ngrams(demand.text)
    items = (
        Item.objects.filter(campaign=demand.campaign)
        .exclude(status=Status.WITHDRAWN)
        .select_related("owner_unit")
        .only("code", "title", "content", "status", "owner_unit__name", "campaign_id")
    )
    scored = []
    for item in _candidates(items, grams):
        score = max(similarity(grams, ngrams(item.title)), similarity(grams, ngrams(f"{item.title}{item.content}")))
        if score >= minimum:
            scored.append((score, item))
    scored.sort(key=lambda pair: (-pair[0], pair[1].code))
    return scored[:limit]


def counts_by_channel_and_category(campaign) -> dict:
    rows = Demand.objects.filter(campaign=campaign).values_list("channel", "category__name", "status")
    by_channel, by_category, by_status = Counter(), Counter(), Counter()
    for channel, category, status in rows:
        by_channel[channel] += 1
        by_category[category or ""] += 1
        by_status[status] += 1
    return {
        "channels": [(label, by_channel[value]) for value, label in Channel.choices],
        "categories": [(c.name, by_category[c.name]) for c in campaign.categories.all()]
        + ([("—", by_category[""])] if by_category[""] else []),
        "statuses": [(label, by_status[value]) for value, label in DemandStatus.choices],
        "total": len(rows),
    }


def demand_items(demand: Demand) -> list[Item]:
    """The items a demand became, through itself or the demand it was merged into."""
    source = demand.duplicate_of or demand
    return list(source.items.select_related("owner_unit", "campaign"))


def item_accepted(item: Item) -> bool:
    latest = item.acceptances.order_by("-created_at", "-id").first()
    return latest is not None and latest.result == Acceptance.Result.PASSED
