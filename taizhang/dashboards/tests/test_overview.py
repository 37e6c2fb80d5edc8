"""Dashboards: figures from aggregate queries, each one linking to the items it counts, for every role."""

import datetime
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from taizhang.dashboards import queries
from taizhang.ledger.actions import refresh_lights
from taizhang.ledger.models import Item, Light, Status
from taizhang.orgs.models import ContactPoint
from taizhang.testing.factories import make_item


def page_data(response) -> dict:
    html = response.content.decode()
    start = html.index('id="dashboard-data"')
    start = html.index(">", start) + 1
    return json.loads(html[start : html.index("</script>", start)])


def params(link: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}


@pytest.fixture
def lit(campaign, items):
    """The conftest items with real lights: HQ-004 is 12 days overdue (red)."""
    Item.objects.filter(pk=items["welfare"].pk).update(
        status=Status.COMPLETED, percent=100, completed_on=timezone.localdate()
    )
    refresh_lights(campaign)
    return items


def test_office_sees_the_campaign_overview_with_every_figure(login, people, lit, campaign):
    response = login(people["olivia"]).get(f"/c/{campaign.slug}/dashboard/")
    assert response.status_code == 200
    data = page_data(response)
    headline = data["headline"]
    assert headline["total"] == 5
    assert headline["done"] == 1
    assert headline["completion_rate"] == 20.0
    assert headline["on_time_rate"] == 100.0
    assert {row["key"]: row["value"] for row in headline["lights"]}[Light.RED] == 1
    assert {row["key"]: row["value"] for row in headline["statuses"]}[Status.COMPLETED] == 1
    assert sum(row["total"] for row in data["by_category"]) == 5
    html = response.content.decode()
    for chart in ("status", "lights", "category", "phase", "burnup", "lights_time"):
        assert f'data-chart="{chart}"' in html
    assert "HQ-004" in html  # the red list


def test_every_figure_links_to_the_item_list_with_the_same_filters(login, people, lit, campaign, org):
    # A withdrawn item counts nowhere on the dashboard, nor in the lists its figures open.
    Item.objects.filter(pk=lit["flow"].pk).update(status=Status.WITHDRAWN, light=Light.NONE)
    client = login(people["olivia"])
    data = page_data(client.get(f"/c/{campaign.slug}/dashboard/"))
    checks = [(row["link"], row["value"]) for row in data["headline"]["lights"] + data["headline"]["statuses"]]
    checks += [
        (row["link"], row["total"]) for row in data["by_category"] + data["by_unit"] + data["by_phase"] if row["link"]
    ]
    checks += [
        (status["link"], status["value"])
        for row in data["by_category"] + data["by_phase"]
        for status in row["statuses"]
        if status["link"]
    ]
    checks.append((data["links"]["overdue"], data["headline"]["overdue"]))
    for link, expected in checks:
        assert link.startswith(reverse("ledger:item_list", args=[campaign.slug]))
        listed = client.get(link)
        assert listed.status_code == 200
        assert listed.context["page"].paginator.count == expected, link


def test_the_figures_of_one_pass_add_up_across_categories_phases_statuses_and_lights(campaign, org, items):
    """The headline, category and phase tables come from one grouped count: each cut sums to the total."""
    for n in range(6):
        make_item(campaign, org["hospital"], code=f"X-{n}", due=timezone.localdate() - datetime.timedelta(days=n + 1))
    refresh_lights(campaign)
    data = queries.overview(campaign, timezone.localdate())
    total = data["headline"]["total"]
    assert total == Item.objects.filter(campaign=campaign).exclude(status=Status.WITHDRAWN).count()
    assert sum(row["total"] for row in data["by_category"]) == total
    assert sum(row["total"] for row in data["by_phase"]) == total
    assert sum(row["value"] for row in data["headline"]["lights"]) == total
    assert (
        data["headline"]["overdue"]
        == Item.objects.filter(campaign=campaign, light=Light.RED, due__lt=timezone.localdate()).count()
    )
    assert data["headline"]["overdue"] >= 6


def test_parent_units_roll_up_their_sub_units(login, people, lit, campaign, org):
    data = page_data(login(people["olivia"]).get(f"/c/{campaign.slug}/dashboard/"))
    rows = {row["id"]: row for row in data["by_unit"]}
    assert rows[org["subsidiary"].pk]["total"] == 1  # the hospital's item counts for its parent company
    assert rows[org["hr"].pk]["total"] == 2
    assert rows[org["hr"].pk]["red"] == 1
    assert params(rows[org["hr"].pk]["link"]) == {"unit": str(org["hr"].pk), "status": "current"}


def test_a_unit_dashboard_counts_only_its_subtree_and_keeps_the_unit_in_every_link(login, people, lit, campaign, org):
    data = page_data(login(people["olivia"]).get(f"/c/{campaign.slug}/dashboard/", {"unit": org["subsidiary"].pk}))
    assert data["headline"]["total"] == 1
    assert [row["id"] for row in data["by_unit"]] == [org["hospital"].pk]
    for row in data["headline"]["lights"]:
        assert params(row["link"])["unit"] == str(org["subsidiary"].pk)


def test_an_unknown_unit_is_a_404_and_a_unit_that_is_no_number_a_400(login, people, campaign):
    client = login(people["olivia"])
    assert client.get(f"/c/{campaign.slug}/dashboard/", {"unit": "999999"}).status_code == 404
    for junk in ("abc", "²", "1" * 23):
        assert client.get(f"/c/{campaign.slug}/dashboard/", {"unit": junk}).status_code == 400


def test_people_without_a_role_are_refused_and_strangers_must_log_in(client, login, people, campaign):
    assert client.get(f"/c/{campaign.slug}/dashboard/").status_code == 302
    charlie = login(people["charlie"])
    for path in ("", "mine/", "contacts/", "screen/", "data.json"):
        assert charlie.get(f"/c/{campaign.slug}/dashboard/{path}").status_code == 403


def test_each_role_lands_on_its_own_view(login, people, campaign, org):
    mine = f"/c/{campaign.slug}/dashboard/mine/"
    assert login(people["lily"]).get(mine).url == f"/c/{campaign.slug}/dashboard/?unit={org['office_dept'].pk}"
    assert login(people["olivia"]).get(mine).url == f"/c/{campaign.slug}/dashboard/"
    ContactPoint.objects.create(campaign=campaign, leader=people["leo"], unit=org["subsidiary"])
    assert login(people["leo"]).get(mine).url == f"/c/{campaign.slug}/dashboard/contacts/"


def test_a_leader_sees_each_contact_point_with_its_subtree_and_links(login, people, lit, campaign, org):
    ContactPoint.objects.create(campaign=campaign, leader=people["leo"], unit=org["subsidiary"], note="巡诊")
    ContactPoint.objects.create(campaign=campaign, leader=people["leo"], unit=org["hr"])
    ContactPoint.objects.create(campaign=campaign, leader=people["olivia"], unit=org["office_dept"])
    response = login(people["leo"]).get(f"/c/{campaign.slug}/dashboard/contacts/")
    rows = {row["id"]: row for row in response.context["rows"]}
    assert set(rows) == {org["subsidiary"].pk, org["hr"].pk}
    assert rows[org["subsidiary"].pk]["total"] == 1
    assert rows[org["hr"].pk]["red"] == 1
    assert params(rows[org["hr"].pk]["links"]["red"]) == {"unit": str(org["hr"].pk), "light": "red"}
    chart = page_data(response)
    red = next(s for s in chart["series"] if s["key"] == Light.RED)
    assert [d["value"] for d in red["data"]] == [rows[pk]["red"] for pk in (org["hr"].pk, org["subsidiary"].pk)] or [
        d["value"] for d in red["data"]
    ] == [rows[pk]["red"] for pk in (org["subsidiary"].pk, org["hr"].pk)]


def test_a_leader_without_contact_points_is_told_so(login, people, campaign):
    response = login(people["leo"]).get(f"/c/{campaign.slug}/dashboard/contacts/")
    assert b'id="no-contact-points"' in response.content


def test_the_big_screen_is_dark_and_refreshes_from_the_data_endpoint(login, people, lit, campaign):
    client = login(people["leo"])
    html = client.get(f"/c/{campaign.slug}/dashboard/screen/").content.decode()
    assert 'data-bs-theme="dark"' in html and 'data-theme="dark"' in html
    assert 'data-refresh="60"' in html and f'data-url="/c/{campaign.slug}/dashboard/data.json"' in html
    fresh = client.get(f"/c/{campaign.slug}/dashboard/data.json").json()
    assert fresh["headline"]["total"] == 5


def test_the_burn_up_counts_completions_and_deadlines_by_week(campaign, org):
    today = campaign.starts_on + datetime.timedelta(days=30)
    monday = queries.week_start(campaign.starts_on)
    make_item(
        campaign,
        org["hr"],
        due=monday + datetime.timedelta(days=2),
        status=Status.COMPLETED,
        percent=100,
        completed_on=monday + datetime.timedelta(days=8),
    )
    make_item(campaign, org["hr"], due=monday + datetime.timedelta(days=9))
    make_item(
        campaign,
        org["hr"],
        due=None,
        status=Status.CLOSED,
        percent=100,
        completed_on=monday + datetime.timedelta(days=1),
    )
    make_item(campaign, org["hr"], due=monday + datetime.timedelta(days=3), status=Status.WITHDRAWN)
    b = queries.burn_up(queries.scope_items(campaign), campaign, today, queries.Drill(campaign))
    assert b["weeks"][:3] == [
        monday.isoformat(),
        (monday + datetime.timedelta(days=7)).isoformat(),
        (monday + datetime.timedelta(days=14)).isoformat(),
    ]
    assert b["planned"][:3] == [1, 2, 2]
    assert b["completed"][:3] == [1, 2, 2]
    assert b["completed"][-1] is None  # weeks still to come have no completions yet
    assert params(b["links"][1])["due_to"] == (monday + datetime.timedelta(days=13)).isoformat()


def test_weekly_axes_read_chinese_period_names_not_dates(login, people, lit, campaign):
    """The burn-up and the light trend name their weeks as the report pages do (2026年第48周), not 2026-11-23."""
    with translation.override("zh-hans"):
        data = page_data(login(people["olivia"]).get(f"/c/{campaign.slug}/dashboard/"))
    monday = queries.week_start(campaign.starts_on)
    iso = monday.isocalendar()
    for chart in (data["burn_up"], data["lights_over_time"]):
        assert len(chart["labels"]) == len(chart["weeks"]) == len(chart["names"])
        assert chart["labels"][0] == f"{iso.year}年第{iso.week}周"
        assert chart["names"][0].startswith(f"{iso.year}年第{iso.week}周（{monday.month}月{monday.day}日—")
        assert not any("-" in label for label in chart["labels"])


def test_lights_over_time_come_from_the_nightly_tallies_and_todays_counts(campaign, org):
    start = campaign.starts_on
    monday = queries.week_start(start)
    item = make_item(
        campaign, org["hr"], due=start + datetime.timedelta(days=20), percent=95, status=Status.IN_PROGRESS
    )
    make_item(campaign, org["hospital"], due=None, percent=10, status=Status.IN_PROGRESS)
    for days in (0, 1, 14, 22):  # green, green (the same week: replaces), blue, red
        refresh_lights(campaign, on=start + datetime.timedelta(days=days))
    today = start + datetime.timedelta(days=30)
    Item.objects.filter(pk=item.pk).update(light=Light.YELLOW)  # live counts for the current week

    def series(unit=None):
        items = queries.scope_items(campaign, unit)
        result = queries.lights_over_time(items, campaign, today, queries.Drill(campaign, unit), unit)
        weeks = result["weeks"]
        return weeks, {s["key"]: s["data"] for s in result["series"]}

    weeks, data = series()
    at = {week: i for i, week in enumerate(weeks)}

    def week_of(days):
        return at[queries.week_start(start + datetime.timedelta(days=days)).isoformat()]

    assert weeks[0] == monday.isoformat()
    assert data[Light.GREEN][week_of(0)] == 2
    assert data[Light.BLUE][week_of(14)] == 1 and data[Light.GREEN][week_of(14)] == 1
    assert data[Light.RED][week_of(22)] == 1
    assert data[Light.GREEN][week_of(7)] is None  # no nightly run that week
    assert data[Light.YELLOW][-1] == 1 and data[Light.RED][-1] == 0
    _weeks, hospital = series(org["subsidiary"])
    assert hospital[Light.GREEN][week_of(22)] == 1 and hospital[Light.RED][week_of(22)] == 0


def test_the_overview_runs_a_fixed_number_of_queries_whatever_the_number_of_items(
    login, people, campaign, org, django_assert_max_num_queries
):
    client = login(people["olivia"])
    url = f"/c/{campaign.slug}/dashboard/"
    for n in range(5):
        make_item(campaign, org["hospital"], due=campaign.starts_on + datetime.timedelta(days=n), light=Light.RED)
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for n in range(60):
        make_item(
            campaign,
            org["hr" if n % 2 else "hospital"],
            due=campaign.starts_on + datetime.timedelta(days=n),
            light=Light.RED if n % 3 else Light.YELLOW,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert page_data(response)["headline"]["total"] == 65


def test_the_office_can_chase_a_red_item_from_the_red_list(login, people, lit, campaign):
    dating = lit["dating"]
    office = login(people["olivia"]).get(f"/c/{campaign.slug}/dashboard/").content.decode()
    assert f"/c/{campaign.slug}/chase/new/{dating.pk}/" in office
    leader = login(people["leo"]).get(f"/c/{campaign.slug}/dashboard/").content.decode()
    assert "/chase/new/" not in leader


def test_with_fewer_than_two_weeks_of_lights_the_trend_says_so_instead_of_a_stack_of_dots(campaign, org):
    """Issue 11: one week of data drew stacked dots that read as 600 green."""
    make_item(campaign, org["hr"], due=None, percent=10, status=Status.IN_PROGRESS)
    today = timezone.localdate()
    items = queries.scope_items(campaign)
    drill = queries.Drill(campaign)
    with translation.override("zh-hans"):
        one = queries.lights_over_time(items, campaign, today, drill)
    assert one["points"] == 1 and one["too_few"]
    refresh_lights(campaign, on=today - datetime.timedelta(days=7))
    two = queries.lights_over_time(items, campaign, today, drill)
    assert two["points"] == 2 and two["too_few"] == ""


def test_the_headline_card_counts_the_items_in_words_that_say_so(login, people, lit, campaign):
    client = login(people["olivia"])
    overview = client.get(reverse("dashboards:overview", args=[campaign.slug])).content.decode()
    home = client.get(reverse("campaigns:campaign_home", args=[campaign.slug])).content.decode()
    for page in (overview, home):
        headline = page[page.index('id="headline"') :][:600]
        assert "实事总数" in headline and "实事清单" not in headline
