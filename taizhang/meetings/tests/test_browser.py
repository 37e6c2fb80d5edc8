"""Meetings in a real browser: the office builds an agenda in one click, edits it, records the meeting with two
decisions and downloads the minutes; a liaison marks its unit's decision done."""

import datetime
import io

import docx
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from taizhang.meetings.models import Decision, Meeting
from taizhang.testing import browser as fixtures
from taizhang.testing.browser import log_in, log_out, screenshot

browser, page, page_watch = fixtures.browser, fixtures.page, fixtures.page_watch

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pick(tab, field: str, typed: str, choice: str) -> None:
    tab.fill(f"#id_{field}", typed)
    tab.click(f".picker-results button:has-text('{choice}')")


def test_office_builds_the_agenda_records_two_decisions_and_a_liaison_marks_one_done(
    page, people, items, campaign, tmp_path
):
    slug = campaign.slug
    log_in(page, "olivia")
    page.goto(f"/c/{slug}/")
    # The menu keeps one row at 1,280 px with the new entry in the reports dropdown.
    nav = page.locator("#mainnav .navbar-nav").first.bounding_box()
    link = page.locator("#mainnav .nav-link").first.bounding_box()
    assert nav["height"] < 2 * link["height"]
    page.click("#nav-reporting")
    with page.expect_navigation():
        page.click("#nav-meetings")
    with page.expect_navigation():
        page.click("#new-meeting")
    page.select_option("#id_kind", "leading_group")
    page.fill("#id_title", "领导小组第二次会议")
    started = timezone.localtime() - datetime.timedelta(hours=1)
    page.fill("#id_starts_at", started.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_place", "三楼会议室")
    pick(page, "chair", "刘", "刘领导")
    with page.expect_navigation():
        page.click("#meeting-form button[type=submit]")
    meeting = Meeting.objects.get(title="领导小组第二次会议")
    assert meeting.chair == people["leo"]

    # One click builds the agenda from the ledger; the office then edits it.
    with page.expect_navigation():
        page.click("#build-agenda")
    expect(page.locator(".agenda-section").first).to_be_visible()
    expect(page.locator("body")).to_contain_text("HQ-004")
    with page.expect_navigation():
        page.click("#build-button")
    expect(page.locator(".agenda-point")).to_have_count(meeting.points.count() + 1)
    page.fill("#id_points-0-title", "通报报送滞后单位情况")
    with page.expect_navigation():
        page.click("#save-agenda")
    expect(page.locator("#agenda")).to_contain_text("通报报送滞后单位情况")
    expect(page.locator("#agenda")).to_contain_text("HQ-004")

    # Held; two decisions with their owner units; the minutes.
    with page.expect_navigation():
        page.click("#mark-held")
    deadline = (timezone.localdate() + datetime.timedelta(days=14)).isoformat()
    for text, typed, unit in (
        ("婚恋交友平台月底前上线", "人力", "人力资源部"),
        ("OA审批流程精简", "办公室", "集团办公室"),
    ):
        page.fill("#id_text", text)
        pick(page, "owner_unit", typed, unit)
        page.fill("#id_deadline", deadline)
        with page.expect_navigation():
            page.click("#add-decision")
        expect(page.locator("#decision-table")).to_contain_text(text)
    with page.expect_navigation():
        page.click("#edit-minutes")
    page.fill("#id_minutes", "会议研究了亮红灯和超期事项，议定两项工作。")
    with page.expect_navigation():
        page.click("#save-minutes")
    screenshot(page, "meetings-meeting")
    with page.expect_download() as download:
        page.click("#minutes-docx")
    path = tmp_path / "minutes.docx"
    download.value.save_as(path)
    document = docx.Document(io.BytesIO(path.read_bytes()))
    rows = [[c.text for c in row.cells] for row in document.tables[-1].rows[1:]]
    assert [(r[1], r[2]) for r in rows] == [("婚恋交友平台月底前上线", "人力资源部"), ("OA审批流程精简", "集团办公室")]
    assert "会议研究了亮红灯和超期事项" in "\n".join(p.text for p in document.paragraphs)
    log_out(page)

    # The liaison of 人力资源部 finds its decision and marks it done.
    log_in(page, "bob")
    page.goto(f"/c/{slug}/decisions/")
    expect(page.locator("#decision-table")).not_to_contain_text("OA审批流程精简")
    with page.expect_navigation():
        page.click("#decision-table a:has-text('婚恋交友平台')")
    page.fill("#id_done-text", "平台已上线试运行")
    with page.expect_navigation():
        page.click("#mark-done")
    expect(page.locator("#decision-status")).to_have_text("已完成")
    decision = Decision.objects.get(text="婚恋交友平台月底前上线")
    assert decision.status == Decision.Status.DONE and decision.progress.get().author == people["bob"]
