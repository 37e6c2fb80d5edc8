"""The completeness board: cells, rates rolled up the org tree, filters, click-through, xlsx export."""

import datetime
import io
import re

from django.utils import timezone
from python_calamine import CalamineWorkbook

from taizhang.ledger.models import Item, Status
from taizhang.reporting import actions
from taizhang.reporting.models import ReportingPeriod, UnitReport
from taizhang.reporting.queries import Cell, board, expected_unit_ids
from taizhang.testing.factories import make_item, make_unit


def _submit(period, unit, user, *, late=False):
    report = actions.start_report(period, unit, acting_user=user)
    when = period.due_at + datetime.timedelta(hours=2) if late else period.due_at - datetime.timedelta(hours=2)
    return actions.submit_report(report, acting_user=user, no_change=True, now=when)


def _due_weeks(campaign, n):
    return list(
        ReportingPeriod.objects.filter(campaign=campaign, kind="weekly", due_at__lte=timezone.now()).order_by(
            "-due_at"
        )[:n]
    )


def test_expected_units_own_open_items_or_are_added_and_inactive_units_are_not(people, items, org, campaign):
    assert expected_unit_ids(campaign) == {org["office_dept"].pk, org["hr"].pk, org["hospital"].pk}
    Item.objects.filter(owner_unit=org["hospital"]).update(status=Status.CLOSED)
    actions.add_expected_unit(campaign, org["subsidiary"], acting_user=people["olivia"])
    assert expected_unit_ids(campaign) == {org["office_dept"].pk, org["hr"].pk, org["subsidiary"].pk}
    org["hr"].is_active = False
    org["hr"].save()
    assert org["hr"].pk not in expected_unit_ids(campaign)


def test_board_cells_and_rates_roll_up_the_tree(people, items, org, campaign, periods):
    last, before = _due_weeks(campaign, 2)
    olivia, lily, bob = people["olivia"], people["lily"], people["bob"]
    _submit(last, org["office_dept"], lily)
    _submit(before, org["office_dept"], lily, late=True)
    returned = _submit(last, org["hr"], bob)
    actions.return_report(returned, reason="补充", acting_user=olivia)
    data = board(campaign, start=before.starts_on, end=periods["current_week"].ends_on)
    assert [p.pk for p in data["periods"]] == [before.pk, last.pk, periods["current_week"].pk]
    rows = {row.unit.pk: row for row in data["rows"]}
    office = rows[org["office_dept"].pk]
    assert [state for _p, _r, state in office.cells] == [Cell.LATE, Cell.ON_TIME, Cell.PENDING]
    assert (office.own.expected, office.own.on_time, office.own.late) == (2, 1, 1)
    assert office.total.reporting_rate == 100.0 and office.total.on_time_rate == 50.0
    hr = rows[org["hr"].pk]
    assert [state for _p, _r, state in hr.cells] == [Cell.MISSING, Cell.RETURNED, Cell.PENDING]
    assert hr.total.reporting_rate == 0.0
    hospital = rows[org["hospital"].pk]
    assert hospital.total.missing == 2
    # The subsidiary owns nothing: not expected, but its row rolls up the hospital below it.
    subsidiary = rows[org["subsidiary"].pk]
    assert not subsidiary.expected and subsidiary.total.expected == 2 and subsidiary.total.missing == 2
    group = rows[org["group"].pk]
    assert (group.total.expected, group.total.on_time, group.total.late, group.total.returned) == (6, 1, 1, 1)
    assert group.total.reporting_rate == round(100 * 2 / 6, 1)
    assert data["overall"].expected == 6
    # Tree order: the group first, each unit before the units below it.
    order = [row.unit.pk for row in data["rows"]]
    assert order.index(org["group"].pk) == 0 and order.index(org["subsidiary"].pk) < order.index(org["hospital"].pk)


def test_board_filters_by_subtree_and_closed_units_are_not_counted(people, items, org, campaign, periods):
    last = _due_weeks(campaign, 1)[0]
    data = board(campaign, start=last.starts_on, end=last.ends_on, root=org["subsidiary"])
    assert [row.unit.pk for row in data["rows"]] == [org["subsidiary"].pk, org["hospital"].pk]
    org["hospital"].is_active = False
    org["hospital"].save()
    data = board(campaign, start=last.starts_on, end=last.ends_on)
    assert org["hospital"].pk not in [row.unit.pk for row in data["rows"]]
    assert data["overall"].expected == 2


def test_board_page_links_each_cell_to_its_report_and_only_office_and_leaders_see_it(
    login, people, items, org, campaign, periods
):
    last = _due_weeks(campaign, 1)[0]
    _submit(last, org["hr"], people["bob"])
    response = login(people["olivia"]).get(f"/c/{campaign.slug}/reports/board/")
    assert response.status_code == 200
    body = response.content.decode()
    assert f"/c/{campaign.slug}/reports/{last.pk}/{org['hr'].pk}/" in body
    assert 'data-state="on_time"' in body and 'data-state="missing"' in body
    # The date inputs show the range on screen: the last 8 due weeks and the current one.
    assert f'value="{periods["current_week"].ends_on.isoformat()}"' in body
    assert login(people["leo"]).get(f"/c/{campaign.slug}/reports/board/").status_code == 200
    assert login(people["bob"]).get(f"/c/{campaign.slug}/reports/board/").status_code == 403
    filtered = login(people["olivia"]).get(
        f"/c/{campaign.slug}/reports/board/", {"unit": org["subsidiary"].pk, "kind": "weekly"}
    )
    assert 'data-unit="人力资源部"' not in filtered.content.decode()
    assert 'data-unit="八一骨科医院"' in filtered.content.decode()


def test_board_query_count_does_not_grow_with_units(
    django_assert_num_queries, login, people, items, org, campaign, periods
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(people["olivia"])
    with CaptureQueriesContext(connection) as first:
        client.get(f"/c/{campaign.slug}/reports/board/")
    for n in range(5):
        unit = make_unit(f"新单位{n}", parent=org["subsidiary"])
        make_item(campaign, unit)
        _submit(_due_weeks(campaign, 1)[0], unit, people["olivia"])
    with django_assert_num_queries(len(first)):
        client.get(f"/c/{campaign.slug}/reports/board/")


def test_board_exports_to_xlsx_with_rates_and_cells(login, people, items, org, campaign, periods):
    last, before = _due_weeks(campaign, 2)
    _submit(last, org["hr"], people["bob"])
    _submit(before, org["hr"], people["bob"], late=True)
    response = login(people["olivia"]).get(
        f"/c/{campaign.slug}/reports/board.xlsx", {"start": before.starts_on, "end": last.ends_on}
    )
    assert response.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    header = rows[1]
    assert header[-2:] == [before.short_name, last.short_name]
    assert all(re.fullmatch(r"\d{4}年第\d{1,2}周", name) for name in header[-2:]), header[-2:]
    by_unit = {str(row[0]).strip("\u3000"): row for row in rows[2:]}
    hr = by_unit["人力资源部"]
    assert hr[1:8] == [2, 1, 1, 0, 0, 100, 50]
    assert UnitReport.objects.count() == 2


def test_a_page_past_the_last_shows_the_last_page(login, people, items, campaign, periods):
    response = login(people["olivia"]).get(f"/c/{campaign.slug}/reports/board/", {"page": 99})
    assert response.status_code == 200
    assert response.context["page"] == 1 and response.context["board"]["rows"]


def test_the_reports_page_of_an_overseer_without_a_unit_shows_the_latest_periods(campaign, org, people, periods, login):
    from taizhang.orgs.actions import grant_role
    from taizhang.orgs.models import Role
    from taizhang.testing.factories import make_user

    last = _due_weeks(campaign, 1)[0]
    _submit(last, org["hr"], people["bob"])
    ivy = make_user("ivy", name="督导员")
    grant_role(user=ivy, campaign=campaign, role=Role.INSPECTOR)
    for person in (people["leo"], ivy):
        page = login(person).get(f"/c/{campaign.slug}/reports/").content.decode()
        assert 'id="latest-periods"' in page and last.name in page
        assert f"/c/{campaign.slug}/reports/board/" in page
    assert login(ivy).get(f"/c/{campaign.slug}/reports/board/").status_code == 200
    assert "reports/documents/" not in login(ivy).get(f"/c/{campaign.slug}/reports/").content.decode()
    liaison = login(people["bob"]).get(f"/c/{campaign.slug}/reports/").content.decode()
    assert 'id="latest-periods"' not in liaison
