"""The demo's key tasks: owners, leaders, deadlines and progress, through the key-task actions, once."""

from taizhang.campaigns.models import KeyTask
from taizhang.demo import keytasks as demo
from taizhang.ledger.models import KeyTaskProgress, KeyTaskTrack


def test_demo_gives_every_key_task_an_owner_and_most_of_them_progress(people, org, campaign, items):
    aspect = KeyTask.objects.create(campaign=campaign, code="1", name="专题学习")
    tasks = [KeyTask.objects.create(campaign=campaign, parent=aspect, code=f"1.{n}", name=f"任务{n}") for n in range(3)]
    items["oa"].key_task = tasks[0]
    items["oa"].save()
    made = demo.build(campaign)
    assert made > 0
    first = KeyTaskTrack.objects.get(key_task=tasks[0])
    assert (first.owner_unit, first.lead, first.percent_source) == (org["office_dept"], "王建国", "entries")
    assert KeyTaskTrack.objects.get(key_task=tasks[2]).percent_source == "items"  # reports nothing itself
    assert KeyTaskTrack.objects.get(key_task=aspect).percent_source == "tasks"
    assert demo.build(campaign) == 0
    assert KeyTaskProgress.objects.count() == made
