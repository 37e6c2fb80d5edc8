"""Rectification to closure: findings, the unit's answer, verification or return, the item's light, notices."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from taizhang.inspections import actions
from taizhang.inspections.facts import findings_by_unit, rectifications_late_by_unit
from taizhang.inspections.models import Finding, Rectification, RectificationEvidence
from taizhang.ledger.lights import refresh_lights
from taizhang.ledger.models import Light
from taizhang.notices.models import Message

from .scene import build, find, inspect, photo

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def scene():
    return build()


def _answer(scene, finding, *, done=True, evidence=(), user=None):
    finding.refresh_from_db()
    return actions.answer_finding(
        finding,
        measures="已制定计划，每周调度",
        done=done,
        evidence=evidence,
        expected_version=finding.version,
        acting_user=user or scene.liaison,
    )


def test_an_overdue_rectification_turns_the_item_red_until_it_is_verified(scene):
    inspection = inspect(scene)
    finding = find(scene, inspection, item=scene.item, days=3)
    scene.item.refresh_from_db()
    assert scene.item.light == Light.GREEN
    later = timezone.now() + datetime.timedelta(days=5)
    with time_machine.travel(later, tick=False):
        assert refresh_lights(scene.campaign) == 1  # the night sees the deadline pass
        scene.item.refresh_from_db()
        assert (scene.item.light, scene.item.light_code, scene.item.light_n) == (Light.RED, "rectify", 2)
        _answer(scene, finding)
        scene.item.refresh_from_db()
        assert scene.item.light == Light.RED  # answered is not verified
        finding.refresh_from_db()
        actions.verify_finding(finding, expected_version=finding.version, acting_user=scene.inspector)
        scene.item.refresh_from_db()
        assert scene.item.light_code != "rectify"  # judged by its own schedule again
        finding.refresh_from_db()
        assert finding.state == Finding.State.VERIFIED and finding.verified_at is not None


def test_returning_an_overdue_rectification_relights_the_item_at_once(scene):
    inspection = inspect(scene, starts_on=timezone.localdate() - datetime.timedelta(days=10))
    finding = find(scene, inspection, item=scene.item, days=5)  # deadline 5 days ago
    scene.item.refresh_from_db()
    assert scene.item.light == Light.RED  # the finding's creation relit it
    _answer(scene, finding)
    finding.refresh_from_db()
    actions.return_finding(finding, reason="证据不足", expected_version=finding.version, acting_user=scene.inspector)
    finding.refresh_from_db()
    assert finding.state == Finding.State.RETURNED and finding.return_reason == "证据不足"
    scene.item.refresh_from_db()
    assert scene.item.light_code == "rectify"


def test_a_deadline_before_the_inspection_is_refused_and_nothing_written(scene):
    inspection = inspect(scene)
    with pytest.raises(ValidationError) as refused:
        find(scene, inspection, days=-1)
    assert "deadline" in refused.value.message_dict
    assert not Finding.objects.exists()


def test_only_the_teams_inspectors_record_and_verify(scene):
    inspection = inspect(scene)
    with pytest.raises(PermissionDenied):
        actions.add_finding(inspection, data={}, acting_user=scene.outsider)
    finding = find(scene, inspection)
    _answer(scene, finding)
    finding.refresh_from_db()
    for user in (scene.outsider, scene.leader, scene.liaison):
        with pytest.raises(PermissionDenied):
            actions.verify_finding(finding, expected_version=finding.version, acting_user=user)
    finding.refresh_from_db()
    assert finding.state == Finding.State.ANSWERED


def test_an_inspector_may_not_inspect_a_unit_outside_the_team(scene):
    with pytest.raises(PermissionDenied):
        inspect(scene, unit=scene.other_unit)


def test_only_the_unit_answers_its_findings(scene):
    finding = find(scene, inspect(scene))
    with pytest.raises(PermissionDenied):
        _answer(scene, finding, user=scene.other_liaison)
    with pytest.raises(PermissionDenied):
        _answer(scene, finding, user=scene.inspector)
    assert not Rectification.objects.exists()


def test_a_rectification_under_way_keeps_the_finding_with_the_unit(scene):
    finding = find(scene, inspect(scene))
    _answer(scene, finding, done=False)
    finding.refresh_from_db()
    assert finding.state == Finding.State.OPEN and finding.measures
    _answer(scene, finding, done=True, evidence=[photo()])
    finding.refresh_from_db()
    assert finding.state == Finding.State.ANSWERED
    assert RectificationEvidence.objects.filter(rectification__finding=finding).count() == 1


@override_settings(ATTACHMENT_MAX_BYTES=20)
def test_evidence_over_the_size_limit_is_refused_and_nothing_written(scene):
    finding = find(scene, inspect(scene))
    with pytest.raises(ValidationError):
        _answer(scene, finding, evidence=[photo()])
    finding.refresh_from_db()
    assert finding.state == Finding.State.OPEN and not Rectification.objects.exists()


def test_evidence_of_a_refused_type_is_refused(scene):
    finding = find(scene, inspect(scene))
    script = SimpleUploadedFile("report.pdf", b"#!/bin/sh\necho hi\n", content_type="application/pdf")
    with pytest.raises(ValidationError):
        _answer(scene, finding, evidence=[script])
    assert not Rectification.objects.exists()


def test_a_stale_verification_writes_nothing(scene):
    finding = find(scene, inspect(scene))
    _answer(scene, finding)
    finding.refresh_from_db()
    version = finding.version
    actions.verify_finding(finding, expected_version=version, acting_user=scene.inspector)
    with pytest.raises(ValidationError):
        actions.verify_finding(finding, expected_version=version, acting_user=scene.inspector)
    with pytest.raises(ValidationError):
        actions.return_finding(finding, reason="再看", expected_version=version, acting_user=scene.inspector)
    finding.refresh_from_db()
    assert finding.state == Finding.State.VERIFIED


def test_the_same_finding_form_twice_writes_one_finding(scene):
    inspection = inspect(scene)
    data = {
        "category": "formalism",
        "severity": "minor",
        "description": "台账记录不全",
        "required": "补齐台账",
        "deadline": inspection.starts_on + datetime.timedelta(days=10),
        "responsible": "王明",
    }
    first = actions.add_finding(inspection, data=data, token="abc123", acting_user=scene.inspector)
    second = actions.add_finding(inspection, data=data, token="abc123", acting_user=scene.inspector)
    assert first.pk == second.pk and Finding.objects.count() == 1


def test_notices_go_once_each_new_returned_near_and_missed(scene, django_capture_on_commit_callbacks):
    inspection = inspect(scene)
    with django_capture_on_commit_callbacks(execute=True):
        finding = find(scene, inspection, days=3)
    assert (
        Message.objects.filter(recipient=scene.liaison, dedupe_key__contains=f"finding:{finding.pk}:new").count() == 1
    )
    # Near the deadline (within the campaign's blue days): once, however often the morning job runs.
    assert actions.send_deadline_notices(scene.campaign) == 1
    assert actions.send_deadline_notices(scene.campaign) == 0
    with time_machine.travel(timezone.now() + datetime.timedelta(days=4), tick=False):
        made = actions.send_deadline_notices(scene.campaign)
        assert made == 2  # the unit's liaison and the team leader
        assert actions.send_deadline_notices(scene.campaign) == 0
        _answer(scene, finding)
        finding.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            actions.return_finding(
                finding, reason="照片不清", expected_version=finding.version, acting_user=scene.inspector
            )
    returned = Message.objects.filter(recipient=scene.liaison, dedupe_key__contains=":returned:")
    assert returned.count() == 1 and "照片不清" in returned.get().body
    assert not Message.objects.filter(recipient=scene.other_liaison).exists()


def test_facts_count_findings_by_severity_and_late_rectifications(scene):
    today = timezone.localdate()
    inspection = inspect(scene, starts_on=today - datetime.timedelta(days=20))
    late = find(scene, inspection, days=5, severity="severe")  # deadline 15 days ago, open
    on_time = find(scene, inspection, days=30)
    _answer(scene, on_time)
    on_time.refresh_from_db()
    actions.verify_finding(on_time, expected_version=on_time.version, acting_user=scene.inspector)
    start, end = today - datetime.timedelta(days=60), today + datetime.timedelta(days=60)
    assert findings_by_unit(scene.campaign, start, end) == {scene.unit.pk: {"severe": 1, "major": 1}}
    assert findings_by_unit(scene.campaign, start, end, unit_ids=[scene.other_unit.pk]) == {}
    assert rectifications_late_by_unit(scene.campaign, start, end) == {scene.unit.pk: 1}
    assert late.state == Finding.State.OPEN


def test_finding_notices_have_their_own_reason_and_preference(scene, django_capture_on_commit_callbacks):
    from taizhang.notices.models import Channel, Preference, Reason

    # Turning chase-ups off does not silence rectification orders, and turning those off does.
    Preference.objects.create(user=scene.liaison, reason=Reason.CHASE, channel=Channel.IN_APP, enabled=False)
    inspection = inspect(scene)
    with django_capture_on_commit_callbacks(execute=True):
        finding = find(scene, inspection, days=3)
    message = Message.objects.get(recipient=scene.liaison)
    assert message.reason == Reason.RECTIFICATION
    assert message.dedupe_key == f"rectification:finding:{finding.pk}:new:user:{scene.liaison.pk}"
    Preference.objects.create(user=scene.liaison, reason=Reason.RECTIFICATION, channel=Channel.IN_APP, enabled=False)
    Preference.objects.create(user=scene.liaison, reason=Reason.RECTIFICATION, channel=Channel.EMAIL, enabled=False)
    assert actions.send_deadline_notices(scene.campaign) == 0


def test_migration_moves_findings_chase_messages_to_their_reason_and_keeps_the_dedupe(scene):
    import importlib

    from django.apps import apps

    from taizhang.notices.models import Channel, Preference, Reason

    migration = importlib.import_module("taizhang.notices.migrations.0007_rectification_reason")
    inspection = inspect(scene)
    finding = find(scene, inspection, days=3)
    Message.objects.all().delete()
    old = Message.objects.create(
        reason=Reason.CHASE,
        dedupe_key=f"chase:finding:{finding.pk}:near:{finding.deadline.isoformat()}:user:{scene.liaison.pk}",
        recipient=scene.liaison,
        subject="整改即将到期",
        body="…",
    )
    report_chase = Message.objects.create(
        reason=Reason.CHASE, dedupe_key="chase:report:7:user:1", recipient=scene.liaison, subject="催报", body="…"
    )
    Preference.objects.create(user=scene.liaison, reason=Reason.CHASE, channel=Channel.EMAIL, enabled=False)
    migration.findings_get_their_reason(apps, None)
    old.refresh_from_db()
    report_chase.refresh_from_db()
    assert old.reason == Reason.RECTIFICATION and old.dedupe_key.startswith("rectification:finding:")
    assert report_chase.reason == Reason.CHASE and report_chase.dedupe_key == "chase:report:7:user:1"
    assert not Preference.objects.get(user=scene.liaison, reason=Reason.RECTIFICATION, channel=Channel.EMAIL).enabled
    # The morning's job recognises the moved message: the near-deadline notice is not sent a second time.
    assert actions.send_deadline_notices(scene.campaign) == 0
