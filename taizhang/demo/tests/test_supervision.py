"""The demo's supervision: a responsibility grid with a gap or two, visits at contact points, instructions in every state."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from taizhang.campaigns.models import Campaign
from taizhang.demo import supervision as supervision_demo
from taizhang.demo.ledger import CAMPAIGN_SLUG
from taizhang.people.models import Channel, Demand
from taizhang.supervision.models import Assignment, Instruction, Visit
from taizhang.supervision.queries import grid, unvisited_contact_points

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo", stdout=StringIO())
        yield Campaign.objects.get(slug=CAMPAIGN_SLUG)
        transaction.set_rollback(True)


def test_the_demo_has_a_grid_visits_and_instructions_in_every_state(demo):
    assert Assignment.objects.filter(campaign=demo).count() >= 8
    rows = grid(demo, root=None)
    assert any(row.holders.get("first") for row in rows)
    assert Visit.objects.filter(campaign=demo).count() == 2
    assert Demand.objects.filter(campaign=demo, channel=Channel.VISIT, status="new").count() >= 3
    assert list(unvisited_contact_points(demo))
    states = set(Instruction.objects.filter(campaign=demo).values_list("state", flat=True))
    assert states == {"pending", "answered", "done"}
    assert supervision_demo.build(demo) == 0  # a second run changes nothing
