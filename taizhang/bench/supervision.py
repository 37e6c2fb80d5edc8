"""Supervision benchmarks (``python -m taizhang.bench supervision``).

The responsibility grid over the shared bench tree of 2,000 units, with 20,000 items and about 2,500
assignments (the group's eight, a first responsibility at most units, a principal one at the regional
companies): the grid's rows for the whole tree (holders inherited down it, open items by unit, gaps)
against the bare SQL of the same three reads, and the grid page (a page of 50 units) against the same.
"""

import datetime
import os

SLUG = "bench-supervision"
ITEMS = int(os.environ.get("BENCH_SUPERVISION_ITEMS", "20000"))
BATCH = 5000


def _build():
    from django.db import connection, transaction
    from django.utils import timezone

    from taizhang.bench.dashboards import make_units
    from taizhang.campaigns.models import Campaign
    from taizhang.ledger.models import Item
    from taizhang.orgs.models import Unit, User
    from taizhang.supervision.models import Assignment, Responsibility

    campaign = Campaign.objects.filter(slug=SLUG).first()
    if campaign is not None and Assignment.objects.filter(campaign=campaign).exists():
        return campaign
    office = User.objects.get(username="office")
    with transaction.atomic():
        campaign = Campaign.objects.create(
            slug=SLUG, name="责任制基准", starts_on=datetime.date(2025, 1, 1), ends_on=datetime.date(2025, 12, 31)
        )
        below = make_units()
        root = Unit.objects.get(name="基准集团", parent=None)
        units = [root, *below]
        Item.objects.bulk_create(
            [
                Item(
                    campaign=campaign,
                    code=f"ZR-{n:05d}",
                    title=f"基准事项{n}",
                    owner_unit=units[n % len(units)],
                    due=datetime.date(2025, 6, 30),
                )
                for n in range(ITEMS)
            ],
            batch_size=BATCH,
        )
        now = timezone.now()
        common = {"campaign": campaign, "assigned_by": office, "assigned_at": now}
        rows = [Assignment(kind=kind, unit=root, holder_title="集团党委", **common) for kind in Responsibility.values]
        for n, unit in enumerate(below):
            if unit.depth == 1:
                rows.append(
                    Assignment(kind=Responsibility.PRINCIPAL, unit=unit, holder_title=f"{unit.name}党委", **common)
                )
            # Every tenth unit names no first holder and inherits its regional company's; every fourth
            # regional company names none either, so its unnamed branches are gaps.
            if n % 10 and not (unit.depth == 1 and unit.sort_order % 4 == 0):
                rows.append(
                    Assignment(
                        kind=Responsibility.FIRST, unit=unit, holder_title="党委书记", holder_name=f"书记{n}", **common
                    )
                )
            if n % 3 == 0:
                rows.append(Assignment(kind=Responsibility.SUPPORT, unit=unit, holder_unit=root, **common))
        Assignment.objects.bulk_create(rows, batch_size=BATCH)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return campaign


def run(report, median_ms) -> None:
    from django.db import connection
    from django.test import Client

    from taizhang.bench import paired_median_ms
    from taizhang.orgs.models import Unit, User
    from taizhang.supervision.queries import (
        GRID_PAGE_SIZE,
        gap_count,
        grid,
        grid_ids,
        grid_rows,
        grid_units,
        subtree_depth,
    )

    campaign = _build()
    root = Unit.objects.get(name="基准集团", parent=None)
    office = User.objects.get(username="office")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(office)
    subtree = root.path + "%"
    depth = max(Unit.objects.filter(path__startswith=root.path).values_list("depth", flat=True))
    open_where = (
        "FROM ledger_item i WHERE i.campaign_id = %s AND i.owner_unit_id = u.id "
        "AND i.status IN ('not_started', 'in_progress', 'completed')"
    )
    open_sql = "SELECT 1 " + open_where
    # The unit's and its ancestors' paths are its path's prefixes, as many as the subtree is deep: like the
    # loader, the bare SQL asks the depth before it counts the gaps (any tree, not this one's known depth).
    depth_sql = "SELECT MAX(u.depth) FROM orgs_unit u WHERE u.is_active AND u.path LIKE %s"
    lines = ", ".join(f"substr(u.path, 1, {7 * (level + 1)})" for level in range(depth + 1))
    first_sql = (
        "SELECT 1 FROM supervision_assignment a JOIN orgs_unit au ON au.id = a.unit_id WHERE a.campaign_id = %s "
        "AND a.kind = 'first' AND a.ended_at IS NULL AND a.key_task_id IS NULL AND a.item_id IS NULL "
        f"AND au.path IN ({lines})"
    )
    gap_sql = f"(EXISTS ({open_sql}) AND NOT EXISTS ({first_sql}))"
    holders_sql = (
        "SELECT a.id, a.kind, a.unit_id, a.holder_unit_id, a.holder_user_id, a.holder_title, a.holder_name, "
        "hu.short_name, hu.name, u.name, u.username FROM supervision_assignment a "
        "LEFT JOIN orgs_unit hu ON hu.id = a.holder_unit_id LEFT JOIN orgs_user u ON u.id = a.holder_user_id "
        "WHERE a.campaign_id = %s AND a.ended_at IS NULL AND a.key_task_id IS NULL AND a.item_id IS NULL "
    )

    def bare_page() -> None:
        """The page's figures as one would write them by hand: the subtree's size, the page's 50 ids, their
        units with open items and gap, the assignments on their lines, the subtree's gaps."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM orgs_unit u WHERE u.is_active AND u.path LIKE %s", [subtree])
            cursor.fetchall()
            cursor.execute(
                "SELECT u.id FROM orgs_unit u WHERE u.is_active AND u.path LIKE %s ORDER BY u.path LIMIT %s",
                [subtree, GRID_PAGE_SIZE],
            )
            page = [row[0] for row in cursor.fetchall()]
            cursor.execute(
                "SELECT u.id, u.name, u.short_name, u.depth, u.path, u.parent_id, "
                f"(SELECT COUNT(*) {open_where}), {gap_sql} FROM orgs_unit u "
                f"WHERE u.id IN ({', '.join(['%s'] * len(page))}) ORDER BY u.path",
                [campaign.pk, campaign.pk, campaign.pk, *page],
            )
            ids = {int(part) for row in cursor.fetchall() for part in row[4].split(".") if part}
            cursor.execute(
                holders_sql + f"AND a.unit_id IN ({', '.join(['%s'] * len(ids))}) ORDER BY a.id", [campaign.pk, *ids]
            )
            cursor.fetchall()
            cursor.execute(depth_sql, [subtree])
            cursor.fetchall()
            cursor.execute(
                f"SELECT COUNT(*) FROM orgs_unit u WHERE u.is_active AND u.path LIKE %s AND {gap_sql}",
                [subtree, campaign.pk, campaign.pk],
            )
            cursor.fetchall()

    def page_rows() -> None:
        """What the page reads (supervision.views.responsibility_grid): the subtree's size and depth, a page of
        ids, their rows, the gap count."""
        ids = grid_ids(campaign, root=root)
        ids.count()
        deepest = subtree_depth(root)
        grid_rows(campaign, grid_units(campaign, ids=list(ids[:GRID_PAGE_SIZE]), depth=deepest))
        gap_count(campaign, root=root, depth=deepest)

    def bare_all() -> None:
        with connection.cursor() as cursor:
            cursor.execute(depth_sql, [subtree])
            cursor.fetchall()
            cursor.execute(
                f"SELECT u.id, u.name, u.short_name, u.depth, u.path, u.parent_id, "
                f"(SELECT COUNT(*) {open_where}), {gap_sql} FROM orgs_unit u "
                "WHERE u.is_active AND u.path LIKE %s ORDER BY u.path",
                [campaign.pk, campaign.pk, campaign.pk, subtree],
            )
            cursor.fetchall()
            cursor.execute(holders_sql + "ORDER BY a.id", [campaign.pk])
            cursor.fetchall()

    rows = grid(campaign, root=root)
    assert len(rows) >= 2000
    gaps = sum(row.gap for row in rows)
    assert gaps == gap_count(campaign, root=root)
    ours, theirs = paired_median_ms(page_rows, bare_page, repeat=9)
    report(
        f"responsibility grid rows (a page of 50 of 2,000 units, 20,000 items, ~2,500 assignments, {gaps} gaps) "
        "vs its bare SQL",
        ours,
        theirs,
    )
    url = f"/c/{campaign.slug}/responsibilities/?under={root.pk}"
    assert client.get(url).status_code == 200
    ours, theirs = paired_median_ms(lambda: client.get(url), bare_page, repeat=7)
    report("responsibility grid page (50 of 2,000 units) vs the same bare SQL", ours, theirs)
    ours, theirs = paired_median_ms(lambda: grid(campaign, root=root), bare_all, repeat=5)
    report("responsibility grid, all 2,000 units (what the xlsx and docx read) vs its bare SQL", ours, theirs)
