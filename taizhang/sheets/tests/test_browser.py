"""Spreadsheets in a real browser: a liaison's week with the statistics sheet; the office imports a ledger."""

import pytest
from playwright.sync_api import expect

from taizhang.ledger.models import Item, ProgressEntry
from taizhang.testing import browser as fixtures
from taizhang.testing.browser import has_horizontal_overflow, log_in, screenshot

from .ledgers import messy_ledger
from .test_statistics_sheet import refill

browser, page, page_watch, phone_page = fixtures.browser, fixtures.page, fixtures.page_watch, fixtures.phone_page

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_liaison_reports_the_week_with_the_sheet(page, page_watch, people, items, tmp_path):
    log_in(page, "lily")
    page.goto("/c/2021/sheets/statistics/")
    with page.expect_download() as download_info:
        page.click("#download-link")
    downloaded = tmp_path / "sheet.xlsx"
    download_info.value.save_as(downloaded)
    filled = tmp_path / "filled.xlsx"
    filled.write_bytes(refill(downloaded.read_bytes(), {"HQ-001": [60, "进行中", "上线测试", "", "全面推广"]}))
    page.set_input_files("#statistics-upload input[type=file]", str(filled))
    page.click("#statistics-upload button[type=submit]")
    expect(page.locator("#sheet-rows")).to_contain_text("0 → 60")
    screenshot(page, "statistics-preview")
    page.click("#statistics-confirm button")
    expect(page.locator("#download-link")).to_be_visible()
    entry = ProgressEntry.objects.get()
    assert (entry.item.code, entry.percent, entry.source) == ("HQ-001", 60, "sheet")


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


def test_statistics_page_fits_a_phone(phone_page, page_watch, people, items):
    log_in(phone_page, "lily")
    phone_page.goto("/c/2021/sheets/statistics/")
    expect(phone_page.locator("#download-link")).to_be_visible()
    assert not has_horizontal_overflow(phone_page)
