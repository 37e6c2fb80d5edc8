import pytest
from django.utils import timezone

from taizhang.reporting.models import ReportingPeriod
from taizhang.testing.clock import into_open_week


@pytest.fixture
def periods(campaign, _clock_at_test_start):
    """The weeks and months around now; the current week has started and is not yet due."""
    current_week = into_open_week(campaign, _clock_at_test_start)
    now = timezone.now()
    weekly = ReportingPeriod.objects.filter(campaign=campaign, kind=ReportingPeriod.Kind.WEEKLY)
    monthly = ReportingPeriod.objects.filter(campaign=campaign, kind=ReportingPeriod.Kind.MONTHLY)
    return {
        "past_week": weekly.filter(due_at__lte=now).order_by("-due_at").first(),
        "current_week": current_week,
        "past_month": monthly.filter(due_at__lte=now).order_by("-due_at").first(),
        "current_month": monthly.filter(due_at__gt=now).order_by("due_at").first(),
    }
