"""The Excel export of the (filtered) item list, opened again the way people open it."""

import datetime
import io
import shutil
import subprocess
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from python_calamine import CalamineWorkbook

from taizhang.ledger import actions
from taizhang.ledger.actions import refresh_lights
from taizhang.ledger.models import Item
from taizhang.testing.factories import make_item

HEADER_MSGIDS = [
    "Code",
    "Title",
    "Content and measures",
    "Category",
    "Phase",
    "Scope",
    "Key task",
    "Responsible unit",
    "Partner units",
    "Responsible leader",
    "Person responsible",
    "Deadline",
    "Deadline as written",
    "Status",
    "Progress (%)",
    "Light",
    "Light reason",
    "Latest progress",
    "Last reported",
    "Model project",
]
CODE, TITLE, CONTENT, UNIT, PARTNERS, DUE, DUE_TEXT, PERCENT, REASON, LATEST, REPORTED = (
    0,
    1,
    2,
    7,
    8,
    11,
    12,
    14,
    16,
    17,
    18,
)


@pytest.fixture(autouse=True)
def _back_to_the_default_language():
    # LocaleMiddleware leaves the request's language active on the thread.
    yield
    translation.deactivate()


@pytest.fixture
def ledger(campaign, items, people, org):
    oa = Item.objects.get(pk=items["oa"].pk)
    actions.update_item(
        oa, data={}, partner_units=[org["hr"], org["subsidiary"]], expected_version=1, acting_user=people["olivia"]
    )
    actions.add_progress(items["oa"], percent=40, done="完成需求调研", acting_user=people["lily"])
    actions.add_progress(items["oa"], percent=55, done="完成系统开发", acting_user=people["lily"])
    refresh_lights(campaign)
    return items


@pytest.fixture
def download(client, people, campaign):
    client.force_login(people["leo"])

    def _download(headers=None, **params):
        response = client.get(reverse("ledger:item_export", args=[campaign.slug]), params, headers=headers or {})
        assert response.status_code == 200
        return response

    return _download


def sheet_rows(response) -> list[list]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    return book.get_sheet_by_index(0).to_python()


def data_rows(response) -> dict[str, list]:
    return {row[CODE]: row for row in sheet_rows(response)[2:]}


def test_the_export_is_an_xlsx_download_with_a_dated_name(ledger, download, campaign):
    response = download()
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    fallback = f"{campaign.slug}-items-{timezone.localdate():%Y%m%d}.xlsx"
    name = quote(f"实事清单 {timezone.localdate():%Y-%m-%d}.xlsx")  # the name people see (lib.downloads)
    assert response["Content-Disposition"] == f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{name}"
    assert response.content.startswith(b"PK")


def test_the_headers_are_in_chinese(ledger, download, campaign):
    rows = sheet_rows(download())
    with translation.override("zh-hans"):
        expected = [translation.gettext(m) for m in HEADER_MSGIDS]
        sheet_name = translation.gettext("Items")
    assert rows[1] == expected
    assert rows[1][CODE] == "编号"
    assert rows[1][UNIT] == "责任单位"
    untranslated = [h for h, m in zip(rows[1], HEADER_MSGIDS, strict=True) if h == m]
    assert untranslated == []
    assert rows[0][0].startswith(campaign.name)
    book = CalamineWorkbook.from_filelike(io.BytesIO(download().content))
    assert book.sheet_names == [sheet_name]


def test_the_headers_follow_the_readers_language(ledger, download):
    rows = sheet_rows(download(headers={"Accept-Language": "en"}))
    assert rows[1] == HEADER_MSGIDS


def test_one_row_per_item_with_its_values(ledger, download, campaign):
    rows = data_rows(download())
    assert sorted(rows) == ["HQ-001", "HQ-002", "HQ-003", "HQ-004", "YL-001"]
    assert len(sheet_rows(download())) == 2 + Item.objects.filter(campaign=campaign).count()

    oa = Item.objects.get(code="HQ-001")
    row = rows["HQ-001"]
    assert row[TITLE] == "优化OA系统"
    assert row[UNIT] == "集团办公室"
    assert set(row[PARTNERS].split("、")) == {"人力资源部", "融通医疗健康公司"}
    assert row[PERCENT] == 55
    assert row[LATEST] == "完成系统开发"
    assert rows["HQ-002"][DUE_TEXT] == "长期坚持"
    assert rows["HQ-004"][REASON] == "已超期12天"
    reported = timezone.localtime(oa.last_progress_at).replace(tzinfo=None)
    assert isinstance(row[REPORTED], datetime.datetime)
    assert abs(row[REPORTED] - reported) < datetime.timedelta(seconds=1)


def test_dates_are_dates_not_text(ledger, download):
    rows = data_rows(download())
    for code in ("HQ-001", "HQ-003", "HQ-004", "YL-001"):
        due = rows[code][DUE]
        assert isinstance(due, datetime.date)
        assert due == Item.objects.get(code=code).due
    assert rows["HQ-002"][DUE] == ""  # ongoing: no date


def test_the_export_respects_the_filters_and_the_order(ledger, download, org):
    assert list(data_rows(download(unit=org["hr"].pk))) == ["HQ-003", "HQ-004"]
    assert list(data_rows(download(q="医疗"))) == ["YL-001"]
    assert list(data_rows(download(sort="-code"))) == ["YL-001", "HQ-004", "HQ-003", "HQ-002", "HQ-001"]
    assert list(data_rows(download(q="火星"))) == []


def test_a_bad_filter_exports_the_whole_list_rather_than_failing(ledger, download):
    assert len(data_rows(download(due_from="2021-07-01", due_to="2021-06-01", sort="nonsense"))) == 5


@pytest.mark.parametrize(
    "title",
    ['=HYPERLINK("http://x")', "+86 热线", "-减负行动", "@SUM(A1:A9)", "=1+1", "\t=tab"],
)
def test_text_that_a_spreadsheet_would_run_as_a_formula_is_neutralised(campaign, org, download, title):
    make_item(campaign, org["hr"], code="F-1", title=title, content="=cmd|' /C calc'!A0", owner="@someone")
    row = data_rows(download())["F-1"]
    assert row[TITLE] == "'" + title
    assert row[CONTENT] == "'=cmd|' /C calc'!A0"
    assert row[10] == "'@someone"


def test_a_title_starting_with_an_ordinary_character_is_left_alone(campaign, org, download):
    make_item(campaign, org["hr"], code="F-2", title="A=B 不是公式")
    assert data_rows(download())["F-2"][TITLE] == "A=B 不是公式"


def test_the_export_runs_the_same_queries_for_more_items(ledger, download, campaign, org):
    download()
    with CaptureQueriesContext(connection) as few:
        download()
    for n in range(30):
        make_item(campaign, org["hospital"], code=f"M-{n:03d}")
    with CaptureQueriesContext(connection) as many:
        assert len(data_rows(download())) == 35
    assert len(many) == len(few)


@pytest.mark.skipif(not shutil.which("libreoffice"), reason="LibreOffice is not installed on this machine")
def test_libreoffice_opens_the_export(ledger, download, tmp_path):
    path = tmp_path / "items.xlsx"
    path.write_bytes(download().content)
    subprocess.run(
        ["libreoffice", "--headless", "--convert-to", "csv", "--outdir", str(tmp_path), str(path)],
        check=True,
        capture_output=True,
        timeout=120,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin:/usr/local/bin"},
    )
    csv = (tmp_path / "items.csv").read_text(encoding="utf-8", errors="replace")
    assert "HQ-001" in csv
    assert "YL-001" in csv
