"""Unit reports through the API: read by the unit's line and the overseers, submitted through reporting's action."""

import pytest

from taizhang.api.models import ApiToken
from taizhang.reporting.models import ReportingPeriod, UnitReport
from taizhang.reporting.periods import generate_periods

pytestmark = pytest.mark.django_db


@pytest.fixture
def week(campaign):
    from django.utils import timezone

    generate_periods(campaign)
    weeks = ReportingPeriod.objects.filter(campaign=campaign, kind="weekly", due_at__lte=timezone.now())
    return weeks.order_by("due_at").last()


def url(campaign, week, unit, tail=""):
    return f"/api/v1/c/{campaign.slug}/reports/{week.pk}/{unit.pk}/{tail}"


def test_the_units_liaison_submits_no_change_and_reads_it_back(people, org, campaign, week, token_for):
    api = token_for(people["lily"])
    assert api.get(url(campaign, week, org["office_dept"])).json()["status"] == "missing"
    response = api.post(url(campaign, week, org["office_dept"], "submit/"), {"no_change": True})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted"
    assert UnitReport.objects.get(period=week, unit=org["office_dept"]).no_change


def test_a_second_submission_is_422_and_changes_nothing(people, org, campaign, week, token_for):
    api = token_for(people["lily"])
    api.post(url(campaign, week, org["office_dept"], "submit/"), {"no_change": True})
    again = api.post(url(campaign, week, org["office_dept"], "submit/"), {"no_change": True})
    assert again.status_code == 422
    assert again["Content-Type"] == "application/problem+json"


def test_silence_is_not_a_report(people, org, campaign, week, token_for):
    response = token_for(people["lily"]).post(url(campaign, week, org["office_dept"], "submit/"), {})
    assert response.status_code == 422
    assert not UnitReport.objects.filter(period=week, unit=org["office_dept"]).exists()  # nothing half-written


def test_another_units_liaison_neither_reads_nor_submits(people, org, campaign, week, token_for):
    api = token_for(people["bob"])
    assert api.get(url(campaign, week, org["office_dept"])).status_code == 403
    assert api.post(url(campaign, week, org["office_dept"], "submit/"), {"no_change": True}).status_code == 403


def test_periods_are_listed_by_kind(people, campaign, week, token_for):
    response = token_for(people["leo"], ApiToken.Scope.READ).get(
        f"/api/v1/c/{campaign.slug}/periods/", {"kind": "monthly"}
    )
    assert response.status_code == 200
    assert {row["kind"] for row in response.json()} == {"monthly"}
