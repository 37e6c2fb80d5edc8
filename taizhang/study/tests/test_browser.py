"""A unit's secretary records a 主题党日 with attendance on a phone; a member signs in with the QR link."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from taizhang.orgs.access import Access
from taizhang.study import actions
from taizhang.study.models import Activity, Attendance
from taizhang.testing import browser as fixtures
from taizhang.testing.browser import has_horizontal_overflow, log_in, screenshot

browser, page, page_watch, phone_page = fixtures.browser, fixtures.page, fixtures.page_watch, fixtures.phone_page

pytestmark = pytest.mark.browser


@pytest.fixture
def roster(org, people, campaign):
    office = Access.for_user(people["olivia"], campaign)
    actions.import_roster(
        [
            ["姓名", "单位", "手机", "是否党员", "党支部"],
            ["张三", "办公室", "13800000001", "是", "机关第一支部"],
            ["李四", "办公室", "13800000002", "是", "机关第一支部"],
            ["王五", "办公室", "13800000003", "否", ""],
        ],
        access=office,
        acting_user=people["olivia"],
    )


def test_liaison_records_a_theme_party_day_on_a_phone_and_a_member_signs_in(phone_page, people, campaign, org, roster):
    tab = phone_page
    log_in(tab, "lily")
    tab.goto(f"/c/{campaign.slug}/study/")
    tab.click("#new-activity")
    start = timezone.localtime() - datetime.timedelta(minutes=20)
    tab.select_option("#id_kind", label="主题党日")
    tab.fill("#id_title", "重温入党誓词")
    tab.select_option("#id_unit", value=str(org["office_dept"].pk))
    tab.fill("#id_starts_at", start.strftime("%Y-%m-%dT%H:%M"))
    tab.fill("#id_ends_at", (start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    tab.fill("#id_place", "三楼会议室")
    tab.fill("#id_hours", "2")
    with tab.expect_navigation():
        tab.click("#activity-form button[type=submit]")
    activity = Activity.objects.get()
    assert tab.locator("h1").inner_text().startswith("重温入党誓词")
    assert not has_horizontal_overflow(tab)

    # A member scans the QR code: the sign-in link, no login.
    member = tab.context.new_page()
    member.goto(f"/study/sign-in/{activity.sign_in_token}/")
    member.fill("#id_name", "张三")
    member.fill("#id_phone", "138 0000 0001")
    member.click("#sign-in-form button[type=submit]")
    member.wait_for_selector("#signed-in")
    screenshot(member, "study-sign-in-phone")
    member.close()

    # The secretary ticks the rest on the roster.
    tab.click("#record-attendance")
    assert tab.is_checked(f"#m-{Attendance.objects.get().member_id}-present")
    lisi = activity.unit.members.get(name="李四").pk
    wangwu = activity.unit.members.get(name="王五").pk
    tab.check(f"#m-{lisi}-leave")
    tab.fill(f"#r-{lisi}", "出差")
    tab.check(f"#m-{wangwu}-absent")
    assert not has_horizontal_overflow(tab)
    screenshot(tab, "study-attendance-phone")
    with tab.expect_navigation():
        tab.click("#save-attendance")
    assert "已保存" in tab.content()
    tab.goto(f"/c/{campaign.slug}/study/activities/{activity.pk}/")
    counts = tab.locator("#attendance-counts").inner_text()
    assert "实到 1" in counts and "请假 1" in counts and "缺席 1" in counts
    screenshot(tab, "study-activity-phone")
    activity.refresh_from_db()
    assert activity.state == Activity.State.HELD
    tab.goto(f"/c/{campaign.slug}/study/participation/")
    row = tab.locator("#participation tr[data-unit='集团办公室']").inner_text()
    assert "33.3%" in row


def test_liaison_makes_a_party_group_on_a_phone_and_picks_its_members(phone_page, people, campaign, org, roster):
    """A 党小组 of 办公室 made on a phone, its members picked by typing (the page never lists the roster),
    one taken out again; the pages pass axe, and the group is an activity's audience on the form."""
    from taizhang.study.models import MemberGroup
    from taizhang.tests.test_accessibility import axe_source, describe, run_axe

    source = axe_source()
    tab = phone_page
    log_in(tab, "lily")
    tab.goto(f"/c/{campaign.slug}/study/groups/")
    tab.click("#new-group")
    tab.select_option("#id_unit", value=str(org["office_dept"].pk))
    tab.fill("#id_name", "机关第一党小组")
    tab.select_option("#id_kind", value="party")
    with tab.expect_navigation():
        tab.click("#group-form button[type=submit]")
    group = MemberGroup.objects.get()
    assert tab.locator("h1").inner_text().startswith("机关第一党小组")
    for name in ("张三", "李四"):
        tab.fill("#group-add-form .picker-search", name[0])
        tab.click(f"#group-add-form .picker-results button:has-text('{name}')")
    with tab.expect_navigation():
        tab.click("#group-add")
    expect(tab.locator("#group-members")).to_contain_text("张三")
    expect(tab.locator("#group-members")).to_contain_text("李四")
    assert set(group.members.values_list("name", flat=True)) == {"张三", "李四"}
    assert not has_horizontal_overflow(tab)
    violations = run_axe(tab, source)
    assert not violations, describe(violations)
    screenshot(tab, "study-group-phone")
    lisi = group.members.get(name="李四").pk
    with tab.expect_navigation():
        tab.click(f"#group-members tr[data-member='{lisi}'] button[type=submit]")
    assert set(group.members.values_list("name", flat=True)) == {"张三"}
    # The group as an activity's audience: found by typing its name on the activity form.
    tab.goto(f"/c/{campaign.slug}/study/activities/new/")
    tab.fill("#id_audience_groups", "党小组")
    tab.click(".picker[data-name=audience_groups] .picker-results button:has-text('机关第一党小组')")
    expect(tab.locator(".picker[data-name=audience_groups] .picker-chosen")).to_contain_text("机关第一党小组")
    violations = run_axe(tab, source)
    assert not violations, describe(violations)
