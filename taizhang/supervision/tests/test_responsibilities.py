"""The responsibility system (责任制): the office assigns the eight responsibilities, they pass down the tree,
a key task or item overrides them, the grid shows gaps, exports as xlsx and .docx, every change in history."""

import io

import docx
import pytest
from python_calamine import CalamineWorkbook

from taizhang.history.recording import history_for
from taizhang.supervision import actions
from taizhang.supervision.models import Assignment, Responsibility
from taizhang.supervision.queries import holders_for_item, responsibility_holders


@pytest.fixture
def assigned(org, people, campaign):
    olivia = people["olivia"]
    group_first = actions.assign_responsibility(
        campaign,
        kind=Responsibility.FIRST,
        unit=org["group"],
        holder_title="党委书记",
        holder_name="王书记",
        acting_user=olivia,
    )
    subsidiary_first = actions.assign_responsibility(
        campaign,
        kind=Responsibility.FIRST,
        unit=org["subsidiary"],
        holder_title="党委书记",
        holder_user=people["leo"],
        acting_user=olivia,
    )
    office = actions.assign_responsibility(
        campaign, kind=Responsibility.ORGANISE, unit=org["group"], holder_unit=org["office_dept"], acting_user=olivia
    )
    return {"group_first": group_first, "subsidiary_first": subsidiary_first, "office": office}


def test_holders_pass_down_the_tree_until_a_unit_names_its_own(org, campaign, assigned):
    holders = responsibility_holders(campaign)
    hospital = holders[org["hospital"].pk][Responsibility.FIRST]
    assert [h.label for h in hospital] == ["党委书记 刘领导"] and hospital[0].inherited
    hr = holders[org["hr"].pk][Responsibility.FIRST]
    assert [h.label for h in hr] == ["党委书记 王书记"] and hr[0].inherited
    group = holders[org["group"].pk]
    assert not group[Responsibility.FIRST][0].inherited
    assert [h.label for h in group[Responsibility.ORGANISE]] == ["办公室"]
    assert Responsibility.HEAD not in group
    # Asked for some units only: the same answer for them, from their lines up the tree.
    assert responsibility_holders(campaign, [org["hospital"].pk]) == {org["hospital"].pk: holders[org["hospital"].pk]}


def test_an_items_own_holder_overrides_the_units(org, people, campaign, items, assigned):
    actions.assign_responsibility(
        campaign, kind=Responsibility.FIRST, item=items["clinic"], holder_name="李院长", acting_user=people["olivia"]
    )
    held = holders_for_item(items["clinic"])
    assert [h.label for h in held[Responsibility.FIRST]] == ["李院长"]
    assert [h.label for h in held[Responsibility.ORGANISE]] == ["办公室"]


def test_only_the_office_assigns_and_a_holder_is_required(org, people, campaign):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):
        actions.assign_responsibility(
            campaign, kind=Responsibility.FIRST, unit=org["hr"], holder_name="某", acting_user=people["leo"]
        )
    with pytest.raises(ValidationError):
        actions.assign_responsibility(campaign, kind=Responsibility.FIRST, unit=org["hr"], acting_user=people["olivia"])
    with pytest.raises(ValidationError):
        actions.assign_responsibility(
            campaign, kind="nonsense", unit=org["hr"], holder_name="某", acting_user=people["olivia"]
        )
    assert not Assignment.objects.exists()


def test_assigning_twice_makes_one_row_and_ending_keeps_it_in_history(org, people, campaign, assigned):
    again = actions.assign_responsibility(
        campaign,
        kind=Responsibility.FIRST,
        unit=org["group"],
        holder_title="党委书记",
        holder_name="王书记",
        acting_user=people["olivia"],
    )
    assert again == assigned["group_first"]
    actions.end_assignment(assigned["group_first"], acting_user=people["olivia"])
    assert Responsibility.FIRST not in responsibility_holders(campaign)[org["hr"].pk]
    assert [h.action for h in history_for(assigned["group_first"])] == ["deactivate", "create"]


def test_the_grid_marks_a_unit_with_open_items_and_no_first_holder(login, org, people, campaign, items):
    actions.assign_responsibility(
        campaign, kind=Responsibility.FIRST, unit=org["subsidiary"], holder_name="张书记", acting_user=people["olivia"]
    )
    client = login(people["lily"])
    response = client.get(f"/c/{campaign.slug}/responsibilities/")
    assert response.status_code == 200
    page = response.content.decode()
    gaps = {row.unit.pk for row in response.context["page"] if row.gap}
    assert gaps == {org["office_dept"].pk, org["hr"].pk}  # the hospital inherits 张书记
    assert "tz-gap" in page
    assert (
        client.get(f"/c/{campaign.slug}/responsibilities/?under={org['subsidiary'].pk}").context["page"].paginator.count
        == 2
    )
    assert client.get(f"/c/{campaign.slug}/responsibilities/?under=abc").status_code == 400


def test_the_grid_exports_as_xlsx_and_docx(login, org, people, campaign, items, assigned):
    client = login(people["olivia"])
    xlsx = client.get(f"/c/{campaign.slug}/responsibilities.xlsx")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(xlsx.content)).get_sheet_by_index(0).to_python()
    flat = [" ".join(str(c) for c in row) for row in rows]
    assert any("八一骨科医院" in line and "刘领导" in line for line in flat)
    document = docx.Document(io.BytesIO(client.get(f"/c/{campaign.slug}/responsibilities.docx").content))
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    assert "王书记" in text and "融通医疗健康公司" in text and "刘领导" in text


def test_the_office_assigns_through_the_page(login, org, people, campaign):
    client = login(people["olivia"])
    assert client.get(f"/c/{campaign.slug}/responsibilities/new/?unit={org['hr'].pk}").status_code == 200
    response = client.post(
        f"/c/{campaign.slug}/responsibilities/new/",
        {"kind": Responsibility.SUPPORT, "unit": org["group"].pk, "holder_unit": org["hr"].pk},
    )
    assert response.status_code == 302
    assert Assignment.objects.get().holder_unit == org["hr"]
    assert client.post(f"/c/{campaign.slug}/responsibilities/new/", {"kind": "first"}).status_code == 400


def test_the_office_edits_a_holder_in_place_and_history_keeps_the_old_one(org, people, campaign, assigned):
    first = assigned["subsidiary_first"]
    edited = actions.edit_assignment(
        first, holder_title="党委书记", holder_name="赵书记", expected_version=1, acting_user=people["olivia"]
    )
    assert (edited.holder_user, edited.holder_name, edited.version) == (None, "赵书记", 2)
    assert [h.label for h in responsibility_holders(campaign)[org["hospital"].pk][Responsibility.FIRST]] == [
        "党委书记 赵书记"
    ]
    entry = history_for(first)[0]
    assert entry.action == "update" and {c["field"] for c in entry.changes} == {"holder_user", "holder_name"}
    # Saving the same holder again (a double click) records nothing and keeps the version.
    again = actions.edit_assignment(
        edited, holder_title="党委书记", holder_name="赵书记", expected_version=2, acting_user=people["olivia"]
    )
    assert again.version == 2 and len(history_for(first)) == 2


def test_an_edit_of_an_older_copy_is_refused_and_a_liaison_cannot_edit(people, campaign, assigned):
    from django.core.exceptions import PermissionDenied, ValidationError

    first = assigned["group_first"]
    actions.edit_assignment(first, holder_name="钱书记", expected_version=1, acting_user=people["olivia"])
    with pytest.raises(actions.StaleAssignment):
        actions.edit_assignment(first, holder_name="孙书记", expected_version=1, acting_user=people["olivia"])
    with pytest.raises(PermissionDenied):
        actions.edit_assignment(first, holder_name="孙书记", expected_version=2, acting_user=people["lily"])
    with pytest.raises(ValidationError):
        actions.edit_assignment(first, expected_version=2, acting_user=people["olivia"])  # nobody holds it
    first.refresh_from_db()
    assert (first.holder_name, first.version) == ("钱书记", 2)


def test_the_grid_edits_a_holder_in_place_through_htmx(login, org, people, campaign, assigned):
    first = assigned["subsidiary_first"]
    url = f"/c/{campaign.slug}/responsibilities/{first.pk}/edit/"
    client = login(people["olivia"])
    grid_page = client.get(f"/c/{campaign.slug}/responsibilities/").content.decode()
    assert f'id="assignment-{first.pk}"' in grid_page and url in grid_page
    form = client.get(url, HTTP_HX_REQUEST="true")
    assert form.status_code == 200 and "<html" not in form.content.decode()
    assert client.get(url + "?show=holder", HTTP_HX_REQUEST="true").content.decode().count("刘领导") >= 1
    saved = client.post(
        url,
        {f"a{first.pk}-holder_title": "党委书记", f"a{first.pk}-holder_name": "周书记", f"a{first.pk}-version": 1},
        HTTP_HX_REQUEST="true",
    )
    assert saved.status_code == 200 and "党委书记 周书记" in saved.content.decode()
    assert "data-tz-announce" in saved.content.decode()
    stale = client.post(url, {f"a{first.pk}-holder_name": "吴书记", f"a{first.pk}-version": 1}, HTTP_HX_REQUEST="true")
    assert stale.status_code == 409 and "tz-stale" in stale.content.decode()
    assert 'value="周书记"' in stale.content.decode() and 'value="2"' in stale.content.decode()
    empty = client.post(url, {f"a{first.pk}-version": 2}, HTTP_HX_REQUEST="true")
    assert empty.status_code == 400
    first.refresh_from_db()
    assert (first.holder_name, first.version) == ("周书记", 2)
    # Without script: a page of its own, back to the grid after saving.
    assert "<html" in client.get(url).content.decode()
    back = client.post(url, {f"a{first.pk}-holder_name": "郑书记", f"a{first.pk}-version": 2})
    assert back.status_code == 302
    assert client.get(url + "?show=nonsense").status_code == 400
    actions.end_assignment(first, acting_user=people["olivia"])
    assert client.get(url).status_code == 404
    live = f"/c/{campaign.slug}/responsibilities/{assigned['group_first'].pk}/edit/"
    assert login(people["lily"]).get(live).status_code == 403  # a liaison, on an assignment in force


def test_a_key_task_shows_who_holds_what_for_it_the_nearest_task_winning(login, org, people, campaign, assigned):
    from taizhang.campaigns.models import KeyTask
    from taizhang.supervision.queries import holders_for_key_task

    aspect = KeyTask.objects.create(campaign=campaign, code="1", name="专题学习", order=1)
    task = KeyTask.objects.create(campaign=campaign, parent=aspect, code="1.1", name="中心组专题学习")
    olivia = people["olivia"]
    actions.assign_responsibility(
        campaign, kind=Responsibility.HEAD, unit=org["group"], key_task=aspect, holder_name="宣传部", acting_user=olivia
    )
    actions.assign_responsibility(
        campaign,
        kind=Responsibility.LEAD_PUSH,
        unit=org["group"],
        key_task=aspect,
        holder_name="甲",
        acting_user=olivia,
    )
    actions.assign_responsibility(
        campaign, kind=Responsibility.LEAD_PUSH, unit=org["group"], key_task=task, holder_name="乙", acting_user=olivia
    )
    held = holders_for_key_task(task)
    assert [h.label for h in held[Responsibility.HEAD]] == ["宣传部"]  # from the aspect above it
    assert [h.label for h in held[Responsibility.LEAD_PUSH]] == ["乙"]  # its own overrides the aspect's
    assert Responsibility.FIRST not in held  # the unit's holders are not the task's
    page = login(olivia).get(f"/c/{campaign.slug}/key-tasks/{task.pk}/").content.decode()
    panel = page[page.index('id="key-task-responsibilities"') :][:2000]
    assert "宣传部" in panel and "乙" in panel and "甲" not in panel


def test_the_grid_escapes_what_holders_are_called_and_only_the_office_gets_edit_links(login, org, people, campaign):
    actions.assign_responsibility(
        campaign,
        kind=Responsibility.FIRST,
        unit=org["group"],
        holder_name="<script>x</script>",
        acting_user=people["olivia"],
    )
    page = login(people["olivia"]).get(f"/c/{campaign.slug}/responsibilities/").content.decode()
    assert "<script>x</script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert "tz-edit-holder" in page
    assert "tz-edit-holder" not in login(people["leo"]).get(f"/c/{campaign.slug}/responsibilities/").content.decode()
