"""Supervision in a real browser: a leader records a visit on a phone and its problem reaches triage; a leader
gives an instruction on an item, the liaison answers it, the leader marks it carried out, and the light follows."""

import time

import pytest
from playwright.sync_api import expect

from taizhang.ledger.models import Item, Light
from taizhang.orgs.models import ContactPoint
from taizhang.people.models import Channel, Demand
from taizhang.supervision.models import Instruction
from taizhang.testing import browser as fixtures
from taizhang.testing.browser import has_horizontal_overflow, log_in, screenshot

browser, page, page_watch, phone_page = fixtures.browser, fixtures.page, fixtures.page_watch, fixtures.phone_page

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_a_leader_records_a_visit_on_a_phone_and_the_problem_appears_in_triage(phone_page, page, people, org, campaign):
    point = ContactPoint.objects.create(campaign=campaign, leader=people["leo"], unit=org["hospital"])
    log_in(phone_page, "leo")
    phone_page.goto(f"/c/{campaign.slug}/contact-points/{point.pk}/")
    expect(phone_page.locator("#last-visit")).to_be_visible()
    started = time.monotonic()
    with phone_page.expect_navigation():
        phone_page.get_by_role("link", name="记录巡诊").first.click()
    phone_page.select_option("#id_form", "forum")
    phone_page.fill("#id_people_count", "15")
    phone_page.fill("#id_raised", "门诊挂号排队时间太长")
    phone_page.fill("#id_solved", "当场增开两个挂号窗口")
    assert not has_horizontal_overflow(phone_page)
    screenshot(phone_page, "visit-phone")
    with phone_page.expect_navigation():
        phone_page.click("#visit-save")
    assert time.monotonic() - started < 60
    expect(phone_page.locator("#visit-problems")).to_contain_text("门诊挂号排队时间太长")
    demand = Demand.objects.get()
    assert (demand.channel, demand.unit) == (Channel.VISIT, org["hospital"])

    log_in(page, "olivia")
    page.goto(f"/c/{campaign.slug}/problems/")
    expect(page.locator("#demand-table")).to_contain_text("门诊挂号排队时间太长")
    page.goto(f"/c/{campaign.slug}/contact-points/{point.pk}/")
    expect(page.locator("#point-visits li")).to_have_count(1)


def test_an_instruction_is_given_answered_and_carried_out_and_the_light_follows(page, people, items, campaign):
    flow = items["flow"]
    assert Item.objects.get(pk=flow.pk).light == Light.GREEN
    log_in(page, "leo")
    page.goto(f"/c/{campaign.slug}/items/{flow.pk}/")
    page.fill("#id_instruction_text", "要建立长效机制，定期回头看")
    with page.expect_navigation():
        page.click("#instruction-form button[type=submit]")
    expect(page.locator("#instruction-panel [data-state='pending']")).to_have_count(1)
    expect(page.locator("#item-light")).to_contain_text("领导批示")
    assert Item.objects.get(pk=flow.pk).light == Light.BLUE
    instruction = Instruction.objects.get()

    page.context.clear_cookies()  # another person, on the same tab
    log_in(page, "lily")
    page.goto(instruction.get_absolute_url())
    page.fill("#answer-form textarea[name=text]", "已制定长效机制，每月回头看一次")
    with page.expect_navigation():
        page.click("#answer-form button[type=submit]")
    expect(page.locator("#instruction-state")).to_contain_text("已答复")
    page.goto(f"/c/{campaign.slug}/items/{flow.pk}/")
    expect(page.locator("#instruction-panel [data-state='answered']")).to_have_count(1)
    expect(page.locator("#item-light")).not_to_contain_text("领导批示")

    page.context.clear_cookies()
    log_in(page, "leo")
    page.goto(instruction.get_absolute_url())
    page.check("#review-form input[value=done]")
    with page.expect_navigation():
        page.click("#review-form button[type=submit]")
    expect(page.locator("#instruction-state")).to_contain_text("已落实")
    screenshot(page, "instruction-done")
    assert Item.objects.get(pk=flow.pk).light == Light.GREEN


def test_the_office_changes_a_holder_in_place_with_the_keyboard(page, page_watch, people, org, campaign):
    from taizhang.supervision import actions
    from taizhang.supervision.models import Assignment, Responsibility

    first = actions.assign_responsibility(
        campaign,
        kind=Responsibility.FIRST,
        unit=org["subsidiary"],
        holder_title="党委书记",
        holder_name="张书记",
        acting_user=people["olivia"],
    )
    log_in(page, "olivia")
    page.goto(f"/c/{campaign.slug}/responsibilities/")
    cell = page.locator(f"#assignment-{first.pk}")
    expect(cell).to_contain_text("党委书记 张书记")
    cell.locator("a.tz-edit-holder").focus()
    page.keyboard.press("Enter")
    title = page.locator(f"#id_a{first.pk}-holder_title")
    expect(title).to_be_focused()
    page.keyboard.press("Tab")
    name = page.locator(f"#id_a{first.pk}-holder_name")
    expect(name).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("赵书记")
    screenshot(page, "grid-edit-holder")
    page.keyboard.press("Enter")
    expect(cell.locator(".tz-holder")).to_have_text("党委书记 赵书记")
    expect(cell.locator("a.tz-edit-holder")).to_be_focused()
    expect(page.locator("#tz-live")).to_contain_text("赵书记")
    assert Assignment.objects.get(pk=first.pk).holder_name == "赵书记"

    # Someone else changes it meanwhile: the older copy's edit is refused in place, showing what is there now.
    page_watch.allow(r"status of 409 .*/responsibilities/")  # the refusal answers 409, as it should
    cell.locator("a.tz-edit-holder").click()
    expect(title).to_be_focused()
    actions.edit_assignment(
        Assignment.objects.get(pk=first.pk),
        holder_title="党委书记",
        holder_name="钱书记",
        expected_version=2,
        acting_user=people["olivia"],
    )
    name.fill("孙书记")
    cell.get_by_role("button", name="保存").click()
    expect(cell.locator(".tz-stale")).to_be_visible()
    expect(name).to_have_value("钱书记")
    assert Assignment.objects.get(pk=first.pk).holder_name == "钱书记"
    cell.get_by_role("link", name="取消").click()
    expect(cell.locator(".tz-holder")).to_have_text("党委书记 钱书记")
