"""Computing a run: every unit of the scheme's kind, every item of the scheme, the facts behind every point.

One claimed job (``compute``), a few queries per rule over all units, bulk writes; then the ranking and the
grades (``rank``), which every later change of points (a manual score, an approved adjustment) recomputes.
"""

from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from taizhang.orgs.models import Unit

from . import rules
from .models import Grade, ItemScore, ScoreFact, ScoringRun, UnitScore

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
    """Per scheme item: (scheme item, {unit: computed points or None}, facts). Pure reading, no writes."""
    ctx = rules.Context(
        campaign=run.campaign, unit_ids=set(unit_ids), starts_on=run.starts_on, ends_on=run.ends_on, cutoff=run.cutoff
    )
    items = list(run.scheme.items.select_related("rule", "section").order_by("section__order", "order", "pk"))
    out = []
    for n, scheme_item in enumerate(items):
        rule = scheme_item.rule
        maximum = Decimal(scheme_item.points)
        if rule.kind == rules.Kind.MANUAL or not rules.is_available(rule.kind):
            out.append((scheme_item, dict.fromkeys(unit_ids), []))
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
        out.append((scheme_item, computed, result.facts))
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
    unit_ids = run_units(run)
    evaluated = evaluate(run, unit_ids, progress)
    if UnitScore.objects.filter(run=run).exists():  # a retry after a crash: start again
        ScoreFact.objects.filter(run=run).delete()
        UnitScore.objects.filter(run=run).delete()
    totals = dict.fromkeys(unit_ids, Decimal(0))
    automatic = dict.fromkeys(unit_ids, Decimal(0))
    for _scheme_item, computed, _facts in evaluated:
        for unit_id, value in computed.items():
            if value is not None:
                totals[unit_id] += value
                automatic[unit_id] += value
    scores = UnitScore.objects.bulk_create(
        [UnitScore(run=run, unit_id=u, total=totals[u], automatic=automatic[u]) for u in unit_ids], batch_size=BATCH
    )
    score_of = {s.unit_id: s.pk for s in scores}
    fact_counts: dict[tuple[int, int], int] = {}
    facts = []
    for scheme_item, _computed, item_facts in evaluated:
        for unit_id, kind, object_id, label, points in item_facts:
            key = (unit_id, scheme_item.pk)
            fact_counts[key] = fact_counts.get(key, 0) + 1
            facts.append((run.pk, unit_id, scheme_item.pk, kind, object_id, label, points))
    ItemScore.objects.bulk_create(
        [
            ItemScore(
                unit_score_id=score_of[unit_id],
                scheme_item_id=scheme_item.pk,
                computed=value,
                points=value or Decimal(0),
                facts=fact_counts.get((unit_id, scheme_item.pk), 0),
            )
            for scheme_item, computed, _facts in evaluated
            for unit_id, value in computed.items()
        ],
        batch_size=BATCH,
    )
    if progress:
        progress(80)
    insert_facts(facts)
    if progress:
        progress(95)
    rank(run)


def insert_facts(rows: list[tuple]) -> None:
    """The facts in one ``executemany`` (a run writes hundreds of thousands: ``bulk_create``'s work per object
    and its RETURNING of ids nobody reads cost more than the inserts)."""
    if not rows:
        return
    names = ["run_id", "unit_id", "scheme_item_id", "kind", "object_id", "label", "points"]
    meta = ScoreFact._meta
    points = meta.get_field("points")
    qn = connection.ops.quote_name
    sql = (
        f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(meta.get_field(n).column) for n in names)}) "
        f"VALUES ({', '.join(['%s'] * len(names))})"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(
                sql, [(*row[:6], points.get_db_prep_save(row[6], connection)) for row in rows[start : start + BATCH]]
            )


def tie_key(score: UnitScore):
    """The stated tie rule: the higher score first; equal scores, the higher automatic points (facts before
    judgement); still equal, the unit's place in the org tree (and they share the rank)."""
    return (-score.total, -score.automatic)


def rank(run: ScoringRun) -> None:
    """Ranks within the run (one kind of unit) and grades by the scheme's bands and its quota of 优秀."""
    scheme = run.scheme
    scores = list(UnitScore.objects.filter(run=run).select_related("unit").order_by("unit__path"))
    scores.sort(key=tie_key)
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
    UnitScore.objects.bulk_update(scores, ["rank", "grade"], batch_size=BATCH)


def refresh_unit(unit_score: UnitScore) -> None:
    """A unit's total again from its item scores (after a manual score or an approved adjustment), then ranks."""
    agg = ItemScore.objects.filter(unit_score=unit_score).aggregate(t=Sum("points"))
    unit_score.total = agg["t"] or Decimal(0)
    unit_score.save(update_fields=["total"])
    rank(unit_score.run)
