"""销号 in a real browser: the office is shown what closing rests on and what follows before it happens."""

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from taizhang.acceptance import actions
from taizhang.ledger import actions as ledger_actions
from taizhang.ledger.models import Item, Status
from taizhang.testing import browser as fixtures
from taizhang.testing.browser import log_in, screenshot

browser, page, page_watch = fixtures.browser, fixtures.page, fixtures.page_watch

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return gettext(message)


def test_closing_asks_for_confirmation_and_cancel_leaves_the_item_open(page, people, items, campaign):
    item = items["oa"]
    ledger_actions.add_progress(item, percent=100, done="OA改版上线", acting_user=people["lily"])
    item.refresh_from_db()
    actions.record_acceptance(item, data={"checkers": "验收组", "result": "passed"}, acting_user=people["olivia"])

    log_in(page, "olivia")
    page.goto(f"/c/{campaign.slug}/items/{item.pk}/")
    with page.expect_navigation():
        page.click("#close-link")
    expect(page.locator("#closing-acceptance")).to_contain_text("验收组")
    expect(page.locator("#closing-consequences")).to_contain_text("复号")
    screenshot(page, "acceptance-close-confirm")
    with page.expect_navigation():
        page.get_by_role("link", name=zh("Cancel")).click()
    assert Item.objects.get(pk=item.pk).status == Status.COMPLETED, "cancelling closes nothing"

    with page.expect_navigation():
        page.click("#close-link")
    page.fill("#close-form textarea", "按期完成")
    with page.expect_navigation():
        page.click("#close-confirm")
    expect(page.locator("#item-status")).to_have_text(zh("closed"))
    assert Item.objects.get(pk=item.pk).status == Status.CLOSED
