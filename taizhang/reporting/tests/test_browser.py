"""Reporting in a real browser: a liaison reports from a phone, the office reads the board, returns, and gets a Word digest."""

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from taizhang.reporting.models import GeneratedDocument, UnitReport
from taizhang.testing import browser as fixtures
from taizhang.testing.browser import has_horizontal_overflow, log_in, screenshot

browser, page, page_watch, phone_page = fixtures.browser, fixtures.page, fixtures.page_watch, fixtures.phone_page

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return gettext(message)


def test_liaison_reports_on_a_phone_and_the_office_returns_it_from_the_board(
    phone_page, page, people, items, org, campaign, periods
):
    period = periods["current_week"]
    log_in(phone_page, "bob")
    phone_page.goto(f"/c/{campaign.slug}/reports/")
    with phone_page.expect_navigation():
        phone_page.locator(f"#my-reports-{org['hr'].pk} [data-period='{period.label}'] a").first.click()
    expect(phone_page.locator("#report-items [data-code]")).to_have_count(2)
    row = phone_page.locator("#report-items [data-code='HQ-003']")
    row.locator("summary").click()
    row.locator("input[name$=percent]").fill("55")
    row.locator("textarea[name$=done]").fill("福利平台完成招标")
    # Saving swaps this row only: the page is not reloaded and keeps its place.
    phone_page.evaluate("window.tzKept = true")
    scrolled = phone_page.evaluate("window.scrollY")
    row.locator("button[type=submit]").click()
    expect(row.locator("[data-saved]")).to_be_visible()
    expect(row).to_contain_text("福利平台完成招标")
    expect(row.locator("[data-percent]")).to_have_text("55%")
    assert phone_page.evaluate("window.tzKept === true")
    assert abs(phone_page.evaluate("window.scrollY") - scrolled) < 200
    # One of the unit's two items updated: submitting asks first and says what "no change" means for the other.
    with phone_page.expect_navigation():
        phone_page.click("#submit-report")
    expect(phone_page.locator("#confirm-summary")).to_contain_text("1 / 2")
    expect(phone_page.locator("#confirm-summary")).to_contain_text("无变化")
    assert UnitReport.objects.get(period=period, unit=org["hr"]).status == UnitReport.Status.DRAFT
    screenshot(phone_page, "report-confirm-phone")
    with phone_page.expect_navigation():
        phone_page.click("#confirm-submit")
    expect(phone_page.locator("#report-state [data-state='on_time']")).to_have_count(1)
    assert not has_horizontal_overflow(phone_page)
    screenshot(phone_page, "report-phone")

    log_in(page, "olivia")
    page.goto(f"/c/{campaign.slug}/reports/board/")
    cell = page.locator(f"#board tr[data-unit='人力资源部'] a[href*='/{period.pk}/{org['hr'].pk}/']")
    expect(cell.locator("[data-state='on_time']")).to_have_count(1)
    expect(page.locator("#board tr[data-unit='集团办公室'] [data-state='missing']").first).to_be_visible()
    screenshot(page, "completeness-board")
    with page.expect_navigation():
        cell.click()
    page.fill("#return-form textarea", "请补充招标金额")
    with page.expect_navigation():
        page.click("#return-form button[type=submit]")
    # One badge says it: "已退回", not "已退回 已退回".
    expect(page.locator("#report-state [data-state='returned']")).to_have_text(zh("returned"))
    expect(page.locator("#report-status")).to_have_count(0)
    assert UnitReport.objects.get(period=period, unit=org["hr"]).status == UnitReport.Status.RETURNED

    phone_page.reload()
    expect(phone_page.locator("#return-reason")).to_contain_text("请补充招标金额")
    expect(phone_page.locator("#submit-report")).to_be_visible()


def test_office_gets_the_monthly_digest_as_a_word_file(page, people, items, org, campaign, periods):
    log_in(page, "olivia")
    page.goto(f"/c/{campaign.slug}/reports/documents/")
    month = periods["past_month"]
    with page.expect_navigation():
        page.locator(f"#document-periods [data-period='{month.label}'] button").first.click()
    expect(page.locator("#document-progress")).to_have_attribute("data-status", "done")
    with page.expect_download() as download:
        page.click("#document-download")
    assert download.value.suggested_filename.endswith(".docx")
    assert GeneratedDocument.objects.get().status == GeneratedDocument.Status.DONE
