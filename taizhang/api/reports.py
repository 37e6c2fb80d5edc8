"""Unit reports through the API: the periods, one unit's report for a period, and its submission."""

import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja import Status as Answer

from taizhang.orgs.models import Unit
from taizhang.reporting import actions
from taizhang.reporting.models import ReportingPeriod, UnitReport

from .core import operation, responses
from .schemas import Id, text

router = Router(tags=["reports"])


class PeriodOut(Schema):
    id: int
    kind: str
    label: str
    starts_on: datetime.date
    ends_on: datetime.date
    due_at: datetime.datetime


class PeriodQuery(Schema):
    kind: Literal["weekly", "monthly", "quarterly"] | None = None
    year: int | None = Field(None, ge=1900, le=2999)


class ReportOut(Schema):
    """One unit's report for one period; ``status`` "missing" when the unit has not started one."""

    period: int
    unit: int
    unit_name: str
    status: str
    no_change: bool
    submitted_at: datetime.datetime | None
    is_late: bool
    results: str
    practices: str
    problems: str
    suggestions: str
    return_reason: str


class SubmitIn(Schema):
    """Submit the report: ``no_change`` when nothing moved; a monthly report may carry its summary."""

    no_change: bool = False
    results: text(20000) | None = None
    practices: text(20000) | None = None
    problems: text(20000) | None = None
    suggestions: text(20000) | None = None


@operation(
    router, "GET", "/c/{slug}/periods/", resource="reports", response=responses({200: list[PeriodOut]}, 403, 404)
)
def list_periods(request, slug: str, query: Query[PeriodQuery]):
    """The campaign's reporting periods (weekly, monthly, quarterly), earliest first."""
    periods = ReportingPeriod.objects.filter(campaign=request.campaign).order_by("due_at", "id")
    if query.kind:
        periods = periods.filter(kind=query.kind)
    if query.year:
        periods = periods.filter(starts_on__year=query.year)
    return list(periods)


def _period_and_unit(request, period_id: Id, unit_id: Id):
    period = get_object_or_404(ReportingPeriod, campaign=request.campaign, pk=period_id)
    unit = get_object_or_404(Unit, pk=unit_id)
    if not actions.can_read(request.access, unit):
        raise PermissionDenied(_("You can see only your own unit's reports."))
    return period, unit


def _out(period, unit, report: UnitReport | None) -> dict:
    blank = UnitReport(period=period, unit=unit)
    shown = report or blank
    return {
        "period": period.pk,
        "unit": unit.pk,
        "unit_name": str(unit),
        "status": shown.status if report else "missing",
        "no_change": shown.no_change,
        "submitted_at": shown.submitted_at,
        "is_late": shown.is_late,
        "results": shown.results,
        "practices": shown.practices,
        "problems": shown.problems,
        "suggestions": shown.suggestions,
        "return_reason": shown.return_reason,
    }


@operation(
    router,
    "GET",
    "/c/{slug}/reports/{int:period_id}/{int:unit_id}/",
    resource="reports",
    response=responses({200: ReportOut}, 403, 404),
)
def get_report(request, slug: str, period_id: Id, unit_id: Id):
    """A unit's report for a period (its own line and the overseers read it, as the report page)."""
    period, unit = _period_and_unit(request, period_id, unit_id)
    return _out(period, unit, UnitReport.objects.filter(period=period, unit=unit).first())


@operation(
    router,
    "POST",
    "/c/{slug}/reports/{int:period_id}/{int:unit_id}/submit/",
    resource="reports",
    write=True,
    response=responses({200: ReportOut}, 403, 404, 422),
)
def submit_report(request, slug: str, period_id: Id, unit_id: Id, payload: SubmitIn):
    """Submit (or resubmit) the report, as the report page: ``reporting.actions.submit_report``."""
    period, unit = _period_and_unit(request, period_id, unit_id)
    summary = {name: value for name in UnitReport.SUMMARY_FIELDS if (value := getattr(payload, name)) is not None}
    with transaction.atomic():  # a refused submission keeps no summary it brought
        if summary and period.is_monthly and not payload.no_change:
            actions.save_summary(
                actions.start_report(period, unit, acting_user=request.user), data=summary, acting_user=request.user
            )
        report = actions.start_report(period, unit, acting_user=request.user)
        report = actions.submit_report(report, acting_user=request.user, no_change=payload.no_change)
    return Answer(200, _out(period, unit, report))
