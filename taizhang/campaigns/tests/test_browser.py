"""The campaign rules page and the units-that-report page in a real browser, on a desktop and a phone."""

import pytest
from playwright.sync_api import expect

from taizhang.campaigns.models import Campaign
from taizhang.reporting.models import ExpectedUnit
from taizhang.testing import browser as fixtures
from taizhang.testing.browser import has_horizontal_overflow, log_in, screenshot

browser, page, page_watch, phone_page = fixtures.browser, fixtures.page, fixtures.page_watch, fixtures.phone_page

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_office_changes_a_threshold_and_sees_it_refused_then_saved(page, page_watch, people, items, campaign):
    page_watch.allow(r"status of 400")  # the refused form answers 400, as it should
    log_in(page, "olivia")
    page.goto(f"/c/{campaign.slug}/")
    page.click("#nav-more")  # the rules sit in the menu's "more"
    page.click("#nav-rules")
    expect(page.locator("#rules-form")).to_be_visible()
    # Yellow above red: refused with the reason, nothing saved.
    page.fill("#id_yellow_idle_days", "120")
    page.click("#rules-save")
    expect(page.locator("#rules-form .invalid-feedback").first).to_be_visible()
    assert Campaign.objects.get(pk=campaign.pk).yellow_idle_days == 30
    page.fill("#id_yellow_idle_days", "20")
    page.click("#rules-save")
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("#history-timeline")).to_contain_text("20")
    assert Campaign.objects.get(pk=campaign.pk).yellow_idle_days == 20
    screenshot(page, "campaign-rules-desktop")


def test_a_leader_reads_the_rules_on_a_phone(phone_page, people, campaign):
    log_in(phone_page, "leo")
    phone_page.goto(f"/c/{campaign.slug}/rules/")
    expect(phone_page.locator("#read-only-note")).to_be_visible()
    expect(phone_page.locator("#rules-save")).to_have_count(0)
    assert not has_horizontal_overflow(phone_page)


def test_the_office_asks_a_unit_to_report_from_the_board(page, people, items, org, campaign):
    log_in(page, "olivia")
    page.goto(f"/c/{campaign.slug}/reports/board/")
    page.click("#board-units")
    # The unit picker: type part of the name, pick the match (the page never lists every unit).
    page.fill("#expected-form .picker-search", "医疗")
    page.click("#expected-form .picker-results button")
    expect(page.locator(f"#expected-form input[name=unit][value='{org['subsidiary'].pk}']")).to_be_checked()
    page.click("#expected-form button[type=submit]")
    expect(page.locator(f"#expected-units tr[data-unit='{org['subsidiary'].name}']")).to_be_visible()
    assert ExpectedUnit.objects.filter(campaign=campaign, unit=org["subsidiary"]).exists()
    screenshot(page, "units-that-report-desktop")


def test_an_imported_person_sets_their_own_password_from_the_printed_link(
    page, phone_page, page_watch, people, campaign, org
):
    from taizhang.orgs.actions import grant_role
    from taizhang.orgs.models import User

    page_watch.allow("404")  # the spent link's page answers 404, on purpose
    newcomer = User.objects.create(username="13900000007", name="张新", unit=org["hr"], password="!")
    grant_role(user=newcomer, campaign=campaign, role="liaison", unit=org["hr"])
    log_in(page, "olivia")
    page.goto(f"/c/{campaign.slug}/people/")
    with page.expect_navigation():
        page.click("#sign-in-links-form button[type=submit]")
    expect(page.locator("#sign-in-sheet li")).to_have_count(1)
    expect(page.locator("#sign-in-sheet")).to_contain_text("张新")
    expect(page.locator("#sign-in-sheet svg")).to_have_count(1)  # the QR code, drawn inline
    screenshot(page, "first-sign-in-sheet")
    link = page.locator(".tz-sign-in-link").inner_text()
    phone_page.goto(link)
    expect(phone_page.locator("h1")).to_have_text("首次登录")
    assert not has_horizontal_overflow(phone_page)
    phone_page.fill("#id_new_password1", "红色之路-2026-go")
    phone_page.fill("#id_new_password2", "红色之路-2026-go")
    with phone_page.expect_navigation():
        phone_page.click("#first-sign-in-form button[type=submit]")
    assert "/accounts/" not in phone_page.url
    expect(phone_page.locator("body")).to_contain_text("密码已设置")
    screenshot(phone_page, "first-sign-in-done")
    newcomer.refresh_from_db()
    assert newcomer.check_password("红色之路-2026-go")
    phone_page.goto(link)
    expect(phone_page.locator("#link-expired")).to_be_visible()
