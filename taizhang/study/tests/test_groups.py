"""Member groups (党小组, 学习小组): kept by the unit's roster keeper, in history, an audience for activities
and an assignee of materials with a reading rate per group; the roster exported as xlsx."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from taizhang.history.models import HistoryEntry
from taizhang.history.recording import history_for
from taizhang.lib.xlsxread import read_workbook
from taizhang.orgs.access import Access
from taizhang.study import actions, groups
from taizhang.study.models import Attendance, Member, MemberGroup
from taizhang.study.queries import reading_rate, reading_rates

HEADER = ["姓名", "单位", "手机", "是否党员", "党支部"]


@pytest.fixture
def access(people, campaign):
    return {name: Access.for_user(user, campaign) for name, user in people.items()}


@pytest.fixture
def roster(org, access, people):
    rows = [
        HEADER,
        ["张三", "办公室", "13800000001", "是", "机关第一支部"],
        ["李四", "集团办公室", "13800000002", "否", ""],
        ["钱七", "集团办公室", "13800000005", "是", "机关第一支部"],
        ["王五", "人力资源部", "13800000003", "是", "机关第二支部"],
        ["赵六", "八一骨科医院", "13800000004", "是", "医院支部"],
    ]
    actions.import_roster(rows, access=access["olivia"], acting_user=people["olivia"])
    return {m.name: m for m in Member.objects.all()}


@pytest.fixture
def party_group(org, access, people, roster):
    group = groups.create_group(
        unit=org["office_dept"],
        data={"name": "机关第一党小组", "kind": "party"},
        access=access["lily"],
        acting_user=people["lily"],
    )
    groups.add_members(
        group, member_ids=[roster["张三"].pk, roster["钱七"].pk], access=access["lily"], acting_user=people["lily"]
    )
    return group


def test_liaison_makes_a_group_of_their_unit_and_adds_members_in_history(party_group, roster, people):
    assert set(party_group.members.values_list("name", flat=True)) == {"张三", "钱七"}
    entries = list(history_for(party_group).order_by("pk"))
    assert [e.action for e in entries] == [HistoryEntry.Action.CREATE, HistoryEntry.Action.UPDATE]
    assert "张三" in entries[1].note and entries[1].actor == people["lily"]


def test_liaison_cannot_make_or_change_another_units_group(org, access, people, party_group, roster):
    with pytest.raises(PermissionDenied):
        groups.create_group(unit=org["hr"], data={"name": "人力党小组"}, access=access["lily"], acting_user=None)
    with pytest.raises(PermissionDenied):
        groups.add_members(party_group, member_ids=[roster["李四"].pk], access=access["bob"], acting_user=None)
    with pytest.raises(PermissionDenied):
        groups.update_group(
            party_group, data={"name": "改名"}, expected_version=1, access=access["leo"], acting_user=None
        )


def test_only_members_of_the_groups_unit_join_and_nothing_is_half_added(party_group, roster, access, people):
    with pytest.raises(ValidationError) as refused:
        groups.add_members(
            party_group,
            member_ids=[roster["李四"].pk, roster["王五"].pk],
            access=access["olivia"],
            acting_user=people["olivia"],
        )
    assert "王五" in " ".join(refused.value.messages)
    assert not party_group.members.filter(name="李四").exists()
    # Adding someone already in it changes nothing and writes no history.
    before = history_for(party_group).count()
    assert groups.add_members(party_group, member_ids=[roster["张三"].pk], access=access["lily"], acting_user=None) == 0
    assert history_for(party_group).count() == before


def test_two_groups_of_a_unit_cannot_share_a_name(org, access, people, party_group):
    with pytest.raises(ValidationError):
        groups.create_group(
            unit=org["office_dept"], data={"name": "机关第一党小组 "}, access=access["lily"], acting_user=None
        )


def test_edit_renames_sets_a_leader_refuses_an_older_copy(party_group, roster, access, people):
    group = groups.update_group(
        party_group,
        data={"name": "第一党小组", "kind": "study", "leader": roster["张三"], "is_active": True},
        expected_version=1,
        access=access["lily"],
        acting_user=people["lily"],
    )
    assert (group.name, group.kind, group.leader, group.version) == ("第一党小组", "study", roster["张三"], 2)
    change = history_for(group).filter(action="update").exclude(changes=[]).get()
    assert {c["field"] for c in change.changes} == {"name", "kind", "leader"}
    with pytest.raises(groups.StaleGroup):
        groups.update_group(group, data={"name": "又改"}, expected_version=1, access=access["lily"], acting_user=None)
    with pytest.raises(ValidationError):
        groups.update_group(
            group, data={"leader": roster["王五"]}, expected_version=2, access=access["olivia"], acting_user=None
        )


def test_removing_the_leader_empties_the_post(party_group, roster, access, people):
    groups.update_group(
        party_group, data={"leader": roster["张三"]}, expected_version=1, access=access["lily"], acting_user=None
    )
    assert groups.remove_members(party_group, member_ids=[roster["张三"].pk], access=access["lily"], acting_user=None)
    party_group.refresh_from_db()
    assert party_group.leader is None and list(party_group.members.all()) == [roster["钱七"]]
    assert Member.objects.filter(pk=roster["张三"].pk, is_active=True).exists()  # still on the roster


def _activity(campaign, org, access, people, **extra):
    starts = timezone.now() - datetime.timedelta(hours=1)
    data = {
        "kind": actions.activity_kinds(campaign)[2],
        "title": "党小组学习",
        "unit": org["office_dept"],
        "starts_at": starts,
        "ends_at": starts + datetime.timedelta(hours=2),
        "hours": 1,
    }
    return actions.create_activity(
        campaign=campaign, data=data, access=access["olivia"], acting_user=people["olivia"], **extra
    )


def test_an_activity_for_a_group_expects_its_members_only(campaign, org, access, people, party_group, roster):
    activity = _activity(campaign, org, access, people, audience_groups=[party_group])
    assert set(actions.expected_members(activity).values_list("name", flat=True)) == {"张三", "钱七"}
    actions.sign_in(activity.sign_in_token, name="钱七", phone="13800000005")
    with pytest.raises(ValidationError):  # 李四 is on the unit's roster but not in the group
        actions.sign_in(activity.sign_in_token, name="李四", phone="13800000002")
    with pytest.raises(ValidationError):
        actions.record_attendance(
            activity, marks={roster["李四"].pk: ("present", "")}, access=access["olivia"], acting_user=None
        )
    assert Attendance.objects.filter(activity=activity).count() == 1


def test_audience_units_and_groups_add_up(campaign, org, access, people, party_group, roster):
    activity = _activity(campaign, org, access, people, audience_units=[org["hr"]], audience_groups=[party_group])
    assert set(actions.expected_members(activity).values_list("name", flat=True)) == {"张三", "钱七", "王五"}


def test_a_group_out_of_use_cannot_be_a_new_audience(campaign, org, access, people, party_group):
    groups.update_group(
        party_group, data={"is_active": False}, expected_version=1, access=access["lily"], acting_user=None
    )
    party_group.refresh_from_db()
    with pytest.raises(ValidationError):
        _activity(campaign, org, access, people, audience_groups=[party_group])


def test_audience_group_changes_are_in_the_activitys_history(campaign, org, access, people, party_group):
    activity = _activity(campaign, org, access, people)
    actions.update_activity(
        activity,
        data={},
        audience_groups=[party_group],
        expected_version=activity.version,
        access=access["olivia"],
        acting_user=people["olivia"],
    )
    change = history_for(activity).filter(action="update").get()
    assert change.changes[0]["field"] == "audience_groups" and change.changes[0]["new"] == "机关第一党小组"


def test_a_material_assigned_to_a_group_has_a_reading_rate_per_group(campaign, org, access, people, party_group):
    material = actions.create_material(
        campaign=campaign,
        data={"title": "红色之路", "link": "https://intranet.example/red"},
        access=access["olivia"],
        acting_user=people["olivia"],
    )
    read_by = timezone.localdate()
    actions.assign_material(material, group=party_group, read_by=read_by, access=access["olivia"], acting_user=None)
    actions.assign_material(material, unit=org["hr"], read_by=read_by, access=access["olivia"], acting_user=None)
    with pytest.raises(ValidationError):  # the same group twice
        actions.assign_material(material, group=party_group, read_by=read_by, access=access["olivia"], acting_user=None)
    with pytest.raises(ValidationError):  # neither a unit nor a group
        actions.assign_material(material, read_by=read_by, access=access["olivia"], acting_user=None)
    with pytest.raises(ValidationError):  # 李四 is not in the group and 办公室 was not assigned
        actions.open_material(material, name="李四", phone="13800000002")
    reading = actions.open_material(material, name="钱七", phone="13800000005")
    actions.confirm_reading(reading)
    assert reading_rate(material) == (1, 3)
    rates = {(r.assignment.group_id or r.assignment.unit_id): r for r in reading_rates(material)}
    assert (rates[party_group.pk].assigned, rates[party_group.pk].confirmed, rates[party_group.pk].rate) == (2, 1, 50.0)
    assert (rates[org["hr"].pk].assigned, rates[org["hr"].pk].confirmed) == (1, 0)


# Pages -----------------------------------------------------------------------------------


def test_group_pages_for_the_liaison(client, campaign, people, party_group, roster):
    client.force_login(people["lily"])
    base = f"/c/{campaign.slug}/study/groups/"
    assert "机关第一党小组" in client.get(base).content.decode()
    page = client.get(f"{base}{party_group.pk}/").content.decode()
    assert "张三" in page and "13800000001" in page
    found = client.get(f"{base}{party_group.pk}/members.json", {"q": "李"}).json()["results"]
    assert [r["id"] for r in found] == [roster["李四"].pk]
    assert client.get(f"{base}{party_group.pk}/members.json", {"q": "王五"}).json()["results"] == []  # other unit
    response = client.post(f"{base}{party_group.pk}/", {"members": [roster["李四"].pk]})
    assert response.status_code == 302 and party_group.members.filter(name="李四").exists()
    response = client.post(f"{base}{party_group.pk}/", {"members": [roster["王五"].pk]})
    assert response.status_code == 400 and not party_group.members.filter(name="王五").exists()
    response = client.post(f"{base}{party_group.pk}/remove/", {"member": roster["张三"].pk})
    assert response.status_code == 302 and not party_group.members.filter(name="张三").exists()
    assert client.post(f"{base}{party_group.pk}/remove/", {"member": "x" * 30}).status_code == 400


def test_a_new_group_from_the_page(client, campaign, people, org):
    client.force_login(people["lily"])
    response = client.post(
        reverse("study:group_new", args=[campaign.slug]),
        {"unit": org["office_dept"].pk, "name": "青年学习小组", "kind": "study"},
    )
    group = MemberGroup.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/groups/{group.pk}/")
    # Another unit's group is refused on the form (the liaison's units are the choices).
    response = client.post(
        reverse("study:group_new", args=[campaign.slug]), {"unit": org["hr"].pk, "name": "人力小组", "kind": "party"}
    )
    assert response.status_code == 400 and MemberGroup.objects.count() == 1


def test_the_edit_page_refuses_an_older_copy_with_409(client, campaign, people, party_group):
    client.force_login(people["lily"])
    url = reverse("study:group_edit", args=[campaign.slug, party_group.pk])
    data = {"name": "新名字", "kind": "party", "is_active": "on", "version": 1}
    assert client.post(url, data).status_code == 302
    assert client.post(url, {**data, "name": "再改"}).status_code == 409
    party_group.refresh_from_db()
    assert party_group.name == "新名字"


def test_the_roster_export_shows_phones_only_to_the_office_and_the_unit(client, campaign, people, party_group):
    url = reverse("study:group_export", args=[campaign.slug, party_group.pk])
    for name, phones in (("lily", True), ("olivia", True), ("leo", False)):
        client.force_login(people[name])
        response = client.get(url)
        assert response.status_code == 200
        rows = read_workbook(response.content, "group.xlsx").sheets[0].rows
        values = [[str(c) for c in row if c not in (None, "")] for row in rows]
        assert values[0] == ["集团办公室 机关第一党小组"]
        assert [row[0] for row in values[2:]] == ["张三", "钱七"]
        assert any("13800000001" in row for row in values) is phones
    client.force_login(people["bob"])  # another unit's liaison
    assert client.get(url).status_code == 403


def test_group_search_finds_groups_in_use_by_name_or_unit(client, campaign, people, party_group):
    client.force_login(people["bob"])
    url = reverse("study:group_search", args=[campaign.slug])
    assert [r["id"] for r in client.get(url, {"q": "党小组"}).json()["results"]] == [party_group.pk]
    assert [r["id"] for r in client.get(url, {"q": "办公室"}).json()["results"]] == [party_group.pk]
    assert client.get(url, {"q": ""}).json()["results"] == []
    client.force_login(people["leo"])
    assert client.get(url, {"q": "党小组"}).status_code == 403


def test_the_activity_form_takes_audience_groups(client, campaign, people, org, party_group):
    client.force_login(people["lily"])
    start = timezone.localtime() - datetime.timedelta(hours=1)
    response = client.post(
        reverse("study:activity_new", args=[campaign.slug]),
        {
            "kind": actions.activity_kinds(campaign)[2].pk,
            "title": "党小组会",
            "unit": org["office_dept"].pk,
            "audience_groups": [party_group.pk],
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "hours": "1",
            "state": "planned",
            "outsiders": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    activity = campaign.activities.get()
    assert list(activity.audience_groups.all()) == [party_group]
    page = client.get(reverse("study:activity_detail", args=[campaign.slug, activity.pk])).content.decode()
    assert "机关第一党小组" in page


def test_the_material_page_assigns_to_a_group_and_shows_its_rate(client, campaign, people, party_group):
    material = actions.create_material(
        campaign=campaign,
        data={"title": "红色之路", "link": "https://intranet.example/red"},
        access=Access.for_user(people["olivia"], campaign),
        acting_user=people["olivia"],
    )
    client.force_login(people["olivia"])
    url = reverse("study:material_detail", args=[campaign.slug, material.pk])
    assert client.post(url, {"read_by": "2026-07-01"}).status_code == 400  # neither unit nor group
    assert client.post(url, {"group": party_group.pk, "read_by": "2026-07-01"}).status_code == 302
    row = client.get(url).content.decode()
    assert f'data-assignment="group-{party_group.pk}"' in row and "机关第一党小组" in row


def test_group_list_is_scoped_for_a_liaison(client, campaign, people, org, party_group, access):
    groups.create_group(unit=org["hr"], data={"name": "人力党小组"}, access=access["bob"], acting_user=None)
    client.force_login(people["bob"])
    page = client.get(reverse("study:group_list", args=[campaign.slug])).content.decode()
    assert "人力党小组" in page and "机关第一党小组" not in page
    assert client.get(reverse("study:group_detail", args=[campaign.slug, party_group.pk])).status_code == 403
    client.force_login(people["leo"])
    page = client.get(reverse("study:group_list", args=[campaign.slug])).content.decode()
    assert "人力党小组" in page and "机关第一党小组" in page
