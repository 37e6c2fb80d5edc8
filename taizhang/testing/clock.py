"""The frozen clock in tests (taizhang/conftest.py): helpers that pick a moment a test needs."""

import datetime

from django.utils import timezone


def into_open_week(campaign, clock):
    """The campaign's next weekly period, with the clock moved into it if it has not started yet.

    Between Friday 17:00 (this week is due) and Saturday (the next week starts) no week is open
    for writing; a test that writes into "the current week" then runs on Saturday at 09:00.
    """
    from taizhang.reporting.models import ReportingPeriod
    from taizhang.reporting.periods import TZ, generate_periods

    generate_periods(campaign)
    upcoming = (
        ReportingPeriod.objects.filter(campaign=campaign, kind=ReportingPeriod.Kind.WEEKLY, due_at__gt=timezone.now())
        .order_by("due_at")
        .first()
    )
    if upcoming.starts_on > timezone.localdate():
        clock.move_to(datetime.datetime.combine(upcoming.starts_on, datetime.time(9), tzinfo=TZ), tick=True)
    return upcoming
