"""The agenda's findings section, built from real inspection findings (the inspections app's own actions)."""

import datetime

import pytest
from django.utils import timezone

from taizhang.inspections import actions as inspections
from taizhang.inspections.tests.scene import build, find, inspect
from taizhang.meetings import actions
from taizhang.meetings.models import AgendaPoint, Meeting

pytestmark = pytest.mark.django_db


def test_open_findings_are_on_the_agenda_most_overdue_first_and_verified_ones_are_not():
    scene = build()
    inspection = inspect(scene)
    late = find(scene, inspection, item=scene.item, days=1, severity="severe", description="台账与实际不符")
    find(scene, inspection, days=20, description="学习记录流于形式")
    done = find(scene, inspection, days=5, description="已整改的问题")
    inspections.answer_finding(
        done, measures="已补齐", done=True, evidence=(), expected_version=done.version, acting_user=scene.liaison
    )
    done.refresh_from_db()
    inspections.verify_finding(done, expected_version=done.version, acting_user=scene.inspector)

    meeting = actions.create_meeting(
        scene.campaign,
        data={
            "kind": Meeting.Kind.LEADING_GROUP,
            "title": "领导小组会议",
            "starts_at": timezone.now(),
            "chair": scene.leader,
        },
        acting_user=scene.office,
    )
    later = timezone.now() + datetime.timedelta(days=3)  # the first finding is past its deadline by then
    actions.build_agenda(meeting, expected_version=meeting.version, acting_user=scene.office, now=later)
    point = meeting.points.get(source=AgendaPoint.Source.FINDINGS)
    lines = point.body.splitlines()
    assert lines[0] == "2个问题尚未销号：1个超过整改时限，1个严重，0个被退回整改。"
    assert lines[1].startswith("1. 集团办公室：优化OA系统（严重") and late.deadline.isoformat() in lines[1]
    assert len(lines) == 3 and "已整改的问题" not in point.body


def test_instructions_not_yet_carried_out_are_on_the_agenda(campaign, org, people, items):
    from taizhang.supervision import actions as supervision

    today = timezone.localdate()
    waiting = supervision.give_instruction(
        campaign,
        text="请尽快完成OA优化",
        item=items["oa"],
        respond_by=today + datetime.timedelta(days=2),
        acting_user=people["leo"],
    )
    done = supervision.give_instruction(
        campaign,
        text="已落实的批示",
        item=items["oa"],
        respond_by=today + datetime.timedelta(days=2),
        acting_user=people["leo"],
    )
    supervision.answer_instruction(done, text="已完成", acting_user=people["lily"])
    supervision.review_instruction(done, done=True, acting_user=people["leo"])

    meeting = actions.create_meeting(
        campaign,
        data={
            "kind": Meeting.Kind.LEADING_GROUP,
            "title": "领导小组会议",
            "starts_at": timezone.now(),
            "chair": people["leo"],
        },
        acting_user=people["olivia"],
    )
    later = timezone.now() + datetime.timedelta(days=5)  # the waiting one is overdue by then
    actions.build_agenda(meeting, expected_version=meeting.version, acting_user=people["olivia"], now=later)
    lines = meeting.points.get(source=AgendaPoint.Source.INSTRUCTIONS).body.splitlines()
    assert lines[0] == "1条批示尚未落实：1条未答复，1条已超期。"
    assert len(lines) == 2 and waiting.text in lines[1] and "刘领导" in lines[1]
