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
