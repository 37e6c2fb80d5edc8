import pytest
from django.utils import timezone

from taizhang.demo import inspections as demo
from taizhang.inspections.models import Finding, Inspection, RectificationEvidence, Round
from taizhang.ledger.models import Light
from taizhang.orgs.actions import grant_role
from taizhang.orgs.models import Role
from taizhang.testing.factories import make_user

pytestmark = pytest.mark.django_db


def test_demo_builds_two_rounds_with_findings_in_every_state(campaign, people, items):
    grant_role(user=make_user("ivan", name="尹督查"), campaign=campaign, role=Role.INSPECTOR)
    made = demo.build(campaign)
    assert made == 6
    assert Round.objects.count() == 2 and Inspection.objects.count() == 4
    states = set(Finding.objects.values_list("state", flat=True))
    assert states == set(Finding.State.values)
    assert Finding.objects.filter(item__isnull=True).exists()
    assert RectificationEvidence.objects.exists()
    overdue = Finding.objects.filter(state=Finding.State.OPEN, deadline__lt=timezone.localdate()).exclude(item=None)
    assert any(f.item.light == Light.RED for f in overdue)
    assert demo.build(campaign) == 0  # idempotent
    assert Finding.objects.count() == 6
