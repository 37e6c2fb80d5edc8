"""The demo's assessment: two schemes, a scored quarter with adjustments, an objection, a frozen result,
rewards and penalties; a second build adds nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from taizhang.assessment.models import (
    Adjustment,
    AssessmentScheme,
    ItemFacts,
    ItemScore,
    Objection,
    PenaltyAction,
    ScoringRun,
)
from taizhang.campaigns.models import Campaign
from taizhang.demo import assessment as demo
from taizhang.demo.ledger import CAMPAIGN_SLUG

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo", stdout=StringIO())
        yield Campaign.objects.get(slug=CAMPAIGN_SLUG)
        transaction.set_rollback(True)


def test_demo_scores_a_quarter_for_departments_and_subsidiaries(built):
    schemes = AssessmentScheme.objects.filter(campaign=built)
    assert set(schemes.values_list("unit_kind", flat=True)) == {"department", "subsidiary"}
    assert all(s.total == 100 and s.is_frozen for s in schemes)
    runs = ScoringRun.objects.filter(campaign=built)
    assert runs.count() == 2 and all(r.status == ScoringRun.Status.DONE for r in runs)
    assert runs.filter(frozen_at__isnull=False).count() == 1
    assert ItemFacts.objects.filter(run__in=runs).exists()
    assert ItemScore.objects.filter(unit_score__run__in=runs).exclude(manual_reason="").exists()
    assert Adjustment.objects.filter(state=Adjustment.State.APPROVED).exists()
    assert Adjustment.objects.filter(state=Adjustment.State.PROPOSED).exists()
    assert Objection.objects.filter(state=Objection.State.ANSWERED).exists()
    assert Objection.objects.filter(state=Objection.State.OPEN).exists()
    frozen = runs.get(frozen_at__isnull=False)
    assert frozen.nominations.exists() or PenaltyAction.objects.filter(run=frozen).exists()


def test_a_second_build_adds_nothing(built):
    before = ScoringRun.objects.count(), Adjustment.objects.count()
    demo.build(built)
    assert (ScoringRun.objects.count(), Adjustment.objects.count()) == before
