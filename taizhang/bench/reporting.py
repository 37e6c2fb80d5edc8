"""Reporting benchmarks (``python -m taizhang.bench reporting``).

The completeness board for 2,000 units × 52 weekly periods, against the bare SQL aggregate that
computes the same per-unit counts; the monthly digest (figures, .docx, PDF) for 100,000 items,
against the bare per-unit aggregate over the items.
"""

import datetime
import random

SLUG = "bench-reporting"
UNITS = 2000


def _build():
    from django.db import transaction

    from taizhang.bench.dashboards import make_units
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
        # The same 2,000-unit tree as the dashboards' bench (one org, as in life).
        below = make_units()
        root = Unit.objects.filter(name="基准集团", parent=None).order_by("pk").first()
        units = [root, *below]
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
        "completeness board rates, 2000 units × 52 weeks (board()) against the per-unit aggregate",
        median_ms(lambda: board(campaign, start=start, end=end, limit=0)),
        baseline,
    )
    page_ms = median_ms(lambda: client.get(url, query))
    report("completeness board page (a page of 50 rows) against the per-unit aggregate alone", page_ms, baseline)
    first_page = [row.unit.pk for row in board(campaign, start=start, end=end, limit=50)["rows"]]
    unit_marks = ", ".join(["%s"] * len(first_page))
    period_marks = ", ".join(["%s"] * len(periods))
    open_statuses = "('not_started', 'in_progress', 'completed')"
    # Every active unit's ancestors, itself included: the roll-up, written the way plain SQL writes it.
    ancestry = (
        "WITH RECURSIVE up(unit_id, ancestor_id) AS ("
        " SELECT id, id FROM orgs_unit"
        " UNION ALL SELECT up.unit_id, u.parent_id FROM up JOIN orgs_unit u ON u.id = up.ancestor_id"
        " WHERE u.parent_id IS NOT NULL), "
        "expected(unit_id) AS ("
        f" SELECT owner_unit_id FROM ledger_item WHERE campaign_id = %s AND status IN {open_statuses}"
        " UNION SELECT unit_id FROM reporting_expectedunit WHERE campaign_id = %s), "
        "own(unit_id, on_time, late, returned) AS ("
        " SELECT r.unit_id,"
        " SUM(CASE WHEN r.status IN ('submitted', 'accepted') AND NOT r.is_late THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN r.status IN ('submitted', 'accepted') AND r.is_late THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN r.status = 'returned' THEN 1 ELSE 0 END)"
        f" FROM reporting_unitreport r WHERE r.period_id IN ({placeholders}) GROUP BY r.unit_id) "
        "SELECT up.ancestor_id, COUNT(*), SUM(COALESCE(own.on_time, 0)), SUM(COALESCE(own.late, 0)),"
        " SUM(COALESCE(own.returned, 0))"
        " FROM expected JOIN orgs_unit u ON u.id = expected.unit_id AND u.is_active"
        " JOIN up ON up.unit_id = expected.unit_id LEFT JOIN own ON own.unit_id = expected.unit_id"
        " GROUP BY up.ancestor_id"
    )

    def bare_board_sql() -> None:
        """The bare SQL behind everything the page shows: the counts of every unit rolled up the tree over the
        expected units, the units and periods, and the page's 50 × 52 cells."""
        with connection.cursor() as cursor:
            cursor.execute(ancestry, [campaign.pk, campaign.pk, *due])
            cursor.fetchall()
            cursor.execute("SELECT id, name, short_name, path, depth, parent_id, sort_order, is_active FROM orgs_unit")
            cursor.fetchall()
            cursor.execute(
                "SELECT id, label, starts_on, ends_on, due_at FROM reporting_reportingperiod "
                "WHERE campaign_id = %s AND kind = 'weekly' ORDER BY starts_on",
                [campaign.pk],
            )
            cursor.fetchall()
            cursor.execute(
                "SELECT unit_id, period_id, status, is_late FROM reporting_unitreport "
                f"WHERE unit_id IN ({unit_marks}) AND period_id IN ({period_marks})",
                [*first_page, *(p.pk for p in periods)],
            )
            cursor.fetchall()

    # The baseline must compute what the board computes: the same rolled-up counts for every row.
    with connection.cursor() as cursor:
        cursor.execute(ancestry, [campaign.pk, campaign.pk, *due])
        bare_counts = {row[0]: tuple(row[1:]) for row in cursor.fetchall()}
    shown = board(campaign, start=start, end=end, limit=10**6)["rows"]
    assert bare_counts == {
        row.unit.pk: (row.total.expected // len(due), row.total.on_time, row.total.late, row.total.returned)
        for row in shown
    }, "the bare SQL and the board disagree"
    from taizhang.bench import paired_median_ms

    report(
        "completeness board page against the bare SQL of the same counts (rolled up the tree, with units and cells)",
        *paired_median_ms(lambda: client.get(url, query), bare_board_sql),
    )
    run_digest(report, median_ms, campaign)


DIGEST_SLUG = "bench-digest"
DIGEST_ITEMS = 100_000


def _build_digest(units_campaign):
    from django.db import transaction

    from taizhang.campaigns.models import Campaign, Category
    from taizhang.ledger.models import Item, Light, Status
    from taizhang.orgs.models import Unit, User
    from taizhang.reporting.models import ReportingPeriod, UnitReport
    from taizhang.reporting.periods import TZ, generate_periods

    campaign = Campaign.objects.filter(slug=DIGEST_SLUG).first()
    if campaign is not None and Item.objects.filter(campaign=campaign).count() >= DIGEST_ITEMS:
        return campaign
    with transaction.atomic():
        if campaign is None:
            campaign = Campaign.objects.create(
                slug=DIGEST_SLUG,
                name="月报基准",
                starts_on=datetime.date(2025, 1, 1),
                ends_on=datetime.date(2025, 12, 31),
            )
        categories = [
            Category.objects.get_or_create(campaign=campaign, name=name, defaults={"order": n})[0]
            for n, name in enumerate(["服务基层", "关爱员工", "为军惠军", "助力乡村振兴", "支持合作伙伴"])
        ]
        unit_ids = list(
            Unit.objects.filter(items__campaign=units_campaign).values_list("id", flat=True).distinct().order_by("id")
        )
        rng = random.Random(7)
        lights = [Light.GREEN] * 6 + [Light.BLUE, Light.YELLOW, Light.YELLOW, Light.RED]
        items = []
        for n in range(DIGEST_ITEMS):
            percent = rng.choice([0, 10, 30, 50, 70, 90, 100])
            done = percent == 100
            due = datetime.date(2025, 1, 1) + datetime.timedelta(days=rng.randint(30, 360))
            items.append(
                Item(
                    campaign=campaign,
                    code=f"D-{n:06d}",
                    title=f"基准事项{n}",
                    owner_unit_id=unit_ids[n % len(unit_ids)],
                    category=categories[n % 5],
                    percent=percent,
                    status=Status.COMPLETED if done else (Status.IN_PROGRESS if percent else Status.NOT_STARTED),
                    completed_on=due - datetime.timedelta(days=rng.randint(-10, 20)) if done else None,
                    due=due,
                    light=Light.GREEN if done else rng.choice(lights),
                    owner=f"责任人{n % 300}",
                )
            )
        Item.objects.bulk_create(items, batch_size=2000)
        generate_periods(campaign, now=datetime.datetime(2025, 1, 1, tzinfo=TZ))
        user = User.objects.filter(is_superuser=True).first() or User.objects.first()
        month = ReportingPeriod.objects.get(campaign=campaign, kind="monthly", starts_on=datetime.date(2025, 6, 1))
        UnitReport.objects.bulk_create(
            [
                UnitReport(
                    period=month,
                    unit_id=unit_id,
                    status=UnitReport.Status.ACCEPTED,
                    submitted_at=month.due_at,
                    submitted_by=user,
                    results="完成阶段目标。",
                    practices="清单化推进。" if n % 3 == 0 else "",
                    problems="资金到位慢。" if n % 4 == 0 else "",
                    suggestions="建议统筹资金。" if n % 5 == 0 else "",
                )
                for n, unit_id in enumerate(unit_ids[:200])
            ]
        )
    return campaign


def run_digest(report, median_ms, units_campaign) -> None:
    from django.db import connection

    from taizhang.reporting import digest
    from taizhang.reporting.models import ReportingPeriod

    campaign = _build_digest(units_campaign)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    month = ReportingPeriod.objects.get(campaign=campaign, kind="monthly", starts_on=datetime.date(2025, 6, 1))

    def bare_aggregate() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT owner_unit_id, COUNT(*), SUM(CASE WHEN status IN ('completed', 'closed') THEN 1 ELSE 0 END), "
                "SUM(CASE WHEN completed_on BETWEEN %s AND %s THEN 1 ELSE 0 END), AVG(percent), "
                "SUM(CASE WHEN light = 'red' THEN 1 ELSE 0 END), SUM(CASE WHEN light = 'yellow' THEN 1 ELSE 0 END), "
                "SUM(CASE WHEN light = 'blue' THEN 1 ELSE 0 END) "
                "FROM ledger_item WHERE campaign_id = %s AND status <> 'withdrawn' GROUP BY owner_unit_id",
                [month.starts_on, month.ends_on, campaign.pk],
            )
            cursor.fetchall()

    baseline = median_ms(bare_aggregate, repeat=3)
    report(
        "monthly digest figures, 100,000 items",
        median_ms(lambda: digest.monthly_digest(month), repeat=3),
        baseline,
    )
    report(
        "monthly digest .docx, 100,000 items",
        median_ms(lambda: digest.monthly_digest_docx(digest.monthly_digest(month)), repeat=3),
        baseline,
    )
    report(
        "monthly digest PDF, 100,000 items",
        median_ms(lambda: digest.monthly_digest_pdf(digest.monthly_digest(month)), repeat=3),
        baseline,
    )
