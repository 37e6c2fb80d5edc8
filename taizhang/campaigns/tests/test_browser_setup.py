"""The office stands up next year's campaign by copying this year's, on the pages, without the admin."""

import pytest
from playwright.sync_api import expect

from taizhang.campaigns.models import Campaign, KeyTask
from taizhang.orgs.models import RoleGrant
from taizhang.testing import browser as fixtures
from taizhang.testing.browser import has_horizontal_overflow, log_in, screenshot

browser, page, page_watch, phone_page = fixtures.browser, fixtures.page, fixtures.page_watch, fixtures.phone_page

pytestmark = pytest.mark.browser


def test_office_copies_the_campaign_and_edits_the_new_ones_plan(page, people, campaign, org):
    aspect = KeyTask.objects.create(campaign=campaign, code="1", name="专题学习", order=1)
    KeyTask.objects.create(campaign=campaign, parent=aspect, code="1.1", name="中心组学习", order=1)
    log_in(page, "olivia")
    page.goto("/campaigns/new/")
    page.fill("#id_name", "2027年“我为群众办实事”")
    page.fill("#id_slug", "2027")
    page.fill("#id_starts_on", "2027-03-01")
    page.fill("#id_ends_on", "2027-12-31")
    page.check("input[name=start_from][value=copy]")
    page.select_option("#id_copy_from", value=str(campaign.pk))
    screenshot(page, "campaign-new-copy")
    with page.expect_navigation():
        page.click("#campaign-new-form button[type=submit]")
    assert page.url.endswith("/c/2027/setup/")
    copy = Campaign.objects.get(slug="2027")
    assert KeyTask.objects.filter(campaign=copy, name="中心组学习", parent__name="专题学习").exists()
    assert RoleGrant.objects.filter(campaign=copy, user=people["bob"], role="liaison").exists()
    assert "服务基层" in page.content()
    # Add a phase in the set-up, with its dates.
    phases = page.locator("#phases")
    first_extra = phases.locator("input[name='phases-INITIAL_FORMS']").get_attribute("value")
    prefix = f"phases-{first_extra}"
    page.fill(f"input[name='{prefix}-name']", "总结提升")
    page.fill(f"input[name='{prefix}-order']", "9")
    page.fill(f"input[name='{prefix}-starts_on']", "2027-12-01")
    page.fill(f"input[name='{prefix}-ends_on']", "2027-12-31")
    with page.expect_navigation():
        phases.locator("button[type=submit]").click()
    assert copy.phases.filter(name="总结提升").exists()
    screenshot(page, "campaign-setup")
    page.goto("/c/2027/plan/")
    assert page.locator("h1").inner_text() == "实施方案"


def test_a_leader_reads_the_plan_on_a_phone(phone_page, people, campaign):
    from taizhang.campaigns.models import PlanSection

    PlanSection.objects.create(campaign=campaign, kind="preparation", name="定好实施方案", state="done")
    log_in(phone_page, "leo")
    phone_page.goto(f"/c/{campaign.slug}/plan/")
    assert "定好实施方案" in phone_page.content() and "已完成" in phone_page.content()
    assert not has_horizontal_overflow(phone_page)
    assert phone_page.locator("details").count() == 0  # no edit forms for a leader
    screenshot(phone_page, "plan-leader-phone")


def test_the_set_up_page_fits_a_phone_and_edits_a_key_tasks_owner_with_a_picker(phone_page, people, campaign, org):
    from taizhang.ledger.models import KeyTaskTrack

    aspect = KeyTask.objects.create(campaign=campaign, code="1", name="专题学习与政治引领", order=1)
    task = KeyTask.objects.create(
        campaign=campaign, parent=aspect, code="1.1", name="党委理论学习中心组专题学习研讨与交流", order=1
    )
    KeyTaskTrack.objects.create(key_task=task, campaign=campaign, owner_unit=org["office_dept"], lead="王建国")
    log_in(phone_page, "olivia")
    phone_page.goto(f"/c/{campaign.slug}/setup/")
    row = phone_page.locator(f"#key-task-{task.pk}")
    expect(row).to_contain_text("王建国")
    expect(row).to_contain_text(org["office_dept"].display_name)
    # On a phone each row is a block of labelled fields: the labels show, nothing scrolls sideways.
    expect(row.locator("label", has_text="名称")).to_be_visible()
    screenshot(phone_page, "campaign-setup-phone")
    assert not has_horizontal_overflow(phone_page)
    with phone_page.expect_navigation():
        phone_page.locator(f"#key-task-{aspect.pk} a", has_text="设定责任单位与时限").click()
    assert not has_horizontal_overflow(phone_page)
    phone_page.fill("#key-task-owner-form .picker-search", "人力")
    phone_page.click("#key-task-owner-form .picker-results button:has-text('人力资源部')")
    phone_page.fill("#id_lead", "刘领导")
    phone_page.fill("#id_due", "2026-09-30")
    with phone_page.expect_navigation():
        phone_page.click("#key-task-owner-form button[type=submit]")
    assert phone_page.url.endswith(f"/c/{campaign.slug}/setup/#key-task-{aspect.pk}")
    row = phone_page.locator(f"#key-task-{aspect.pk}")
    expect(row).to_contain_text("刘领导")
    expect(row).to_contain_text("2026-09-30")
    track = KeyTaskTrack.objects.get(key_task=aspect)
    assert (track.owner_unit, track.lead) == (org["hr"], "刘领导")
