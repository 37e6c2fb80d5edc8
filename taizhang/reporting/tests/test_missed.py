"""Reports missed in a row: what the warning lights read."""

import datetime

from taizhang.reporting import actions
from taizhang.reporting.models import ReportingPeriod
from taizhang.reporting.periods import TZ, generate_periods
from taizhang.reporting.queries import missed_reports_by_unit, missed_reports_in_a_row
from taizhang.testing.factories import make_campaign, make_item


def test_missed_reports_count_the_most_recent_due_periods_in_a_row(people, org, items):
    campaign = make_campaign(slug="2022", starts_on=datetime.date(2022, 3, 1), ends_on=datetime.date(2022, 12, 31))
    make_item(campaign, org["hr"], code="X-1")
    make_item(campaign, org["office_dept"], code="X-2")
    from taizhang.orgs.actions import grant_role

    grant_role(user=people["bob"], campaign=campaign, role="liaison", unit=org["hr"])
    generate_periods(campaign)
    weeks = list(ReportingPeriod.objects.filter(campaign=campaign, kind="weekly").order_by("due_at"))
    # bob reports weeks 0-2, misses 3, reports 4 (late), then misses 5, 6, 7.
    for i in (0, 1, 2, 4):
        report = actions.start_report(weeks[i], org["hr"], acting_user=people["bob"])
        late = datetime.timedelta(days=2) if i == 4 else -datetime.timedelta(hours=1)
        actions.submit_report(report, acting_user=people["bob"], no_change=True, now=weeks[i].due_at + late)
    on = weeks[7].due_at.astimezone(TZ).date() + datetime.timedelta(days=1)
    assert missed_reports_in_a_row(org["hr"], campaign, on) == 3
    # On the due day itself the period is not yet missed.
    assert missed_reports_in_a_row(org["hr"], campaign, weeks[7].due_at.astimezone(TZ).date()) == 2
    assert (
        missed_reports_in_a_row(org["hr"], campaign, weeks[4].due_at.astimezone(TZ).date() + datetime.timedelta(days=3))
        == 0
    )
    assert missed_reports_in_a_row(org["office_dept"], campaign, on) == 8
    assert missed_reports_in_a_row(org["hr"], campaign, datetime.date(2022, 3, 1)) == 0
    bulk = missed_reports_by_unit(campaign, on)
    assert bulk == {org["hr"].pk: 3, org["office_dept"].pk: 8}


def test_a_late_report_relights_the_units_items_at_once(people, org):
    """Missed reports turned the item red; the report handed in this morning clears it today, not tonight."""
    from django.utils import timezone

    from taizhang.history.models import HistoryEntry
    from taizhang.ledger.actions import refresh_lights
    from taizhang.ledger.models import Light
    from taizhang.orgs.actions import grant_role

    today = timezone.localdate()
    campaign = make_campaign(
        slug="now", starts_on=today - datetime.timedelta(days=60), ends_on=today + datetime.timedelta(days=300)
    )
    item = make_item(campaign, org["hr"], code="N-1", starts_on=today, due=today + datetime.timedelta(days=200))
    grant_role(user=people["bob"], campaign=campaign, role="liaison", unit=org["hr"])
    generate_periods(campaign)
    refresh_lights(campaign)
    item.refresh_from_db()
    assert (item.light, item.light_code) == (Light.RED, "missed")

    # The latest period the light counts: due before today began (one due at 17:00 today counts from tomorrow).
    start_of_today = datetime.datetime.combine(today, datetime.time(), tzinfo=TZ)
    last_due = (
        ReportingPeriod.objects.filter(campaign=campaign, kind="weekly", due_at__lt=start_of_today)
        .order_by("-due_at")
        .first()
    )
    report = actions.start_report(last_due, org["hr"], acting_user=people["bob"])
    actions.submit_report(report, acting_user=people["bob"], no_change=True)

    item.refresh_from_db()
    assert (item.light, item.light_code) == (Light.GREEN, "on_schedule")
    change = HistoryEntry.objects.filter(object_id=item.pk, action=HistoryEntry.Action.LIGHT).latest("at")
    assert change.changes[0]["new"] == Light.GREEN
