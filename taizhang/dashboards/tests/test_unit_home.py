"""A liaison's home: their own unit's open items by deadline, overdue first, and this week's report."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from taizhang.dashboards.unit_home import PER_PAGE
from taizhang.ledger import actions
from taizhang.ledger.actions import refresh_lights
from taizhang.testing.factories import make_item

pytestmark = pytest.mark.django_db


def unit_home(client, campaign, **params):
    return client.get(reverse("dashboards:unit_home", args=[campaign.slug]), params)


def codes(response) -> list[str]:
    return [item.code for item in response.context["page"]]


def test_a_liaison_sees_only_their_units_open_items_overdue_first_and_no_deadline_last(
    login, people, items, campaign, org
):
    today = timezone.localdate()
    make_item(campaign, org["hr"], code="HQ-005", title="长期关爱", due_text="长期坚持")
    make_item(campaign, org["hr"], code="HQ-006", title="本周完成", due=today + datetime.timedelta(days=2))
    done = make_item(campaign, org["hr"], code="HQ-007", title="已完成", due=today - datetime.timedelta(days=30))
    actions.add_progress(done, percent=100, done="完成", acting_user=people["bob"])
    refresh_lights(campaign)

    response = unit_home(login(people["bob"]), campaign)

    assert response.status_code == 200
    # HQ-004 is 12 days overdue; HQ-006 due in two days; HQ-003 in 30; the ongoing one last; the completed one gone.
    assert codes(response) == ["HQ-004", "HQ-006", "HQ-003", "HQ-005"]
    figures = response.context["figures"]
    assert (figures["total"], figures["overdue"], figures["this_week"]) == (4, 1, 1)
    body = response.content.decode()
    assert "优化OA系统" not in body, "another unit's item"
    assert 'id="week-report"' in body


def test_the_weekly_report_state_shows_on_the_home(login, people, items, campaign, org):
    from taizhang.reporting.models import ReportingPeriod

    today = timezone.localdate()
    period = ReportingPeriod.objects.filter(
        campaign=campaign, kind=ReportingPeriod.Kind.WEEKLY, starts_on__lte=today, ends_on__gte=today
    ).first()
    response = unit_home(login(people["bob"]), campaign)
    report = response.context["report"]
    if period is None:
        assert report is None
    else:
        assert report["period"] == period and report["state"] in ("pending", "missing")
        assert report["url"] in response.content.decode()


def test_the_home_pages_a_long_list(login, people, campaign, org):
    today = timezone.localdate()
    for n in range(PER_PAGE + 3):
        make_item(campaign, org["hr"], code=f"HR-{n:03d}", title=f"事项{n}", due=today + datetime.timedelta(days=n))
    client = login(people["bob"])
    first, second = unit_home(client, campaign), unit_home(client, campaign, page=2)
    assert len(codes(first)) == PER_PAGE and codes(first)[0] == "HR-000"
    assert codes(second) == ["HR-050", "HR-051", "HR-052"]


def test_only_liaisons_have_a_unit_home_and_only_of_their_own_units(login, people, campaign, org):
    assert unit_home(login(people["olivia"]), campaign).status_code == 403
    assert unit_home(login(people["leo"]), campaign).status_code == 403
    assert unit_home(login(people["bob"]), campaign, unit=org["office_dept"].pk).status_code == 400
    assert unit_home(login(people["bob"]), campaign, unit="x").status_code == 400


def test_this_weeks_report_is_named_as_people_read_it_not_by_its_key(login, people, items, campaign, org):
    """The walk saw "本周报送 · 2026-W49" on a liaison's home: the period's name, as the report pages have it."""
    from taizhang.reporting.models import ReportingPeriod
    from taizhang.reporting.periods import generate_periods

    generate_periods(campaign)
    today = timezone.localdate()
    period = ReportingPeriod.objects.filter(
        campaign=campaign, kind=ReportingPeriod.Kind.WEEKLY, starts_on__lte=today, ends_on__gte=today
    ).first()
    if period is None:  # the suite's day falls outside the campaign's weeks
        pytest.skip("no weekly period today")
    body = unit_home(login(people["bob"]), campaign).content.decode()
    start = body.index('id="week-report"')
    section = body[start : body.index("</", body.index(" · ", start))]
    assert period.label not in section
    assert period.short_name in section
