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
    from taizhang.supervision.queries import grid

    campaign = _build()
    root = Unit.objects.get(name="基准集团", parent=None)
    office = User.objects.get(username="office")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(office)

    def bare_grid() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, name, short_name, depth, path FROM orgs_unit WHERE is_active AND path LIKE %s ORDER BY path",
                [root.path + "%"],
            )
            cursor.fetchall()
            cursor.execute(
                "SELECT a.id, a.kind, a.unit_id, a.holder_unit_id, a.holder_user_id, a.holder_title, a.holder_name, "
                "hu.short_name, hu.name, u.name, u.username FROM supervision_assignment a "
                "LEFT JOIN orgs_unit hu ON hu.id = a.holder_unit_id LEFT JOIN orgs_user u ON u.id = a.holder_user_id "
                "WHERE a.campaign_id = %s AND a.ended_at IS NULL AND a.key_task_id IS NULL AND a.item_id IS NULL "
                "ORDER BY a.id",
                [campaign.pk],
            )
            cursor.fetchall()
            cursor.execute(
                "SELECT i.owner_unit_id, COUNT(*) FROM ledger_item i JOIN orgs_unit u ON u.id = i.owner_unit_id "
                "WHERE i.campaign_id = %s AND i.status IN ('not_started', 'in_progress', 'completed') "
                "AND u.path LIKE %s GROUP BY i.owner_unit_id",
                [campaign.pk, root.path + "%"],
            )
            cursor.fetchall()

    rows = grid(campaign, root=root)
    assert len(rows) >= 2000
    ours, theirs = paired_median_ms(lambda: grid(campaign, root=root), bare_grid, repeat=9)
    gaps = sum(row.gap for row in rows)
    report(
        f"responsibility grid rows (2,000 units, 20,000 items, ~2,500 assignments, {gaps} gaps) vs its bare SQL",
        ours,
        theirs,
    )
    url = f"/c/{campaign.slug}/responsibilities/?under={root.pk}"
    assert client.get(url).status_code == 200
    ours, theirs = paired_median_ms(lambda: client.get(url), bare_grid, repeat=7)
    report("responsibility grid page (50 of 2,000 units) vs the same bare SQL", ours, theirs)
