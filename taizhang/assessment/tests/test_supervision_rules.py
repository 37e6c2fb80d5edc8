"""The rules over other apps' records (inspection findings, late rectifications, instructions answered late),
computed by hand on real rows of those apps (they were written against the field names before the apps met)."""

import datetime
from decimal import Decimal

import pytest

from taizhang.assessment import actions, rules
from taizhang.assessment.models import ItemScore
from taizhang.assessment.queries import facts_of
from taizhang.inspections.models import Finding, Inspection, InspectionTeam, Method
from taizhang.supervision.models import Instruction

from .conftest import at, run_scheme

pytestmark = pytest.mark.django_db
D = Decimal
day = datetime.date.fromisoformat


def _finding(campaign, inspection, unit, *, found, deadline, severity, verified=None):
    return Finding.objects.create(
        campaign=campaign,
        unit=unit,
        inspection=inspection,
        category=Finding.Category.LAGGING,
        severity=severity,
        description="进度滞后",
        required="制定计划",
        found_on=day(found),
        deadline=day(deadline),
        responsible="王明",
        state=Finding.State.VERIFIED if verified else Finding.State.OPEN,
        verified_at=at(verified) if verified else None,
    )


def _instruction(campaign, unit, leader, *, respond_by, answered=None):
    return Instruction.objects.create(
        campaign=campaign,
        unit=unit,
        leader=leader,
        text="请抓紧推进",
        given_at=at("2026-04-02"),
        respond_by=day(respond_by),
        answered_at=at(answered) if answered else None,
        state=Instruction.State.ANSWERED if answered else Instruction.State.PENDING,
    )


def test_findings_late_rectifications_and_late_instructions_cost_what_the_scheme_says(scene):
    campaign, a, b, office = scene["campaign"], scene["a"], scene["b"], scene["office"]
    for kind in rules.NEEDS_MODEL:
        assert rules.is_available(kind), kind
    team = InspectionTeam.objects.create(campaign=campaign, name="第一督导组", leader=office)
    inspection = Inspection.objects.create(
        campaign=campaign,
        team=team,
        unit=a,
        starts_on=day("2026-03-15"),
        ends_on=day("2026-03-15"),
        methods=[Method.LEDGER],
        recorded_by=office,
    )
    on_time = _finding(
        campaign, inspection, a, found="2026-05-01", deadline="2026-05-10", severity="minor", verified="2026-05-09"
    )
    late = _finding(campaign, inspection, a, found="2026-05-20", deadline="2026-06-01", severity="severe")
    # Found before the range (no finding points) but its rectification fell due in it and came late.
    _finding(
        campaign, inspection, b, found="2026-03-15", deadline="2026-04-20", severity="major", verified="2026-04-25"
    )
    answered_late = _instruction(campaign, a, scene["leader"], respond_by="2026-05-10", answered="2026-05-12")
    _instruction(campaign, a, scene["leader"], respond_by="2026-05-10", answered="2026-05-09")  # in time
    _instruction(campaign, b, scene["leader"], respond_by="2026-06-10")  # unanswered, past due at the cut-off
    _instruction(campaign, b, scene["leader"], respond_by="2026-06-25")  # not yet due

    scheme = actions.create_scheme(
        campaign, data={"unit_kind": "subsidiary", "name": "督导考核", "total": 100}, acting_user=office
    )
    section = actions.add_section(scheme, title="督导整改", acting_user=office)
    items = {
        "findings": actions.add_item(
            section,
            data={
                "title": "督导发现问题",
                "points": 10,
                "kind": "findings",
                "params": {"minor": "0.5", "major": 1, "severe": 2},
            },
            acting_user=office,
        ),
        "rectification": actions.add_item(
            section,
            data={"title": "整改按期", "points": 5, "kind": "rectification_late", "params": {"per": 1}},
            acting_user=office,
        ),
        "instructions": actions.add_item(
            section,
            data={"title": "批示答复", "points": 5, "kind": "instruction_late", "params": {"per": 2}},
            acting_user=office,
        ),
    }
    run = run_scheme(scheme, scene["assessor"])  # 2026-04-01 to 2026-06-30, cut-off now (2026-06-17)

    def points(unit, key):
        return ItemScore.objects.get(unit_score__run=run, unit_score__unit=unit, scheme_item=items[key]).points

    assert (points(a, "findings"), points(b, "findings")) == (D("7.5"), D(10))
    assert (points(a, "rectification"), points(b, "rectification")) == (D(4), D(4))
    assert (points(a, "instructions"), points(b, "instructions")) == (D(3), D(3))

    def facts(key):
        return [f.object_id for f in facts_of(run, a.pk, items[key].pk)]

    assert set(facts("findings")) == {on_time.pk, late.pk}
    assert facts("rectification") == [late.pk]
    assert facts("instructions") == [answered_late.pk]
