"""Importing the ledgers offices already have, messy as they are, from the command line."""

import datetime
import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from taizhang.campaigns.models import Campaign
from taizhang.history.models import HistoryEntry
from taizhang.ledger.models import Item
from taizhang.lib.xlsxread import read_workbook
from taizhang.sheets.ledger_import import build_plan, guess_field

from .ledgers import messy_ledger, simple_ledger


def run(tmp_path, data: bytes, *args, name="ledger.xlsx"):
    path = tmp_path / name
    path.write_bytes(data)
    out = __import__("io").StringIO()
    code = 0
    try:
        call_command("import_ledger", str(path), *args, "--json", stdout=out)
    except SystemExit as exit_:
        code = exit_.code
    return code, json.loads(out.getvalue())


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("序号", "serial"),
        ("项目编号", "code"),
        ("编号", "code"),
        ("项目名称", "title"),
        ("实事名称", "title"),
        ("事项", "title"),
        ("工作任务", "title"),
        ("主要内容", "content"),
        ("具体内容", "content"),
        ("工作措施", "content"),
        ("主要举措", "content"),
        ("责任单位", "owner_unit"),
        ("牵头单位", "owner_unit"),
        ("责任部门", "owner_unit"),
        ("配合单位", "partner_units"),
        ("协同单位", "partner_units"),
        ("配合部门", "partner_units"),
        ("责任领导", "lead"),
        ("分管领导", "lead"),
        ("牵头领导", "lead"),
        ("责任人", "owner"),
        ("联系人", "owner"),
        ("完成时限", "due"),
        ("完成时间", "due"),
        ("时间节点", "due"),
        ("办结时限", "due"),
        ("进展情况", "progress"),
        ("推进情况", "progress"),
        ("完成情况", "status"),
        ("是否完成", "status"),
        ("类别", "category"),
        ("内容", "category"),
        ("阶段", "phase"),
        ("备注", "note"),
        ("責任單位", "owner_unit"),
        ("完成时限（月）", "due"),
        ("2021年我为群众办实事项目清单", None),
    ],
)
def test_headers_are_recognised_by_their_many_names(header, field):
    assert guess_field(header) == field


def test_messy_ledger_is_understood(db, org, campaign, tmp_path):
    code, result = run(tmp_path, messy_ledger(), "--campaign", campaign.slug, "--dry-run")
    assert code == 0, result["errors"]
    assert result["errors"] == []
    assert result["created"] == 4
    items = {i["title"]: i for i in result["items"]}
    assert set(items) == {"开展公益义诊活动", "优化OA系统", "推进员工福利平台", "常态化开展谈心谈话"}
    oa = items["优化OA系统"]
    assert oa["row"] == 8  # 1-based row in the sheet
    assert oa["owner_unit"] == "集团办公室"
    assert oa["partner_units"] == ["人力资源部", "融通医疗健康公司"]
    assert oa["due"] == "2021-10-31" and oa["due_text"] == "2021.10"
    assert oa["category"] == "服务基层"
    assert items["推进员工福利平台"]["category"] == "关爱员工"
    assert items["推进员工福利平台"]["due"] == "2021-09-30"
    assert items["常态化开展谈心谈话"]["owner_unit"] == "人力资源部"
    assert items["常态化开展谈心谈话"]["due"] is None
    assert items["常态化开展谈心谈话"]["due_text"] == "长期坚持"
    year = campaign.starts_on.year
    assert items["开展公益义诊活动"]["due"] == f"{year}-06-30"
    # 序号 restarts per section: codes made unique by their section; the hidden 旧编号 column is ignored.
    assert sorted(i["code"] for i in result["items"]) == ["1-1", "1-2", "2-1", "2-2"]
    reasons = {s["row"]: s["reason"] for s in result["skipped"]}
    assert 5 in reasons and 9 in reasons  # section rows
    assert 12 in reasons  # 合计
    assert not Item.objects.filter(campaign=campaign).exists()  # a dry run writes nothing


def test_import_writes_items_with_history_and_search(db, org, campaign, tmp_path):
    code, _result = run(tmp_path, messy_ledger(traditional=True), "--campaign", campaign.slug)
    assert code == 0
    assert Item.objects.filter(campaign=campaign).count() == 4
    clinic = Item.objects.get(campaign=campaign, title="開展公益義診活動")
    assert clinic.owner_unit == org["hospital"]
    assert clinic.category.name == "服务基层"
    assert list(Item.objects.search("义诊")) == [clinic]
    oa = Item.objects.get(title="优化OA系统")
    assert set(oa.partner_units.all()) == {org["hr"], org["subsidiary"]}
    assert oa.note == "重点" and oa.owner == "李四"
    item_type = ContentType.objects.get_for_model(Item)
    assert HistoryEntry.objects.filter(content_type=item_type, action="create").count() == 4


def test_reimport_updates_by_code_and_changes_nothing_twice(db, org, campaign, tmp_path):
    first = [
        ["A-1", "优化OA系统", "办公室", "6月底前", "服务基层"],
        ["A-2", "福利平台", "人力", "9月30日前", "关爱员工"],
    ]
    run(tmp_path, simple_ledger(first), "--campaign", campaign.slug)
    assert Item.objects.filter(campaign=campaign).count() == 2
    oa = Item.objects.get(code="A-1")
    version = oa.version
    _code, result = run(tmp_path, simple_ledger(first), "--campaign", campaign.slug)
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 0, 2)
    second = [["A-1", "优化OA系统（二期）", "办公室", "12月底前", "服务基层"], *first[1:]]
    _code, result = run(tmp_path, simple_ledger(second), "--campaign", campaign.slug)
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 1, 1)
    oa.refresh_from_db()
    assert oa.title == "优化OA系统（二期）"
    assert oa.due == datetime.date(campaign.starts_on.year, 12, 31)
    assert oa.version == version + 1
    change = HistoryEntry.objects.filter(object_id=oa.pk, action="update").get()
    assert {c["field"] for c in change.changes} >= {"title", "due", "due_text"}
    assert Item.objects.filter(campaign=campaign).count() == 2


def test_reimport_without_codes_matches_title_and_unit(db, org, campaign, tmp_path):
    rows = [["", "优化OA系统", "办公室", "6月底前", ""]]
    run(tmp_path, simple_ledger(rows), "--campaign", campaign.slug, "--generate-codes")
    item = Item.objects.get(campaign=campaign)
    assert item.code.startswith("IMP-")
    # The second time the row is that item (by title and unit): no code to make, no choice to ask for.
    _code, result = run(
        tmp_path, simple_ledger([["", "优化OA系统", "办公室", "9月底前", ""]]), "--campaign", campaign.slug
    )
    assert result["updated"] == 1 and result["created"] == 0
    assert Item.objects.filter(campaign=campaign).count() == 1


def test_unknown_units_are_errors_and_nothing_is_written(db, org, campaign, tmp_path):
    rows = [["A-1", "好事", "办公室", "6月底前", ""], ["A-2", "另一件事", "宣传部", "6月底前", ""]]
    code, result = run(tmp_path, simple_ledger(rows), "--campaign", campaign.slug)
    assert code == 1
    assert result["errors"] == []
    assert result["unresolved"] == [
        {"name": "宣传部", "problem": "unknown", "rows": [3], "columns": ["牵头单位"], "candidates": []}
    ]
    assert not Item.objects.filter(campaign=campaign).exists()


def test_duplicate_codes_are_errors(db, org, campaign, tmp_path):
    rows = [["A-1", "好事", "办公室", "", ""], ["A-1", "另一件事", "人力", "", ""]]
    code, result = run(tmp_path, simple_ledger(rows), "--campaign", campaign.slug)
    assert code == 1 and result["errors"][0]["row"] == 3


def test_create_campaign_from_the_ledger(db, org, tmp_path):
    code, _result = run(tmp_path, messy_ledger(), "--campaign", "new2021", "--create-campaign")
    assert code == 0
    new = Campaign.objects.get(slug="new2021")
    assert new.starts_on == datetime.date(2021, 1, 1)
    assert set(new.categories.values_list("name", flat=True)) == {"服务基层", "关爱员工"}
    assert Item.objects.filter(campaign=new).count() == 4


def test_create_campaign_dry_run_leaves_no_campaign(db, org, tmp_path):
    code, result = run(tmp_path, messy_ledger(), "--campaign", "new2021", "--create-campaign", "--dry-run")
    assert code == 0 and result["created"] == 4
    assert not Campaign.objects.filter(slug="new2021").exists()


def test_gbk_csv_imports(db, org, campaign, tmp_path):
    text = "序号,事项,责任单位,完成时限\n1,解决停车难,人力资源部,年底前\n"
    code, result = run(tmp_path, text.encode("gbk"), "--campaign", campaign.slug, "--generate-codes", name="台账.csv")
    assert code == 0, result
    assert result["items"][0]["title"] == "解决停车难"
    assert result["items"][0]["due"] == f"{campaign.starts_on.year}-12-31"


def test_plan_reads_formulas_cached_values(db, org, campaign):
    from .ledgers import book

    def build(wb):
        ws = wb.add_worksheet()
        ws.write_row(0, 0, ["序号", "事项", "责任单位"])
        ws.write_formula(1, 0, '="A-"&1', None, "A-1")
        ws.write(1, 1, "好事")
        ws.write(1, 2, "办公室")

    sheet = read_workbook(book(build), "x.xlsx").sheets[0]
    plan = build_plan(sheet.rows, campaign)
    assert plan.rows[0]["code"] == "A-1"


def test_dry_run_prints_the_differences_of_updated_items(db, org, campaign, tmp_path):
    import io

    rows = [["A-1", "优化OA系统", "办公室", "6月底前", ""]]
    run(tmp_path, simple_ledger(rows), "--campaign", campaign.slug)
    path = tmp_path / "v2.xlsx"
    path.write_bytes(simple_ledger([["A-1", "优化OA系统", "人力资源部", "6月底前", ""]]))
    out = io.StringIO()
    call_command("import_ledger", str(path), "--campaign", campaign.slug, "--dry-run", stdout=out)
    text = out.getvalue()
    assert "row 2 A-1 优化OA系统" in text and "集团办公室 → 人力资源部" in text
    assert "would import: created 0, updated 1" in text
    assert Item.objects.get(code="A-1").owner_unit == org["office_dept"]


def test_a_sheet_without_codes_is_refused_unless_codes_are_generated(db, org, campaign, tmp_path):
    rows = [["", "优化OA系统", "办公室", "6月底前", ""], ["", "福利平台", "办公室", "", ""]]
    code, result = run(tmp_path, simple_ledger(rows), "--campaign", campaign.slug)
    assert code == 1 and result["codes_missing"] == 2
    assert [i["code"] for i in result["items"]] == ["", ""]
    assert not Item.objects.filter(campaign=campaign).exists()
    code, result = run(tmp_path, simple_ledger(rows), "--campaign", campaign.slug, "--generate-codes")
    assert code == 0 and result["codes_missing"] == 0
    assert sorted(Item.objects.filter(campaign=campaign).values_list("code", flat=True)) == ["IMP-001", "IMP-002"]
