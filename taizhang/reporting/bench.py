"""Reporting benchmarks (``python -m taizhang.bench reporting``).

The completeness board for 2,000 units × 52 weekly periods, against the bare SQL aggregate that
computes the same per-unit counts.
"""

import datetime
import random

SLUG = "bench-reporting"
UNITS = 2000


def _build():
    from django.db import transaction

    from taizhang.campaigns.models import Campaign
    from taizhang.ledger.models import Item
    from taizhang.orgs.models import Unit, User
    from taizhang.reporting.models import ReportingPeriod, UnitReport
    from taizhang.reporting.periods import TZ, generate_periods

    campaign = Campaign.objects.filter(slug=SLUG).first()
    if campaign is not None and UnitReport.objects.filter(period__campaign=campaign).exists():
        return campaign
    with transaction.atomic():
        campaign = Campaign.objects.create(
            slug=SLUG, name="报送基准", starts_on=datetime.date(2025, 1, 1), ends_on=datetime.date(2025, 12, 26)
        )
        root = Unit.objects.create(name="基准集团", kind=Unit.Kind.GROUP)
        root.refresh_derived()
        root.save()
        regions = []
        for r in range(20):
            region = Unit.objects.create(name=f"基准区域{r:02d}", kind=Unit.Kind.REGIONAL, parent=root)
            region.refresh_derived()
            region.save()
            regions.append(region)
        leaves = Unit.objects.bulk_create(
            [Unit(name=f"基准单位{n:04d}", kind=Unit.Kind.SUBUNIT, parent=regions[n % 20]) for n in range(UNITS - 21)]
        )
        for leaf in leaves:
            leaf.parent = regions[[r.pk for r in regions].index(leaf.parent_id)]
            leaf.refresh_derived()
        Unit.objects.bulk_update(leaves, ["path", "depth", "search_text"], batch_size=500)
        units = [root, *regions, *leaves]
        Item.objects.bulk_create(
            [
                Item(campaign=campaign, code=f"B-{n:05d}", title=f"基准事项{n}", owner_unit=u)
                for n, u in enumerate(units)
            ],
            batch_size=500,
        )
        generate_periods(campaign, now=datetime.datetime(2025, 1, 1, tzinfo=TZ))
        periods = list(ReportingPeriod.objects.filter(campaign=campaign, kind="weekly").order_by("starts_on"))
        user = User.objects.filter(is_superuser=True).first() or User.objects.first()
        rng = random.Random(4)
        reports = []
        for unit in units:
            for period in periods:
                roll = rng.random()
                if roll < 0.1:
                    continue  # missing
                late = roll > 0.85
                status = UnitReport.Status.RETURNED if roll < 0.13 else UnitReport.Status.ACCEPTED
                at = period.due_at + datetime.timedelta(hours=30 if late else -3)
                reports.append(
                    UnitReport(
                        period=period, unit=unit, status=status, is_late=late, submitted_at=at, submitted_by=user
                    )
                )
        UnitReport.objects.bulk_create(reports, batch_size=2000)
    return campaign


def run(report, median_ms) -> None:
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from taizhang.orgs.models import User
    from taizhang.reporting.models import ReportingPeriod, UnitReport
    from taizhang.reporting.queries import board

    campaign = _build()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics after the bulk load, as `PRAGMA optimize` keeps them
    periods = list(ReportingPeriod.objects.filter(campaign=campaign, kind="weekly").order_by("starts_on"))
    print(
        f"# reporting: {len({p.unit_id for p in UnitReport.objects.filter(period=periods[0]).only('unit_id')})}+ units, "
        f"{len(periods)} weekly periods, {UnitReport.objects.filter(period__campaign=campaign).count()} reports",
        flush=True,
    )
    start, end = periods[0].starts_on, periods[-1].ends_on
    due = [p.pk for p in periods if p.due_at <= timezone.now()]
    placeholders = ", ".join(["%s"] * len(due))

    def bare_aggregate() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT unit_id, "
                "SUM(CASE WHEN status IN ('submitted', 'accepted') AND NOT is_late THEN 1 ELSE 0 END), "
                "SUM(CASE WHEN status IN ('submitted', 'accepted') AND is_late THEN 1 ELSE 0 END), "
                "SUM(CASE WHEN status = 'returned' THEN 1 ELSE 0 END) "
                f"FROM reporting_unitreport WHERE period_id IN ({placeholders}) GROUP BY unit_id",
                due,
            )
            cursor.fetchall()

    office = User.objects.get(username="office")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(office)
    url = f"/c/{campaign.slug}/reports/board/"
    query = {"kind": "weekly", "start": start.isoformat(), "end": end.isoformat()}
    baseline = median_ms(bare_aggregate)
    report(
        "completeness board rates, 2000 units × 52 weeks (board())",
        median_ms(lambda: board(campaign, start=start, end=end, limit=0)),
        baseline,
    )
    report(
        "completeness board page, 2000 units × 52 weeks (100 rows shown)",
        median_ms(lambda: client.get(url, query)),
        baseline,
    )
