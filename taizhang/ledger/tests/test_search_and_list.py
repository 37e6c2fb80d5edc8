"""The item list: search that ignores simplified/traditional, filters, sorting, pages, htmx fragments, few queries."""

import datetime
import html
import re
from urllib.parse import parse_qs

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from taizhang.ledger import actions
from taizhang.ledger.actions import refresh_lights
from taizhang.ledger.models import Item, Light, Status
from taizhang.testing.factories import make_item

SEVERITY = {Light.NONE: 0, Light.GREEN: 1, Light.BLUE: 2, Light.YELLOW: 3, Light.RED: 4}
ALL = ["HQ-001", "HQ-002", "HQ-003", "HQ-004", "YL-001"]
CURRENT = [code for code in ALL if code != "HQ-002"]  # the list's default leaves the withdrawn HQ-002 out


@pytest.fixture
def listing(campaign, items, people):
    """The five items, made different enough to filter and sort.

    HQ-001 40% in progress (yellow, behind), phase 组织实施 · HQ-002 withdrawn · HQ-003 100% completed (green),
    category 关爱员工 · HQ-004 overdue (red) · YL-001 not started for 90 days (yellow).
    """
    Item.objects.filter(pk=items["welfare"].pk).update(category=campaign.categories.get(name="关爱员工"))
    Item.objects.filter(pk=items["oa"].pk).update(phase=campaign.phases.get(name="组织实施"))
    actions.add_progress(items["oa"], percent=40, done="完成需求调研", acting_user=people["lily"])
    actions.add_progress(items["welfare"], percent=100, done="平台上线", acting_user=people["bob"])
    actions.withdraw_item(items["flow"], reason="与HQ-001重复", acting_user=people["olivia"])
    refresh_lights(campaign)
    return items


@pytest.fixture
def browse(client, people, campaign):
    client.force_login(people["olivia"])
    url = reverse("ledger:item_list", args=[campaign.slug])

    def _browse(headers=None, **params):
        # Every item, withdrawn too, unless a test asks otherwise (the default is tested on its own).
        params.setdefault("status", "all")
        return client.get(url, params, headers=headers or {})

    return _browse


def codes(response) -> list[str]:
    assert response.status_code == 200
    return re.findall(r'<tr data-code="([^"]+)"', response.content.decode())


# Search ------------------------------------------------------------------------------


def test_a_simplified_query_finds_an_item_written_in_traditional_characters(listing, browse):
    # YL-001 is written 開展公益義診活動 / 醫療健康公司籌備組.
    assert codes(browse(q="医疗")) == ["YL-001"]
    assert codes(browse(q="义诊")) == ["YL-001"]


def test_a_traditional_query_finds_an_item_written_in_simplified_characters(listing, browse, campaign, org):
    make_item(campaign, org["hr"], code="HQ-005", title="建立职工医疗互助保障")
    assert codes(browse(q="醫療")) == ["HQ-005", "YL-001"]
    assert codes(browse(q="職工醫療")) == ["HQ-005"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("福利", ["HQ-003"]),
        ("员工", ["HQ-003", "HQ-004"]),
        ("员工 平台", ["HQ-003"]),
        ("  OA  ", ["HQ-001"]),
        ("oa", ["HQ-001"]),
        ("王明", ["HQ-001"]),
        ("长期坚持", ["HQ-002"]),
        ("HQ-003", ["HQ-003"]),
        ("hq-00", ["HQ-001", "HQ-002", "HQ-003", "HQ-004"]),
        ("ＨＱ－００３", ["HQ-003"]),
        ("yl", ["YL-001"]),
        ("火星", []),
    ],
)
def test_search_matches_parts_of_words_codes_and_people(listing, browse, query, expected):
    assert codes(browse(q=query)) == expected


def test_an_empty_result_says_so(listing, browse):
    response = browse(q="火星")
    with translation.override("zh-hans"):
        assert escape(translation.gettext("No items match these filters.")) in response.content.decode()


# Filters ------------------------------------------------------------------------------


def test_the_unit_filter_includes_sub_units(listing, browse, org):
    assert codes(browse(unit=org["subsidiary"].pk)) == ["YL-001"]
    assert codes(browse(unit=org["hospital"].pk)) == ["YL-001"]
    assert codes(browse(unit=org["hr"].pk)) == ["HQ-003", "HQ-004"]
    assert codes(browse(unit=org["group"].pk)) == ALL


def test_the_category_and_phase_filters(listing, browse, campaign):
    assert codes(browse(category=campaign.categories.get(name="关爱员工").pk)) == ["HQ-003"]
    assert codes(browse(category=campaign.categories.get(name="服务基层").pk)) == [
        "HQ-001",
        "HQ-002",
        "HQ-004",
        "YL-001",
    ]
    assert codes(browse(phase=campaign.phases.get(name="组织实施").pk)) == ["HQ-001"]
    assert codes(browse(phase=campaign.phases.get(name="检查验收").pk)) == []


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("open", ["HQ-001", "HQ-003", "HQ-004", "YL-001"]),
        (Status.NOT_STARTED, ["HQ-004", "YL-001"]),
        (Status.IN_PROGRESS, ["HQ-001"]),
        (Status.COMPLETED, ["HQ-003"]),
        (Status.WITHDRAWN, ["HQ-002"]),
        (Status.CLOSED, []),
    ],
)
def test_the_status_filter(listing, browse, status, expected):
    assert codes(browse(status=status)) == expected


@pytest.mark.parametrize(
    ("light", "expected"),
    [
        (Light.RED, ["HQ-004"]),
        (Light.YELLOW, ["HQ-001", "YL-001"]),
        (Light.GREEN, ["HQ-003"]),
        (Light.NONE, ["HQ-002"]),
        (Light.BLUE, []),
    ],
)
def test_the_light_filter(listing, browse, light, expected):
    assert codes(browse(light=light)) == expected


def test_the_due_range_filter(listing, browse):
    today = timezone.localdate()
    assert codes(browse(due_from=today, due_to=today + datetime.timedelta(days=60))) == ["HQ-001", "HQ-003"]
    assert codes(browse(due_to=today)) == ["HQ-004"]
    assert codes(browse(due_from=today + datetime.timedelta(days=61))) == ["YL-001"]
    assert codes(browse(due_from=today, due_to=today)) == []


def test_the_owner_filter(listing, browse):
    assert codes(browse(owner="王")) == ["HQ-001"]
    assert codes(browse(owner=" 张华 ")) == ["HQ-003"]


def test_filters_combine(listing, browse, org):
    assert codes(browse(unit=org["hr"].pk, status="open", light=Light.RED, q="员工")) == ["HQ-004"]
    assert codes(browse(unit=org["office_dept"].pk, status=Status.WITHDRAWN)) == ["HQ-002"]


# Sorting ------------------------------------------------------------------------------


def expected_order(campaign, key: str, descending: bool) -> list[str]:
    """Sorted by the key (items without a deadline last), ties by code."""
    value = {
        "code": lambda i: i.code,
        "due": lambda i: i.due,
        "percent": lambda i: i.percent,
        "light": lambda i: SEVERITY[i.light],
        "unit": lambda i: i.owner_unit.path,
        "updated": lambda i: i.updated_at,
    }[key]
    items = sorted(Item.objects.filter(campaign=campaign).select_related("owner_unit"), key=lambda i: i.code)
    present = [i for i in items if value(i) is not None]
    missing = [i for i in items if value(i) is None]
    return [i.code for i in sorted(present, key=value, reverse=descending) + missing]


@pytest.mark.parametrize("descending", [False, True], ids=["up", "down"])
@pytest.mark.parametrize("key", ["code", "due", "percent", "light", "unit", "updated"])
def test_sorting_by_each_key_in_both_directions(listing, browse, campaign, key, descending):
    sort = f"-{key}" if descending else key
    listed = codes(browse(sort=sort))
    assert listed == expected_order(campaign, key, descending)
    assert sorted(listed) == ALL


def test_sorting_by_light_puts_red_first_when_descending(listing, browse):
    assert codes(browse(sort="-light")) == ["HQ-004", "HQ-001", "YL-001", "HQ-003", "HQ-002"]


def test_items_without_a_deadline_come_last_both_ways(listing, browse):
    assert codes(browse(sort="due"))[-1] == "HQ-002"
    assert codes(browse(sort="-due"))[-1] == "HQ-002"
    assert codes(browse(sort="due"))[0] == "HQ-004"


# Pages --------------------------------------------------------------------------------


@pytest.fixture
def sixty(campaign, org):
    today = timezone.localdate()
    return [
        make_item(campaign, org["hr"], code=f"P-{n:03d}", due=today + datetime.timedelta(days=n)) for n in range(60)
    ]


def test_the_list_shows_fifty_items_a_page(sixty, browse):
    first = browse()
    assert codes(first) == [f"P-{n:03d}" for n in range(50)]
    assert first.context["page"].paginator.count == 60
    assert codes(browse(page=2)) == [f"P-{n:03d}" for n in range(50, 60)]
    # Out-of-range and nonsense pages fall back to a real page instead of failing.
    assert codes(browse(page=99)) == [f"P-{n:03d}" for n in range(50, 60)]
    assert codes(browse(page="abc")) == [f"P-{n:03d}" for n in range(50)]


@pytest.mark.parametrize("probe", [7, 50, 60, 1000])
def test_pages_come_out_the_same_whether_the_first_ids_hold_the_whole_result_or_not(sixty, browse, monkeypatch, probe):
    """The first ids are read ahead; past them the list counts and pages with queries of its own."""
    from taizhang.lib.paging import IdPaginator

    monkeypatch.setattr(IdPaginator, "PROBE", probe)
    first, second = browse(sort="-due"), browse(sort="-due", page=2)
    assert first.context["page"].paginator.count == 60
    assert codes(first) + codes(second) == [f"P-{n:03d}" for n in reversed(range(60))]
    assert codes(browse(q="P-05")) == [f"P-{n:03d}" for n in range(50, 60)]


def test_pages_of_a_sort_with_ties_neither_repeat_nor_skip_items(sixty, browse, campaign):
    """Pages are cut from the ids in sort order, then filled with their rows in that same order."""
    Item.objects.filter(campaign=campaign, code__lt="P-030").update(percent=40)
    listed = codes(browse(sort="-percent")) + codes(browse(sort="-percent", page=2))
    assert listed == [f"P-{n:03d}" for n in range(30)] + [f"P-{n:03d}" for n in range(30, 60)]


def test_the_light_sort_follows_a_light_that_just_changed(listing, browse, campaign):
    """The severity the list sorts by is kept by the database, so a bulk update moves the item at once."""
    Item.objects.filter(campaign=campaign, code="HQ-003").update(light=Light.RED)
    assert codes(browse(sort="-light"))[:2] == ["HQ-003", "HQ-004"]
    assert Item.objects.get(campaign=campaign, code="HQ-003").light_rank == SEVERITY[Light.RED]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the narrow search index is SQLite's own")
def test_sqlite_keeps_its_search_index_through_the_migrations(campaign):
    """A later migration that rebuilds the item table on SQLite would drop this index without a word."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'item_search_sqlite_idx'")
        (sql,) = cursor.fetchone()
    assert '"campaign_id", "search_text"' in sql


@pytest.mark.skipif(connection.vendor != "postgresql", reason="INCLUDE indexes are PostgreSQL's")
def test_postgresql_pages_by_code_from_an_index_that_holds_the_ids(campaign):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'item_code_ids_pg_idx'")
        (definition,) = cursor.fetchone()
    assert "(campaign_id, code) INCLUDE (id)" in definition


def test_page_links_keep_the_filters(sixty, browse, org):
    response = browse(unit=org["hr"].pk, sort="-due")
    assert codes(response)[0] == "P-059"
    links = [html.unescape(h) for h in re.findall(r'href="(\?[^"]*page=2[^"]*)"', response.content.decode())]
    assert links
    kept = {"unit": [str(org["hr"].pk)], "sort": ["-due"], "status": ["all"], "page": ["2"]}
    assert all(parse_qs(link[1:]) == kept for link in links)
    assert codes(browse(unit=org["hr"].pk, sort="-due", page=2))[-1] == "P-000"


# Bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"due_from": "2021-07-01", "due_to": "2021-06-01"}, "due_to"),
        ({"sort": "secret_field"}, "sort"),
        ({"status": "lost"}, "status"),
        ({"light": "purple"}, "light"),
        ({"unit": "999999"}, "unit"),
        ({"category": "abc"}, "category"),
        ({"due_from": "2021-13-45"}, "due_from"),
        ({"q": "x" * 101}, "q"),
    ],
)
def test_a_bad_filter_value_shows_a_message_not_an_error(listing, browse, params, field):
    response = browse(**params)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert 'class="alert alert-warning' in response.content.decode()
    assert codes(response) == CURRENT  # the unfiltered list (the default: all but withdrawn), not a crash


def test_the_range_message_reads_in_chinese(listing, browse):
    response = browse(due_from="2021-07-01", due_to="2021-06-01")
    with translation.override("zh-hans"):
        message = translation.gettext("The end of the range is before its start.")
    assert message != "The end of the range is before its start."
    assert escape(message) in response.content.decode()


# htmx --------------------------------------------------------------------------------


def test_an_htmx_request_gets_only_the_results(listing, browse):
    fragment = browse(headers={"HX-Request": "true"}, q="员工")
    assert codes(fragment) == ["HQ-003", "HQ-004"]
    text = fragment.content.decode()
    assert 'id="item-table"' in text
    assert 'id="filter-form"' not in text
    assert "<html" not in text
    assert fragment.templates[0].name == "ledger/_item_results.html"


def test_a_normal_or_boosted_request_gets_the_whole_page(listing, browse):
    for headers in ({}, {"HX-Request": "true", "HX-Boosted": "true"}):
        text = browse(headers=headers).content.decode()
        assert 'id="filter-form"' in text
        assert "<html" in text


def test_the_export_link_carries_the_filters(listing, browse, campaign, org):
    text = browse(unit=org["hr"].pk, q="员工").content.decode()
    export = reverse("ledger:item_export", args=[campaign.slug])
    assert f"{export}?unit={org['hr'].pk}&amp;q=%E5%91%98%E5%B7%A5" in text


# Queries ------------------------------------------------------------------------------

# Session, user, campaign, grants, units, categories, phases, the filtered unit, count, page ids, page rows.
LIST_QUERY_BOUND = 11


def test_the_list_page_does_not_run_more_queries_for_more_items(
    listing, browse, campaign, org, django_assert_max_num_queries
):
    browse()  # warm caches (content types, translations) before counting
    with CaptureQueriesContext(connection) as few, django_assert_max_num_queries(LIST_QUERY_BOUND):
        assert len(codes(browse(sort="-light"))) == 5

    for n in range(55):
        make_item(campaign, org["hospital"], code=f"M-{n:03d}", owner="王明")
    with CaptureQueriesContext(connection) as many, django_assert_max_num_queries(LIST_QUERY_BOUND):
        assert len(codes(browse(sort="-light"))) == 50

    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as filtered:
        browse(unit=org["subsidiary"].pk, q="王明", status="open")
    assert len(filtered) <= LIST_QUERY_BOUND


def test_the_unit_filter_is_a_picker_that_keeps_the_choice_and_carries_no_unit_list(campaign, org, people, login):
    page = login(people["lily"]).get(reverse("ledger:item_list", args=[campaign.slug]), {"unit": org["subsidiary"].pk})
    html = page.content.decode()
    form = html[html.index('id="filter-form"') : html.index('id="results"')]
    # Only the chosen unit is on the page, ticked; the others are found by typing (orgs:unit_search).
    assert f'name="unit" value="{org["subsidiary"].pk}" checked' in form
    assert org["subsidiary"].name in form
    assert org["hospital"].name not in form
    assert f'data-url="{reverse("orgs:unit_search")}"' in form
    assert "<option" not in form[: form.index('id="filter-category"')]


# The list's default, headers, pages and matches -------------------------------------------------


def test_the_default_list_leaves_withdrawn_items_out_and_a_filter_shows_them(listing, client, people, campaign):
    """The nav's 实事清单 counts what the overview counts (issue 11: 共600项 against 592)."""
    client.force_login(people["olivia"])
    url = reverse("ledger:item_list", args=[campaign.slug])
    assert codes(client.get(url)) == CURRENT
    assert codes(client.get(url, {"status": "all"})) == ALL
    assert codes(client.get(url, {"status": "withdrawn"})) == ["HQ-002"]
    assert codes(client.get(url, {"status": "current"})) == CURRENT  # the dashboards' links of before
    with translation.override("zh-hans"):
        page = client.get(url).content.decode()
    assert "全部（含已撤销）" in page


def test_column_headers_sort_and_say_which_way(listing, browse):
    page = browse(sort="due").content.decode()
    head = page[page.index("<thead") : page.index("</thead>")]
    links = {html.unescape(h) for h in re.findall(r'href="(\?[^"]*)"', head)}
    sorts = {parse_qs(link[1:])["sort"][0] for link in links}
    # The sorted column sorts the other way next; a light sorts most serious first.
    assert sorts == {"-due", "code", "-light", "unit", "percent"}
    assert 'aria-sort="ascending"' in head


def test_pages_have_numbers_and_a_jump_box_keeping_the_filters(sixty, browse, org):
    page = browse(unit=org["hr"].pk, page=1).content.decode()
    numbers = page[page.index('id="page-numbers"') : page.index("</ul>", page.index('id="page-numbers"'))]
    assert 'aria-current="page"' in numbers and ">2</a>" in numbers
    jump = page[page.index('id="page-jump"') : page.index("</form>", page.index('id="page-jump"'))]
    assert f'name="unit" value="{org["hr"].pk}"' in jump and 'name="page"' in jump


def test_a_search_marks_the_words_and_says_where_else_it_matched(listing, browse):
    page = browse(q="OA").content.decode()
    assert "<mark>OA</mark>" in page
    # 王明 is the person responsible of HQ-001, not in its title: the row says so.
    page = browse(q="王明").content.decode()
    row = page[page.index('<tr data-code="HQ-001"') : page.index("</tr>", page.index('<tr data-code="HQ-001"'))]
    assert "tz-match" in row and "<mark>王明</mark>" in row


def test_the_list_reads_only_the_columns_its_rows_show(login, people, items, campaign):
    client = login(people["olivia"])
    url = reverse("ledger:item_list", args=[campaign.slug])
    with CaptureQueriesContext(connection) as plain:
        body = client.get(url).content.decode()
    rows = [q["sql"] for q in plain.captured_queries if '"ledger_item"."title"' in q["sql"]]
    assert rows, "the page's rows were read"
    assert not any('"ledger_item"."content"' in sql or "ledger_phase" in sql for sql in rows)
    assert "优化OA系统" in body and "办公室" in body
    # A search explains its matches from the long texts, so then it reads them, in the same query.
    with CaptureQueriesContext(connection) as searched:
        client.get(url, {"q": "王明"})
    rows = [q["sql"] for q in searched.captured_queries if '"ledger_item"."title"' in q["sql"]]
    assert len(rows) == 1 and '"ledger_item"."content"' in rows[0]
