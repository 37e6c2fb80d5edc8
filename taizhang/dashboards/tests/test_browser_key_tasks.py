"""The key-task view in a real browser: a liaison reports on their key task, the office's view follows and drills down."""

import pytest
from playwright.sync_api import expect

from taizhang.campaigns.models import KeyTask
from taizhang.ledger.models import KeyTaskTrack
from taizhang.testing import browser as fixtures
from taizhang.testing.browser import has_horizontal_overflow, log_in, screenshot

browser, page, page_watch, phone_page = fixtures.browser, fixtures.page, fixtures.page_watch, fixtures.phone_page

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def tree(campaign, items, org):
    aspect = KeyTask.objects.create(campaign=campaign, code="1", name="专题学习", order=1)
    task = KeyTask.objects.create(campaign=campaign, parent=aspect, code="1.1", name="党委理论学习中心组专题学习")
    KeyTaskTrack.objects.create(key_task=task, campaign=campaign, owner_unit=org["office_dept"], lead="王建国")
    items["oa"].key_task = task
    items["oa"].save()
    return {"aspect": aspect, "task": task}


def test_the_key_task_view_follows_a_progress_entry_and_drills_down(page, phone_page, people, campaign, tree):
    # The liaison of the owner unit reports on a phone.
    tab = phone_page
    log_in(tab, "lily")
    tab.goto(f"/c/{campaign.slug}/key-tasks/{tree['task'].pk}/")
    tab.fill("#id_percent", "65")
    tab.fill("#id_done", "开展专题学习三次")
    with tab.expect_navigation():
        tab.click("#key-task-progress-form button[type=submit]")
    expect(tab.locator("#key-task-percent")).to_contain_text("65%")
    assert not has_horizontal_overflow(tab)

    # The office's view of the 19 aspects shows it, chart and table; a click goes one level down.
    office = page
    log_in(office, "olivia")
    office.goto(f"/c/{campaign.slug}/")
    office.click("#nav-project")
    with office.expect_navigation():
        office.click("#nav-key-tasks")
    expect(office.locator('[data-chart="key_tasks"] canvas').first).to_be_attached()
    row = office.locator(f'#key-task-table tr[data-key-task="{tree["aspect"].pk}"]')
    expect(row.locator(".kt-percent")).to_have_text("65%")
    screenshot(office, "key-tasks-dashboard")
    with office.expect_navigation():
        row.locator("a").first.click()
    task_row = office.locator(f'#key-task-table tr[data-key-task="{tree["task"].pk}"]')
    expect(task_row).to_contain_text("办公室 王建国")
    expect(task_row.locator(".kt-percent")).to_have_text("65%")
    with office.expect_navigation():
        task_row.locator("a").first.click()
    expect(office.locator("#key-task-entries")).to_contain_text("开展专题学习三次")
    expect(office.locator("#key-task-items")).to_contain_text("HQ-001")
