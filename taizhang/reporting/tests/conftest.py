import pytest
from django.utils import timezone

from taizhang.reporting.models import ReportingPeriod
from taizhang.reporting.periods import generate_periods


@pytest.fixture
def periods(campaign):
    generate_periods(campaign)
    now = timezone.now()
    weekly = ReportingPeriod.objects.filter(campaign=campaign, kind=ReportingPeriod.Kind.WEEKLY)
    monthly = ReportingPeriod.objects.filter(campaign=campaign, kind=ReportingPeriod.Kind.MONTHLY)
    return {
        "past_week": weekly.filter(due_at__lte=now).order_by("-due_at").first(),
        "current_week": weekly.filter(due_at__gt=now).order_by("due_at").first(),
        "past_month": monthly.filter(due_at__lte=now).order_by("-due_at").first(),
        "current_month": monthly.filter(due_at__gt=now).order_by("due_at").first(),
    }
