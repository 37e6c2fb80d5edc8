"""Spreadsheets in a real browser: a liaison's week with the statistics sheet; the office imports a ledger."""

import datetime

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from taizhang.ledger.actions import refresh_lights
from taizhang.ledger.models import Item, ProgressEntry
from taizhang.notices.models import Message
from taizhang.notices.rhythm import send_chases, send_reminders
from taizhang.reporting.models import ReportingPeriod, UnitReport
from taizhang.reporting.periods import generate_periods, open_periods
from taizhang.testing import browser as fixtures
from taizhang.testing.browser import has_horizontal_overflow, log_in, screenshot

from .ledgers import messy_ledger, simple_ledger
from .test_statistics_sheet import refill

browser, page, page_watch, phone_page = fixtures.browser, fixtures.page, fixtures.page_watch, fixtures.phone_page

pytestmark = pytest.mark.browser


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return gettext(message)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_liaison_reports_the_week_with_the_sheet_before_friday_five(
    page, phone_page, page_watch, people, items, org, campaign, tmp_path, _clock_at_test_start
):
    generate_periods(campaign)
    week = open_periods(campaign).first()
    unit = org["office_dept"]
    for period in ReportingPeriod.objects.filter(campaign=campaign, kind="weekly", due_at__lt=week.due_at):
        UnitReport.objects.create(  # every earlier week reported, so the lights hang on progress alone
            period=period, unit=unit, status="submitted", submitted_at=period.due_at - datetime.timedelta(hours=2)
        )
    refresh_lights(campaign)
    assert Item.objects.get(code="HQ-001").light in ("yellow", "red")
    _clock_at_test_start.move_to(week.due_at - datetime.timedelta(minutes=10), tick=True)  # Friday 16:50

    log_in(page, "lily")
    page.goto("/c/2021/sheets/statistics/")
    with translation.override("zh-hans"):  # the page's language, whatever the test thread's
        name, short_name = week.name, week.short_name
    expect(page.locator("#period-name")).to_have_text(name)  # the name the reporting pages use
    with page.expect_download() as download_info:
        page.click("#download-link")
    downloaded = tmp_path / "sheet.xlsx"
    download_info.value.save_as(downloaded)
    assert short_name in download_info.value.suggested_filename
    filled = tmp_path / "filled.xlsx"
    filled.write_bytes(refill(downloaded.read_bytes(), {"HQ-001": [80, "进行中", "上线测试", "", "全面推广"]}))
    page.set_input_files("#statistics-upload input[type=file]", str(filled))
    page.click("#statistics-upload button[type=submit]")
    expect(page.locator("#sheet-rows")).to_contain_text("0 → 80")
    expect(page.locator(f"#sheet-reports [data-unit='{unit.pk}']")).to_contain_text(zh("submitted, on time"))
    screenshot(page, "statistics-preview")
    with page.expect_navigation():
        page.click("#statistics-confirm button[name=submit]")
    expect(page.locator("#download-link")).to_be_visible()
    entry = ProgressEntry.objects.get()
    assert (entry.item.code, entry.percent, entry.source, entry.period_label) == ("HQ-001", 80, "sheet", week.label)
    report = UnitReport.objects.get(period=week, unit=unit)
    assert report.status == "submitted" and not report.is_late
    assert Item.objects.get(code="HQ-001").light == "green"  # relit

    log_in(phone_page, "olivia")
    phone_page.goto(f"/c/{campaign.slug}/reports/board/")
    cell = phone_page.locator(f"#board tr[data-unit='{unit.name}'] a[href*='/{week.pk}/{unit.pk}/'] [data-state]")
    expect(cell).to_have_attribute("data-state", "on_time")
    expect(cell).to_have_text(zh("on time"))  # 按时

    send_reminders(campaign, now=week.due_at - datetime.timedelta(minutes=5))
    send_chases(campaign, now=week.due_at + datetime.timedelta(hours=1))
    assert not Message.objects.filter(dedupe_key__contains=f"period{week.pk}:unit{unit.pk}").exists()
    assert Message.objects.filter(dedupe_key__contains=f"period{week.pk}:unit{org['hr'].pk}").exists()


def test_office_imports_a_ledger_step_by_step(page, page_watch, people, org, tmp_path):
    log_in(page, "olivia")
    page.goto("/c/2021/sheets/import/")
    path = tmp_path / "台账.xlsx"
    path.write_bytes(messy_ledger())
    page.set_input_files("#upload-form input[type=file]", str(path))
    page.click("#upload-form button[type=submit]")
    expect(page.locator("#mapping-form")).to_be_visible()
    page.click("#mapping-form button[type=submit]")
    expect(page.locator("#job-rows")).to_contain_text("优化OA系统")
    screenshot(page, "ledger-import-preview")
    assert not Item.objects.exists()
    page.click("#confirm-form button[type=submit]")
    expect(page.locator(".alert-success")).to_be_visible()
    assert Item.objects.count() == 4


def test_office_chooses_to_generate_codes_for_a_sheet_without_them(page, page_watch, people, org, tmp_path):
    """A sheet with 序号 and no 编号: the preview makes no codes by itself and cannot be written; the office
    ticks “generate”, sees the codes that will be made (per responsible unit, its prefix) and writes them."""
    log_in(page, "olivia")
    page.goto("/c/2021/sheets/import/")
    path = tmp_path / "台账.xlsx"
    path.write_bytes(
        simple_ledger(
            [[1, "优化OA系统", "集团办公室"], [2, "福利平台", "人力资源部"]], headers=("序号", "实事名称", "牵头单位")
        )
    )
    page.set_input_files("#upload-form input[type=file]", str(path))
    page.click("#upload-form button[type=submit]")
    expect(page.locator("#mapping-form input[name=generate_codes]")).not_to_be_checked()
    page.click("#mapping-form button[type=submit]")
    expect(page.locator("#codes-missing")).to_be_visible()
    expect(page.locator("#confirm-form")).to_have_count(0)
    expect(page.locator("#job-rows")).to_contain_text(zh("no code"))
    page.get_by_label(zh("Generate their codes, with a prefix per responsible unit:")).check()
    page.get_by_label("集团办公室").fill("BGS")
    page.click("#import-options button[type=submit]")
    expect(page.locator("#codes-missing")).to_have_count(0)
    expect(page.locator("#job-rows")).to_contain_text("BGS-001")
    expect(page.locator("#job-rows")).to_contain_text("IMP-001")
    expect(page.locator("#job-rows")).to_contain_text(zh("generated"))
    screenshot(page, "ledger-import-generated-codes")
    assert not Item.objects.exists()
    page.click("#confirm-form button[type=submit]")
    expect(page.locator(".alert-success")).to_be_visible()
    assert dict(Item.objects.values_list("title", "code")) == {"优化OA系统": "BGS-001", "福利平台": "IMP-001"}


def test_office_places_an_unknown_unit_name_on_the_preview(page, page_watch, people, org, tmp_path):
    """“人力资源处” is no unit: the preview lists it once with 人力资源部 as a candidate; the office picks it,
    the preview reads the sheet again with no error, and the import goes through."""
    log_in(page, "olivia")
    page.goto("/c/2021/sheets/import/")
    path = tmp_path / "台账.xlsx"
    path.write_bytes(
        simple_ledger([["A-1", "优化OA系统", "人力资源处", "", ""], ["A-2", "福利平台", "人力资源处", "", ""]])
    )
    page.set_input_files("#upload-form input[type=file]", str(path))
    page.click("#upload-form button[type=submit]")
    page.click("#mapping-form button[type=submit]")
    names = page.locator("#unit-names .unit-name")
    expect(names).to_have_count(1)
    expect(names.first).to_contain_text("人力资源处")
    expect(page.locator("#confirm-form")).to_have_count(0)
    screenshot(page, "ledger-import-unit-names")
    names.first.get_by_label("人力资源部").check()
    names.first.get_by_role("button").click()
    expect(page.locator("#unit-names")).to_have_count(0)
    org["hr"].refresh_from_db()
    assert org["hr"].aliases == ["人力资源处"]
    page.click("#confirm-form button[type=submit]")
    expect(page.locator(".alert-success")).to_be_visible()
    assert set(Item.objects.values_list("owner_unit", flat=True)) == {org["hr"].pk}


def test_statistics_page_fits_a_phone(phone_page, page_watch, people, items, campaign):
    generate_periods(campaign)
    log_in(phone_page, "lily")
    phone_page.goto("/c/2021/sheets/statistics/")
    expect(phone_page.locator("#download-link")).to_be_visible()
    assert not has_horizontal_overflow(phone_page)
