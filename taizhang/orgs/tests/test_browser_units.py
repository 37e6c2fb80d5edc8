"""The org tree in a real browser: the office keeps it, liaisons only read it."""

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from taizhang.orgs.models import Unit
from taizhang.testing import browser as fixtures
from taizhang.testing.browser import log_in, screenshot

# The browser fixtures, bound by name for pytest (a bare import would read as unused and then shadowed).
browser, page, page_watch = fixtures.browser, fixtures.page, fixtures.page_watch

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The live server thread shares these settings, so the login form checks the same cheap hashes.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return gettext(message)


def test_office_adds_renames_and_reads_history_of_a_sub_unit(page, people, org):
    hr = org["hr"]
    log_in(page, "olivia")
    page.goto("/units/")
    with page.expect_navigation():
        page.click("a[href='/units/new/']")

    page.fill("#id_name", "薪酬福利处")
    page.fill("#id_short_name", "薪酬处")
    # The parent is found by typing (a picker over every unit, not a select of 2,000).
    page.fill("#id_parent", "人力")
    page.click(f".picker-results button:has-text('{hr.name}')")
    page.select_option("#id_kind", Unit.Kind.SUBUNIT)
    with page.expect_navigation():
        page.click("#unit-form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("薪酬福利处")
    expect(page.locator(".breadcrumb")).to_contain_text(hr.display_name)
    unit = Unit.objects.get(name="薪酬福利处")
    assert unit.parent == hr

    with page.expect_navigation():
        page.click(f"a[href='/units/{unit.pk}/edit/']")
    page.fill("#id_name", "薪酬与福利处")
    with page.expect_navigation():
        page.click("#unit-form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("薪酬与福利处")

    history = page.locator("#history-timeline")
    expect(history.locator("> li")).to_have_count(2)
    expect(history).to_contain_text(zh("created"))
    expect(history).to_contain_text(zh("changed"))
    expect(history.locator("del", has_text="薪酬福利处")).to_have_count(1)
    expect(history).to_contain_text("薪酬与福利处")
    expect(history).to_contain_text("欧阳办")
    screenshot(page, "unit-detail-desktop")

    page.goto("/units/")
    expect(page.locator("#unit-table")).to_contain_text("薪酬与福利处")
    screenshot(page, "unit-tree-desktop")


def test_liaison_sees_the_tree_but_no_buttons_to_change_it(page, people, org):
    log_in(page, "lily")
    page.goto("/units/")
    expect(page.locator("#unit-table")).to_contain_text("人力资源部")
    expect(page.locator("a[href='/units/new/']")).to_have_count(0)

    page.goto(f"/units/{org['hr'].pk}/")
    expect(page.locator("h1")).to_contain_text("人力资源部")
    expect(page.locator(f"a[href='/units/{org['hr'].pk}/edit/']")).to_have_count(0)
    expect(page.locator("#deactivate-form")).to_have_count(0)
