"""Reading the people's side: similar problems and items for triage, counts, what a submitter sees."""

import datetime
import operator
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, reduce

from django.db.models import Case, Value, When
from django.utils.translation import gettext as _

from taizhang.ledger.models import Item, Status
from taizhang.lib.text import search_key

from .models import Channel, Demand, DemandStatus, PublicItem, Rating


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


def _without_names(text: str, names) -> str:
    for name in names:
        text = text.replace(name, " ")
    return text


def similar_items(demand: Demand, *, limit: int = 5, minimum: float = 0.15) -> list[tuple[float, Item]]:
    """Items that answer the same problem, best first.

    The problem's own words decide, not the unit's name: "八一骨科医院食堂太贵" is about a canteen, not
    about every item of 八一骨科医院. Unit names (the problem's unit, the item's) are left out of both
    texts before they are compared.
    """
    grams = ngrams(demand.text)
    items = (
        Item.objects.filter(campaign=demand.campaign)
        .exclude(status=Status.WITHDRAWN)
        .select_related("owner_unit")
        .only("code", "title", "content", "status", "owner_unit__name", "owner_unit__short_name", "campaign_id")
    )
    own = [n for n in (getattr(demand.unit, "name", ""), getattr(demand.unit, "short_name", "")) if n]
    scored = []
    for item in _candidates(items, grams):
        names = sorted({*own, item.owner_unit.name, item.owner_unit.short_name} - {""}, key=len, reverse=True)
        words = ngrams(_without_names(demand.text, names))
        score = max(
            similarity(words, ngrams(_without_names(item.title, names))),
            similarity(words, ngrams(_without_names(f"{item.title}{item.content}", names))),
        )
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


# Acceptance is kept by the app above this one (taizhang.acceptance), which registers how to read it
# when it loads: people never imports it. Without it, no item counts as accepted.
_acceptance_readers: dict[str, Callable[[Item], bool]] = {}


def register_acceptance_readers(*, accepted: Callable[[Item], bool], ever_passed: Callable[[Item], bool]) -> None:
    """Called by ``taizhang.acceptance`` at start-up.

    ``accepted(item)``: the item's latest acceptance passed (what a submitter is shown);
    ``ever_passed(item)``: some acceptance passed (the people were asked to rate from then on).
    """
    _acceptance_readers.update(accepted=accepted, ever_passed=ever_passed)


def item_accepted(item: Item) -> bool:
    reader = _acceptance_readers.get("accepted")
    return bool(reader and reader(item))


def item_ever_passed_acceptance(item: Item) -> bool:
    reader = _acceptance_readers.get("ever_passed")
    return bool(reader and reader(item))


# Ratings and the objection window: what closing reads ------------------------------------


@dataclass
class RatingSummary:
    satisfied: int
    basic: int
    dissatisfied: int
    threshold: int

    @property
    def total(self) -> int:
        return self.satisfied + self.basic + self.dissatisfied

    @property
    def verdict(self) -> str:
        """'satisfied', 'basic', 'dissatisfied' or '' (no ratings yet), by the campaign's threshold.

        More than threshold% 满意 → satisfied; otherwise 满意+基本满意 over threshold% → basically satisfied.
        """
        if not self.total:
            return ""
        if self.satisfied * 100 > self.threshold * self.total:
            return Rating.Value.SATISFIED
        if (self.satisfied + self.basic) * 100 > self.threshold * self.total:
            return Rating.Value.BASIC
        return Rating.Value.DISSATISFIED

    @property
    def verdict_label(self) -> str:
        return Rating.Value(self.verdict).label if self.verdict else _("no ratings yet")

    @property
    def reached(self) -> bool:
        return self.verdict in (Rating.Value.SATISFIED, Rating.Value.BASIC)


def rating_summary(item: Item) -> RatingSummary:
    counts = dict.fromkeys(Rating.Value.values, 0)
    for value in item.ratings.values_list("value", flat=True):
        counts[value] += 1
    return RatingSummary(
        satisfied=counts[Rating.Value.SATISFIED],
        basic=counts[Rating.Value.BASIC],
        dissatisfied=counts[Rating.Value.DISSATISFIED],
        threshold=item.campaign.satisfied_threshold,
    )


def open_objection_window(item: Item, on: datetime.date) -> PublicItem | None:
    """The item's publication while its objection window (公示) is open on ``on``, else None."""
    publication = PublicItem.objects.filter(item=item).first()
    return publication if publication is not None and publication.objection_open(on) else None


def public_demands_of_day(campaign, on: datetime.date) -> list[Demand]:
    """Problems members of the public submitted themselves on one local day (staff records are not news)."""
    from django.utils import timezone

    start = timezone.make_aware(datetime.datetime.combine(on, datetime.time.min))
    end = start + datetime.timedelta(days=1)
    return list(
        Demand.objects.filter(campaign=campaign, recorded_by__isnull=True, created_at__gte=start, created_at__lt=end)
        .only("tracking_code", "text")
        .order_by("created_at", "id")
    )


def public_units(campaign):
    """The units the public may name on the campaign's form: active ones with items or liaisons in it."""
    from django.db.models import Q

    from taizhang.orgs.models import Role, RoleGrant, Unit

    owners = Item.objects.filter(campaign=campaign).exclude(status=Status.WITHDRAWN).values("owner_unit")
    liaisons = RoleGrant.objects.filter(campaign=campaign, role=Role.LIAISON).values("unit")
    return Unit.objects.filter(Q(pk__in=owners) | Q(pk__in=liaisons), is_active=True)


def public_unit_choices(campaign, q: str, *, limit: int = 20) -> list[dict]:
    """The public picker's matches: the id and the name of a campaign unit, nothing else."""
    key = search_key(q)
    if not key:
        return []
    units = public_units(campaign)
    for word in key.split(" "):
        units = units.filter(search_text__contains=word)
    return [{"id": pk, "text": name} for pk, name in units.order_by("depth", "path").values_list("pk", "name")[:limit]]
