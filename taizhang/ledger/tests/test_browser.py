"""The ledger in a real browser: liaisons report, the office edits, everyone searches, exports and reads on a phone."""

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect
from python_calamine import CalamineWorkbook

from taizhang.ledger.models import Item
from taizhang.testing import browser as fixtures
from taizhang.testing.browser import has_horizontal_overflow, log_in, screenshot

# The browser fixtures, bound by name for pytest (a bare import would read as unused and then shadowed).
browser, page, page_watch, phone_page = fixtures.browser, fixtures.page, fixtures.page_watch, fixtures.phone_page

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The live server thread shares these settings, so the login form checks the same cheap hashes.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


ROWS = "#item-table tbody tr[data-code]"


def zh(message: str) -> str:
    """What a zh-hans page shows for an English msgid, whatever the catalogue holds today."""
    with translation.override("zh-hans"):
        return gettext(message)


def codes_on_page(tab) -> list[str]:
    return [row.get_attribute("data-code") for row in tab.locator(ROWS).all()]


def pick(tab, search: str, text: str) -> None:
    """Choose ``text`` in the search-as-you-type picker whose search box is ``search``."""
    tab.locator(search).press_sequentially(text[:3])
    tab.locator(search).locator("xpath=..").locator(".picker-results button", has_text=text).first.click()


def item_url(item: Item, suffix: str = "") -> str:
    return f"/c/{item.campaign.slug}/items/{item.pk}/{suffix}"


def test_liaison_filters_reports_progress_and_cannot_touch_other_units_items(page, page_watch, people, items, org):
    log_in(page, "lily")
    page.goto("/c/2021/items/")
    expect(page.locator(ROWS)).to_have_count(5)
    screenshot(page, "item-list-desktop")
    page.evaluate("window.stillTheSamePage = true")

    pick(page, "#filter-unit", "集团办公室")
    expect(page.locator(ROWS)).to_have_count(2)
    expect(page).to_have_url(re.compile(rf"[?&]unit={org['office_dept'].pk}\b"))
    page.locator("#filter-q").press_sequentially("OA")
    expect(page.locator(ROWS)).to_have_count(1)
    expect(page).to_have_url(re.compile(r"[?&]q=OA\b"))
    assert codes_on_page(page) == ["HQ-001"]
    assert page.evaluate("window.stillTheSamePage") is True, "htmx should swap the results, not reload the page"

    with page.expect_navigation():
        page.click(f"{ROWS} >> text=优化OA系统")
    expect(page.locator("#item-title")).to_contain_text("HQ-001")
    form = page.locator("#progress-form")
    form.locator("[name=percent]").fill("40")
    form.locator("[name=done]").fill("完成需求调研，确定OA改版方案")
    form.locator("[name=next_steps]").fill("六月上线试运行")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()

    expect(page.locator(".alert-success")).to_contain_text(zh("Progress recorded."))
    expect(page.locator("#item-percent")).to_have_text("40%")
    expect(page.locator("#progress-timeline")).to_contain_text("完成需求调研，确定OA改版方案")
    expect(page.locator("#progress-timeline")).to_contain_text("李联络")
    expect(page.locator("#history-timeline")).to_contain_text(zh("progress reported"))
    expect(page.locator("#history-timeline")).to_contain_text("完成需求调研")
    screenshot(page, "item-detail-desktop")
    assert Item.objects.get(pk=items["oa"].pk).percent == 40

    welfare = items["welfare"]
    page.goto(item_url(welfare))
    expect(page.locator("#item-title")).to_contain_text("HQ-003")
    expect(page.locator("#progress-form")).to_have_count(0)

    page_watch.allow(r"status of 403")
    response = page.goto(item_url(welfare, "progress/"))
    assert response.status == 403
    expect(page.locator("#error-page")).to_contain_text(
        zh("You can report progress only on your own unit's open items.")
    )
    expect(page.locator("#progress-form")).to_have_count(0)
    screenshot(page, "forbidden-desktop")
    assert welfare.progress_entries.count() == 0


def test_second_tab_saving_a_stale_edit_is_refused_and_the_first_save_stands(page, page_watch, people, items):
    item = items["oa"]
    log_in(page, "olivia")
    first = page
    second = page.context.new_page()
    first.goto(item_url(item, "edit/"))
    second.goto(item_url(item, "edit/"))

    first.fill("#id_title", "优化OA系统（第一次保存）")
    with first.expect_navigation():
        first.click("#item-form button[type=submit]")
    expect(first.locator("#item-title")).to_contain_text("优化OA系统（第一次保存）")

    page_watch.allow(r"status of 409")
    second.fill("#id_title", "优化OA系统（过时的修改）")
    with second.expect_navigation() as navigation:
        second.click("#item-form button[type=submit]")
    assert navigation.value.status == 409
    expect(second.locator("#stale-warning")).to_be_visible()
    expect(second.locator("#form-errors")).to_contain_text(
        zh(
            "Someone else changed this item while you were editing it. "
            "Reload the page to see their changes, then make yours again."
        )
    )

    screenshot(second, "stale-edit-desktop")

    item.refresh_from_db()
    assert item.title == "优化OA系统（第一次保存）"
    second.goto(item_url(item))
    expect(second.locator("#item-title")).to_contain_text("优化OA系统（第一次保存）")
    expect(second.locator("#history-timeline")).not_to_contain_text("过时的修改")


def test_simplified_search_finds_item_written_in_traditional_characters(page, people, items):
    log_in(page, "bob")
    page.goto("/c/2021/items/")
    expect(page.locator(ROWS)).to_have_count(5)
    page.fill("#filter-q", "医疗")
    page.press("#filter-q", "Enter")
    expect(page.locator(ROWS)).to_have_count(1)
    assert codes_on_page(page) == ["YL-001"]
    expect(page.locator(ROWS)).to_contain_text("開展公益義診活動")
    expect(page).to_have_url(re.compile(r"[?&]q=%E5%8C%BB%E7%96%97"))


def test_language_switcher_turns_the_interface_to_english_and_back(page, people, items):
    log_in(page, "lily")
    page.goto("/c/2021/items/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    with page.expect_navigation():
        page.select_option("#language-form select", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/c/2021/items/$"))
    expect(page.locator("h1")).to_have_text("Items")
    expect(page.locator("#result-count")).to_have_text("5 items")

    with page.expect_navigation():
        page.select_option("#language-form select", "zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("h1")).to_have_text(zh("Items"))


def test_item_list_fits_a_phone_and_the_menu_opens(phone_page, people, items):
    page = phone_page
    log_in(page, "lily")
    page.goto("/c/2021/items/")
    expect(page.locator(ROWS)).to_have_count(5)
    assert not has_horizontal_overflow(page), "the item list scrolls sideways on a phone"
    # The table itself fits too: 进展 and 状态 are on the screen, not scrolled away inside the table (walk, issue 11).
    for cell in (f"{ROWS} >> nth=0 >> td.tz-progress-cell", f"{ROWS} >> nth=0 >> td >> nth=-1"):
        box = page.locator(cell).bounding_box()
        assert box and box["x"] + box["width"] <= 390 + 1, f"{cell} is off a 390 px screen: {box}"
    first = page.locator(ROWS).first
    expect(first.locator("div.d-md-none")).to_contain_text(
        first.get_attribute("data-code")
    )  # the code, under the title
    screenshot(page, "item-list-phone")

    expect(page.locator("#filter-unit")).to_be_hidden()
    page.click("#more-filters")
    expect(page.locator("#filter-unit")).to_be_visible()
    expect(page.locator("#more-filters")).to_have_attribute("aria-expanded", "true")
    assert not has_horizontal_overflow(page), "the open filters scroll sideways on a phone"

    menu = page.locator("#mainnav")
    expect(menu).to_be_hidden()
    page.click(".navbar-toggler")
    expect(menu).to_have_class(re.compile(r"\bshow\b"))  # the collapse animation has finished
    page.click("#nav-more")  # the units sit in the menu's "more"
    expect(menu.locator("a[href='/units/']")).to_be_visible()
    expect(menu.locator("#language-form select")).to_be_visible()
    screenshot(page, "item-list-phone-menu")

    page.goto(item_url(items["oa"]))
    expect(page.locator("#progress-form")).to_be_visible()
    assert not has_horizontal_overflow(page), "the item page scrolls sideways on a phone"
    screenshot(page, "item-detail-phone")


def test_export_link_downloads_the_filtered_list_as_xlsx(page, people, items, org, tmp_path):
    log_in(page, "bob")
    page.goto("/c/2021/items/")
    pick(page, "#filter-unit", "人力资源部")
    expect(page.locator(ROWS)).to_have_count(2)
    expect(page.locator("#export-link")).to_have_attribute("href", re.compile(rf"unit={org['hr'].pk}"))

    with page.expect_download() as download_info:
        page.click("#export-link")
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)

    _title, header, *rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert zh("Code") in header
    codes = {row[header.index(zh("Code"))] for row in rows if any(row)}
    assert codes == {"HQ-003", "HQ-004"}


def test_office_adds_two_milestones_in_the_form_table_and_the_item_page_checks_them(page, page_watch, people, items):
    import datetime

    from django.utils import timezone

    oa = items["oa"]
    today = timezone.localdate()
    log_in(page, "olivia")
    page.goto(item_url(oa, "edit/"))
    rows = page.locator("#milestones-table tbody tr")
    expect(rows).to_have_count(1)
    page.fill("#id_milestones-0-on", (today - datetime.timedelta(days=7)).isoformat())
    page.fill("#id_milestones-0-percent", "20")
    page.click("[data-tz-add-milestone]")
    expect(rows).to_have_count(2)
    page.fill("#id_milestones-1-on", (today + datetime.timedelta(days=20)).isoformat())
    page.fill("#id_milestones-1-percent", "70")
    with page.expect_navigation():
        page.click("#item-form button[type=submit]")
    assert list(oa.milestones.values_list("percent", flat=True)) == [20, 70]
    table = page.locator("#milestones")
    expect(table.locator("tr.milestone-missed")).to_have_count(1)  # nothing reported by last week
    expect(table.locator("tr.milestone-ahead")).to_have_count(1)
    expect(table).to_contain_text(zh("missed"))


def test_office_adds_an_item_choosing_units_and_the_parent_by_typing(page, page_watch, people, items, org):
    """上级事项, 负责单位 and 配合单位 are search-as-you-type pickers (issue 11), not selects of every item."""
    log_in(page, "olivia")
    page.goto("/c/2021/items/new/")
    assert page.locator("#item-form option", has_text="优化OA系统").count() == 0
    page.fill("#id_code", "HQ-009")
    page.fill("#id_title", "新增食堂窗口")
    pick(page, "#id_owner_unit", "人力资源部")
    pick(page, "#id_partner_units", "集团办公室")
    pick(page, "#id_partner_units", "融通医疗健康公司")
    pick(page, "#id_parent", "HQ-001")
    screenshot(page, "item-form-pickers")
    with page.expect_navigation():
        page.click("#item-form button[type=submit]")
    item = Item.objects.get(code="HQ-009")
    assert item.owner_unit == org["hr"] and item.parent == items["oa"]
    assert set(item.partner_units.all()) == {org["office_dept"], org["subsidiary"]}


def test_the_list_sorts_by_a_header_click_and_keeps_progress_in_view_on_a_phone(page, phone_page, people, items):
    log_in(page, "olivia")
    page.goto("/c/2021/items/")
    page.evaluate("window.stillTheSamePage = true")
    page.click(f"#item-table thead a:has-text('{zh('Deadline')}')")
    expect(page).to_have_url(re.compile(r"[?&]sort=due\b"))
    expect(page.locator("#item-table thead th[aria-sort=ascending]")).to_have_count(1)
    assert page.evaluate("window.stillTheSamePage") is True

    log_in(phone_page, "olivia")
    phone_page.goto("/c/2021/items/")
    first = phone_page.locator(ROWS).first
    box = first.bounding_box()
    assert box["y"] < 400, f"the first row starts {box['y']:.0f} px down a phone screen"
    progress = first.locator(".tz-progress-cell").bounding_box()
    assert progress["x"] + progress["width"] <= 390, "the progress column is off a phone's screen"
    screenshot(phone_page, "item-list-phone-progress")
