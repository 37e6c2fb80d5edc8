"""The people's side in a real browser: an employee on a phone raises a problem, follows it, rates it;
the office links it to an item and closes the item once the rules are met."""

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from taizhang.acceptance import actions as acceptance_actions
from taizhang.ledger import actions as ledger_actions
from taizhang.ledger.models import Item, Status
from taizhang.people import actions
from taizhang.people.models import Demand
from taizhang.testing import browser as fixtures
from taizhang.testing.browser import has_horizontal_overflow, log_in, screenshot

browser, page, page_watch, phone_page = fixtures.browser, fixtures.page, fixtures.page_watch, fixtures.phone_page

pytestmark = pytest.mark.browser

PHONE = "13912345678"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return gettext(message)


def test_a_problem_from_a_phone_becomes_an_item_is_rated_and_closed(phone_page, page, people, items, campaign):
    phone = phone_page
    phone.goto(f"/c/{campaign.slug}/problems/new/")
    assert not has_horizontal_overflow(phone)
    phone.select_option("#id_category", label="服务基层")
    # The unit concerned: typed and picked from the campaign's units (the page lists none of them).
    phone.locator("#demand-form .picker-search").press_sequentially("办公")
    phone.locator("#demand-form .picker-results button", has_text="办公室").first.click()
    phone.fill("#id_text", "OA系统太慢，希望优化OA系统的审批流程")
    phone.fill("#id_phone", PHONE)
    with phone.expect_navigation():
        phone.click("#demand-form button[type=submit]")
    code = phone.locator("#tracking-code").inner_text().strip()
    assert Demand.objects.get(tracking_code=code).unit.name == "集团办公室"
    assert re.fullmatch(r"[2-9A-HJKMNP-TV-Z]{10}", code)
    # The confirmation came by a redirect: a refresh shows it again and sends nothing twice.
    assert "sent=1" in phone.url
    phone.reload()
    expect(phone.locator("#tracking-code")).to_have_text(code)
    assert Demand.objects.filter(campaign=campaign).count() == 1
    phone.context.grant_permissions(["clipboard-read", "clipboard-write"])
    phone.click("#copy-code")
    expect(phone.locator("#copy-code")).to_have_text(zh("Copied"))
    assert phone.evaluate("navigator.clipboard.readText()") == code
    screenshot(phone, "people-demand-sent-phone")
    with phone.expect_navigation():
        phone.click("#track-link")
    expect(phone.locator("#demand-status")).to_have_text(zh("received, awaiting triage"))
    assert PHONE not in phone.content()

    # The office triages it on a desktop: the OA item is suggested; link it.
    log_in(page, "olivia")
    page.goto(f"/c/{campaign.slug}/problems/")
    with page.expect_navigation():
        page.click(f'#demand-table tr[data-code="{code}"] a')
    expect(page.locator("#demand-person")).to_contain_text(PHONE)
    suggestion = page.locator("#similar-items li[data-code=HQ-001]")
    expect(suggestion).to_be_visible()
    with page.expect_navigation():
        suggestion.locator("button[type=submit]").click()
    expect(page.locator("#demand-items")).to_contain_text("HQ-001")
    screenshot(page, "people-triage-desktop")

    # The phone sees the item it became.
    phone.reload()
    expect(phone.locator(".tz-linked-item[data-code=HQ-001]")).to_be_visible()
    expect(phone.locator(".tz-rate-link")).to_have_count(0)

    # Done and accepted: the person is asked to rate it.
    item = items["oa"]
    ledger_actions.add_progress(item, percent=100, done="OA审批流程已优化上线", acting_user=people["lily"])
    item.refresh_from_db()
    page.goto(f"/c/{campaign.slug}/items/{item.pk}/")
    expect(page.locator("#closing-blockers")).to_be_visible()
    acceptance_actions.record_acceptance(
        item, data={"checkers": "验收组", "result": "passed"}, acting_user=people["olivia"]
    )

    phone.reload()
    expect(phone.locator(".tz-notice")).to_be_visible()
    with phone.expect_navigation():
        phone.click(".tz-rate-link")
    assert not has_horizontal_overflow(phone)
    phone.check("#rating-form input[value=satisfied]")
    phone.fill("#id_comment", "速度快多了")
    with phone.expect_navigation():
        phone.click("#rating-form button[type=submit]")
    expect(phone.locator(".alert-success[role=alert]")).to_contain_text(zh("Thank you for your rating."))
    expect(phone.locator(".tz-rate-link")).to_have_count(0)
    screenshot(phone, "people-rated-phone")
    demand = Demand.objects.get(tracking_code=code)
    assert item.ratings.get().demand == demand

    # Now the office can close it.
    page.reload()
    expect(page.locator("#rating-summary")).to_contain_text("1")
    with page.expect_navigation():
        page.click("#close-link")
    page.fill("#close-form textarea", "按期完成，群众满意")
    with page.expect_navigation():
        page.click("#close-confirm")
    expect(page.locator("#item-status")).to_have_text(zh("closed"))
    assert Item.objects.get(pk=item.pk).status == Status.CLOSED

    phone.reload()
    expect(phone.locator(".tz-item-status")).to_have_text(zh("closed"))
    assert PHONE not in phone.content()


def test_the_office_makes_one_item_from_two_problems(page, people, org, campaign):
    first = actions.submit_demand(campaign=campaign, data={"text": "食堂晚餐太早结束", "unit": org["hr"]})
    second = actions.submit_demand(campaign=campaign, data={"text": "加班员工吃不上晚饭"})
    log_in(page, "olivia")
    page.goto(f"/c/{campaign.slug}/problems/")
    expect(page.locator("#demand-counts")).to_contain_text("2")
    page.check(f'#demand-table input[value="{first.pk}"]')
    page.check(f'#demand-table input[value="{second.pk}"]')
    with page.expect_navigation():
        page.click("#make-item")
    expect(page.locator("#id_title")).to_have_value("食堂晚餐太早结束")
    expect(page.locator("#id_content")).to_have_value(re.compile("加班员工吃不上晚饭"))
    page.fill("#id_code", "RS-020")
    with page.expect_navigation():
        page.click("#item-form button[type=submit]")
    expect(page.locator("#item-title")).to_contain_text("RS-020")
    expect(page.locator("#people-panel")).to_contain_text(first.tracking_code)
    expect(page.locator("#people-panel")).to_contain_text(second.tracking_code)
    item = Item.objects.get(code="RS-020")
    assert item.owner_unit == org["hr"] and set(item.demands.all()) == {first, second}


def test_the_office_prints_slips_and_a_phone_rates_once_with_one(page, phone_page, page_watch, people, items, campaign):
    from taizhang.people.models import RatingBallot

    page_watch.allow(r"status of 400 .*/rate/")  # the refused second use of a slip answers 400 on purpose

    item = items["oa"]
    ledger_actions.add_progress(item, percent=100, done="OA审批流程已优化上线", acting_user=people["lily"])
    log_in(page, "olivia")
    page.goto(f"/c/{campaign.slug}/items/{item.pk}/")
    with page.expect_navigation():
        page.click("#rating-manage")
    page.fill("#id_count", "3")
    with page.expect_navigation():
        page.click("#rating-open-form button[type=submit]")
    expect(page.locator("#rating-slips .tz-slip")).to_have_count(3)
    screenshot(page, "people-rating-slips")
    link = page.locator("#rating-link").inner_text().strip()
    code = RatingBallot.objects.filter(invitation__item=item).first().code

    phone = phone_page
    phone.goto(f"{link}?ballot={code}")  # what the slip's QR code opens
    assert not has_horizontal_overflow(phone)
    expect(phone.locator("#id_ballot")).to_have_value(code)
    phone.check("#rating-form input[value=basic]")
    with phone.expect_navigation():
        phone.click("#rating-form button[type=submit]")
    expect(phone.locator(".alert-success[role=alert]")).to_contain_text(zh("Thank you for your rating."))
    # The same slip again, from a fresh browser tab: refused.
    phone.context.clear_cookies()
    phone.goto(f"{link}?ballot={code}")
    phone.check("#rating-form input[value=satisfied]")
    phone.click("#rating-form button[type=submit]")
    expect(phone.locator("#rating-form")).to_contain_text(zh("This code has already been used."))
    assert item.ratings.count() == 1
