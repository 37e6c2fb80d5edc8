"""One road for every item write: the bulk actions keep the single-item actions' invariants, and the light
comes from one loader whichever road the item took (page, import, night)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from taizhang.history.models import HistoryEntry
from taizhang.history.recording import history_for
from taizhang.ledger import actions, lights
from taizhang.ledger.actions import ItemEdit, NewItem
from taizhang.ledger.lights import compute_light
from taizhang.ledger.models import Item, Light, Milestone, Status
from taizhang.reporting.queries import missed_reports_for_lights
from taizhang.sheets.actions import apply_ledger_plan
from taizhang.sheets.ledger_import import build_plan
from taizhang.supervision.actions import give_instruction

DAY = datetime.timedelta(days=1)
HEADER = ["编号", "项目名称", "责任单位", "完成时限"]


def fresh(item: Item) -> Item:
    return Item.objects.select_related("campaign").get(pk=item.pk)


def stored(item: Item) -> tuple[str, str, int]:
    item = fresh(item)
    return item.light, item.light_code, item.light_n


def reimport(campaign, rows, user) -> dict:
    plan = build_plan([HEADER, *rows], campaign)
    assert not plan.errors, plan.errors
    return apply_ledger_plan(campaign, plan, acting_user=user)


def behind_and_instructed(campaign, org, people) -> Item:
    """优化OA系统, 25 points behind 序时进度 (yellow), and a leader's instruction raises it to red."""
    today = timezone.localdate()
    item = actions.create_item(
        campaign=campaign,
        data={
            "code": "101",
            "title": "优化OA系统",
            "owner_unit": org["office_dept"],
            "due": today + 60 * DAY,
            "due_text": (today + 60 * DAY).isoformat(),  # as the sheet will write it
            "starts_on": campaign.starts_on,  # planned from the campaign's start, on purpose
        },
        acting_user=people["olivia"],
    )
    # The campaign started 90 days ago and the item is due in 60: 60% expected by now.
    actions.add_progress(fresh(item), percent=35, done="完成需求调研", acting_user=people["olivia"])
    assert stored(item) == (Light.YELLOW, "behind", 25)
    give_instruction(campaign, text="请加快进度", item=fresh(item), acting_user=people["leo"])
    assert stored(item) == (Light.RED, "i:behind", 25)
    return item


# The known defect ---------------------------------------------------------------------------


def test_reimporting_only_a_title_keeps_an_instructed_red_item_red(campaign, org, people):
    item = behind_and_instructed(campaign, org, people)
    due = fresh(item).due.isoformat()
    lights_before = history_for(item).filter(action=HistoryEntry.Action.LIGHT).count()
    result = reimport(campaign, [["101", "优化OA系统（二期）", "集团办公室", due]], people["olivia"])
    assert result["updated"] == 1
    assert fresh(item).title == "优化OA系统（二期）"
    assert stored(item) == (Light.RED, "i:behind", 25)
    assert history_for(item).filter(action=HistoryEntry.Action.LIGHT).count() == lights_before
    update = history_for(item).get(action=HistoryEntry.Action.UPDATE)
    assert update.note_key == "imported from a spreadsheet"
    assert [(c["field"], c["new"]) for c in update.changes] == [("title", "优化OA系统（二期）")]


def test_a_light_changed_by_an_import_is_recorded_as_a_message_id_not_as_text(campaign, org, people):
    item = behind_and_instructed(campaign, org, people)
    yesterday = (timezone.localdate() - DAY).isoformat()
    reimport(campaign, [["101", "优化OA系统", "集团办公室", yesterday]], people["olivia"])
    assert stored(item) == (Light.RED, "i:overdue", 1)  # red before, red now: no light change recorded
    # Back to a deadline far away: the instructed item goes from red to blue, and says why in any language.
    reimport(campaign, [["101", "优化OA系统", "集团办公室", campaign.ends_on.isoformat()]], people["olivia"])
    light = history_for(item).filter(action=HistoryEntry.Action.LIGHT).order_by("-at", "-id").first()
    assert (light.changes[0]["old"], light.changes[0]["new"]) == (Light.RED, fresh(item).light)
    assert light.note_key == f"light:{fresh(item).light_code}"
    assert light.note_args == {"n": fresh(item).light_n}
    assert light.actor == people["olivia"]


def test_imported_items_count_their_units_missed_reports(campaign, org, people):
    from taizhang.reporting.periods import generate_periods

    generate_periods(campaign, now=timezone.now())
    reimport(campaign, [["201", "新的事项", "人力资源部", campaign.ends_on.isoformat()]], people["olivia"])
    item = Item.objects.get(code="201")
    assert stored(item)[:2] == (Light.RED, "missed")  # 人力资源部 never sent a weekly report


def test_the_ledger_reads_missed_reports_only_from_the_provider_reporting_registers(campaign, org):
    import ast
    import pathlib

    assert lights._missed_reports_provider is missed_reports_for_lights
    for path in pathlib.Path(lights.__file__).parent.rglob("*.py"):
        if "tests" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert "reporting" not in (node.module or ""), path
            elif isinstance(node, ast.Import):
                assert not any("reporting" in alias.name for alias in node.names), path


# Bulk actions keep the single-item invariants ------------------------------------------------


def test_create_items_writes_many_items_each_searchable_lit_and_in_the_history(campaign, org, people):
    today = timezone.localdate()
    made = actions.create_items(
        campaign=campaign,
        items=[
            NewItem({"code": "B-1", "title": "開展義診", "owner_unit": org["hospital"], "due": today - DAY}),
            NewItem(
                {
                    "code": "B-2",
                    "title": "职工书屋",
                    "owner_unit": org["hr"],
                    "starts_on": today - 5 * DAY,
                    "due": campaign.ends_on,
                },
                partner_units=[org["office_dept"]],
                milestones=[(today + DAY, 90)],
            ),
        ],
        acting_user=people["olivia"],
    )
    first, second = (fresh(i) for i in made)
    assert "开展义诊" in first.search_text
    assert (first.light, first.light_code) == (Light.RED, "overdue")
    assert (second.light, second.light_code, second.light_n) == (Light.RED, "behind", 75)  # 90% due tomorrow
    assert list(second.partner_units.all()) == [org["office_dept"]]
    assert list(second.milestones.values_list("on", "percent")) == [(today + DAY, 90)]
    for item in (first, second):
        assert [(e.action, e.actor) for e in history_for(item)] == [(HistoryEntry.Action.CREATE, people["olivia"])]
        assert item.version == 1


def test_create_items_is_refused_to_a_liaison_and_writes_nothing(campaign, org, people):
    with pytest.raises(PermissionDenied):
        actions.create_items(
            campaign=campaign,
            items=[NewItem({"code": "B-1", "title": "越权", "owner_unit": org["hr"]})],
            acting_user=people["bob"],
        )
    assert not Item.objects.exists()


def test_create_items_refuses_a_code_used_twice_naming_it(campaign, org, people):
    with pytest.raises(ValidationError) as error:
        actions.create_items(
            campaign=campaign,
            items=[
                NewItem({"code": "B-1", "title": "甲", "owner_unit": org["hr"]}),
                NewItem({"code": "B-1", "title": "乙", "owner_unit": org["hr"]}),
            ],
            acting_user=people["olivia"],
        )
    assert all(message.startswith("B-1:") for message in error.value.messages)
    assert not Item.objects.exists()


def test_update_items_bumps_versions_and_records_diffs_only_for_items_that_change(campaign, org, people, items):
    oa, flow = fresh(items["oa"]), fresh(items["flow"])
    changed = actions.update_items(
        campaign=campaign,
        edits=[
            ItemEdit(oa, {"title": "优化OA系统（二期）"}, partner_units=[org["hr"]]),
            ItemEdit(flow, {"title": flow.title}),
        ],
        acting_user=people["olivia"],
    )
    assert [i.pk for i in changed] == [oa.pk]
    assert fresh(oa).version == oa.version + 1 and fresh(flow).version == flow.version
    assert "二期" in fresh(oa).search_text
    entry = history_for(oa).get(action=HistoryEntry.Action.UPDATE)
    assert {c["field"]: (c["old"], c["new"]) for c in entry.changes} == {
        "title": ("优化OA系统", "优化OA系统（二期）"),
        "partner_units": ("", "人力"),
    }
    assert not history_for(flow).filter(action=HistoryEntry.Action.UPDATE).exists()


def test_update_items_refuses_a_stale_edit_and_writes_nothing(campaign, org, people, items):
    oa, flow = fresh(items["oa"]), fresh(items["flow"])
    with pytest.raises(actions.StaleEdit):
        actions.update_items(
            campaign=campaign,
            edits=[
                ItemEdit(flow, {"title": "改了"}, expected_version=flow.version),
                ItemEdit(oa, {"title": "也改了"}, expected_version=oa.version - 1),
            ],
            acting_user=people["olivia"],
        )
    assert fresh(flow).title == "简化工作流程"


def test_moving_a_sub_item_rolls_both_parents_up(campaign, org, people):
    olivia = people["olivia"]
    old, new = (
        actions.create_item(
            campaign=campaign, data={"code": c, "title": c, "owner_unit": org["hr"]}, acting_user=olivia
        )
        for c in ("P-1", "P-2")
    )
    child = actions.create_item(
        campaign=campaign,
        data={"code": "C-1", "title": "子项", "owner_unit": org["hr"], "parent": old},
        acting_user=olivia,
    )
    actions.add_progress(fresh(child), percent=80, done="基本完成", acting_user=olivia)
    assert fresh(old).percent == 80
    actions.update_item(fresh(child), data={"parent": new}, expected_version=fresh(child).version, acting_user=olivia)
    assert (fresh(old).percent, fresh(new).percent) == (0, 80)


def test_setting_a_status_is_the_offices_and_leaves_history(campaign, org, people, items):
    with pytest.raises(PermissionDenied):
        actions.set_item_status(
            fresh(items["oa"]), status=Status.CLOSED, acting_user=people["bob"], action=HistoryEntry.Action.CLOSE
        )
    item = actions.set_item_status(
        fresh(items["oa"]), status=Status.CLOSED, acting_user=people["olivia"], action=HistoryEntry.Action.CLOSE
    )
    assert (fresh(item).status, fresh(item).light_code) == (Status.CLOSED, "closed")
    entry = history_for(item).get(action=HistoryEntry.Action.CLOSE)
    assert entry.changes[0]["field"] == "status"


# Milestones ----------------------------------------------------------------------------------


def test_milestones_must_lie_in_the_items_time_and_never_expect_less_later(campaign, org, people):
    today = timezone.localdate()
    data = {"code": "M-1", "title": "有节点", "owner_unit": org["hr"], "due": today + 30 * DAY}
    bad = [
        [(today + 40 * DAY, 50)],  # after the deadline
        [(campaign.starts_on - DAY, 10)],  # before the start
        [(today, 60), (today + 5 * DAY, 40)],  # expects less later
        [(today, 120)],
    ]
    for milestones in bad:
        with pytest.raises(ValidationError) as error:
            actions.create_item(campaign=campaign, data=data, milestones=milestones, acting_user=people["olivia"])
        assert "milestones" in error.value.message_dict
    with pytest.raises(ValidationError):
        actions.create_item(
            campaign=campaign, data={**data, "due": None}, milestones=[(today, 10)], acting_user=people["olivia"]
        )
    assert not Item.objects.exists()


def test_editing_milestones_is_recorded_and_relights_the_item(campaign, org, people):
    today = timezone.localdate()
    item = actions.create_item(
        campaign=campaign,
        data={
            "code": "M-1",
            "title": "有节点",
            "owner_unit": org["hr"],
            "starts_on": campaign.starts_on,  # the schedule runs from the campaign's start, on purpose
            "due": campaign.ends_on,
        },
        acting_user=people["olivia"],
    )
    actions.add_progress(fresh(item), percent=30, done="推进", acting_user=people["olivia"])
    assert stored(item)[0] == Light.GREEN
    actions.update_item(
        fresh(item),
        data={},
        milestones=[(today - DAY, 70)],
        expected_version=fresh(item).version,
        acting_user=people["olivia"],
    )
    assert stored(item)[:2] == (Light.RED, "behind")
    entry = history_for(item).get(action=HistoryEntry.Action.UPDATE)
    assert [(c["field"], c["old"], c["new"]) for c in entry.changes] == [
        ("milestones", "", f"{(today - DAY).isoformat()} 70%")
    ]
    assert list(Milestone.objects.filter(item=item).values_list("percent", flat=True)) == [70]


# The property: one light whichever road ------------------------------------------------------


@st.composite
def item_facts(draw):
    """Offsets in days from today and milestones as (share of the item's time, percent): dates come later."""
    return {
        "start": draw(st.none() | st.integers(-200, 20)),
        "due": draw(st.none() | st.integers(-40, 200)),
        "milestones": draw(st.lists(st.tuples(st.floats(0, 1), st.integers(0, 100)), max_size=3)),
        "percent": draw(st.sampled_from([None, 0, 10, 35, 60, 95, 100])),
        "withdrawn": draw(st.booleans()),
        "instructed": draw(st.booleans()),
        "missed": draw(st.integers(0, 5)),
    }


def milestone_dates(facts, campaign, today) -> list[tuple[datetime.date, int]]:
    """The drawn milestones as an office could enter them: in the item's time, never expecting less later."""
    begins = today + facts["start"] * DAY if facts["start"] is not None else campaign.starts_on
    if facts["due"] is None or today + facts["due"] * DAY <= begins:
        return []
    span = (today + facts["due"] * DAY - begins).days
    points, best = {}, 0
    for share, percent in sorted(facts["milestones"]):
        points.setdefault(begins + round(share * span) * DAY, percent)
    result = []
    for on, percent in sorted(points.items()):
        best = max(best, percent)
        result.append((on, best))
    return result


@pytest.fixture
def missed_provider():
    """Missed reports as a provider reports them: a number per unit the example chooses."""
    missed: dict[int, int] = {}
    lights.register_missed_reports_provider(
        lambda campaign, on, unit_ids: dict(missed) if unit_ids is None else {u: missed.get(u, 0) for u in unit_ids}
    )
    yield missed
    lights.register_missed_reports_provider(missed_reports_for_lights)


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(facts=item_facts(), title=st.text(alphabet="优化系统流程二期", min_size=1, max_size=8))
def test_single_and_bulk_roads_give_the_same_light_and_a_reimport_changes_none(
    campaign, org, people, missed_provider, facts, title
):
    olivia, leo = people["olivia"], people["leo"]
    unit = org["hr"]
    today = timezone.localdate()
    missed_provider[unit.pk] = facts["missed"]
    milestones = milestone_dates(facts, campaign, today)
    code = f"P-{Item.objects.count() + 1}"
    data = {
        "code": code,
        "title": "事项",
        "owner_unit": unit,
        "due": None if facts["due"] is None else today + facts["due"] * DAY,
        "starts_on": None if facts["start"] is None else today + facts["start"] * DAY,
    }
    # The single road: the page's actions, one item at a time.
    item = actions.create_item(campaign=campaign, data=data, milestones=milestones, acting_user=olivia)
    if facts["percent"] is not None:
        actions.add_progress(fresh(item), percent=facts["percent"], done="推进", acting_user=olivia)
    if facts["instructed"]:
        give_instruction(campaign, text="抓紧", item=fresh(item), acting_user=leo)
    if facts["withdrawn"]:
        actions.withdraw_item(fresh(item), reason="重复", acting_user=olivia)
    single = stored(item)

    # The rule itself, with the facts as the test knows them.
    current = fresh(item)
    truth = compute_light(
        current,
        today,
        missed_reports=facts["missed"],
        instructed=facts["instructed"],
        milestones=milestones,
    )
    assert single == (truth.light, truth.code, truth.n)

    # The bulk roads: the night's refresh and an import that changes the title only.
    lights.refresh_lights(campaign, unit=unit)
    assert stored(item) == single
    before = history_for(item).filter(action=HistoryEntry.Action.LIGHT).count()
    actions.update_items(campaign=campaign, edits=[ItemEdit(current, {"title": title + code})], acting_user=olivia)
    assert stored(item) == single
    assert history_for(item).filter(action=HistoryEntry.Action.LIGHT).count() == before
    # And the bulk creation of the same facts is born with the same light.
    twin = actions.create_items(
        campaign=campaign,
        items=[NewItem({**data, "code": code + "-b"}, milestones=milestones)],
        acting_user=olivia,
    )[0]
    plain = compute_light(fresh(twin), today, missed_reports=facts["missed"], milestones=milestones)
    assert stored(twin) == (plain.light, plain.code, plain.n)
