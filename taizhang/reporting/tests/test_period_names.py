"""Periods read as people say them (2026年第25周（6月15日—6月19日）, 2026年6月, 2026年第二季度), the same on every page,
sheet, document, notice and file name; every download is named in Chinese with an ASCII fallback."""

import datetime
import io
import re
import urllib.parse

import docx
import pytest
from django.utils import translation
from python_calamine import CalamineWorkbook

from taizhang.ledger.actions import add_progress
from taizhang.lib.downloads import content_disposition
from taizhang.lib.periods import period_name
from taizhang.notices.models import Message
from taizhang.notices.rhythm import send_reminders
from taizhang.reporting import actions
from taizhang.reporting.models import GeneratedDocument, ReportingPeriod

ISO_WEEK = re.compile(r"\d{4}-W\d{2}")
TAG = re.compile(r"<[^>]*>")  # keys stay in links and data attributes; what people read is the text
SUITE_WEDNESDAY = "2026-06-17T10:00:00+08:00"  # the suite's default moment (taizhang/conftest.py)


@pytest.fixture(autouse=True)
def _at_the_suite_moment(_clock_at_test_start):
    """These tests read names literally (2026年第25周（6月15日—6月19日）), so they run at the suite's own
    Wednesday whatever moment the date spread chose; other keys are the table of the first test."""
    _clock_at_test_start.move_to(datetime.datetime.fromisoformat(SUITE_WEDNESDAY), tick=True)


def text_of(response) -> str:
    return TAG.sub(" ", response.content.decode())


def downloaded_name(response) -> str:
    """The name a browser saves the download under (RFC 6266 ``filename*``), checking the ASCII fallback too."""
    header = response["Content-Disposition"]
    assert header.startswith('attachment; filename="')
    fallback = re.search(r'filename="([^"]*)"', header)[1]
    assert fallback.isascii() and fallback
    return urllib.parse.unquote(re.search(r"filename\*=UTF-8''(\S+)", header)[1])


def test_every_kind_of_period_has_one_chinese_and_one_english_name():
    with translation.override("zh-hans"):
        assert period_name("2026-W48") == "2026年第48周（11月23日—11月27日）"
        assert period_name("2026-W48", short=True) == "2026年第48周"
        assert period_name("2026-11") == "2026年11月"
        assert period_name("2026-Q4") == "2026年第四季度"
        assert period_name("2026") == "2026年"
        assert period_name("第10周") == "第10周"  # free text of old entries, as it was typed
    with translation.override("en"):
        assert period_name("2026-W48") == "Week 48, 2026 (23 Nov – 27 Nov)"
        assert period_name("2026-11") == "November 2026"
        assert period_name("2026-Q4") == "Q4 2026"


def test_a_period_is_named_the_same_from_its_days_and_from_its_key(campaign, periods):
    week = periods["current_week"]  # Saturday 13 to Friday 19 June: people name it by its working days
    with translation.override("zh-hans"):
        assert week.name == period_name(week.label) == "2026年第25周（6月15日—6月19日）"
        assert str(week) == week.name
        quarter = ReportingPeriod.objects.get(campaign=campaign, kind="quarterly", label="2026-Q2")
        assert quarter.name == "2026年第二季度"


def test_no_page_export_sheet_or_notice_shows_an_iso_week(login, people, items, org, campaign, periods):
    week = periods["current_week"]
    add_progress(items["oa"], percent=30, done="完成调研", period_label=week.label, acting_user=people["lily"])
    office = login(people["olivia"])
    pages = [
        f"/c/{campaign.slug}/reports/",
        f"/c/{campaign.slug}/reports/board/",
        f"/c/{campaign.slug}/reports/{week.pk}/{org['office_dept'].pk}/",
        f"/c/{campaign.slug}/reports/{periods['past_week'].pk}/{org['hr'].pk}/",
        f"/c/{campaign.slug}/reports/documents/",
        f"/c/{campaign.slug}/items/{items['oa'].pk}/",
        f"/c/{campaign.slug}/sheets/statistics/",
    ]
    for url in pages:
        response = office.get(url)
        assert response.status_code == 200, url
        assert not ISO_WEEK.search(text_of(response)), url
    body = office.get(f"/c/{campaign.slug}/reports/{week.pk}/{org['office_dept'].pk}/").content.decode()
    assert week.name in body
    item_page = office.get(f"/c/{campaign.slug}/items/{items['oa'].pk}/").content.decode()
    assert "2026年第25周（6月15日—6月19日）" in item_page

    board = office.get(f"/c/{campaign.slug}/reports/board.xlsx")
    cells = CalamineWorkbook.from_filelike(io.BytesIO(board.content)).get_sheet_by_index(0).to_python()
    assert not any(ISO_WEEK.search(str(cell)) for row in cells for cell in row)
    assert "2026年第24周" in cells[1]

    sheet = login(people["lily"]).get(f"/c/{campaign.slug}/sheets/statistics/{week.label}/download.xlsx")
    assert sheet.status_code == 200
    first = CalamineWorkbook.from_filelike(io.BytesIO(sheet.content)).get_sheet_by_index(0).to_python()
    assert first[0][0] == "集团办公室 2026年第25周（6月15日—6月19日） 统计表"
    assert "下步打算" in first[1]

    send_reminders(campaign, now=week.due_at - datetime.timedelta(hours=2))
    messages = list(Message.objects.all())
    assert messages and all(week.name in m.subject and not ISO_WEEK.search(m.subject + m.body) for m in messages)


def test_downloads_are_named_in_chinese_with_an_ascii_fallback(
    login, people, items, org, campaign, periods, django_capture_on_commit_callbacks
):
    week = periods["current_week"]
    office = login(people["olivia"])
    assert downloaded_name(office.get(f"/c/{campaign.slug}/reports/board.xlsx")) == "报送情况统计 2026-06-17.xlsx"
    assert downloaded_name(office.get(f"/c/{campaign.slug}/items/export.xlsx")) == "实事清单 2026-06-17.xlsx"
    sheet = login(people["lily"]).get(f"/c/{campaign.slug}/sheets/statistics/{week.label}/download.xlsx")
    assert downloaded_name(sheet) == "集团办公室 2026年第25周 统计表.xlsx"

    month = periods["past_month"]
    report = actions.start_report(month, org["hr"], acting_user=people["bob"])
    actions.save_summary(report, data={"results": "福利平台试运行"}, acting_user=people["bob"])
    office = login(people["olivia"])
    with django_capture_on_commit_callbacks(execute=True):
        office.post(
            f"/c/{campaign.slug}/reports/documents/", {"period": month.pk, "kind": "monthly_digest", "format": "docx"}
        )
    document = GeneratedDocument.objects.get()
    download = office.get(f"/c/{campaign.slug}/reports/documents/{document.pk}/download/")
    assert downloaded_name(download) == "2026年5月 月报汇总.docx"
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(b"".join(download.streaming_content))).paragraphs)
    assert "2026年5月" in text and not ISO_WEEK.search(text)


def test_the_download_header_keeps_what_no_file_system_takes_out_of_the_name():
    header = content_disposition('a/b"c.pdf', fallback="x y.pdf")
    assert header == "attachment; filename=\"x-y.pdf\"; filename*=UTF-8''a_b_c.pdf"
    assert 'filename="2026-11.docx"' in content_disposition("2026年11月 月报汇总.docx")
