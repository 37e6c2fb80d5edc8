"""The ledger import reads milestones (节点目标: "6月底完成50%；9月底完成80%") into the items' milestones."""

import datetime

import pytest
from django.utils import timezone

from taizhang.history.models import HistoryEntry
from taizhang.history.recording import history_for
from taizhang.ledger.lights import compute_light
from taizhang.ledger.models import Item
from taizhang.sheets.actions import apply_ledger_plan
from taizhang.sheets.ledger_import import build_plan, find_layout, parse_milestones

D = datetime.date
HEADER = ["编号", "项目名称", "责任单位", "完成时限", "节点目标"]


def plan_of(campaign, *rows, header=HEADER):
    return build_plan([header, *rows], campaign)


@pytest.mark.parametrize(
    ("text", "points"),
    [
        ("6月底完成50%", [(D(2026, 6, 30), 50)]),
        ("6月底完成50%；9月30日前完成80%", [(D(2026, 6, 30), 50), (D(2026, 9, 30), 80)]),
        ("三季度末完成60％;年底前完成100%", [(D(2026, 9, 30), 60), (D(2026, 12, 31), 100)]),
        ("5月底前完成招标（30%）\n8月中旬完成施工70%", [(D(2026, 5, 31), 30), (D(2026, 8, 20), 70)]),
    ],
)
def test_milestone_phrases_become_dates_and_percents(text, points):
    assert parse_milestones(text, year=2026, start=D(2026, 1, 1)) == (points, [])


def test_a_milestone_without_a_percent_or_a_date_is_named_in_the_problems():
    points, problems = parse_milestones("6月底完成招标；抓紧推进50%", year=2026, start=D(2026, 1, 1))
    assert points == []
    assert len(problems) == 2
    assert "6月底完成招标" in problems[0] and "抓紧推进50%" in problems[1]


def test_time_node_beside_a_deadline_column_is_read_as_milestones():
    layout = find_layout([["序号", "项目名称", "时间节点", "责任单位", "完成时限"], ["1", "甲", "", "", ""]])
    assert layout.columns[2] == "milestones" and layout.columns[4] == "due"
    alone = find_layout([["序号", "项目名称", "责任单位", "时间节点"], ["1", "甲", "", ""]])
    assert alone.columns[3] == "due"


def test_imported_milestones_are_written_and_light_the_item(campaign, org, people):
    due = campaign.ends_on.isoformat()
    first = (campaign.starts_on + datetime.timedelta(days=60)).isoformat()
    plan = plan_of(campaign, ["301", "建设职工书屋", "人力资源部", due, f"{first}完成40%；{due}前完成100%"])
    assert not plan.errors
    apply_ledger_plan(campaign, plan, acting_user=people["olivia"])
    item = Item.objects.get(code="301")
    milestones = list(item.milestones.values_list("on", "percent"))
    assert milestones == [(campaign.starts_on + datetime.timedelta(days=60), 40), (campaign.ends_on, 100)]
    # The item is lit through its milestones (the one loader reads them), from birth.
    verdict = compute_light(item, timezone.localdate(), milestones=milestones)
    assert (item.light, item.light_code, item.light_n) == (verdict.light, verdict.code, verdict.n)
    assert history_for(item).filter(action=HistoryEntry.Action.LIGHT).count() == 0


def test_reimporting_changed_milestones_records_them_and_an_empty_cell_keeps_them(campaign, org, people):
    due = campaign.ends_on.isoformat()
    on = campaign.ends_on - datetime.timedelta(days=30)
    apply_ledger_plan(
        campaign,
        plan_of(campaign, ["301", "书屋", "人力资源部", due, f"{on.isoformat()}完成50%"]),
        acting_user=people["olivia"],
    )
    plan = plan_of(campaign, ["301", "书屋", "人力资源部", due, f"{on.isoformat()}完成60%"])
    assert [c["field"] for c in plan.rows[0]["changes"]] == ["milestones"]
    apply_ledger_plan(campaign, plan, acting_user=people["olivia"])
    item = Item.objects.get(code="301")
    assert list(item.milestones.values_list("percent", flat=True)) == [60]
    entry = history_for(item).get(action=HistoryEntry.Action.UPDATE)
    assert (entry.changes[0]["old"], entry.changes[0]["new"]) == (f"{on.isoformat()} 50%", f"{on.isoformat()} 60%")
    unchanged = plan_of(campaign, ["301", "书屋", "人力资源部", due, ""])
    assert unchanged.rows[0]["action"] == "unchanged"


def test_milestones_outside_the_items_time_or_going_down_are_row_errors(campaign, org):
    due = campaign.ends_on
    late = (due + datetime.timedelta(days=10)).isoformat()
    plan = plan_of(
        campaign,
        ["1", "甲", "人力资源部", due.isoformat(), f"{late}完成50%"],
        [
            "2",
            "乙",
            "人力资源部",
            due.isoformat(),
            f"{due.isoformat()}完成40%；{campaign.starts_on.isoformat()}完成60%",
        ],
        ["3", "丙", "人力资源部", "长期坚持", f"{due.isoformat()}完成40%"],
        ["4", "丁", "人力资源部", due.isoformat(), "尽快完成"],
    )
    assert sorted({e["row"] for e in plan.errors}) == [2, 3, 4, 5]
    assert all(e["column"] == "节点目标" for e in plan.errors)
