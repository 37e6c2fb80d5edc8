"""Commands write as a named system actor that history shows; permission is granted in one place (Access)."""

import getpass
import io

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from taizhang.campaigns.actions import can_start_campaigns
from taizhang.campaigns.models import Campaign
from taizhang.history.models import HistoryEntry
from taizhang.history.recording import history_for
from taizhang.orgs import actions
from taizhang.orgs.access import Access, can_manage_units
from taizhang.orgs.models import Role, Unit, User
from taizhang.sheets.tests.ledgers import book, messy_ledger


def write_rows(tmp_path, rows, name="units.xlsx"):
    def build(wb):
        ws = wb.add_worksheet()
        for r, row in enumerate(rows):
            ws.write_row(r, 0, row)

    path = tmp_path / name
    path.write_bytes(book(build))
    return path


@pytest.fixture
def staff_office(people):
    """olivia, the campaign office, may also open the admin."""
    olivia = people["olivia"]
    olivia.is_staff = True
    olivia.save()
    from django.contrib.auth.models import Permission

    olivia.user_permissions.add(*Permission.objects.filter(codename__in=["add_unit", "change_unit", "view_unit"]))
    return olivia


# The actor ------------------------------------------------------------------------------


def test_a_system_actor_is_one_row_per_kind_and_account(db):
    first = actions.system_actor("cli", "root")
    again = actions.system_actor("cli", "root")
    other = actions.system_actor("cli", "deploy")
    assert first.pk == again.pk != other.pk
    assert first.username == "system:cli:root"
    assert first.is_system_actor and not first.is_active and not first.has_usable_password()


def test_a_system_actor_defaults_to_the_operating_system_account(db):
    assert actions.system_actor("cli").username == f"system:cli:{getpass.getuser()}"


def test_an_unknown_kind_of_system_actor_is_a_programming_error(db):
    with pytest.raises(ValueError):
        actions.system_actor("backdoor")


def test_no_one_signs_in_as_a_system_actor(db, client):
    actor = actions.system_actor("cli", "root")
    assert authenticate(RequestFactory().post("/accounts/login/"), username=actor.username, password="") is None
    response = client.post(reverse("login"), {"username": actor.username, "password": ""})
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 400, 429)


def test_a_person_cannot_register_a_system_username(db):
    # A colon fails the username validator every sign-up and admin form runs.
    with pytest.raises(ValidationError) as refused:
        User(username="system:cli:root", password="x").full_clean()
    assert "username" in refused.value.message_dict


def test_a_user_named_like_a_system_actor_but_with_a_password_is_an_ordinary_user(db, campaign):
    # Only code makes system actors (no usable password); a row that has one gets no office rights.
    impostor = User.objects.create_user(username="system:cli:root", password="pw-for-tests-1")
    assert not impostor.is_system_actor
    assert not Access.for_user(impostor, campaign).is_office
    assert not can_manage_units(impostor)


def test_history_names_the_system_actor_in_the_readers_language(db):
    actor = actions.system_actor("cli", "root")
    with translation.override("zh-hans"):
        assert actor.display_name == "命令行导入（root）"
    with translation.override("en"):
        assert actor.display_name == "Command-line import (root)"


# Permission in one place --------------------------------------------------------------


def test_a_system_actor_acts_as_the_office_of_the_campaign_it_works_on(db, campaign):
    actor = actions.system_actor("cli", "root")
    access = Access.for_user(actor, campaign)
    assert access.is_office and not access.is_leader and not access.is_liaison
    assert Access.for_system(actor, campaign).roles == {Role.OFFICE}
    assert can_manage_units(actor) and can_start_campaigns(actor)


def test_access_for_system_refuses_a_person(people, campaign):
    with pytest.raises(PermissionDenied):
        Access.for_system(people["olivia"], campaign)


def test_creating_a_unit_without_a_permitted_actor_is_refused(people, org):
    with pytest.raises(PermissionDenied):
        actions.create_unit(data={"name": "新部门", "parent": org["group"]}, acting_user=people["charlie"])
    with pytest.raises(TypeError):
        actions.create_unit(data={"name": "新部门", "parent": org["group"]})  # no actor, no write
    assert not Unit.objects.filter(name="新部门").exists()


# Commands -------------------------------------------------------------------------------


def test_import_units_records_the_command_line_as_the_actor_of_every_change(db, tmp_path):
    rows = [
        ["名称", "简称", "上级单位", "类型"],
        ["中国融通集团", "集团", "", "集团"],
        ["集团办公室", "办公室", "集团", "部门"],
    ]
    call_command("import_units", str(write_rows(tmp_path, rows)))
    rows[2][1] = "办公厅"
    call_command("import_units", str(write_rows(tmp_path, rows)))
    office = Unit.objects.get(name="集团办公室")
    entries = list(history_for(office).order_by("at", "id"))
    assert [e.action for e in entries] == [HistoryEntry.Action.CREATE, HistoryEntry.Action.UPDATE]
    assert {e.actor.username for e in entries} == {f"system:cli:{getpass.getuser()}"}
    assert entries[1].changes[0]["new"] == "办公厅"


def test_the_unit_page_shows_the_command_line_as_who_changed_it(people, tmp_path, login):
    rows = [["名称", "上级单位"], ["中国融通集团", ""], ["新设中心", "中国融通集团"]]
    call_command("import_units", str(write_rows(tmp_path, rows)))
    unit = Unit.objects.get(name="新设中心")
    client = login(people["olivia"])
    page = client.get(reverse("orgs:unit_detail", args=[unit.pk])).content.decode()
    assert f"命令行导入（{getpass.getuser()}）" in page
    page = client.get(reverse("orgs:unit_detail", args=[unit.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"Command-line import ({getpass.getuser()})" in page


def test_import_ledger_creates_a_campaign_with_its_history(org, tmp_path):
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(messy_ledger())
    call_command(
        "import_ledger", str(path), "--campaign", "cli-2021", "--create-campaign", "--json", stdout=io.StringIO()
    )
    campaign = Campaign.objects.get(slug="cli-2021")
    created = history_for(campaign).get(action=HistoryEntry.Action.CREATE)
    assert created.actor.is_system_actor and created.actor.username.startswith("system:cli:")
    item = campaign.items.order_by("code").first()
    assert history_for(item).get(action=HistoryEntry.Action.CREATE).actor == created.actor


# The admin ------------------------------------------------------------------------------


def test_an_admin_move_goes_through_the_org_action(org, staff_office, client):
    client.force_login(staff_office)
    hospital = org["hospital"]
    response = client.post(
        reverse("admin:orgs_unit_change", args=[hospital.pk]),
        {"name": hospital.name, "kind": hospital.kind, "parent": org["hr"].pk, "sort_order": 0, "aliases": "[]"},
    )
    assert response.status_code == 302
    hospital.refresh_from_db()
    assert hospital.path.startswith(org["hr"].path) and hospital.depth == org["hr"].depth + 1
    entry = history_for(hospital).first()
    assert (entry.action, entry.actor, entry.note) == (HistoryEntry.Action.MOVE, staff_office, "admin")


def test_an_admin_add_goes_through_the_org_action(org, staff_office, client):
    client.force_login(staff_office)
    response = client.post(
        reverse("admin:orgs_unit_add"),
        {"name": "新设中心", "kind": Unit.Kind.DEPARTMENT, "parent": org["group"].pk, "sort_order": 3, "aliases": "[]"},
    )
    assert response.status_code == 302
    unit = Unit.objects.get(name="新设中心")
    assert unit.path.startswith(org["group"].path) and "新设中心" in unit.search_text
    assert history_for(unit).get().action == HistoryEntry.Action.CREATE


def test_the_admin_refuses_to_move_a_unit_below_itself(org, staff_office, client):
    client.force_login(staff_office)
    subsidiary = org["subsidiary"]
    response = client.post(
        reverse("admin:orgs_unit_change", args=[subsidiary.pk]),
        {"name": subsidiary.name, "kind": subsidiary.kind, "parent": org["hospital"].pk, "sort_order": 0},
    )
    assert response.status_code == 200
    assert "cannot be moved below itself" in response.content.decode() or "不能" in response.content.decode()
    subsidiary.refresh_from_db()
    assert subsidiary.parent == org["group"]


def test_a_staff_member_who_is_not_the_office_cannot_change_units_in_the_admin(org, people, client):
    from django.contrib.auth.models import Permission

    charlie = people["charlie"]
    charlie.is_staff = True
    charlie.save()
    charlie.user_permissions.add(*Permission.objects.filter(codename__in=["change_unit", "view_unit"]))
    client.force_login(charlie)
    hr = org["hr"]
    response = client.post(
        reverse("admin:orgs_unit_change", args=[hr.pk]),
        {"name": "改名", "kind": hr.kind, "parent": org["group"].pk, "sort_order": 0},
    )
    assert response.status_code == 403
    hr.refresh_from_db()
    assert hr.name == "人力资源部"
