"""The weekly statistics sheet: download pre-filled, fill in, upload, preview, confirm."""

import datetime
import io
import json
import shutil
import subprocess
import zipfile

import pytest
import python_calamine
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext as _

from taizhang.history.models import HistoryEntry
from taizhang.ledger.models import ProgressEntry
from taizhang.reporting.models import UnitReport
from taizhang.reporting.periods import generate_periods, open_periods
from taizhang.sheets.models import ImportJob
from taizhang.sheets.statsheet import COL_PERCENT, FIRST_ROW, KEY_SHEET


@pytest.fixture
def week(campaign):
    """This week's reporting period, the one the sheet page opens on."""
    generate_periods(campaign)
    return open_periods(campaign).first()


def download(client, campaign, period) -> bytes:
    response = client.get(reverse("sheets:statistics_download", args=[campaign.slug, period.label]))
    assert response.status_code == 200
    return response.content


def read_back(data: bytes) -> dict[str, list[list]]:
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def refill(data: bytes, fills: dict[str, list], *, edit_key=None, edit_code=None) -> bytes:
    """What a person does in Excel: type into the open columns (and, for tests, tamper with the key)."""
    sheets = read_back(data)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            row = list(row)
            if name != KEY_SHEET and r >= FIRST_ROW:
                code = str(row[0])
                if code in fills:
                    row = row[:COL_PERCENT] + fills[code]
                if edit_code and code == edit_code[0]:
                    row[0] = edit_code[1]
            if name == KEY_SHEET and edit_key:
                row[1] = edit_key(row[1])
            for c, value in enumerate(row):
                if value != "":
                    sheet.write(r, c, value)
        if name == KEY_SHEET:
            sheet.very_hidden()
    book.close()
    return buffer.getvalue()


def upload(client, campaign, data: bytes, period):
    return client.post(
        reverse("sheets:statistics_upload", args=[campaign.slug, period.label]),
        {"file": SimpleUploadedFile("统计表.xlsx", data)},
    )


def test_liaison_downloads_own_units_open_items(org, campaign, people, items, login, week):
    data = download(login(people["lily"]), campaign, week)
    sheets = read_back(data)
    assert list(sheets) == ["办公室", KEY_SHEET]
    rows = sheets["办公室"]
    assert rows[1][:7] == ["编号", "事项", "责任人", "完成时限", "节点目标", "上期进度(%)", "上期进展情况"]
    assert [r[0] for r in rows[FIRST_ROW:]] == ["HQ-001", "HQ-002"]
    assert rows[FIRST_ROW][2] == "王明"
    assert rows[FIRST_ROW + 1][3] == "长期坚持"
    key = json.loads(sheets[KEY_SHEET][0][1])
    assert key["period"] == week.pk and key["label"] == week.label and key["unit"] == org["office_dept"].pk
    assert set(key["items"]) == {"HQ-001", "HQ-002"}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet_xml = z.read("xl/worksheets/sheet1.xml").decode()
        workbook_xml = z.read("xl/workbook.xml").decode()
    assert "<sheetProtection" in sheet_xml
    assert '<dataValidation type="whole"' in sheet_xml and "<formula2>100</formula2>" in sheet_xml
    assert "进行中,已完成" in sheet_xml
    assert 'state="veryHidden"' in workbook_xml
    assert "<pane " in sheet_xml and 'orientation="landscape"' in sheet_xml and 'paperSize="9"' in sheet_xml


def test_round_trip_writes_progress_after_the_preview(org, campaign, people, items, login, week):
    client = login(people["lily"])
    data = refill(
        download(client, campaign, week),
        {
            "HQ-001": [40, "进行中", "完成需求调研", "经费紧张", "招标"],
            "HQ-002": ["", "已完成", "流程全部上线", "", ""],
        },
    )
    response = upload(client, campaign, data, week)
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert preview.status_code == 200
    assert [(r["item"].code, r["old_percent"], r["percent"]) for r in preview.context["plan"].rows] == [
        ("HQ-001", 0, 40),
        ("HQ-002", 0, 100),
    ]
    assert not ProgressEntry.objects.exists()  # nothing before the confirmation
    client.post(response["Location"])
    entries = ProgressEntry.objects.order_by("item__code")
    assert [(e.item.code, e.percent, e.source, e.period_label) for e in entries] == [
        ("HQ-001", 40, "sheet", week.label),
        ("HQ-002", 100, "sheet", week.label),
    ]
    assert entries[0].difficulties == "经费紧张" and entries[0].next_steps == "招标"
    items["oa"].refresh_from_db()
    assert items["oa"].percent == 40 and items["oa"].status == "in_progress"
    assert HistoryEntry.objects.filter(object_id=items["oa"].pk, action="progress").count() == 1

    # The sheet was the unit's report for the week: submitted, on time or late by the upload.
    report = UnitReport.objects.get(period=week, unit=org["office_dept"])
    assert report.status == "submitted" and not report.no_change
    assert report.is_late == (ImportJob.objects.earliest("created_at").created_at > week.due_at)

    # The same file again changes nothing, and has nothing to submit.
    response = upload(client, campaign, data, week)
    preview = client.get(response["Location"])
    assert preview.context["reports"] == 0 and preview.context["unchanged"] == 2
    assert [r["action"] for r in preview.context["plan"].reports] == ["locked"]
    assert b'id="statistics-confirm"' not in preview.content
    client.post(response["Location"])
    assert ProgressEntry.objects.count() == 2


def test_a_changed_row_in_the_same_period_corrects_the_entry(org, campaign, people, items, login, week):
    client = login(people["lily"])
    sheet = download(client, campaign, week)
    response = upload(client, campaign, refill(sheet, {"HQ-001": [40, "", "调研", "", ""]}), week)
    client.post(response["Location"], {"draft": "1"})  # saved as a draft: the report stays open
    assert UnitReport.objects.get(period=week, unit=org["office_dept"]).status == "draft"
    response = upload(client, campaign, refill(sheet, {"HQ-001": [50, "", "调研完成", "", ""]}), week)
    client.post(response["Location"])
    latest = ProgressEntry.objects.order_by("-id").first()
    assert latest.percent == 50 and latest.corrects is not None and latest.corrects.percent == 40


def test_row_errors_name_row_column_and_problem(org, campaign, people, items, login, week):
    client = login(people["lily"])
    data = refill(
        download(client, campaign, week), {"HQ-001": [150, "", "做了", "", ""], "HQ-002": [30, "", "", "", ""]}
    )
    response = upload(client, campaign, data, week)
    preview = client.get(response["Location"])
    errors = preview.context["plan"].errors
    assert errors == [
        {
            "sheet": "办公室",
            "row": FIRST_ROW + 1,
            "column": "本期进度(%)",
            "message": _("Progress must be a whole number between 0 and 100."),
        },
        {"sheet": "办公室", "row": FIRST_ROW + 2, "column": "本期完成情况", "message": _("Say what was done.")},
    ]
    client.post(response["Location"])
    assert not ProgressEntry.objects.exists()


def test_liaison_cannot_upload_another_units_sheet(org, campaign, people, items, login, week):
    data = refill(download(login(people["lily"]), campaign, week), {"HQ-001": [40, "", "做了", "", ""]})
    response = upload(login(people["bob"]), campaign, data, week)
    assert response.status_code == 400
    assert response.context["refused"] == _(
        "This sheet is for %(unit)s; you can upload only your own unit's sheet."
    ) % {"unit": "集团办公室"}
    assert not ProgressEntry.objects.exists()


def test_sheet_of_another_period_is_refused(org, campaign, people, items, login, week):
    client = login(people["lily"])
    last_week = open_periods(campaign)[1]
    data = refill(download(client, campaign, last_week), {"HQ-001": [40, "", "做了", "", ""]})
    response = upload(client, campaign, data, week)
    assert response.status_code == 400
    assert last_week.name in response.context["refused"]


def test_edited_key_or_code_is_refused(org, campaign, people, items, login, settings, week):
    client = login(people["lily"])
    sheet = download(client, campaign, week)
    tampered = refill(sheet, {"HQ-001": [40, "", "做了", "", ""]}, edit_key=lambda p: p.replace('"HQ-001"', '"HQ-003"'))
    response = upload(client, campaign, tampered, week)
    assert response.status_code == 400
    assert response.context["refused"] == _("The sheet's key was edited; download a new sheet.")
    edited = refill(sheet, {"HQ-001": [40, "", "做了", "", ""]}, edit_code=("HQ-001", "HQ-003"))
    assert upload(client, campaign, edited, week).status_code == 400
    assert not ProgressEntry.objects.exists()


def test_a_workbook_not_from_taizhang_is_refused(org, campaign, people, login, week):
    from .ledgers import simple_ledger

    response = upload(login(people["lily"]), campaign, simple_ledger([["1", "好事", "办公室", "", ""]]), week)
    assert response.status_code == 400
    assert response.context["refused"]


def test_office_workbook_has_a_sheet_per_unit_and_uploads_back(org, campaign, people, items, login, week):
    client = login(people["olivia"])
    data = download(client, campaign, week)
    sheets = read_back(data)
    assert list(sheets) == ["办公室", "人力", "八一骨科医院", KEY_SHEET]
    filled = refill(data, {"HQ-003": [20, "", "平台选型", "", ""], "YL-001": [10, "", "筹备", "", ""]})
    response = upload(client, campaign, filled, week)
    client.post(response["Location"])
    assert set(ProgressEntry.objects.values_list("item__code", flat=True)) == {"HQ-003", "YL-001"}


def test_only_office_and_liaisons_use_sheets(org, campaign, people, items, login, week):
    for name in ("leo", "charlie"):
        client = login(people[name])
        assert client.get(reverse("sheets:statistics_home", args=[campaign.slug])).status_code in (403, 404)
        url = reverse("sheets:statistics_download", args=[campaign.slug, week.label])
        assert client.get(url).status_code in (403, 404)


def test_formula_like_titles_are_neutralised(org, campaign, people, login, week):
    from taizhang.testing.factories import make_item

    make_item(campaign, org["office_dept"], code="HQ-009", title='=HYPERLINK("http://x")')
    rows = read_back(download(login(people["lily"]), campaign, week))["办公室"]
    assert rows[FIRST_ROW][1] == '\'=HYPERLINK("http://x")'


@pytest.mark.skipif(shutil.which("libreoffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_downloaded_sheet(org, campaign, people, items, login, tmp_path, week):
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(download(login(people["lily"]), campaign, week))
    subprocess.run(
        [
            "libreoffice",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    text = (tmp_path / "sheet.csv").read_text(encoding="utf-8", errors="replace")
    assert "HQ-001" in text and "优化OA系统" in text


def test_the_sheet_shows_each_items_milestones_read_only(org, campaign, people, items, login, week):
    from taizhang.ledger.models import Milestone

    oa = items["oa"]
    Milestone.objects.create(item=oa, on=oa.due - datetime.timedelta(days=30), percent=50)
    Milestone.objects.create(item=oa, on=oa.due - datetime.timedelta(days=10), percent=80)
    rows = read_back(download(login(people["lily"]), campaign, week))["办公室"]
    row = next(r for r in rows[FIRST_ROW:] if r[0] == "HQ-001")
    assert (
        row[4]
        == f"{(oa.due - datetime.timedelta(days=30)).isoformat()} 50%、{(oa.due - datetime.timedelta(days=10)).isoformat()} 80%"
    )
