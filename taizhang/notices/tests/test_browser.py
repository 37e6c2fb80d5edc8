"""The bell in a real browser: on every page, counting unread messages, leading to them."""

import pytest
from playwright.sync_api import expect

from taizhang.notices.models import Message, Reason
from taizhang.notices.sending import notify
from taizhang.testing import browser as fixtures
from taizhang.testing.browser import log_in, screenshot

browser, page, page_watch, phone_page = fixtures.browser, fixtures.page, fixtures.page_watch, fixtures.phone_page

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_bell_counts_unread_messages_on_any_page_and_opens_them(page, people, campaign):
    bob = people["bob"]
    notify(reason=Reason.CHASE, scope="w1", user=bob, subject="周报已逾期", body="请尽快报送", url="/c/2021/reports/")
    notify(reason=Reason.REMINDER, scope="w2", user=bob, subject="周报将到期", body="周五17时前报送")
    log_in(page, "bob")
    # A page outside any campaign still shows the bell, filled in by htmx.
    page.goto("/units/")
    expect(page.locator("#nav-bell #bell-count")).to_have_text("2")
    page.click("#nav-bell #bell")
    expect(page.locator("#messages")).to_contain_text("周报已逾期")
    screenshot(page, "inbox")
    with page.expect_navigation():
        page.get_by_role("button", name="周报已逾期").click()
    assert page.url.endswith("/c/2021/reports/")
    expect(page.locator("#nav-bell #bell-count")).to_have_text("1")
    assert Message.objects.filter(recipient=bob, read_at__isnull=True).count() == 1


def test_the_bell_sits_in_the_phone_menu(phone_page, people, campaign):
    notify(reason=Reason.CHASE, scope="w1", user=people["lily"], subject="周报已逾期", body="b")
    log_in(phone_page, "lily")
    phone_page.goto(f"/c/{campaign.slug}/")
    phone_page.click(".navbar-toggler")
    expect(phone_page.locator("#nav-bell #bell-count")).to_be_visible()
