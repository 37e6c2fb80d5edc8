import pytest

from taizhang.demo import meetings as demo
from taizhang.meetings.models import AgendaPoint, Decision, Meeting
from taizhang.reporting.periods import generate_periods

pytestmark = pytest.mark.django_db


def test_demo_builds_a_quarterly_review_with_decisions_in_every_state_and_a_planned_meeting(campaign, people, items):
    generate_periods(campaign)
    assert demo.build(campaign) == 2
    review = Meeting.objects.get(kind=Meeting.Kind.QUARTERLY_REVIEW)
    assert review.state == Meeting.State.APPROVED and review.approved_by == people["leo"]
    assert review.points.filter(source=AgendaPoint.Source.RED_ITEMS).exists()
    assert set(review.decisions.values_list("status", flat=True)) == set(Decision.Status.values)
    assert Meeting.objects.get(kind=Meeting.Kind.LEADING_GROUP).state == Meeting.State.PLANNED
    assert demo.build(campaign) == 0  # idempotent
    assert Meeting.objects.count() == 2


def test_the_demo_meetings_are_at_beijing_working_hours(campaign, people, items):
    from django.utils import timezone

    generate_periods(campaign)
    demo.build(campaign)
    hours = {timezone.localtime(m.starts_at).hour for m in Meeting.objects.filter(campaign=campaign)}
    assert hours == {9, 15}
