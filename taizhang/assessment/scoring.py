"""Computing a run: every unit of the scheme's kind, every item of the scheme, the facts behind every point.

One claimed job (``compute``), a few queries per kind of rule over all units (read once however many items
use the kind), the ranking and the grades worked out before anything is written, then three bulk inserts.
Every later change of points (a manual score, an approved adjustment) ranks again (``rank``).
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from taizhang.lib.rows import insert_rows, insert_tuples
from taizhang.orgs.models import Unit

from . import rules
from .models import Grade, ItemFacts, ItemScore, ScoringRun, UnitScore

BATCH = 5000


def clamp(value: Decimal, floor: Decimal, maximum: Decimal, *, bonus: Decimal = Decimal(0)) -> Decimal:
    """The points kept within the item's [floor, maximum]; approved bonus points (加分项) may pass the maximum."""
    return max(Decimal(floor), min(Decimal(maximum), value)) + bonus


def item_points(scheme_item, computed: Decimal | None, adjusted: Decimal) -> Decimal:
    base = computed if computed is not None else Decimal(0)
    if scheme_item.allows_bonus and adjusted > 0:
        within = clamp(base, scheme_item.floor, scheme_item.points)
        return within + adjusted
    return clamp(base + adjusted, scheme_item.floor, scheme_item.points)


def run_units(run: ScoringRun) -> list[int]:
    """The units a run scores: the active units of the scheme's kind, in the tree's order."""
    return list(
        Unit.objects.filter(kind=run.scheme.unit_kind, is_active=True).order_by("path").values_list("pk", flat=True)
    )


def evaluate(run: ScoringRun, unit_ids: list[int], progress=None):
    """Per scheme item: (scheme item, {unit: computed points or None}, the rule's result with the facts).
    Pure reading, no writes."""
    ctx = rules.Context(
        campaign=run.campaign, unit_ids=set(unit_ids), starts_on=run.starts_on, ends_on=run.ends_on, cutoff=run.cutoff
    )
    items = list(run.scheme.items.select_related("rule", "section").order_by("section__order", "order", "pk"))
    out = []
    for n, scheme_item in enumerate(items):
        rule = scheme_item.rule
        maximum = Decimal(scheme_item.points)
        if rule.kind == rules.Kind.MANUAL or not rules.is_available(rule.kind):
            out.append((scheme_item, dict.fromkeys(unit_ids), rules.Result()))
            continue
        result = rules.COMPUTE[rule.kind](ctx, rule.params, maximum)
        base = rules.base_of(rule.kind)
        computed = {}
        for unit_id in unit_ids:
            if base == rules.BASE_RATE:
                value = result.direct.get(unit_id, result.default)
            else:
                value = (maximum if base == rules.BASE_MAX else Decimal(0)) + result.raw.get(unit_id, Decimal(0))
            computed[unit_id] = clamp(value, scheme_item.floor, maximum)
        out.append((scheme_item, computed, result))
        if progress:
            progress(10 + 60 * (n + 1) // len(items))
    return out


def compute(run_id: int) -> bool:
    """Compute a queued run; claimed by a filtered update, so two workers never both compute it."""
    if not ScoringRun.objects.filter(pk=run_id, status=ScoringRun.Status.QUEUED).update(
        status=ScoringRun.Status.RUNNING, progress=5
    ):
        return False
    run = ScoringRun.objects.select_related("scheme", "campaign").get(pk=run_id)

    def progress(percent: int) -> None:
        ScoringRun.objects.filter(pk=run_id).update(progress=percent)

    try:
        with transaction.atomic():
            write(run, progress=progress)
    except Exception as error:  # the page shows the failure instead of spinning for ever
        ScoringRun.objects.filter(pk=run_id).update(
            status=ScoringRun.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    ScoringRun.objects.filter(pk=run_id).update(status=ScoringRun.Status.DONE, progress=100, finished_at=timezone.now())
    return True


def write(run: ScoringRun, progress=None) -> None:
    """Every unit's score, item scores and the facts behind them, ranked and graded, in three bulk inserts."""
    unit_ids = run_units(run)
    evaluated = evaluate(run, unit_ids, progress)
    if UnitScore.objects.filter(run=run).exists():  # a retry after a crash: start again
        ItemFacts.objects.filter(run=run).delete()
        UnitScore.objects.filter(run=run).delete()
    totals = dict.fromkeys(unit_ids, Decimal(0))
    for _scheme_item, computed, _result in evaluated:
        for unit_id, value in computed.items():
            if value is not None:
                totals[unit_id] += value
    # Automatic points are the whole total at first (manual items and adjustments come later).
    scores = [UnitScore(run=run, unit_id=u, total=totals[u], automatic=totals[u]) for u in unit_ids]
    grade(run.scheme, scores)
    insert_rows(scores, batch_size=BATCH)
    score_of = {s.unit_id: s.pk for s in scores}
    # The facts go as their JSON text (a jsonb column takes the text; SQLite keeps it as it is).
    item_rows, fact_rows = [], []
    zero = Decimal(0)
    for scheme_item, computed, result in evaluated:
        stored = result.stored()
        item_pk = scheme_item.pk
        for unit_id, value in computed.items():
            facts = stored.get(unit_id)
            item_rows.append((score_of[unit_id], item_pk, value, value or zero, facts[0] if facts else 0))
        fact_rows.extend((run.pk, unit_id, item_pk, text) for unit_id, (_n, text) in stored.items())
    # The item scores' other fields are their defaults (no reason, nobody scored, nothing adjusted, version 1).
    insert_tuples(
        ItemScore,
        [
            "unit_score",
            "scheme_item",
            "computed",
            "points",
            "facts",
            "manual_reason",
            "manual_evidence",
            "adjusted",
            "version",
        ],
        [(*row, "", "", Decimal(0), 1) for row in item_rows],
    )
    if progress:
        progress(80)
    insert_tuples(ItemFacts, ["run", "unit", "scheme_item", "rows"], fact_rows)
    if progress:
        progress(95)


def tie_key(score: UnitScore):
    """The stated tie rule: the higher score first; equal scores, the higher automatic points (facts before
    judgement); still equal, the unit's place in the org tree (and they share the rank)."""
    return (-score.total, -score.automatic)


def grade(scheme, scores: list[UnitScore]) -> None:
    """Ranks and grades ``scores`` (one run's, in the org tree's order) by the scheme's bands and its quota of
    优秀; sets them on the objects, writes nothing."""
    scores = sorted(scores, key=tie_key)  # stable: the tree's order among equals
    quota = len(scores) * scheme.excellent_quota // 100 if scheme.excellent_quota < 100 else len(scores)
    excellent = 0
    previous = None
    for position, score in enumerate(scores, start=1):
        key = tie_key(score)
        if key != previous:
            score.rank, previous = position, key
        else:
            score.rank = scores[position - 2].rank
        if score.total >= scheme.excellent_from and excellent < quota:
            score.grade = Grade.EXCELLENT
            excellent += 1
        elif score.total >= scheme.good_from:
            score.grade = Grade.GOOD
        elif score.total >= scheme.fair_from:
            score.grade = Grade.FAIR
        else:
            score.grade = Grade.POOR


def rank(run: ScoringRun) -> None:
    """Ranks and grades the run's scores again (after a manual score or an approved adjustment)."""
    scores = list(UnitScore.objects.filter(run=run).order_by("unit__path"))
    grade(run.scheme, scores)
    UnitScore.objects.bulk_update(scores, ["rank", "grade"], batch_size=BATCH)


def refresh_unit(unit_score: UnitScore) -> None:
    """A unit's total again from its item scores (after a manual score or an approved adjustment), then ranks."""
    agg = ItemScore.objects.filter(unit_score=unit_score).aggregate(t=Sum("points"))
    unit_score.total = agg["t"] or Decimal(0)
    unit_score.save(update_fields=["total"])
    rank(unit_score.run)
