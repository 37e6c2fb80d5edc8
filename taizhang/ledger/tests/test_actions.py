"""The ledger's writes: items are created, edited and withdrawn, progress is appended, and everything leaves history."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from taizhang.history.models import HistoryEntry
from taizhang.history.recording import history_for
from taizhang.ledger import actions
from taizhang.ledger.models import Comment, Item, Light, ProgressAttachment, ProgressEntry, Status
from taizhang.orgs.actions import grant_role
from taizhang.orgs.models import Role
from taizhang.testing import files
from taizhang.testing.factories import make_campaign, make_user


def fresh(item: Item) -> Item:
    return Item.objects.select_related("campaign").get(pk=item.pk)


def new_item(campaign, unit, olivia, **data) -> Item:
    data.setdefault("code", "NEW-001")
    data.setdefault("title", "新建事项")
    return actions.create_item(campaign=campaign, data={"owner_unit": unit, **data}, acting_user=olivia)


def report(item, user, percent, done="推进中", **extra) -> ProgressEntry:
    return actions.add_progress(fresh(item), percent=percent, done=done, acting_user=user, **extra)


# Creating ----------------------------------------------------------------------


def test_office_creates_an_item_with_history_and_derived_state(campaign, org, people):
    olivia = people["olivia"]
    item = new_item(campaign, org["hr"], olivia, title="建设職工書屋", due=campaign.ends_on, owner="张华")

    item = fresh(item)
    assert (item.status, item.percent, item.version) == (Status.NOT_STARTED, 0, 1)
    assert item.light in Light.values
    assert "职工书屋" in item.search_text
    entry = history_for(item).order_by("id").first()
    assert (entry.action, entry.actor, entry.campaign) == (HistoryEntry.Action.CREATE, olivia, campaign)
    # Added 90 days after the campaign's start: its not-started clock runs from today, so it is not born
    # yellow (issue 11: "born red"); no spurious light change either.
    assert (item.light, item.light_code) == (Light.GREEN, "on_schedule")
    assert not history_for(item).filter(action=HistoryEntry.Action.LIGHT).exists()


@pytest.mark.parametrize("persona", ["lily", "leo", "charlie"])
def test_only_the_office_creates_items(campaign, org, people, persona):
    with pytest.raises(PermissionDenied):
        new_item(campaign, org["hr"], people[persona])
    assert not Item.objects.exists()
    assert not HistoryEntry.objects.filter(action=HistoryEntry.Action.CREATE, content_type__model="item").exists()


def test_a_code_is_used_once_per_campaign(campaign, org, people):
    new_item(campaign, org["hr"], people["olivia"], code="HQ-100")
    with pytest.raises(ValidationError):
        new_item(campaign, org["hr"], people["olivia"], code="HQ-100", title="另一个")
    assert Item.objects.filter(code="HQ-100").count() == 1


# Editing -----------------------------------------------------------------------


def test_an_edit_records_each_changed_field_with_old_and_new_values(campaign, org, people, items):
    olivia = people["olivia"]
    oa = items["oa"]
    old_due = oa.due
    new_due = old_due + datetime.timedelta(days=10)

    updated = actions.update_item(
        fresh(oa),
        data={"title": "优化OA办公系统", "due": new_due, "owner_unit": org["hr"], "owner": "王明"},
        expected_version=oa.version,
        acting_user=olivia,
    )

    assert updated.version == oa.version + 1
    item = fresh(oa)
    assert (item.title, item.due, item.owner_unit) == ("优化OA办公系统", new_due, org["hr"])
    assert "办公系统" in item.search_text
    entry = history_for(oa).filter(action=HistoryEntry.Action.UPDATE).get()
    assert entry.actor == olivia
    changes = {c["field"]: (c["old"], c["new"]) for c in entry.changes}
    assert changes == {
        "title": ("优化OA系统", "优化OA办公系统"),
        "due": (old_due.isoformat(), new_due.isoformat()),
        "owner_unit": ("办公室", "人力"),
    }


def test_partner_units_changes_are_recorded(campaign, org, people, items):
    oa = items["oa"]
    actions.update_item(
        fresh(oa),
        data={},
        partner_units=[org["hr"], org["subsidiary"]],
        expected_version=oa.version,
        acting_user=people["olivia"],
    )
    entry = history_for(oa).filter(action=HistoryEntry.Action.UPDATE).get()
    assert entry.changes[0]["field"] == "partner_units"
    assert entry.changes[0]["old"] == ""
    assert set(entry.changes[0]["new"].split("、")) == {"人力", "医疗健康"}


def test_a_liaison_cannot_edit_even_its_own_units_item(campaign, people, items):
    with pytest.raises(PermissionDenied):
        actions.update_item(fresh(items["oa"]), data={"title": "改"}, expected_version=1, acting_user=people["lily"])
    assert fresh(items["oa"]).title == "优化OA系统"


def test_an_item_cannot_be_its_own_ancestor(campaign, org, people):
    olivia = people["olivia"]
    parent = new_item(campaign, org["hr"], olivia, code="P")
    child = new_item(campaign, org["hr"], olivia, code="C", parent=parent)
    with pytest.raises(ValidationError):
        actions.update_item(fresh(parent), data={"parent": fresh(child)}, expected_version=1, acting_user=olivia)
    assert fresh(parent).parent is None


def test_a_parent_item_must_be_in_the_same_campaign(campaign, org, people):
    other = make_campaign("2022")
    grant_role(user=people["olivia"], campaign=other, role=Role.OFFICE)
    foreign = new_item(other, org["hr"], people["olivia"], code="X")
    with pytest.raises(ValidationError):
        new_item(campaign, org["hr"], people["olivia"], parent=foreign)


# Withdrawing and merging -------------------------------------------------------


def test_withdrawing_needs_a_reason_and_deletes_nothing(campaign, people, items):
    olivia = people["olivia"]
    flow = items["flow"]
    for reason in ("", "   "):
        with pytest.raises(ValidationError):
            actions.withdraw_item(fresh(flow), reason=reason, acting_user=olivia)
    assert fresh(flow).status == Status.NOT_STARTED

    actions.withdraw_item(fresh(flow), reason="与HQ-001重复", acting_user=olivia)

    item = fresh(flow)
    assert (item.status, item.light, item.withdrawn_reason) == (Status.WITHDRAWN, Light.NONE, "与HQ-001重复")
    assert item.version == 2
    entry = history_for(flow).filter(action=HistoryEntry.Action.WITHDRAW).get()
    assert (entry.actor, entry.note) == (olivia, "与HQ-001重复")
    assert entry.changes[0]["field"] == "status"
    assert Item.objects.filter(pk=flow.pk).exists()


def test_merging_points_at_the_other_item_and_says_why(campaign, people, items):
    olivia = people["olivia"]
    actions.withdraw_item(fresh(items["flow"]), reason="内容重叠", merged_into=items["oa"], acting_user=olivia)

    flow = fresh(items["flow"])
    assert (flow.status, flow.merged_into) == (Status.WITHDRAWN, items["oa"])
    merge = history_for(flow).filter(action=HistoryEntry.Action.MERGE).get()
    assert "HQ-001" in merge.note
    assert "内容重叠" in merge.note


def test_an_item_merges_only_into_another_open_item_of_the_same_campaign(campaign, org, people, items):
    olivia = people["olivia"]
    other = make_campaign("2022")
    grant_role(user=olivia, campaign=other, role=Role.OFFICE)
    foreign = new_item(other, org["hr"], olivia, code="X")
    actions.withdraw_item(fresh(items["dating"]), reason="取消", acting_user=olivia)

    for target in (items["flow"], foreign, fresh(items["dating"])):
        with pytest.raises(ValidationError) as error:
            actions.withdraw_item(fresh(items["flow"]), reason="合并", merged_into=target, acting_user=olivia)
        assert "merged_into" in error.value.error_dict
    assert fresh(items["flow"]).status == Status.NOT_STARTED


def test_an_item_is_withdrawn_once(campaign, people, items):
    actions.withdraw_item(fresh(items["flow"]), reason="取消", acting_user=people["olivia"])
    with pytest.raises(ValidationError):
        actions.withdraw_item(fresh(items["flow"]), reason="再次", acting_user=people["olivia"])


@pytest.mark.parametrize("persona", ["lily", "leo"])
def test_only_the_office_withdraws(campaign, people, items, persona):
    with pytest.raises(PermissionDenied):
        actions.withdraw_item(fresh(items["oa"]), reason="不做了", acting_user=people[persona])
    assert fresh(items["oa"]).status == Status.NOT_STARTED


# Progress ----------------------------------------------------------------------


def test_progress_is_appended_and_earlier_entries_never_change(campaign, people, items):
    lily = people["lily"]
    first = report(items["oa"], lily, 30, done="完成需求调研", period_label="第10周")
    first_values = ProgressEntry.objects.filter(pk=first.pk).values().get()

    second = report(items["oa"], lily, 60, done="完成开发")

    assert ProgressEntry.objects.filter(item=items["oa"]).count() == 2
    assert ProgressEntry.objects.filter(pk=first.pk).values().get() == first_values
    assert list(items["oa"].progress_entries.all()) == [second, first]
    assert fresh(items["oa"]).percent == 60
    assert first.author == lily


def test_a_correction_is_a_new_entry_pointing_at_the_old_one(campaign, people, items):
    lily = people["lily"]
    wrong = report(items["oa"], lily, 80, done="误报为80%")
    wrong_values = ProgressEntry.objects.filter(pk=wrong.pk).values().get()

    correction = report(items["oa"], lily, 40, done="更正：实际40%", corrects=wrong)

    assert correction.corrects == wrong
    assert list(wrong.corrections.all()) == [correction]
    assert ProgressEntry.objects.filter(pk=wrong.pk).values().get() == wrong_values
    assert fresh(items["oa"]).percent == 40
    note = history_for(items["oa"]).filter(action=HistoryEntry.Action.PROGRESS).first().note
    assert wrong.as_of.isoformat() in note


def test_a_correction_must_be_for_an_entry_of_the_same_item(campaign, people, items):
    other_entry = report(items["flow"], people["lily"], 10)
    with pytest.raises(ValidationError):
        report(items["oa"], people["lily"], 20, corrects=other_entry)
    assert not items["oa"].progress_entries.exists()


def test_percent_and_status_follow_the_latest_entry_through_one_function(campaign, people, items):
    lily = people["lily"]
    oa = items["oa"]
    assert actions.derive_percent_and_status(fresh(oa)) == (0, Status.NOT_STARTED)

    steps = [(0, Status.IN_PROGRESS), (45, Status.IN_PROGRESS), (100, Status.COMPLETED), (90, Status.IN_PROGRESS)]
    for percent, status in steps:
        report(oa, lily, percent)
        item = fresh(oa)
        assert (item.percent, item.status) == (percent, status)
        assert actions.derive_percent_and_status(item) == (item.percent, item.status)
        assert (item.completed_on is not None) == (status == Status.COMPLETED)
        assert item.last_progress_at == item.progress_entries.first().created_at


def test_the_latest_entry_is_the_latest_reported_not_the_highest(campaign, people, items):
    now = datetime.datetime(2021, 6, 1, 9, tzinfo=datetime.UTC)
    report(items["oa"], people["lily"], 70, created_at=now)
    report(items["oa"], people["lily"], 20, created_at=now - datetime.timedelta(days=3))
    assert fresh(items["oa"]).percent == 70


@pytest.mark.parametrize("percent", [-1, 101, 250])
def test_progress_outside_0_to_100_is_refused(campaign, people, items, percent):
    with pytest.raises(ValidationError) as error:
        report(items["oa"], people["lily"], percent)
    assert "percent" in error.value.error_dict
    assert not ProgressEntry.objects.exists()
    assert not history_for(items["oa"]).exists()


def test_progress_must_say_what_was_done(campaign, people, items):
    with pytest.raises(ValidationError):
        report(items["oa"], people["lily"], 10, done="  ")
    assert not ProgressEntry.objects.exists()


def test_a_liaison_reports_on_items_of_its_units_sub_units(campaign, org, people, items):
    sam = make_user("sam", name="孙联络", unit=org["subsidiary"])
    grant_role(user=sam, campaign=campaign, role=Role.LIAISON, unit=org["subsidiary"])
    report(items["clinic"], sam, 25)
    assert fresh(items["clinic"]).percent == 25


@pytest.mark.parametrize(("persona", "item"), [("bob", "oa"), ("lily", "clinic"), ("leo", "oa"), ("charlie", "oa")])
def test_others_cannot_report_progress(campaign, people, items, persona, item):
    with pytest.raises(PermissionDenied):
        report(items[item], people[persona], 50)
    assert not ProgressEntry.objects.exists()
    assert not HistoryEntry.objects.filter(action=HistoryEntry.Action.PROGRESS).exists()


def test_no_progress_on_a_withdrawn_item(campaign, people, items):
    actions.withdraw_item(fresh(items["oa"]), reason="取消", acting_user=people["olivia"])
    with pytest.raises(PermissionDenied):
        report(items["oa"], people["olivia"], 50)


# Parent items ------------------------------------------------------------------


@pytest.fixture
def family(campaign, org, people):
    """A parent item with three sub-items weighted 1, 3 and 0."""
    olivia = people["olivia"]
    parent = new_item(campaign, org["office_dept"], olivia, code="P-1", title="综合提升办公条件")
    kids = [
        new_item(campaign, org["office_dept"], olivia, code=f"P-1-{n}", parent=parent, weight=Decimal(w))
        for n, w in enumerate(["1", "3", "0"], start=1)
    ]
    return parent, kids


def test_a_parent_rolls_up_its_childrens_percent_by_weight(people, family):
    parent, (a, b, c) = family
    lily = people["lily"]

    report(a, lily, 100)
    assert (fresh(parent).percent, fresh(parent).status) == (25, Status.IN_PROGRESS)

    report(b, lily, 50)
    assert fresh(parent).percent == 63  # (100×1 + 50×3) / 4 = 62.5 rounds half up, as people round

    report(c, lily, 10)  # weight 0: no share of the parent
    assert fresh(parent).percent == 63
    assert actions.derive_percent_and_status(fresh(parent)) == (63, Status.IN_PROGRESS)

    report(b, lily, 100)
    assert (fresh(parent).percent, fresh(parent).status) == (100, Status.COMPLETED)


def test_a_withdrawn_child_leaves_the_roll_up(people, family):
    parent, (a, b, _c) = family
    report(a, people["lily"], 100)
    actions.withdraw_item(fresh(b), reason="并入其他事项", acting_user=people["olivia"])
    assert fresh(parent).percent == 100


def test_progress_on_a_parent_item_is_refused(people, family):
    parent, _kids = family
    with pytest.raises(ValidationError):
        report(parent, people["lily"], 50)
    assert not parent.progress_entries.exists()


def test_moving_a_child_out_recomputes_its_old_parent(people, family):
    parent, (a, _b, _c) = family
    report(a, people["lily"], 100)
    actions.update_item(fresh(a), data={"parent": None}, expected_version=1, acting_user=people["olivia"])
    assert fresh(parent).percent == 0


def test_children_with_zero_total_weight_count_equally(campaign, org, people):
    olivia = people["olivia"]
    parent = new_item(campaign, org["hr"], olivia, code="Z")
    a = new_item(campaign, org["hr"], olivia, code="Z-1", parent=parent, weight=Decimal(0))
    new_item(campaign, org["hr"], olivia, code="Z-2", parent=parent, weight=Decimal(0))
    report(a, people["bob"], 60)
    assert fresh(parent).percent == 30


# Attachments -------------------------------------------------------------------


def test_attachments_are_stored_with_the_entry(campaign, people, items):
    photo, sheet = files.jpeg("现场照片.jpg"), files.xlsx("统计表.XLSX")
    entry = report(items["oa"], people["lily"], 20, attachments=[photo, sheet])

    stored = list(entry.attachments.all())
    assert [a.name for a in stored] == ["现场照片.jpg", "统计表.XLSX"]
    assert stored[1].size == len(files.xlsx_bytes())
    assert stored[0].file.name.startswith(f"progress/{campaign.pk}/{items['oa'].pk}/")
    with stored[0].file.open("rb") as f:
        assert f.read().startswith(b"\xff\xd8\xff")


@pytest.mark.parametrize("name", ["run.exe", "page.html", "script.js", "noextension", "photo.jpg.bat"])
def test_attachments_of_other_kinds_are_refused(campaign, people, items, name):
    upload = SimpleUploadedFile(name, b"data")
    with pytest.raises(ValidationError) as error:
        report(items["oa"], people["lily"], 20, attachments=[upload])
    assert name in error.value.messages[0]
    assert not ProgressEntry.objects.exists()
    assert not ProgressAttachment.objects.exists()


def test_attachments_over_the_size_limit_are_refused(campaign, people, items, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    report(
        items["oa"], people["lily"], 10, attachments=[files.pdf("ok.pdf", files.PDF + b"x" * (1024 - len(files.PDF)))]
    )

    with pytest.raises(ValidationError) as error:
        report(
            items["oa"],
            people["lily"],
            20,
            attachments=[files.pdf("big.pdf", files.PDF + b"x" * (1025 - len(files.PDF)))],
        )
    assert "big.pdf" in error.value.messages[0]
    assert ProgressEntry.objects.count() == 1
    assert fresh(items["oa"]).percent == 10


def progress_url(campaign, item) -> str:
    return reverse("ledger:item_progress", args=[campaign.slug, item.pk])


def test_the_progress_page_takes_several_files_at_once(campaign, people, items, login):
    client = login(people["lily"])
    assert re.search(
        r'<input type="file" name="attachments"[^>]* multiple',
        client.get(progress_url(campaign, items["oa"])).content.decode(),
    )

    uploads = [files.jpeg("一.jpg"), files.pdf("二.pdf")]
    response = client.post(
        progress_url(campaign, items["oa"]), {"percent": 30, "done": "现场照片", "attachments": uploads}
    )

    assert response.status_code == 302
    entry = items["oa"].progress_entries.get()
    assert sorted(a.name for a in entry.attachments.all()) == ["一.jpg", "二.pdf"]


@pytest.mark.parametrize(
    "data",
    [
        {"percent": 101, "done": "超过100"},
        {"percent": -5, "done": "负数"},
        {"percent": 50, "done": ""},
        {"percent": 50, "done": "附件不对", "attachments": [SimpleUploadedFile("x.exe", b"MZ")]},
    ],
    ids=["over-100", "negative", "nothing-done", "bad-file"],
)
def test_the_progress_page_refuses_bad_input_and_writes_nothing(campaign, people, items, login, data):
    response = login(people["lily"]).post(progress_url(campaign, items["oa"]), data)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not ProgressEntry.objects.exists()
    assert not ProgressAttachment.objects.exists()
    assert not history_for(items["oa"]).exists()


# Comments ----------------------------------------------------------------------


def test_comments_and_replies_are_recorded(campaign, people, items):
    actions.add_comment(fresh(items["oa"]), body="请加快进度", acting_user=people["olivia"])
    actions.add_comment(fresh(items["oa"]), body="月底前必须上线", acting_user=people["lily"])  # the unit replies

    kinds = list(items["oa"].comments.values_list("kind", "author__username"))
    assert kinds == [(Comment.Kind.COMMENT, "lily"), (Comment.Kind.COMMENT, "olivia")]
    notes = [e.note for e in history_for(items["oa"]).filter(action=HistoryEntry.Action.COMMENT)]
    assert notes == ["月底前必须上线", "请加快进度"]


def test_an_empty_comment_is_refused(campaign, people, items):
    with pytest.raises(ValidationError):
        actions.add_comment(fresh(items["oa"]), body=" ", acting_user=people["leo"])
    assert not Comment.objects.exists()


# History -----------------------------------------------------------------------


def test_every_change_to_an_item_leaves_history_in_order(campaign, people, items):
    olivia, lily, leo = people["olivia"], people["lily"], people["leo"]
    oa = items["oa"]
    # Written straight to the table, the item still shows the default light; the first edit recomputes it.
    assert fresh(oa).light == Light.GREEN

    actions.update_item(fresh(oa), data={"owner": "李四"}, expected_version=1, acting_user=olivia)
    report(oa, lily, 100)
    actions.add_comment(fresh(oa), body="好", acting_user=leo)
    actions.withdraw_item(fresh(oa), reason="重复", acting_user=olivia)

    recorded = [(e.action, e.actor) for e in history_for(oa).order_by("at", "id")]
    assert recorded == [
        (HistoryEntry.Action.UPDATE, olivia),
        (HistoryEntry.Action.LIGHT, olivia),  # not started 90 days after the start: yellow
        (HistoryEntry.Action.PROGRESS, lily),
        (HistoryEntry.Action.LIGHT, lily),  # completed: green
        (HistoryEntry.Action.COMMENT, leo),
        (HistoryEntry.Action.WITHDRAW, olivia),
        (HistoryEntry.Action.LIGHT, olivia),  # withdrawn: no light
    ]
    lights = [(e.changes[0]["old"], e.changes[0]["new"]) for e in history_for(oa).filter(action="light").order_by("id")]
    assert lights == [(Light.GREEN, Light.YELLOW), (Light.YELLOW, Light.GREEN), (Light.GREEN, Light.NONE)]
    update = history_for(oa).get(action=HistoryEntry.Action.UPDATE)
    assert update.changes == [{"field": "owner", "label": "责任人", "old": "王明", "new": "李四"}]


def test_the_history_shows_a_light_change_by_its_name(campaign, org, people, client):
    olivia = people["olivia"]
    item = new_item(campaign, org["hr"], olivia, due=campaign.ends_on)
    actions.withdraw_item(fresh(item), reason="重复", acting_user=olivia)
    client.force_login(olivia)
    page = client.get(reverse("ledger:item_detail", args=[campaign.slug, item.pk])).content.decode()
    entry = history_for(item).filter(action=HistoryEntry.Action.LIGHT).first()
    assert entry.changes[0]["new"] == Light.NONE
    assert f"→ {Light.NONE.label}" in page


def test_a_new_deadline_drops_the_old_words_that_no_longer_say_it(campaign, org, people):
    """Editing 2026-12-31（年底前） to 2027-01-15 must not show "2027年1月15日（年底前）"."""
    import datetime as _dt

    from taizhang.history.recording import history_for
    from taizhang.ledger import actions as ledger_actions
    from taizhang.testing.factories import make_item as _make_item

    item = _make_item(campaign, org["hr"], code="DW-1", due=_dt.date(2026, 12, 31), due_text="年底前")
    item = ledger_actions.update_item(
        item, data={"due": _dt.date(2027, 1, 15)}, expected_version=item.version, acting_user=people["olivia"]
    )
    assert (item.due, item.due_text) == (_dt.date(2027, 1, 15), "")
    change = {
        c["field"]: (c["old"], c["new"])
        for c in history_for(item).filter(action="update").order_by("-id").first().changes
    }
    assert change["due_text"] == ("年底前", "")
    # Words given with the new date are kept, and words that still say the date stay.
    item = ledger_actions.update_item(
        item,
        data={"due": _dt.date(2027, 6, 30), "due_text": "6月底前"},
        expected_version=item.version,
        acting_user=people["olivia"],
    )
    assert item.due_text == "6月底前"
    item = ledger_actions.update_item(
        item, data={"title": "改个标题"}, expected_version=item.version, acting_user=people["olivia"]
    )
    assert item.due_text == "6月底前"
