"""The demo's reporting history: periods, on time, late, missing, returned — and idempotent."""

from django.utils import timezone

from taizhang.demo import reporting as demo
from taizhang.history.models import HistoryEntry
from taizhang.reporting.models import ReportingPeriod, UnitReport
from taizhang.reporting.queries import Cell, board, missed_reports_by_unit


def test_demo_reporting_history_has_every_kind_of_cell_and_is_built_once(people, items, org, campaign):
    made = demo.build(campaign)
    assert made > 0
    assert ReportingPeriod.objects.filter(campaign=campaign, kind="weekly").exists()
    reports = UnitReport.objects.filter(period__campaign=campaign)
    assert reports.count() == made
    assert reports.filter(is_late=True).exists() and reports.filter(is_late=False).exists()
    assert reports.filter(status=UnitReport.Status.ACCEPTED).exists()
    assert reports.filter(period__kind="monthly").exclude(results="").exists()
    assert not reports.filter(submitted_at__gt=timezone.now()).exists()
    data = board(campaign)
    states = {state for row in data["rows"] for _p, _r, state in row.cells}
    assert {Cell.ON_TIME, Cell.MISSING} <= states
    # Reports are written by the unit's liaison (or one above it); the hospital has none, so the office.
    assert set(reports.filter(unit=org["hr"]).values_list("submitted_by", flat=True)) == {people["bob"].pk}
    assert HistoryEntry.objects.filter(object_id__in=reports.values("pk")).count() >= made
    # The last expected units fall silent: missed reports in a row for the lights.
    assert max(missed_reports_by_unit(campaign, timezone.localdate()).values()) >= 3
    assert demo.build(campaign) == 0
    assert UnitReport.objects.filter(period__campaign=campaign).count() == made
