"""History: values as people read them, differences field by field, and a record for every change, the admin's too."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import translation

from taizhang.history.models import HistoryEntry
from taizhang.history.recording import diff, display_value, history_for, record, snapshot
from taizhang.ledger.models import Item
from taizhang.orgs.models import Unit
from taizhang.testing.factories import make_user


@pytest.fixture
def root(db):
    user = make_user("root", name="系统管理员")
    user.is_superuser = user.is_staff = True
    user.save()
    return user


# snapshot, diff, display ------------------------------------------------------------


def test_a_snapshot_shows_values_as_people_read_them(items, org):
    oa = items["oa"]
    oa.weight = Decimal("1.50")
    oa.partner_units.set([org["hr"], org["subsidiary"]])
    with translation.override("zh-hans"):
        values = snapshot(oa, ["code", "owner_unit", "due", "weight", "scope", "parent", "partner_units"])
        assert values["scope"] == str(oa.get_scope_display())
    assert values["code"] == "HQ-001"
    assert values["owner_unit"] == "办公室"  # the unit's short name
    assert values["due"] == oa.due.isoformat()
    assert values["weight"] == "1.5"
    assert values["scope"] != "inside"  # the label, not the stored value
    assert values["parent"] == ""
    assert set(values["partner_units"].split("、")) == {"人力", "医疗健康"}


def test_a_list_and_a_whole_decimal_read_plainly(org):
    office = org["office_dept"]
    assert display_value(office, Unit._meta.get_field("aliases")) == "总部办公室"
    office.aliases = ["总部办公室", "集团办"]
    assert display_value(office, Unit._meta.get_field("aliases")) == "总部办公室、集团办"
    item = Item(weight=Decimal("2.00"))
    assert display_value(item, Item._meta.get_field("weight")) == "2"


def test_many_to_many_on_an_unsaved_object_reads_empty(campaign, org):
    assert display_value(Item(campaign=campaign), Item._meta.get_field("partner_units")) == ""


def test_diff_lists_only_the_fields_that_changed_with_labels(items, org):
    oa = items["oa"]
    old_due = oa.due
    before = snapshot(oa, ["title", "owner", "due", "owner_unit"])
    oa.title = "优化OA办公系统"
    oa.due = datetime.date(2030, 1, 1)
    oa.owner = "王明"  # unchanged
    with translation.override("zh-hans"):
        changes = diff(oa, before)
    assert [c["field"] for c in changes] == ["title", "due"]
    assert changes[0] == {
        "field": "title",
        "label": str(Item._meta.get_field("title").verbose_name),
        "old": "优化OA系统",
        "new": "优化OA办公系统",
    }
    assert (changes[1]["old"], changes[1]["new"]) == (old_due.isoformat(), "2030-01-01")


def test_diff_of_an_unchanged_object_is_empty(items):
    assert diff(items["oa"], snapshot(items["oa"], Item.AUDITED_FIELDS)) == []


# record and read back -----------------------------------------------------------------


def test_record_keeps_who_what_and_when(items, people, campaign):
    entry = record(
        items["oa"],
        HistoryEntry.Action.UPDATE,
        actor=people["olivia"],
        campaign=campaign,
        changes=[{"field": "title", "label": "标题", "old": "甲", "new": "乙"}],
        note="手工更正",
    )
    entry.refresh_from_db()
    assert entry.content_type == ContentType.objects.get_for_model(Item)
    assert entry.object_id == items["oa"].pk
    assert entry.subject == items["oa"]
    assert (entry.actor, entry.campaign, entry.note) == (people["olivia"], campaign, "手工更正")
    assert entry.changes[0]["new"] == "乙"
    assert entry.at is not None


def test_record_by_nobody_or_an_anonymous_visitor_has_no_actor(items):
    assert record(items["oa"], HistoryEntry.Action.LIGHT).actor is None
    assert record(items["oa"], HistoryEntry.Action.LIGHT, actor=AnonymousUser()).actor is None


def test_history_for_lists_one_objects_entries_newest_first(items, org):
    first = record(items["oa"], HistoryEntry.Action.COMMENT, note="一")
    record(items["flow"], HistoryEntry.Action.COMMENT, note="别的事项")
    second = record(items["oa"], HistoryEntry.Action.COMMENT, note="二")
    # An entry about another kind of object with the same id does not leak into the item's history.
    HistoryEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Unit), object_id=items["oa"].pk, action="update"
    )
    assert list(history_for(items["oa"])) == [second, first]


# The admin leaves history too --------------------------------------------------------------


def unit_admin_data(unit: Unit, **changes) -> dict:
    data = {
        "name": unit.name,
        "short_name": unit.short_name,
        "aliases": str(unit.aliases).replace("'", '"'),
        "kind": unit.kind,
        "parent": unit.parent_id or "",
        "sort_order": unit.sort_order,
        "is_active": "on" if unit.is_active else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_an_admin_edit_of_a_unit_leaves_history(org, root, client):
    client.force_login(root)
    hr = org["hr"]
    response = client.post(
        reverse("admin:orgs_unit_change", args=[hr.pk]),
        unit_admin_data(hr, name="人力资源部（党委组织部）", aliases='["组织部"]'),
    )
    assert response.status_code == 302

    entry = history_for(hr).first()
    assert (entry.action, entry.actor, entry.note) == (HistoryEntry.Action.UPDATE, root, "admin")
    changes = {c["field"]: (c["old"], c["new"]) for c in entry.changes}
    assert changes == {"name": ("人力资源部", "人力资源部（党委组织部）"), "aliases": ("", "组织部")}
    hr.refresh_from_db()
    assert "组织部" in hr.search_text


def test_an_admin_move_of_a_unit_is_recorded_and_carries_the_subtree(org, root, client):
    client.force_login(root)
    subsidiary = org["subsidiary"]
    response = client.post(
        reverse("admin:orgs_unit_change", args=[subsidiary.pk]), unit_admin_data(subsidiary, parent=org["hr"].pk)
    )
    assert response.status_code == 302
    subsidiary.refresh_from_db()
    hospital = Unit.objects.get(pk=org["hospital"].pk)
    assert subsidiary.path.startswith(org["hr"].path)
    assert hospital.path.startswith(subsidiary.path)
    change = history_for(subsidiary).first().changes[0]
    assert (change["field"], change["old"], change["new"]) == ("parent", "集团", "人力")


def test_an_admin_save_without_changes_records_nothing(org, root, client):
    client.force_login(root)
    before = history_for(org["hr"]).count()
    client.post(reverse("admin:orgs_unit_change", args=[org["hr"].pk]), unit_admin_data(org["hr"]))
    assert history_for(org["hr"]).count() == before


def test_an_admin_add_of_a_unit_is_recorded(org, root, client):
    client.force_login(root)
    response = client.post(
        reverse("admin:orgs_unit_add"),
        {"name": "审计部", "kind": "department", "parent": org["group"].pk, "sort_order": 0, "aliases": "[]"},
    )
    assert response.status_code == 302
    unit = Unit.objects.get(name="审计部")
    assert unit.path == f"{org['group'].path}{unit.pk:06d}."
    entry = history_for(unit).get()
    assert (entry.action, entry.actor) == (HistoryEntry.Action.CREATE, root)


def test_history_cannot_be_changed_or_deleted_in_the_admin(items, root, client):
    entry = record(items["oa"], HistoryEntry.Action.COMMENT, note="留痕")
    client.force_login(root)
    assert client.get(reverse("admin:history_historyentry_add")).status_code == 403
    delete = reverse("admin:history_historyentry_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert HistoryEntry.objects.filter(pk=entry.pk).exists()
    # Reading it is fine.
    assert client.get(reverse("admin:history_historyentry_changelist")).status_code == 200


def test_notes_of_our_own_read_in_each_readers_language_and_free_text_as_typed(items, people, campaign, login):
    """An English-speaking officer reopens; the Chinese office reads the note in Chinese, and the reverse."""
    from taizhang.ledger.actions import refresh_lights
    from taizhang.ledger.models import Light
    from taizhang.people import actions as people_actions

    item = items["oa"]
    with translation.override("en"):
        record(item, HistoryEntry.Action.REOPEN, note=note_of("Reopened: %(reason)s", reason="数据有误"))
    entry = history_for(item).get(action=HistoryEntry.Action.REOPEN)
    assert entry.note == "重新打开：数据有误"  # stored in the site's language, whoever wrote it
    with translation.override("en"):
        assert entry.display_note == "Reopened: 数据有误"
    with translation.override("zh-hans"):
        assert entry.display_note == "重新打开：数据有误"

    # A light change keeps its reason as a code: "已超期12天" for one reader, "12 days overdue" for another.
    Item.objects.filter(pk=items["dating"].pk).update(light=Light.GREEN)
    refresh_lights(campaign)
    light = history_for(items["dating"]).get(action=HistoryEntry.Action.LIGHT)
    with translation.override("en"):
        assert "overdue" in light.display_note
    with translation.override("zh-hans"):
        assert "超期" in light.display_note

    # Free text stays as typed; the page shows each reader their language.
    people_actions.publish_item(items["welfare"], acting_user=people["olivia"])
    page = login(people["olivia"]).get(
        reverse("ledger:item_detail", args=[campaign.slug, items["welfare"].pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Published on the public page" in page.content.decode()


def note_of(msgid, **args):
    from taizhang.history.recording import note

    return note(msgid, **args)
