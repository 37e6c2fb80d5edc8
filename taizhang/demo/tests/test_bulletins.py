import pytest

from taizhang.bulletins.models import Bulletin, Practice
from taizhang.demo import bulletins as demo

pytestmark = pytest.mark.django_db


def test_demo_builds_a_dozen_cases_two_models_three_published_issues_and_one_in_preparation(campaign, people):
    assert demo.build(campaign) == 12
    cases = Practice.objects.filter(campaign=campaign)
    assert cases.count() == 12 and cases.filter(is_model=True).count() == 2
    assert all(p.photos.exists() for p in cases)
    issues = Bulletin.objects.filter(campaign=campaign)
    assert issues.filter(status=Bulletin.Status.PUBLISHED).count() == 3
    assert issues.filter(status=Bulletin.Status.DRAFT).count() == 1
    assert all(b.frozen_figures for b in issues.filter(status=Bulletin.Status.PUBLISHED))
    assert demo.build(campaign) == 0  # idempotent
    assert Practice.objects.filter(campaign=campaign).count() == 12
