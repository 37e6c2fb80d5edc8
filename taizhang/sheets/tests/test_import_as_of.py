"""The day of the progress a ledger reports: the one the sheet says (截至2026年6月10日 over the header, or a
填报日期 note beneath), else the day of the upload, unless the office picks one on the preview or the command
line passes --as-of."""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from taizhang.ledger.models import ProgressEntry
from taizhang.sheets.ledger_import import build_plan, find_layout, sheet_date
from taizhang.sheets.models import ImportJob

from .ledgers import book
from .test_web_import import upload

HEADER = ["序号", "编号", "实事名称", "责任单位", "进展情况"]
ROW = [1, "A-1", "优化服务窗口", "人力资源部", "已完成需求调研"]


def dated(*above, below=()) -> list[list]:
    return [*([cell] for cell in above), HEADER, ROW, *([cell] for cell in below)]


def day_of(rows):
    return sheet_date(rows, find_layout(rows))


@pytest.mark.parametrize(
    ("above", "below", "expected"),
    [
        (["2026年实事清单（截至2026年6月10日）"], [], datetime.date(2026, 6, 10)),
        (["截止到2026.6.10"], [], datetime.date(2026, 6, 10)),
        (["填报单位：集团办公室          填报日期：2026-06-12"], [], datetime.date(2026, 6, 12)),
        ([datetime.datetime(2026, 6, 11)], [], datetime.date(2026, 6, 11)),
        (["2026年“我为群众办实事”项目清单"], [], None),  # a year is no day
        ([], ["注：数据截至2026年6月9日"], datetime.date(2026, 6, 9)),
        (["2026年1月1日起实施的清单", "统计时间：2026年6月8日"], [], datetime.date(2026, 6, 8)),  # said beats bare
        (["截至2026年2月30日"], [], None),  # no such day
    ],
)
def test_the_day_the_sheet_says(above, below, expected):
    assert day_of(dated(*above, below=below)) == expected


def test_a_deadline_in_the_rows_is_not_the_sheets_day(db):
    rows = [[*HEADER, "完成时限"], [*ROW, "2026年9月30日"]]
    assert day_of(rows) is None


def test_the_office_beats_the_sheet_and_the_sheet_beats_the_upload(org, campaign):
    rows = dated("实事清单（截至2026年6月10日）")
    plan = build_plan(rows, campaign, options={"uploaded_on": "2026-06-17"})
    assert (plan.as_of, plan.as_of_from) == (datetime.date(2026, 6, 10), "sheet")
    assert plan.rows[0]["new_progress"]["as_of"] == datetime.date(2026, 6, 10)
    plan = build_plan(rows, campaign, options={"uploaded_on": "2026-06-17", "as_of": "2026-06-05"})
    assert (plan.as_of, plan.as_of_from) == (datetime.date(2026, 6, 5), "office")
    plan = build_plan(dated("实事清单"), campaign, options={"uploaded_on": "2026-06-17"})
    assert (plan.as_of, plan.as_of_from) == (datetime.date(2026, 6, 17), "upload")
    assert build_plan(dated("实事清单"), campaign).as_of_from == ""


def _command(tmp_path, data, campaign, *args):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(data)
    out = io.StringIO()
    call_command("import_ledger", str(path), "--campaign", campaign.slug, "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def _sheet(title: str) -> bytes:
    def build(wb):
        ws = wb.add_worksheet("台账")
        ws.write(0, 0, title)
        ws.write_row(1, 0, HEADER)
        ws.write_row(2, 0, ROW)

    return book(build)


def test_the_command_writes_progress_as_of_the_sheets_day_or_its_option(org, campaign, tmp_path):
    result = _command(tmp_path, _sheet("实事清单（截至2026年6月10日）"), campaign, "--dry-run")
    assert result["as_of"] == "2026-06-10" and result["as_of_from"] == "sheet"
    assert result["items"][0]["progress"]["as_of"] == "2026-06-10"
    result = _command(tmp_path, _sheet("实事清单（截至2026年6月10日）"), campaign, "--as-of", "2026-06-03")
    assert result["as_of"] == "2026-06-03" and result["as_of_from"] == "office"
    assert ProgressEntry.objects.get().as_of == datetime.date(2026, 6, 3)


def test_the_preview_shows_the_sheets_day_and_says_where_it_comes_from(org, campaign, people, login):
    client = login(people["olivia"])
    upload(client, campaign, _sheet("实事清单（截至2026年6月10日）"))
    job = ImportJob.objects.get()
    client.post(
        reverse("sheets:import_mapping", args=[campaign.slug, job.pk]),
        {"col_0": "serial", "col_1": "code", "col_2": "title", "col_3": "owner_unit", "col_4": "progress"},
    )
    job.refresh_from_db()
    assert job.state == ImportJob.State.PREVIEW, job.message
    assert job.result["as_of"] == "2026-06-10" and job.result["as_of_from"] == "sheet"
    html = client.get(reverse("sheets:import_job", args=[campaign.slug, job.pk])).content.decode()
    assert 'value="2026-06-10"' in html and "截至" in html
