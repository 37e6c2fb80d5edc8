"""Reporting periods (keyed language-neutrally: 2026-W05, 2026-03, 2026-Q1; named by lib.periods) generated from a campaign's rhythm (Asia/Shanghai).

- weekly: the seven days ending on the campaign's report weekday, due that day at its hour;
- monthly: a calendar month, due on ``monthly_report_day`` of the next month at the same hour;
- quarterly: a calendar quarter, due on the 15th of the month after it (the review month).
"""

import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from taizhang.lib.periods import month_key, quarter_key, week_key

from .models import ReportingPeriod

TZ = ZoneInfo("Asia/Shanghai")
QUARTERLY_DUE_DAY = 15


def _due(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=TZ)


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def rhythm(campaign) -> list[dict]:
    """Every period the campaign's settings call for, as field dicts."""
    periods = []
    hour = campaign.weekly_report_hour
    due_day = campaign.starts_on + datetime.timedelta(
        days=(campaign.weekly_report_weekday - campaign.starts_on.weekday()) % 7
    )
    while due_day - datetime.timedelta(days=6) <= campaign.ends_on:
        start = due_day - datetime.timedelta(days=6)
        periods.append(
            {
                "kind": ReportingPeriod.Kind.WEEKLY,
                "starts_on": start,
                "ends_on": due_day,
                "due_at": _due(due_day, hour),
                "label": week_key(due_day),
            }
        )
        due_day += datetime.timedelta(days=7)
    month = campaign.starts_on.replace(day=1)
    while month <= campaign.ends_on:
        following = _next_month(month)
        periods.append(
            {
                "kind": ReportingPeriod.Kind.MONTHLY,
                "starts_on": month,
                "ends_on": following - datetime.timedelta(days=1),
                "due_at": _due(following.replace(day=campaign.monthly_report_day), hour),
                "label": month_key(month),
            }
        )
        month = following
    quarter = campaign.starts_on.replace(month=(campaign.starts_on.month - 1) // 3 * 3 + 1, day=1)
    while quarter <= campaign.ends_on:
        following = _next_month(_next_month(_next_month(quarter)))
        periods.append(
            {
                "kind": ReportingPeriod.Kind.QUARTERLY,
                "starts_on": quarter,
                "ends_on": following - datetime.timedelta(days=1),
                "due_at": _due(following.replace(day=QUARTERLY_DUE_DAY), hour),
                "label": quarter_key(quarter),
            }
        )
        quarter = following
    return periods


@transaction.atomic
def generate_periods(campaign, *, now: datetime.datetime | None = None) -> int:
    """Create the missing periods; returns how many were created.

    When the rhythm changes, periods not yet due follow it (those no longer called for are removed
    unless a unit already wrote on them); periods already due stay as they were.
    """
    now = now or timezone.now()
    wanted = rhythm(campaign)
    keys = {(f["kind"], f["starts_on"]) for f in wanted}
    stale = ReportingPeriod.objects.filter(campaign=campaign, due_at__gt=now, reports__isnull=True)
    for period in stale:
        if (period.kind, period.starts_on) not in keys:
            period.delete()
    existing = {(p.kind, p.starts_on): p for p in ReportingPeriod.objects.filter(campaign=campaign)}
    created = 0
    for fields in wanted:
        current = existing.get((fields["kind"], fields["starts_on"]))
        if current is None:
            overlaps = any(
                p.kind == fields["kind"] and p.starts_on <= fields["ends_on"] and fields["starts_on"] <= p.ends_on
                for p in existing.values()
            )
            if fields["due_at"] <= now and overlaps:
                continue  # a past period stays as it was; the new rhythm does not rewrite history
            ReportingPeriod.objects.create(campaign=campaign, **fields)
            created += 1
        elif (
            current.due_at > now
            and fields["due_at"] > now  # a new rhythm never makes a period already overdue
            and (current.due_at, current.ends_on) != (fields["due_at"], fields["ends_on"])
        ):
            ReportingPeriod.objects.filter(pk=current.pk).update(
                due_at=fields["due_at"], ends_on=fields["ends_on"], label=fields["label"]
            )
    return created


def opens_at(period: ReportingPeriod) -> datetime.datetime:
    """When the period's report opens: its first day, or the previous deadline if that is earlier.

    After Friday 17:00 the week's report is due and what a unit does next is next week's: progress recorded on
    Friday evening belongs to the week that starts on Saturday, whose report can be written from then on.
    """
    first_day = datetime.datetime.combine(period.starts_on, datetime.time(), tzinfo=TZ)
    length = period.ends_on - period.starts_on + datetime.timedelta(days=1)
    return min(first_day, period.due_at - length)


# A statistics sheet is taken for the current week and the few before it (a late report is still a report);
# a week further back is closed to sheets, so is one not yet started (the report page still shows them).
SHEET_WEEKS_BACK = 4


def open_periods(campaign, *, now: datetime.datetime | None = None):
    """The campaign's weekly periods that take a statistics sheet now (opened, see ``opens_at``), the newest first."""
    now = now or timezone.now()
    week = datetime.timedelta(weeks=1)  # a weekly period opens at the previous deadline, a week before its own
    return ReportingPeriod.objects.filter(
        campaign=campaign,
        kind=ReportingPeriod.Kind.WEEKLY,
        due_at__lte=now + week,
        due_at__gt=now - SHEET_WEEKS_BACK * week,
    ).order_by("-starts_on")


def period_choices(campaign) -> list[tuple[str, str]]:
    """The open weekly periods as (key, name), the current first: what a progress entry is filed under."""
    return [(p.label, p.name) for p in open_periods(campaign)]
