"""The demo's reporting history: periods, on time, late, missing, returned — and idempotent."""

import datetime

from django.utils import timezone

from taizhang.demo import reporting as demo
from taizhang.history.models import HistoryEntry
from taizhang.reporting.models import ReportingPeriod, UnitReport
from taizhang.reporting.queries import Cell, board, missed_reports_by_unit
from taizhang.testing.factories import make_item, make_unit


def test_demo_reporting_history_has_every_kind_of_cell_and_is_built_once(people, items, org, campaign):
    made = demo.build(campaign)
    assert made > 0
    assert ReportingPeriod.objects.filter(campaign=campaign, kind="weekly").exists()
    reports = UnitReport.objects.filter(period__campaign=campaign)
    assert reports.count() == made
    assert reports.filter(is_late=True).exists() and reports.filter(is_late=False).exists()
    assert reports.filter(status=UnitReport.Status.ACCEPTED).exists()
    assert reports.filter(period__kind="monthly").exclude(results="").exists()
    # A quarter already due has its 季度讲评 reports too (a liaison's list showed every quarter 漏报).
    if ReportingPeriod.objects.filter(campaign=campaign, kind="quarterly", due_at__lte=timezone.now()).exists():
        assert reports.filter(period__kind="quarterly").exists()
    assert not reports.filter(submitted_at__gt=timezone.now()).exists()
    data = board(campaign)
    states = {state for row in data["rows"] for _p, _r, state in row.cells}
    assert {Cell.ON_TIME, Cell.MISSING} <= states
    # Reports are written by the unit's liaison (or one above it); the hospital has none, so the office.
    assert set(reports.filter(unit=org["hr"]).values_list("submitted_by", flat=True)) == {people["bob"].pk}
    assert HistoryEntry.objects.filter(object_id__in=reports.values("pk")).count() >= made
    # Two expected units fall silent: missed reports in a row for the lights.
    missed = missed_reports_by_unit(campaign, timezone.localdate())
    assert max(missed.values()) >= 3


def test_the_units_falling_silent_have_a_liaison_of_their_own_not_a_parents(people, items, org, campaign):
    """A sub-unit reported by its parent's liaison does not go silent while the parent reports (SW-032 read as
    red for missed reports its unit had sent)."""
    child = make_unit("人力资源部一科", parent=org["hr"])
    make_item(campaign, child, due=campaign.ends_on)
    demo.build(campaign)
    missed = missed_reports_by_unit(campaign, timezone.localdate())
    assert missed[org["hr"].pk] >= 3  # bob's own unit: its liaison went quiet
    assert missed[child.pk] < 3 and missed[org["hospital"].pk] < 3  # written by bob above it, by the office


def test_the_demo_reports_the_quarters_already_due(people, items, campaign):
    later = timezone.make_aware(
        datetime.datetime.combine(campaign.ends_on + datetime.timedelta(days=30), datetime.time(12))
    )
    demo.build(campaign, now=later)
    quarters = ReportingPeriod.objects.filter(campaign=campaign, kind="quarterly", due_at__lte=later)
    assert quarters.exists()
    assert UnitReport.objects.filter(period__in=quarters).count() >= quarters.count()
