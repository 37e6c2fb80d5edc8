"""Key tasks tracked like items: owner, deadline, progress, percent from entries or items, the items' light rule."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from taizhang.campaigns.models import KeyTask
from taizhang.history.models import HistoryEntry
from taizhang.ledger import actions, keytasks
from taizhang.ledger.lights import compute_light
from taizhang.ledger.models import KeyTaskTrack, Light, Status


@pytest.fixture
def tree(campaign, items):
    aspect = KeyTask.objects.create(campaign=campaign, code="一", name="强化理论武装", order=1)
    study = KeyTask.objects.create(campaign=campaign, parent=aspect, code="1", name="专题学习", order=1)
    serve = KeyTask.objects.create(campaign=campaign, parent=aspect, code="2", name="服务基层", order=2)
    for item in (items["oa"], items["flow"]):
        item.key_task = study
        item.save()
    return {"aspect": aspect, "study": study, "serve": serve}


def _track(key_task) -> KeyTaskTrack:
    return KeyTaskTrack.objects.get(key_task=key_task)


def test_it_rolls_up_items_into_the_key_task_and_key_tasks_into_the_aspect(tree, items, people):
    actions.add_progress(items["oa"], percent=60, done="完成招标", acting_user=people["lily"])
    study, aspect = _track(tree["study"]), _track(tree["aspect"])
    assert (study.percent, study.percent_source, study.status) == (30, "items", Status.IN_PROGRESS)
    assert (aspect.percent, aspect.percent_source) == (15, "tasks")  # mean of 30 and the untouched 0


def test_its_own_progress_entry_wins_over_its_items(tree, people, org):
    keytasks.update_key_task(
        tree["study"], data={"owner_unit": org["office_dept"]}, expected_version=1, acting_user=people["olivia"]
    )
    keytasks.add_key_task_progress(
        tree["study"], percent=80, done="开展专题学习三次", expected_version=2, acting_user=people["lily"]
    )
    track = _track(tree["study"])
    assert (track.percent, track.percent_source) == (80, "entries")
    assert _track(tree["aspect"]).percent == 40


def test_the_light_is_the_items_rule_on_the_key_tasks_dates(tree, people, campaign):
    today = timezone.localdate()
    keytasks.update_key_task(
        tree["serve"],
        data={"starts_on": campaign.starts_on, "due": today - datetime.timedelta(days=5), "due_text": "6月中旬"},
        expected_version=1,
        acting_user=people["olivia"],
    )
    track = _track(tree["serve"])
    track.campaign = campaign
    assert (track.light, track.light_code, track.light_n) == (Light.RED, "overdue", 5)
    assert compute_light(track, today).light == track.light  # one rule, nothing of its own
    assert HistoryEntry.objects.filter(object_id=track.pk, action=HistoryEntry.Action.LIGHT).exists()
    assert "5" in track.light_reason


def test_a_liaison_reports_on_their_own_units_key_task_only(tree, people, org):
    keytasks.update_key_task(
        tree["study"], data={"owner_unit": org["office_dept"]}, expected_version=1, acting_user=people["olivia"]
    )
    with pytest.raises(PermissionDenied):
        keytasks.add_key_task_progress(
            tree["study"], percent=10, done="x", expected_version=2, acting_user=people["bob"]
        )
    with pytest.raises(PermissionDenied):
        keytasks.update_key_task(tree["study"], data={"lead": "刘"}, expected_version=2, acting_user=people["lily"])
    assert not _track(tree["study"]).entries.exists()


def test_the_same_form_posted_twice_records_once(tree, people):
    keytasks.add_key_task_progress(
        tree["study"], percent=20, done="部署", expected_version=1, acting_user=people["olivia"]
    )
    with pytest.raises(keytasks.StaleKeyTaskEdit):
        keytasks.add_key_task_progress(
            tree["study"], percent=20, done="部署", expected_version=1, acting_user=people["olivia"]
        )
    assert _track(tree["study"]).entries.count() == 1


def test_bad_input_is_refused_and_nothing_written(tree, people, campaign):
    with pytest.raises(ValidationError):
        keytasks.add_key_task_progress(
            tree["study"], percent=120, done="x", expected_version=1, acting_user=people["olivia"]
        )
    with pytest.raises(ValidationError):
        keytasks.update_key_task(
            tree["study"],
            data={"starts_on": campaign.ends_on, "due": campaign.starts_on},
            expected_version=1,
            acting_user=people["olivia"],
        )
    assert not KeyTaskTrack.objects.filter(campaign=campaign).exists()  # not even the tracks: all rolled back


def test_the_night_judges_key_tasks_with_the_items(tree, campaign):
    from taizhang.ledger.lights import refresh_lights

    refresh_lights(campaign)
    assert KeyTaskTrack.objects.filter(campaign=campaign).count() == 3
