"""Properties: a score never leaves its item's [floor, maximum]; an on-time completion never lowers a score;
once frozen, every write fails and nothing changes."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taizhang.assessment import actions, scoring
from taizhang.assessment.models import Adjustment, ItemScore, ScoringRun
from taizhang.ledger.models import Status
from taizhang.testing.factories import make_item

from .conftest import run_scheme

pytestmark = pytest.mark.django_db
points = st.decimals(min_value=-50, max_value=50, places=2, allow_nan=False, allow_infinity=False)


class Item:
    def __init__(self, floor, maximum, bonus=False):
        self.floor, self.points, self.allows_bonus = floor, maximum, bonus


FAST = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(computed=points, adjusted=points, floor=st.integers(0, 5), span=st.integers(0, 20))
def test_points_stay_within_floor_and_maximum(computed, adjusted, floor, span):
    item = Item(Decimal(floor), Decimal(floor + span))
    value = scoring.item_points(item, computed, adjusted)
    assert item.floor <= value <= item.points


@FAST
@given(computed=points, adjusted=st.decimals(min_value=0, max_value=10, places=2), span=st.integers(1, 20))
def test_a_bonus_item_passes_its_maximum_only_by_approved_bonus(computed, adjusted, span):
    item = Item(Decimal(0), Decimal(span), bonus=True)
    assert scoring.item_points(item, computed, adjusted) <= item.points + adjusted


def _scheme(scene):
    office = scene["office"]
    scheme = actions.create_scheme(
        scene["campaign"], data={"unit_kind": "subsidiary", "name": "性质"}, acting_user=office
    )
    section = actions.add_section(scheme, title="一", acting_user=office)
    actions.add_item(
        section, data={"title": "按期", "points": 10, "kind": "on_time", "params": {"per": 1}}, acting_user=office
    )
    actions.add_item(
        section,
        data={"title": "超期", "points": 10, "kind": "overdue", "params": {"per": 2, "partner_percent": 50}},
        acting_user=office,
    )
    return scheme


def _total(scheme, unit) -> Decimal:
    run = ScoringRun(
        campaign=scheme.campaign,
        scheme=scheme,
        starts_on=datetime.date(2026, 4, 1),
        ends_on=datetime.date(2026, 6, 30),
        cutoff=datetime.datetime(2026, 6, 17, 2, tzinfo=datetime.UTC),
    )
    return sum(computed[unit.pk] for _item, computed, _facts in scoring.evaluate(run, [unit.pk]))


ledger = st.lists(st.tuples(st.integers(0, 80), st.one_of(st.none(), st.integers(-20, 20))), max_size=8)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(rows=ledger, due=st.integers(0, 70), early=st.integers(0, 10))
def test_an_on_time_completion_never_lowers_a_score(scene, rows, due, early):
    scheme = _scheme(scene)
    unit = scene["a"]
    start = datetime.date(2026, 4, 1)
    with transaction.atomic():
        for day, done in rows:
            completed = None if done is None else start + datetime.timedelta(days=day + done)
            make_item(
                scene["campaign"],
                unit,
                due=start + datetime.timedelta(days=day),
                completed_on=completed,
                status=Status.COMPLETED if completed else Status.IN_PROGRESS,
            )
        before = _total(scheme, unit)
        finished = start + datetime.timedelta(days=max(0, due - early))
        make_item(
            scene["campaign"],
            unit,
            due=start + datetime.timedelta(days=due),
            completed_on=finished,
            status=Status.COMPLETED,
        )
        assert _total(scheme, unit) >= before
        transaction.set_rollback(True)


@pytest.fixture
def frozen(scene):
    scheme = _scheme(scene)
    run = run_scheme(scheme, scene["assessor"])
    actions.freeze_run(run, acting_user=scene["office"])
    return run


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(value=points, reason=st.text(min_size=1, max_size=20), which=st.sampled_from(["adjust", "review", "freeze"]))
def test_freezing_makes_every_write_fail(scene, frozen, value, reason, which):
    score = ItemScore.objects.filter(unit_score__run=frozen).first()
    before = list(ItemScore.objects.filter(unit_score__run=frozen).values_list("pk", "points", "version"))
    writes = {
        "adjust": lambda: actions.propose_adjustment(
            score, points=value or 1, reason=reason, acting_user=scene["assessor"]
        ),
        "review": lambda: actions.open_review(frozen, acting_user=scene["office"]),
        "freeze": lambda: actions.freeze_run(frozen, acting_user=scene["office"]),
    }
    with pytest.raises(ValidationError):
        writes[which]()
    assert list(ItemScore.objects.filter(unit_score__run=frozen).values_list("pk", "points", "version")) == before
    assert not Adjustment.objects.exists()


@FAST
@given(
    rows=st.lists(
        st.tuples(st.integers(1, 3), st.one_of(st.none(), st.integers(1, 10**9)), st.text(max_size=320)),
        max_size=8,
    ),
    single=st.lists(st.tuples(st.integers(1, 3), st.text(max_size=20)), max_size=4),
    per=points,
)
def test_stored_facts_are_the_json_of_the_facts(rows, single, per):
    """A block of facts written as text (with the labels' fast path) reads back as the facts themselves."""
    import json

    from taizhang.assessment import rules

    block = rules.Result()
    block.add_block(rules.fact_prefixes("item", rows), per)
    expected: dict[int, list] = {}
    for unit_id, object_id, label in rows:
        expected.setdefault(unit_id, []).append(["item", object_id, label[:300], str(per)])
    stored = block.stored()
    assert {u: json.loads(text) for u, (_n, text) in stored.items()} == expected
    assert {u: n for u, (n, _text) in stored.items()} == {u: len(f) for u, f in expected.items()}
    assert all(block.raw[u] == per * len(f) for u, f in expected.items())
    one = rules.Result()
    for unit_id, label in single:
        one.add(unit_id, "figure", None, label, per)
    assert {u: json.loads(t) for u, (_n, t) in one.stored().items()} == {
        u: [["figure", None, label, str(per)] for v, label in single if v == u] for u, _label in single
    }
