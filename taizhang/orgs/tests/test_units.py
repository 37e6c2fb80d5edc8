"""The org tree: units are created, renamed, moved with their subtree, deactivated (never deleted), with history."""

import pytest
from django.contrib.admin import site as admin_site
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from taizhang.history.models import HistoryEntry
from taizhang.history.recording import history_for
from taizhang.orgs import actions
from taizhang.orgs.models import Unit
from taizhang.testing.factories import make_user


def refreshed(unit: Unit) -> Unit:
    return Unit.objects.get(pk=unit.pk)


def form_data(unit: Unit, **changes) -> dict:
    data = {
        "name": unit.name,
        "short_name": unit.short_name,
        "aliases": "、".join(unit.aliases),
        "kind": unit.kind,
        "parent": unit.parent_id or "",
        "sort_order": unit.sort_order,
    }
    data.update(changes)
    return data


# Creating ----------------------------------------------------------------------


def test_office_creates_a_unit_below_a_parent_with_path_depth_and_history(org, people):
    olivia = people["olivia"]
    unit = actions.create_unit(
        data={"name": "网络安全处", "parent": org["office_dept"], "kind": Unit.Kind.SUBUNIT}, acting_user=olivia
    )

    unit = refreshed(unit)
    assert unit.path == f"{org['office_dept'].path}{unit.pk:06d}."
    assert unit.depth == 2
    assert list(Unit.objects.subtree(org["group"]).filter(pk=unit.pk)) == [unit]
    [entry] = history_for(unit)
    assert (entry.action, entry.actor) == (HistoryEntry.Action.CREATE, olivia)


def test_liaison_cannot_create_a_unit(org, people):
    with pytest.raises(PermissionDenied):
        actions.create_unit(data={"name": "新部门", "parent": org["group"]}, acting_user=people["lily"])
    assert not Unit.objects.filter(name="新部门").exists()


def test_two_units_of_the_same_name_under_one_parent_are_refused(org, people):
    with pytest.raises(ValidationError) as error:
        actions.create_unit(data={"name": "人力资源部", "parent": org["group"]}, acting_user=people["olivia"])
    assert "unit_unique_name_per_parent" not in str(error.value)
    assert Unit.objects.filter(name="人力资源部").count() == 1


def test_the_same_name_under_another_parent_is_fine(org, people):
    unit = actions.create_unit(
        data={"name": "人力资源部", "parent": org["subsidiary"], "kind": Unit.Kind.SUBUNIT},
        acting_user=people["olivia"],
    )
    assert unit.parent == org["subsidiary"]


# Aliases -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("总部办公室、办公室", ["总部办公室", "办公室"]),
        ("总部办公室，办公室,集团办；办公室", ["总部办公室", "办公室", "集团办"]),
        ("  总部办公室 ; ;  ", ["总部办公室"]),
        ("", []),
        (["甲", " 甲 ", "", "乙"], ["甲", "乙"]),
        (None, []),
    ],
)
def test_aliases_are_split_trimmed_and_deduplicated(raw, cleaned):
    assert actions.clean_aliases(raw) == cleaned


def test_aliases_written_as_one_string_are_stored_as_a_list_and_searchable(org, people):
    unit = actions.create_unit(
        data={"name": "融通农业发展公司", "parent": org["group"], "aliases": "農發公司、农发 公司，農發公司"},
        acting_user=people["olivia"],
    )
    unit = refreshed(unit)
    assert unit.aliases == ["農發公司", "农发 公司"]
    # Search keys are simplified: the traditional alias matches a simplified query.
    assert "农发公司" in unit.search_text


# Renaming and moving -----------------------------------------------------------


def test_renaming_records_who_and_the_old_and_new_name(org, people):
    olivia = people["olivia"]
    actions.update_unit(org["hr"], data={"name": "人力资源部（党委组织部）"}, acting_user=olivia)

    assert refreshed(org["hr"]).name == "人力资源部（党委组织部）"
    entry = history_for(org["hr"]).first()
    assert entry.action == HistoryEntry.Action.UPDATE
    assert entry.actor == olivia
    assert entry.changes == [{"field": "name", "label": "名称", "old": "人力资源部", "new": "人力资源部（党委组织部）"}]


def test_saving_without_changes_records_nothing(org, people):
    before = history_for(org["hr"]).count()
    actions.update_unit(org["hr"], data={"name": "人力资源部"}, acting_user=people["olivia"])
    assert history_for(org["hr"]).count() == before


def test_moving_a_unit_carries_its_subtree(org, people):
    subsidiary, hospital, hr = org["subsidiary"], org["hospital"], org["hr"]
    clinic = actions.create_unit(
        data={"name": "门诊部", "parent": hospital, "kind": Unit.Kind.SUBUNIT}, acting_user=people["olivia"]
    )

    actions.update_unit(subsidiary, data={"parent": hr}, acting_user=people["olivia"])

    subsidiary, hospital, clinic, hr = map(refreshed, (subsidiary, hospital, clinic, hr))
    assert subsidiary.path == f"{hr.path}{subsidiary.pk:06d}."
    assert hospital.path == f"{subsidiary.path}{hospital.pk:06d}."
    assert clinic.path == f"{hospital.path}{clinic.pk:06d}."
    assert (subsidiary.depth, hospital.depth, clinic.depth) == (2, 3, 4)
    assert set(Unit.objects.subtree(hr)) == {hr, subsidiary, hospital, clinic}
    assert [u.pk for u in clinic.ancestors()] == [org["group"].pk, hr.pk, subsidiary.pk, hospital.pk]

    entry = history_for(subsidiary).first()
    assert entry.action == HistoryEntry.Action.MOVE
    assert entry.actor == people["olivia"]
    [change] = entry.changes
    assert (change["field"], change["old"], change["new"]) == ("parent", "集团", "人力")


@pytest.mark.parametrize("target", ["subsidiary", "hospital"])
def test_a_unit_cannot_move_below_itself(org, people, target):
    subsidiary = org["subsidiary"]
    path_before = subsidiary.path
    with pytest.raises(ValidationError) as error:
        actions.update_unit(subsidiary, data={"parent": org[target]}, acting_user=people["olivia"])
    assert "parent" in error.value.error_dict
    assert refreshed(subsidiary).path == path_before
    assert refreshed(subsidiary).parent == org["group"]


def test_a_unit_moved_to_the_top_becomes_a_root(org, people):
    actions.update_unit(org["subsidiary"], data={"parent": None}, acting_user=people["olivia"])
    subsidiary, hospital = refreshed(org["subsidiary"]), refreshed(org["hospital"])
    assert subsidiary.path == f"{subsidiary.pk:06d}."
    assert subsidiary.depth == 0
    assert hospital.depth == 1


def test_leader_cannot_rename_or_move_a_unit(org, people):
    with pytest.raises(PermissionDenied):
        actions.update_unit(org["hr"], data={"name": "改名"}, acting_user=people["leo"])
    assert refreshed(org["hr"]).name == "人力资源部"


# Deactivating ------------------------------------------------------------------


def test_a_unit_with_active_sub_units_cannot_be_deactivated(org, people):
    with pytest.raises(ValidationError):
        actions.set_unit_active(org["subsidiary"], active=False, acting_user=people["olivia"], reason="撤并")
    assert refreshed(org["subsidiary"]).is_active
    assert not history_for(org["subsidiary"]).filter(action=HistoryEntry.Action.DEACTIVATE).exists()


def test_deactivating_keeps_the_unit_and_records_the_reason(org, people):
    olivia = people["olivia"]
    actions.set_unit_active(org["hospital"], active=False, acting_user=olivia, reason="划转地方")
    actions.set_unit_active(org["subsidiary"], active=False, acting_user=olivia, reason="整合重组")

    assert Unit.objects.filter(pk=org["subsidiary"].pk, is_active=False).exists()
    assert Unit.objects.filter(pk=org["hospital"].pk, is_active=False).exists()
    assert org["subsidiary"] not in Unit.objects.active()
    entry = history_for(org["subsidiary"]).first()
    assert (entry.action, entry.actor, entry.note) == (HistoryEntry.Action.DEACTIVATE, olivia, "整合重组")


def test_a_sub_unit_comes_back_only_after_its_parent(org, people):
    olivia = people["olivia"]
    actions.set_unit_active(org["hospital"], active=False, acting_user=olivia, reason="划转")
    actions.set_unit_active(org["subsidiary"], active=False, acting_user=olivia, reason="重组")

    with pytest.raises(ValidationError):
        actions.set_unit_active(refreshed(org["hospital"]), active=True, acting_user=olivia)

    actions.set_unit_active(refreshed(org["subsidiary"]), active=True, acting_user=olivia)
    actions.set_unit_active(refreshed(org["hospital"]), active=True, acting_user=olivia)
    assert refreshed(org["hospital"]).is_active
    assert history_for(org["hospital"]).first().action == HistoryEntry.Action.ACTIVATE


def test_admin_offers_no_delete_for_units(org, rf):
    admin_user = make_user("root")
    admin_user.is_superuser = admin_user.is_staff = True
    admin_user.save()
    request = rf.get("/")
    request.user = admin_user
    unit_admin = admin_site._registry[Unit]
    assert not unit_admin.has_delete_permission(request, org["hr"])
    assert "delete_selected" not in unit_admin.get_actions(request)


def test_admin_delete_page_of_a_unit_is_forbidden(org, client):
    admin_user = make_user("root")
    admin_user.is_superuser = admin_user.is_staff = True
    admin_user.save()
    client.force_login(admin_user)
    response = client.post(reverse("admin:orgs_unit_delete", args=[org["hospital"].pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Unit.objects.filter(pk=org["hospital"].pk).exists()


# Pages -------------------------------------------------------------------------


def test_office_adds_a_unit_through_the_page(org, people, login):
    client = login(people["olivia"])
    response = client.post(
        reverse("orgs:unit_create"),
        {
            "name": "审计部",
            "short_name": "审计",
            "aliases": "审计处、稽核部",
            "kind": "department",
            "parent": org["group"].pk,
            "sort_order": 0,
        },
    )
    unit = Unit.objects.get(name="审计部")
    assert response.status_code == 302
    assert response["Location"] == reverse("orgs:unit_detail", args=[unit.pk])
    assert unit.aliases == ["审计处", "稽核部"]
    assert unit.parent == org["group"]
    assert history_for(unit).get().actor == people["olivia"]


def test_office_renames_and_moves_a_unit_through_the_page(org, people, login):
    client = login(people["olivia"])
    hospital = org["hospital"]
    response = client.post(
        reverse("orgs:unit_edit", args=[hospital.pk]),
        form_data(hospital, name="八一骨科医院（总院）", parent=org["hr"].pk),
    )
    assert response.status_code == 302
    hospital = refreshed(hospital)
    assert hospital.name == "八一骨科医院（总院）"
    assert hospital.path == f"{org['hr'].path}{hospital.pk:06d}."
    entry = history_for(hospital).first()
    assert entry.action == HistoryEntry.Action.MOVE
    assert {c["field"] for c in entry.changes} == {"name", "parent"}


def test_the_edit_page_refuses_a_move_below_itself(org, people, login):
    client = login(people["olivia"])
    response = client.post(
        reverse("orgs:unit_edit", args=[org["subsidiary"].pk]), form_data(org["subsidiary"], parent=org["hospital"].pk)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["parent"]
    assert refreshed(org["subsidiary"]).parent == org["group"]


def test_office_deactivates_a_unit_through_the_page(org, people, login):
    client = login(people["olivia"])
    url = reverse("orgs:unit_set_active", args=[org["hospital"].pk])
    response = client.post(url, {"active": "0", "reason": "划转地方"})
    assert response.status_code == 302
    assert not refreshed(org["hospital"]).is_active
    assert history_for(org["hospital"]).first().note == "划转地方"

    response = client.post(url, {"active": "1"})
    assert refreshed(org["hospital"]).is_active


def test_deactivating_through_the_page_needs_a_reason(org, people, login):
    client = login(people["olivia"])
    response = client.post(reverse("orgs:unit_set_active", args=[org["hospital"].pk]), {"active": "0", "reason": ""})
    assert response.status_code == 302
    assert refreshed(org["hospital"]).is_active


def test_deactivating_a_unit_with_active_sub_units_through_the_page_shows_why(org, people, login):
    client = login(people["olivia"])
    response = client.post(
        reverse("orgs:unit_set_active", args=[org["subsidiary"].pk]), {"active": "0", "reason": "重组"}, follow=True
    )
    assert response.status_code == 200
    assert refreshed(org["subsidiary"]).is_active
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


MANAGE_PAGES = [
    ("get", "orgs:unit_create", False),
    ("post", "orgs:unit_create", False),
    ("get", "orgs:unit_edit", True),
    ("post", "orgs:unit_edit", True),
    ("post", "orgs:unit_set_active", True),
]


@pytest.mark.parametrize("persona", ["lily", "leo", "charlie"])
@pytest.mark.parametrize(("method", "name", "with_pk"), MANAGE_PAGES)
def test_people_outside_the_office_cannot_change_the_tree_through_pages(
    org, people, login, persona, method, name, with_pk
):
    client = login(people[persona])
    hr = org["hr"]
    url = reverse(name, args=[hr.pk] if with_pk else [])
    data = form_data(hr, name="被改名", parent=org["subsidiary"].pk) | {"active": "0", "reason": "试试"}
    response = getattr(client, method)(url, data if method == "post" else None)
    assert response.status_code == 403
    hr = refreshed(hr)
    assert (hr.name, hr.parent, hr.is_active) == ("人力资源部", org["group"], True)
    assert not Unit.objects.filter(name="被改名").exists()
    assert history_for(hr).count() == 1  # only its creation


@pytest.mark.parametrize(("method", "name", "with_pk"), [*MANAGE_PAGES, ("get", "orgs:unit_tree", False)])
def test_anonymous_visitors_are_sent_to_log_in(org, client, method, name, with_pk):
    url = reverse(name, args=[org["hr"].pk] if with_pk else [])
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_everyone_signed_in_can_read_the_tree_and_a_unit(org, people, login):
    client = login(people["charlie"])
    assert client.get(reverse("orgs:unit_tree")).status_code == 200
    response = client.get(reverse("orgs:unit_detail", args=[org["hr"].pk]))
    assert response.status_code == 200
    assert not response.context["can_manage"]


def test_admin_refuses_to_move_a_unit_below_itself(org, client):
    admin_user = make_user("root")
    admin_user.is_superuser = admin_user.is_staff = True
    admin_user.save()
    client.force_login(admin_user)
    subsidiary = org["subsidiary"]
    data = form_data(subsidiary, aliases="[]", parent=org["hospital"].pk, is_active="on")

    response = client.post(reverse("admin:orgs_unit_change", args=[subsidiary.pk]), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["parent"]
    assert refreshed(subsidiary).parent == org["group"]
    assert refreshed(org["hospital"]).path.startswith(refreshed(subsidiary).path)
