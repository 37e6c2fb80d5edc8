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
