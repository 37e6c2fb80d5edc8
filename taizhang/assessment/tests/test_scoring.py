"""A scheme computed by hand on a small ledger: every unit's points, item by item, and the facts behind them."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from taizhang.assessment import actions, rules
from taizhang.assessment.models import (
    Adjustment,
    AssessmentScheme,
    Grade,
    ItemScore,
    Objection,
    PenaltyAction,
    ScoringRun,
    UnitScore,
)
from taizhang.assessment.queries import facts_of
from taizhang.history.recording import history_for
from taizhang.ledger.models import Status
from taizhang.people.models import Rating
from taizhang.reporting.models import ReportingPeriod, UnitReport
from taizhang.reporting.periods import generate_periods
from taizhang.supervision.models import ChaseNotice
from taizhang.testing.factories import make_item

from .conftest import at, run_scheme

pytestmark = pytest.mark.django_db
D = Decimal


def build_scheme(scene):
    office = scene["office"]
    scheme = actions.create_scheme(
        scene["campaign"], data={"unit_kind": "subsidiary", "name": "子公司考核细则", "total": 100}, acting_user=office
    )
    work = actions.add_section(scheme, title="工作落实", acting_user=office)
    people = actions.add_section(scheme, title="群众满意", acting_user=office)
    add = actions.add_item
    items = {
        "on_time": add(
            work, data={"title": "按期完成", "points": 10, "kind": "on_time", "params": {"per": 2}}, acting_user=office
        ),
        "overdue": add(
            work,
            data={"title": "超期未完成", "points": 10, "kind": "overdue", "params": {"per": 3, "partner_percent": 50}},
            acting_user=office,
        ),
        "chase": add(
            work,
            data={"title": "督办响应", "points": 10, "kind": "chase", "params": {"per_notice": 1, "per_late": 2}},
            acting_user=office,
        ),
        "reports": add(
            work,
            data={
                "title": "按时报送",
                "points": 5,
                "kind": "reports_missed",
                "params": {"per_missed": 1, "per_returned": "0.5"},
            },
            acting_user=office,
        ),
        "satisfaction": add(
            people,
            data={"title": "群众满意度", "points": 10, "kind": "satisfaction", "params": {"low": 60, "high": 100}},
            acting_user=office,
        ),
        "manual": add(
            people, data={"title": "现场检查", "points": 20, "kind": "manual", "method": "现场检查"}, acting_user=office
        ),
    }
    return scheme, items


def build_ledger(scene):
    campaign, a, b = scene["campaign"], scene["a"], scene["b"]
    d = datetime.date.fromisoformat
    a1 = make_item(
        campaign, a, code="A1", due=d("2026-05-10"), completed_on=d("2026-05-08"), status=Status.COMPLETED, percent=100
    )
    make_item(
        campaign, a, code="A2", due=d("2026-06-01"), completed_on=d("2026-06-05"), status=Status.COMPLETED, percent=100
    )
    a3 = make_item(campaign, a, code="A3", due=d("2026-05-20"), status=Status.IN_PROGRESS, percent=40)
    a3.partner_units.add(b)
    b1 = make_item(
        campaign, b, code="B1", due=d("2026-04-15"), completed_on=d("2026-04-10"), status=Status.CLOSED, percent=100
    )
    make_item(
        campaign, b, code="B2", due=d("2026-03-01"), completed_on=d("2026-04-05"), status=Status.COMPLETED, percent=100
    )
    make_item(campaign, b, code="B3", due=d("2026-07-30"), status=Status.IN_PROGRESS, percent=50)
    common = {"campaign": campaign, "light": "red", "contact": "王明 1380000", "issued_by": scene["office"]}
    ChaseNotice.objects.create(
        seq=1,
        number="2026-001",
        item=a1,
        unit=a,
        required_by=d("2026-05-05"),
        issued_at=at("2026-05-01"),
        responded_at=at("2026-05-04"),
        **common,
    )
    ChaseNotice.objects.create(
        seq=2,
        number="2026-002",
        item=b1,
        unit=b,
        required_by=d("2026-05-12"),
        issued_at=at("2026-05-10"),
        responded_at=at("2026-05-15"),
        **common,
    )
    for n, value in enumerate(["satisfied", "satisfied", "basic", "dissatisfied"]):
        Rating.objects.create(item=a1, value=value, voter=f"ballot:{n}")
    generate_periods(campaign)
    periods = list(
        ReportingPeriod.objects.filter(
            campaign=campaign, kind="weekly", due_at__gte=at("2026-04-01", 0), due_at__lte=at("2026-06-17")
        ).order_by("due_at")
    )
    # A reports every week on time but one, which was returned; B never reports.
    for period in periods[1:]:
        UnitReport.objects.create(period=period, unit=a, status="submitted", submitted_at=period.due_at, is_late=False)
    UnitReport.objects.create(period=periods[0], unit=a, status="returned", submitted_at=periods[0].due_at)
    return periods


def points(run, unit, scheme_item) -> Decimal:
    return ItemScore.objects.get(unit_score__run=run, unit_score__unit=unit, scheme_item=scheme_item).points


def test_a_scheme_computed_by_hand(scene):
    scheme, items = build_scheme(scene)
    periods = build_ledger(scene)
    run = run_scheme(scheme, scene["assessor"])
    assert run.status == ScoringRun.Status.DONE
    a, b = scene["a"], scene["b"]
    # A: A1 on time (+2); A2 late and A3 open past due (−3 each); one notice answered in time (−1); one report
    # returned (−0.5); ratings 3 of 4 satisfied = 75%, linear 60→100 gives 10 × 15/40 = 3.75; manual not yet scored.
    expected_a = {
        "on_time": D(2),
        "overdue": D(4),
        "chase": D(9),
        "reports": D("4.5"),
        "satisfaction": D("3.75"),
        "manual": D(0),
    }
    # B: B1 on time (+2; B2 was completed in the range but late); partner of A3 (−1.5); a notice answered late
    # (−1 −2); every report missed (5 − n, floor 0); no ratings (full points).
    expected_b = {
        "on_time": D(2),
        "overdue": D("8.5"),
        "chase": D(7),
        "reports": max(D(0), D(5) - len(periods)),
        "satisfaction": D(10),
        "manual": D(0),
    }
    for key, item in items.items():
        assert points(run, a, item) == expected_a[key], key
        assert points(run, b, item) == expected_b[key], key
    totals = {s.unit_id: s for s in UnitScore.objects.filter(run=run)}
    assert totals[a.pk].total == sum(expected_a.values())
    assert totals[b.pk].total == sum(expected_b.values())
    # The facts behind A's overdue points: A2 and A3, each −3.
    facts = sorted(facts_of(run, a.pk, items["overdue"].pk), key=lambda f: f.label)
    assert [(f.label.split()[0], f.points) for f in facts] == [("A2", D(-3)), ("A3", D(-3))]
    assert [f.points for f in facts_of(run, b.pk, items["overdue"].pk)] == [D("-1.5")]
    # The scheme froze when scoring started, and the computation is stored with its cut-off.
    scheme.refresh_from_db()
    assert scheme.is_frozen and run.cutoff is not None


def test_the_same_data_gives_the_same_numbers(scene):
    scheme, _items = build_scheme(scene)
    build_ledger(scene)
    first = run_scheme(scheme, scene["assessor"])
    second = run_scheme(scheme, scene["assessor"])
    key = lambda run: sorted(  # noqa: E731
        ItemScore.objects.filter(unit_score__run=run).values_list("unit_score__unit_id", "scheme_item_id", "points")
    )
    assert key(first) == key(second)


def test_manual_score_adjustment_four_eyes_objection_and_freeze(scene):
    scheme, items = build_scheme(scene)
    build_ledger(scene)
    run = run_scheme(scheme, scene["assessor"])
    manual = ItemScore.objects.get(unit_score__run=run, unit_score__unit=scene["a"], scheme_item=items["manual"])
    actions.score_manual(manual, points=15, reason="资料齐全", acting_user=scene["assessor"], version=manual.version)
    manual.refresh_from_db()
    assert manual.points == 15
    # Past the maximum without a bonus item: refused, nothing written.
    with pytest.raises(ValidationError):
        actions.propose_adjustment(manual, points=6, reason="加分", acting_user=scene["assessor"])
    adjustment = actions.propose_adjustment(manual, points=3, reason="亮点突出", acting_user=scene["assessor"])
    manual.refresh_from_db()
    assert manual.points == 15  # counts only once approved
    with pytest.raises(ValidationError):
        actions.decide_adjustment(adjustment, approve=True, acting_user=scene["assessor"])  # the same person
    with pytest.raises(PermissionDenied):
        actions.decide_adjustment(adjustment, approve=True, acting_user=scene["assessor2"])  # not head assessor
    actions.decide_adjustment(adjustment, approve=True, acting_user=scene["office"])
    manual.refresh_from_db()
    assert manual.points == 18 and manual.adjusted == 3
    unit_score = UnitScore.objects.get(run=run, unit=scene["a"])
    assert unit_score.total == sum(unit_score.item_scores.values_list("points", flat=True))
    # Units object only in the review window, only to their own scores.
    with pytest.raises(ValidationError):
        actions.raise_objection(manual, reason="分数偏低", acting_user=scene["liaison"])
    actions.open_review(run, acting_user=scene["office"])
    with pytest.raises(PermissionDenied):
        actions.raise_objection(manual, reason="分数偏低", acting_user=scene["other"])
    objection = actions.raise_objection(manual, reason="分数偏低", acting_user=scene["liaison"])
    with pytest.raises(ValidationError):
        actions.freeze_run(run, acting_user=scene["office"])  # an objection waits for its answer
    actions.answer_objection(objection, answer="已复核，维持原分", acting_user=scene["assessor"])
    actions.freeze_run(run, acting_user=scene["office"])
    run.refresh_from_db()
    assert run.frozen_by == scene["office"]
    assert history_for(run).filter(action="lock").exists()
    # Frozen: every write fails with a message and changes nothing.
    for write in (
        lambda: actions.score_manual(manual, points=1, reason="x", acting_user=scene["assessor"]),
        lambda: actions.propose_adjustment(manual, points=-1, reason="x", acting_user=scene["assessor"]),
        lambda: actions.raise_objection(manual, reason="x", acting_user=scene["liaison"]),
        lambda: actions.freeze_run(run, acting_user=scene["office"]),
        lambda: actions.add_item(
            scheme.sections.first(), data={"title": "x", "points": 1}, acting_user=scene["office"]
        ),
    ):
        with pytest.raises(ValidationError):
            write()
    manual.refresh_from_db()
    assert manual.points == 18
    assert Objection.objects.get().state == Objection.State.ANSWERED
    assert Adjustment.objects.count() == 1


def test_freeze_gives_rewards_and_penalties(scene):
    scheme, _items = build_scheme(scene)
    build_ledger(scene)
    run = run_scheme(scheme, scene["assessor"])
    actions.freeze_run(run, acting_user=scene["office"])
    # Both units are far below 60 points (the manual item is unscored): 较差, so 限期整改 with the facts.
    penalties = PenaltyAction.objects.filter(run=run, kind=PenaltyAction.Kind.RECTIFY)
    assert {p.unit_id for p in penalties} == {scene["a"].pk, scene["b"].pk}
    assert all(p.facts for p in penalties)
    assert UnitScore.objects.filter(run=run, grade=Grade.POOR).count() == 2
    penalty = penalties.first()
    with pytest.raises(ValidationError):
        actions.close_penalty(penalty, closure="", acting_user=scene["office"])
    actions.close_penalty(penalty, closure="已整改到位", acting_user=scene["office"])
    penalty.refresh_from_db()
    assert penalty.state == PenaltyAction.State.CLOSED


def test_ranking_grades_quota_and_ties(scene):
    scheme, _items = build_scheme(scene)
    actions.update_scheme(
        scheme,
        data={"excellent_from": 10, "good_from": 5, "fair_from": 1, "excellent_quota": 50},
        acting_user=scene["office"],
    )
    c = __import__("taizhang.testing.factories", fromlist=["make_unit"]).make_unit(
        "丙子公司", parent=scene["group"], kind="subsidiary"
    )
    run = run_scheme(scheme, scene["assessor"])
    scores = {s.unit_id: s for s in UnitScore.objects.filter(run=run)}
    # No facts at all: every unit has the same points, they share rank 1, and only 50% (one) is 优秀.
    assert {s.rank for s in scores.values()} == {1}
    assert sum(1 for s in scores.values() if s.grade == Grade.EXCELLENT) == 1
    assert c.pk in scores


# Bad input -----------------------------------------------------------------------------------------------


def test_items_past_the_total_are_refused(scene):
    office = scene["office"]
    scheme = actions.create_scheme(
        scene["campaign"],
        data={
            "unit_kind": "subsidiary",
            "name": "细则",
            "total": 10,
            "excellent_from": 9,
            "good_from": 8,
            "fair_from": 6,
        },
        acting_user=office,
    )
    section = actions.add_section(scheme, title="一", acting_user=office)
    actions.add_item(section, data={"title": "甲", "points": 8}, acting_user=office)
    with pytest.raises(ValidationError) as error:
        actions.add_item(section, data={"title": "乙", "points": 3}, acting_user=office)
    assert "10" in str(error.value)
    assert scheme.items.count() == 1


def test_rule_parameters_out_of_range_are_refused(scene):
    office = scene["office"]
    scheme = actions.create_scheme(
        scene["campaign"], data={"unit_kind": "subsidiary", "name": "细则"}, acting_user=office
    )
    section = actions.add_section(scheme, title="一", acting_user=office)
    for params in ({"per": 11}, {"per": -1}, {"per": "abc"}):
        with pytest.raises(ValidationError):
            actions.add_item(
                section, data={"title": "按期", "points": 10, "kind": "on_time", "params": params}, acting_user=office
            )
    with pytest.raises(ValidationError):
        actions.add_item(
            section,
            data={"title": "率", "points": 10, "kind": "report_rate", "params": {"low": 90, "high": 80}},
            acting_user=office,
        )
    assert scheme.items.count() == 0


def test_adjustment_without_reason_and_non_office_scheme_edits_are_refused(scene):
    scheme, _items = build_scheme(scene)
    run = run_scheme(scheme, scene["assessor"])
    score = ItemScore.objects.filter(unit_score__run=run).first()
    with pytest.raises(ValidationError):
        actions.propose_adjustment(score, points=1, reason="  ", acting_user=scene["assessor"])
    with pytest.raises(PermissionDenied):
        actions.propose_adjustment(score, points=-1, reason="x", acting_user=scene["liaison"])
    with pytest.raises(PermissionDenied):
        actions.create_scheme(
            scene["campaign"], data={"unit_kind": "department", "name": "x"}, acting_user=scene["assessor"]
        )
    assert not Adjustment.objects.exists()


def test_a_frozen_scheme_changes_only_as_a_new_version(scene):
    scheme, items = build_scheme(scene)
    run_scheme(scheme, scene["assessor"])
    with pytest.raises(ValidationError):
        actions.update_item(items["on_time"], data={"title": "按期完成", "points": 5}, acting_user=scene["office"])
    new = actions.new_version(scheme, acting_user=scene["office"])
    assert new.version == 2 and new.previous == scheme and not new.is_frozen
    assert new.items.count() == scheme.items.count()
    actions.update_item(
        new.items.get(title="按期完成"),
        data={"title": "按期完成", "points": 5, "kind": "on_time"},
        acting_user=scene["office"],
    )
    assert AssessmentScheme.objects.get(pk=scheme.pk).items.get(title="按期完成").points == 10


def test_rules_for_apps_not_installed_are_unavailable(scene):
    # Findings and instructions live in apps other helpers build; until they are installed the rule says so.
    for kind in rules.NEEDS_MODEL:
        if rules.model_for(kind) is None:
            assert not rules.is_available(kind)
            with pytest.raises(ValidationError):
                rules.clean_params(kind, {}, D(10))


def test_plain_words():
    assert rules.describe("on_time", {"per": "1"}, D(10)).startswith(("1", "每项"))
