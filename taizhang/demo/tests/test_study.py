"""The demo's study part: rosters, a quarter of activities of every kind with attendance, 《红色之路》 read."""

import pytest
from django.utils import timezone

from taizhang.demo import study as demo
from taizhang.study.models import Activity, Attendance, Member, Reading
from taizhang.study.queries import participation, reading_rate


@pytest.fixture
def built(people, org, campaign):
    return demo.build(campaign, now=timezone.now())


def test_demo_builds_every_kind_with_attendance_and_readings_once(built, campaign):
    assert built > 0
    assert Member.objects.count() >= 3 * 6
    kinds = set(Activity.objects.filter(campaign=campaign).values_list("kind__name", flat=True))
    assert len(kinds) >= 5
    assert (
        Activity.objects.filter(state="held").exists()
        and Attendance.objects.filter(status="leave").exclude(reason="").exists()
    )
    assert not Activity.objects.filter(state="held", starts_at__gt=timezone.now()).exists()
    material = campaign.materials.get()
    confirmed, assigned = reading_rate(material)
    assert 0 < confirmed < assigned
    assert Reading.objects.filter(confirmed_at__isnull=True).exists() or confirmed < assigned
    assert material.files.get().file.read(5) == b"%PDF-"
    rows = {row.unit.name: row for row in participation(campaign)}
    assert rows["中国融通集团"].attended > 0
    from taizhang.study.queries import plan_progress

    plans = plan_progress(campaign, timezone.localdate(), timezone.localdate())
    assert plans and {row.light for row in plans} & {"yellow", "red", "green"}
    # Member groups: a 党小组 with a leader in each organising unit with party members, its own activity
    # held for its members only, and the book assigned to it with a reading rate of its own.
    from taizhang.study.models import MemberGroup
    from taizhang.study.queries import reading_rates

    party = MemberGroup.objects.filter(kind="party").first()
    assert party is not None and party.leader is not None and party.members.count() >= 3
    group_activity = Activity.objects.get(audience_groups=party)
    present = set(group_activity.attendances.values_list("member_id", flat=True))
    assert present and present <= set(party.members.values_list("pk", flat=True))
    assert any(row.assignment.group_id == party.pk and row.assigned for row in reading_rates(material))
    assert demo.build(campaign) == 0
    assert Activity.objects.filter(campaign=campaign).count() == built
