"""The key-task view: aspects × progress and lights, drilled down, following what is reported."""

import pytest

from taizhang.campaigns.models import KeyTask
from taizhang.ledger.models import KeyTaskTrack


@pytest.fixture
def tree(campaign, items, org):
    aspect = KeyTask.objects.create(campaign=campaign, code="一", name="强化理论武装", order=1)
    study = KeyTask.objects.create(campaign=campaign, parent=aspect, code="1", name="专题学习", order=1)
    KeyTaskTrack.objects.create(key_task=study, campaign=campaign, owner_unit=org["office_dept"])
    items["oa"].key_task = study
    items["oa"].save()
    return {"aspect": aspect, "study": study}


def test_the_board_follows_a_progress_entry_and_drills_down(tree, people, login, campaign):
    client = login(people["lily"])
    page = client.get(f"/c/{campaign.slug}/key-tasks/{tree['study'].pk}/")
    version = page.context["progress_form"]["version"].value()
    response = client.post(
        f"/c/{campaign.slug}/key-tasks/{tree['study'].pk}/progress/",
        {"version": version, "percent": 70, "done": "三次专题学习"},
    )
    assert response.status_code == 302
    board = client.get(f"/c/{campaign.slug}/key-tasks/")
    row = board.context["board"]["rows"][0]
    assert (row["name"], row["percent"], row["items"]["total"]) == ("强化理论武装", 70, 1)
    assert row["link"].endswith(f"?aspect={tree['aspect'].pk}")
    drilled = client.get(row["link"])
    assert drilled.context["board"]["rows"][0]["percent"] == 70
    assert "三次专题学习" in client.get(f"/c/{campaign.slug}/key-tasks/{tree['study'].pk}/").content.decode()


def test_the_same_post_twice_records_once(tree, people, login, campaign):
    client = login(people["lily"])
    data = {"version": 1, "percent": 30, "done": "部署"}
    client.post(f"/c/{campaign.slug}/key-tasks/{tree['study'].pk}/progress/", data)
    client.post(f"/c/{campaign.slug}/key-tasks/{tree['study'].pk}/progress/", data)
    assert KeyTaskTrack.objects.get(key_task=tree["study"]).entries.count() == 1


def test_the_office_sets_owner_and_a_deadline_in_words(tree, people, login, campaign, org):
    client = login(people["olivia"])
    response = client.post(
        f"/c/{campaign.slug}/key-tasks/{tree['aspect'].pk}/edit/",
        {"version": 1, "owner_unit": org["hr"].pk, "lead": "刘领导", "due_text": "9月底前"},
    )
    assert response.status_code == 302
    track = KeyTaskTrack.objects.get(key_task=tree["aspect"])
    assert (track.owner_unit, track.due.month, track.due.day, track.due_text) == (org["hr"], 9, 30, "9月底前")
    bad = client.post(f"/c/{campaign.slug}/key-tasks/{tree['aspect'].pk}/edit/", {"version": 2, "due_text": "看情况"})
    assert bad.status_code == 400
    assert (
        "could not be read" in bad.content.decode()
        or "无法识别" in bad.content.decode()
        or bad.context["edit_form"].errors
    )


def test_key_task_and_scope_filter_the_item_list(tree, people, login, campaign, items):
    client = login(people["bob"])
    page = client.get(f"/c/{campaign.slug}/items/?key_task={tree['aspect'].pk}")
    codes = [item.code for item in page.context["page"]]
    assert codes == ["HQ-001"]
    outside = client.get(f"/c/{campaign.slug}/items/?scope=outside")
    assert list(outside.context["page"]) == []
    assert client.get(f"/c/{campaign.slug}/items/?key_task=abc").status_code == 200  # ignored, not a 500


def test_the_set_up_tree_shows_each_key_tasks_owner_and_edits_it_with_a_unit_picker(tree, people, login, campaign, org):
    client = login(people["olivia"])
    setup = client.get(f"/c/{campaign.slug}/setup/").content.decode()
    row = setup[setup.index(f'id="key-task-{tree["study"].pk}"') :]
    assert org["office_dept"].display_name in row[: row.index("</tr>")]
    owner_url = f"/c/{campaign.slug}/key-tasks/{tree['aspect'].pk}/owner/"
    assert owner_url in setup
    page = client.get(owner_url)
    assert page.status_code == 200
    html = page.content.decode()
    # The unit is picked by search, never from a select of every unit.
    assert "/units/search.json" in html and org["hr"].name not in html
    response = client.post(owner_url, {"version": 1, "owner_unit": org["hr"].pk, "lead": "刘领导", "due": "2026-09-30"})
    assert response.status_code == 302
    assert response["Location"] == f"/c/{campaign.slug}/setup/#key-task-{tree['aspect'].pk}"
    track = KeyTaskTrack.objects.get(key_task=tree["aspect"])
    assert (track.owner_unit, track.lead, track.due.isoformat()) == (org["hr"], "刘领导", "2026-09-30")
    assert track.version == 2
    setup = client.get(f"/c/{campaign.slug}/setup/").content.decode()
    row = setup[setup.index(f'id="key-task-{tree["aspect"].pk}"') :]
    assert "刘领导" in row[: row.index("</tr>")] and "2026-09-30" in row[: row.index("</tr>")]
    # The same form sent again (a double click) is refused as stale, and changes nothing.
    again = client.post(owner_url, {"version": 1, "owner_unit": org["office_dept"].pk, "lead": "别人"})
    assert again.status_code == 400
    assert KeyTaskTrack.objects.get(key_task=tree["aspect"]).lead == "刘领导"


def test_a_leader_reads_the_owners_on_the_set_up_but_cannot_edit_them(tree, people, login, campaign, org):
    client = login(people["leo"])
    setup = client.get(f"/c/{campaign.slug}/setup/").content.decode()
    assert org["office_dept"].display_name in setup
    assert f"/key-tasks/{tree['study'].pk}/owner/" not in setup
    assert client.get(f"/c/{campaign.slug}/key-tasks/{tree['study'].pk}/owner/").status_code == 403
    assert client.post(f"/c/{campaign.slug}/key-tasks/{tree['study'].pk}/owner/", {"lead": "x"}).status_code == 403
