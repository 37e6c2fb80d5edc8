"""Assessment scores (考核结果) through the API, read only: the same rights as the assessment pages.

The ranking of a run is for the overseers (office, leaders, inspectors, assessors); one unit's breakdown
also for that unit's own liaisons once the office has opened the review (``assessment.access``).
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from taizhang.assessment import access as rights
from taizhang.assessment.models import ItemScore, ScoringRun, UnitScore

from .core import decode_cursor, encode_cursor, operation, responses
from .schemas import Id, text

router = Router(tags=["scores"])


class RunOut(Schema):
    id: int
    scheme: int
    scheme_name: str
    unit_kind: str
    label: str
    starts_on: datetime.date
    ends_on: datetime.date
    status: str
    review_until: datetime.date | None
    frozen_at: datetime.datetime | None


class UnitScoreOut(Schema):
    unit: int
    unit_name: str
    total: str
    automatic: str
    rank: int
    grade: str


class UnitScorePage(Schema):
    scores: list[UnitScoreOut]
    next_cursor: str | None = Field(None, description="Pass as ?cursor= for the next page; null on the last one.")


class ItemScoreOut(Schema):
    scheme_item: int
    section: str
    title: str
    maximum: str
    computed: str | None
    adjusted: str
    points: str


class UnitBreakdownOut(UnitScoreOut):
    run: int
    items: list[ItemScoreOut]


class PageQuery(Schema):
    cursor: text(2000) | None = None
    limit: int = Field(100, ge=1, le=500)


def _require_results(request) -> None:
    if not rights.can_read_results(request.access):
        raise PermissionDenied(_("Only the office, leaders, inspectors and assessors read assessments."))


def _run(request, run_id: int) -> ScoringRun:
    return get_object_or_404(ScoringRun.objects.select_related("scheme"), campaign=request.campaign, pk=run_id)


def run_out(run: ScoringRun) -> dict:
    return {
        "id": run.pk,
        "scheme": run.scheme_id,
        "scheme_name": run.scheme.name,
        "unit_kind": run.scheme.unit_kind,
        "label": run.label,
        "starts_on": run.starts_on,
        "ends_on": run.ends_on,
        "status": run.status,
        "review_until": run.review_until,
        "frozen_at": run.frozen_at,
    }


def unit_score_out(score: UnitScore) -> dict:
    return {
        "unit": score.unit_id,
        "unit_name": str(score.unit),
        "total": str(score.total),
        "automatic": str(score.automatic),
        "rank": score.rank,
        "grade": score.grade,
    }


@operation(router, "GET", "/c/{slug}/scores/", resource="scores", response=responses({200: list[RunOut]}, 403, 404))
def list_runs(request, slug: str):
    """The campaign's scoring runs, newest first (a few a year: no paging)."""
    _require_results(request)
    runs = ScoringRun.objects.filter(campaign=request.campaign).select_related("scheme")
    return [run_out(run) for run in runs.order_by("-ends_on", "-pk")]


@operation(
    router,
    "GET",
    "/c/{slug}/scores/{int:run_id}/",
    resource="scores",
    response=responses({200: UnitScorePage}, 400, 403, 404),
)
def list_unit_scores(request, slug: str, run_id: Id, query: Query[PageQuery]):
    """A run's ranking (rank, then the unit tree's order), by cursor; empty until the run is computed."""
    _require_results(request)
    run = _run(request, run_id)
    scores = UnitScore.objects.filter(run=run).select_related("unit").order_by("rank", "unit__path")
    if run.status != ScoringRun.Status.DONE:
        scores = scores.none()
    if query.cursor:
        values = decode_cursor(query.cursor)
        if len(values) != 2 or not isinstance(values[0], int) or not isinstance(values[1], str):
            raise HttpError(400, _("The cursor cannot be read: use the next_cursor of the page before."))
        rank, path = values
        scores = scores.filter(rank__gte=rank).exclude(rank=rank, unit__path__lte=path)
    rows = list(scores[: query.limit + 1])
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    return {
        "scores": [unit_score_out(score) for score in rows],
        "next_cursor": encode_cursor([rows[-1].rank, rows[-1].unit.path]) if more else None,
    }


@operation(
    router,
    "GET",
    "/c/{slug}/scores/{int:run_id}/units/{int:unit_id}/",
    resource="scores",
    response=responses({200: UnitBreakdownOut}, 403, 404),
)
def get_unit_score(request, slug: str, run_id: Id, unit_id: Id):
    """One unit's points item by item (the overseers; the unit's own liaisons once the review is open)."""
    run = _run(request, run_id)
    score = get_object_or_404(UnitScore.objects.select_related("unit"), run=run, unit_id=unit_id)
    if not rights.can_read_unit(request.access, run, score.unit):
        raise PermissionDenied(_("You cannot read this unit's assessment."))
    items = (
        ItemScore.objects.filter(unit_score=score)
        .select_related("scheme_item__section")
        .order_by("scheme_item__section__order", "scheme_item__order", "scheme_item_id")
    )
    return {
        **unit_score_out(score),
        "run": run.pk,
        "items": [
            {
                "scheme_item": s.scheme_item_id,
                "section": s.scheme_item.section.title,
                "title": s.scheme_item.title,
                "maximum": str(s.scheme_item.points),
                "computed": None if s.computed is None else str(s.computed),
                "adjusted": str(s.adjusted),
                "points": str(s.points),
            }
            for s in items
        ],
    }
