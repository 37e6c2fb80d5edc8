"""Periods follow the campaign's rhythm, in Asia/Shanghai time."""

import datetime
import itertools
from zoneinfo import ZoneInfo

from taizhang.reporting.models import ReportingPeriod
from taizhang.reporting.periods import generate_periods
from taizhang.testing.factories import make_campaign

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_weekly_periods_are_due_friday_17_shanghai_and_cover_the_campaign(db):
    campaign = make_campaign(starts_on=datetime.date(2021, 3, 1), ends_on=datetime.date(2021, 12, 31))
    generate_periods(campaign)
    weekly = list(ReportingPeriod.objects.filter(campaign=campaign, kind="weekly").order_by("starts_on"))
    first, last = weekly[0], weekly[-1]
    assert first.ends_on == datetime.date(2021, 3, 5)  # the first Friday
    assert first.due_at == datetime.datetime(2021, 3, 5, 17, tzinfo=SHANGHAI)
    assert first.label == "2021-W09"
    assert last.starts_on <= datetime.date(2021, 12, 31) <= last.ends_on
    assert all(b.starts_on - a.starts_on == datetime.timedelta(days=7) for a, b in itertools.pairwise(weekly))


def test_monthly_due_on_the_campaign_day_of_next_month_and_quarterly_in_the_month_after(db):
    campaign = make_campaign(
        starts_on=datetime.date(2021, 3, 1), ends_on=datetime.date(2021, 12, 31), monthly_report_day=5
    )
    generate_periods(campaign)
    march = ReportingPeriod.objects.get(campaign=campaign, kind="monthly", starts_on=datetime.date(2021, 3, 1))
    assert march.ends_on == datetime.date(2021, 3, 31)
    assert march.due_at.astimezone(SHANGHAI).date() == datetime.date(2021, 4, 5)
    assert ReportingPeriod.objects.filter(campaign=campaign, kind="monthly").count() == 10
    quarters = ReportingPeriod.objects.filter(campaign=campaign, kind="quarterly").order_by("starts_on")
    assert [q.label for q in quarters] == ["2021-Q1", "2021-Q2", "2021-Q3", "2021-Q4"]
    assert quarters[0].due_at.astimezone(SHANGHAI).date() == datetime.date(2021, 4, 15)


def test_generating_twice_creates_nothing_new_and_future_periods_follow_a_changed_rhythm(db):
    campaign = make_campaign(starts_on=datetime.date(2021, 3, 1), ends_on=datetime.date(2021, 6, 30))
    created = generate_periods(campaign, now=datetime.datetime(2021, 2, 1, tzinfo=SHANGHAI))
    assert created == ReportingPeriod.objects.count()
    assert generate_periods(campaign, now=datetime.datetime(2021, 2, 1, tzinfo=SHANGHAI)) == 0
    campaign.weekly_report_weekday = 3
    campaign.weekly_report_hour = 16
    campaign.save()
    # Mid-April: periods already due keep their Friday; later ones move to Thursday 16:00.
    generate_periods(campaign, now=datetime.datetime(2021, 4, 15, tzinfo=SHANGHAI))
    weekly = ReportingPeriod.objects.filter(campaign=campaign, kind="weekly").order_by("due_at")
    due_days = [(p.due_at.astimezone(SHANGHAI).date(), p.due_at.astimezone(SHANGHAI).hour) for p in weekly]
    assert (datetime.date(2021, 4, 9), 17) in due_days  # a past Friday stays
    assert (datetime.date(2021, 4, 16), 17) not in due_days  # a future Friday is gone
    assert (datetime.date(2021, 4, 22), 16) in due_days  # Thursday 16:00 instead
    assert (datetime.date(2021, 4, 8), 16) not in due_days  # no past Thursday overlapping a past Friday


def test_a_new_rhythm_never_makes_a_period_overdue_at_once(db):
    """On the 5th, moving the monthly due day from the 10th to the 3rd must not make last month's report late."""
    campaign = make_campaign(
        starts_on=datetime.date(2021, 3, 1), ends_on=datetime.date(2021, 12, 31), monthly_report_day=10
    )
    generate_periods(campaign, now=datetime.datetime(2021, 2, 1, tzinfo=SHANGHAI))
    campaign.monthly_report_day = 3
    campaign.save()
    generate_periods(campaign, now=datetime.datetime(2021, 4, 5, 9, tzinfo=SHANGHAI))
    march = ReportingPeriod.objects.get(campaign=campaign, kind="monthly", starts_on=datetime.date(2021, 3, 1))
    april = ReportingPeriod.objects.get(campaign=campaign, kind="monthly", starts_on=datetime.date(2021, 4, 1))
    assert march.due_at.astimezone(SHANGHAI).date() == datetime.date(2021, 4, 10)  # kept: the 3rd has passed
    assert april.due_at.astimezone(SHANGHAI).date() == datetime.date(2021, 5, 3)  # follows the new rhythm
