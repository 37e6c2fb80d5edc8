"""Dashboards in a real browser: charts draw, a click on a chart opens the items it counts, phone and big screen."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from taizhang.ledger.actions import refresh_lights
from taizhang.ledger.models import Item, Status
from taizhang.orgs.models import ContactPoint
from taizhang.testing import browser as fixtures
from taizhang.testing.browser import has_horizontal_overflow, log_in, screenshot

browser, page, page_watch, phone_page = fixtures.browser, fixtures.page, fixtures.page_watch, fixtures.phone_page

pytestmark = pytest.mark.browser

ROWS = "#item-table tbody tr[data-code]"
OVERVIEW_CHARTS = ("status", "lights", "category", "phase", "burnup", "lights_time")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def lit(campaign, items):
    """Lights as the nightly job leaves them: HQ-004 red (overdue), three yellow, HQ-003 done."""
    Item.objects.filter(pk=items["welfare"].pk).update(
        status=Status.COMPLETED, percent=100, completed_on=timezone.localdate()
    )
    refresh_lights(campaign)
    return items


def expect_charts_drawn(tab, names) -> None:
    for name in names:
        expect(tab.locator(f'[data-chart="{name}"] canvas').first).to_be_attached()
    drawn = tab.evaluate("Object.keys(window.tzCharts).sort()")
    assert drawn == sorted(names)


def pie_slice_point(tab, chart: str, name: str) -> tuple[float, float]:
    """The page coordinates of the middle of a pie slice, from the chart's own layout."""
    return tuple(
        tab.evaluate(
            """([chart, name]) => {
              const c = window.tzCharts[chart];
              const data = c.getModel().getSeriesByIndex(0).getData();
              const index = data.indexOfName(name);
              const l = data.getItemLayout(index);
              const angle = (l.startAngle + l.endAngle) / 2;
              const r = (l.r + l.r0) / 2;
              const box = c.getDom().getBoundingClientRect();
              return [box.left + l.cx + r * Math.cos(angle), box.top + l.cy + r * Math.sin(angle)];
            }""",
            [chart, name],
        )
    )


def bar_point(tab, chart: str, series: int, index: int) -> tuple[float, float]:
    """The page coordinates of the middle of one bar (once the bars have grown to their height)."""
    tab.wait_for_timeout(1200)
    return tuple(
        tab.evaluate(
            """([chart, series, index]) => {
              const c = window.tzCharts[chart];
              const layout = c.getModel().getSeriesByIndex(series).getData().getItemLayout(index);
              const box = c.getDom().getBoundingClientRect();
              return [box.left + layout.x + layout.width / 2, box.top + layout.y + layout.height / 2];
            }""",
            [chart, series, index],
        )
    )


def test_office_overview_draws_every_chart_and_a_click_on_the_red_slice_opens_the_red_items(page, people, lit):
    log_in(page, "olivia")
    page.goto("/c/2021/")
    with page.expect_navigation():
        page.click("#dashboard-link")
    expect(page).to_have_url(re.compile(r"/c/2021/dashboard/$"))
    expect_charts_drawn(page, OVERVIEW_CHARTS)
    expect(page.locator("#red-list")).to_contain_text("HQ-004")
    expect(page.locator("#unit-table tbody tr")).to_have_count(3)
    page.wait_for_timeout(600)  # let the opening animations finish before the picture
    screenshot(page, "dashboard-overview-desktop")

    red = page.evaluate("JSON.parse(document.getElementById('dashboard-data').textContent).headline.lights[0].name")
    x, y = pie_slice_point(page, "lights", red)
    with page.expect_navigation():
        page.mouse.click(x, y)
    expect(page).to_have_url(re.compile(r"/c/2021/items/\?light=red$"))
    expect(page.locator(ROWS)).to_have_count(1)
    assert page.locator(ROWS).first.get_attribute("data-code") == "HQ-004"
    expect(page.locator("#filter-light")).to_have_value("red")


def test_a_click_on_a_category_bar_opens_that_categorys_items_in_that_status(page, people, lit, campaign):
    log_in(page, "olivia")
    page.goto("/c/2021/dashboard/")
    expect_charts_drawn(page, OVERVIEW_CHARTS)
    first = campaign.categories.first()
    # Series 0 is "not started": the four items other than the completed HQ-003, all in the first category.
    x, y = bar_point(page, "category", 0, 0)
    with page.expect_navigation():
        page.mouse.click(x, y)
    expect(page).to_have_url(re.compile(rf"category={first.pk}&status=not_started"))
    expect(page.locator(ROWS)).to_have_count(4)


def test_the_unit_table_sorts_by_a_column(page, people, lit, org):
    log_in(page, "olivia")
    page.goto("/c/2021/dashboard/")
    page.click("#unit-table th:nth-child(5)")  # red
    page.click("#unit-table th:nth-child(5)")
    first = page.locator("#unit-table tbody tr").first
    expect(first).to_have_attribute("data-unit", str(org["hr"].pk))
    expect(page.locator("#unit-table th:nth-child(5)")).to_have_attribute("aria-sort", "descending")


def test_liaisons_unit_dashboard_fits_a_phone(phone_page, people, lit, org):
    page = phone_page
    log_in(page, "bob")
    page.goto("/c/2021/dashboard/mine/")
    expect(page).to_have_url(re.compile(rf"\?unit={org['hr'].pk}$"))
    expect_charts_drawn(page, OVERVIEW_CHARTS)
    expect(page.locator("#scope")).to_contain_text("人力")
    assert not has_horizontal_overflow(page), "the dashboard scrolls sideways on a phone"
    width = page.evaluate("document.querySelector('[data-chart=\"burnup\"] canvas').getBoundingClientRect().width")
    assert width <= 390
    page.wait_for_timeout(600)
    screenshot(page, "dashboard-my-unit-phone")


def test_leaders_contact_points_and_a_click_on_a_red_bar(page, people, lit, campaign, org):
    ContactPoint.objects.create(campaign=campaign, leader=people["leo"], unit=org["hr"])
    ContactPoint.objects.create(campaign=campaign, leader=people["leo"], unit=org["subsidiary"])
    log_in(page, "leo")
    page.goto("/c/2021/")
    page.click("#nav-dashboard")
    expect(page).to_have_url(re.compile(r"/dashboard/contacts/$"))
    expect_charts_drawn(page, ["contacts"])
    page.wait_for_timeout(600)
    screenshot(page, "dashboard-contact-points-desktop")
    x, y = bar_point(page, "contacts", 0, 0)  # red, first contact point (人力资源部)
    with page.expect_navigation():
        page.mouse.click(x, y)
    expect(page).to_have_url(re.compile(rf"unit={org['hr'].pk}&light=red"))
    expect(page.locator(ROWS)).to_have_count(1)


def pie_labels_outside_the_chart(tab, chart: str) -> list[str]:
    """The doughnut's labels cut short ("…", as drawn: zrender's lines of text) or reaching out of its box."""
    return tab.evaluate(
        """(name) => {
          const c = window.tzCharts[name], w = c.getWidth(), h = c.getHeight(), out = [];
          const data = c.getModel().getSeriesByIndex(0).getData();
          for (let i = 0; i < data.count(); i++) {
            const label = data.getItemGraphicEl(i) && data.getItemGraphicEl(i).getTextContent();
            if (!label || label.ignore || label.invisible) continue;
            const lines = label.childrenRef().map((t) => t.style.text || "");
            if (!lines.length || lines.join("").includes("…")) { out.push(data.getName(i)); continue; }
            const r = label.getBoundingRect().clone();
            r.applyTransform(label.getComputedTransform());
            if (r.x < 0 || r.y < 0 || r.x + r.width > w + 0.5 || r.y + r.height > h + 0.5) out.push(data.getName(i));
          }
          return out;
        }""",
        chart,
    )


def test_the_doughnuts_labels_fit_on_a_narrow_screen(page, people, lit):
    log_in(page, "leo")
    page.set_viewport_size({"width": 820, "height": 900})
    page.goto("/c/2021/dashboard/screen/")
    expect_charts_drawn(page, ["lights", "burnup", "lights_time", "category"])
    page.wait_for_timeout(600)
    assert pie_labels_outside_the_chart(page, "lights") == []


def test_the_big_screen_is_dark_and_refreshes_itself(page, people, lit, items):
    log_in(page, "leo")
    page.goto("/c/2021/dashboard/screen/?refresh=1")
    expect_charts_drawn(page, ["lights", "burnup", "lights_time", "category"])
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(11, 21, 38)"
    expect(page.locator('[data-figure="headline.lights.0.value"]')).to_have_text("1")
    page.wait_for_timeout(600)
    assert pie_labels_outside_the_chart(page, "lights") == []
    screenshot(page, "dashboard-big-screen")

    Item.objects.filter(pk=items["oa"].pk).update(light="red")
    expect(page.locator('[data-figure="headline.lights.0.value"]')).to_have_text("2", timeout=5000)


def test_a_liaison_signs_in_and_lands_on_their_units_open_items_on_a_phone(phone_page, people, lit, campaign):
    log_in(phone_page, "bob")
    phone_page.goto(f"/c/{campaign.slug}/")
    expect(phone_page).to_have_url(re.compile(r"/my-unit/$"))
    expect(phone_page.locator("#unit-home-title")).to_contain_text("人力")
    rows = phone_page.locator("#unit-items tbody tr[data-code]")
    # HQ-003 is completed: not on the list of what is still to do; HQ-004 is overdue and first.
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-code", "HQ-004")
    expect(rows.first.locator(".badge")).to_be_visible()
    expect(phone_page.locator("#week-report")).to_be_visible()
    assert not has_horizontal_overflow(phone_page)
    screenshot(phone_page, "dashboards-unit-home-phone")
