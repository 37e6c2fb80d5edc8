"""Inspection benchmarks (``python -m taizhang.bench inspections``).

2,000 units (the shared bench tree), one item each, 20,000 findings of one team's inspections spread over
them in every state. Measured: the inspector's findings page (his team's findings, 50 a page, with their
count) and a regional company's liaison's page (the findings of its subtree, about 1,000), each against
the bare SQL of the same rows: the page's ids, its 50 rows with their unit, item and team, and the count.
The data is written in bulk (20,000 findings through the action would relight 20,000 items one by one);
what is measured is the reading.
"""

import datetime
import os

SLUG = "bench-inspections"
FINDINGS = int(os.environ.get("BENCH_FINDINGS", "20000"))
BATCH = 5000
STATES = ["open", "open", "answered", "returned", "verified"]


def _build():
    from django.db import connection, transaction

    from taizhang.bench.dashboards import make_units
    from taizhang.campaigns.models import Campaign
    from taizhang.inspections.models import Finding, Inspection, InspectionTeam
    from taizhang.ledger.models import Item
    from taizhang.orgs.models import Role, RoleGrant, Unit, User

    campaign = Campaign.objects.filter(slug=SLUG).first()
    if campaign is not None and Finding.objects.filter(campaign=campaign).exists():
        return campaign
    with transaction.atomic():
        campaign = Campaign.objects.create(
            slug=SLUG, name="督导检查基准", starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 12, 31)
        )
        below = make_units()
        root = Unit.objects.get(name="基准集团", parent=None)
        units = [root, *below]
        inspector, _ = User.objects.get_or_create(username="bench-inspector", defaults={"name": "基准督导"})
        liaison, _ = User.objects.get_or_create(username="bench-liaison", defaults={"name": "基准联络员"})
        top = next(u for u in below if u.depth == 1)
        RoleGrant.objects.get_or_create(user=inspector, campaign=campaign, role=Role.INSPECTOR, unit=None)
        RoleGrant.objects.get_or_create(user=liaison, campaign=campaign, role=Role.LIAISON, unit=top)
        category = campaign.categories.first()
        Item.objects.bulk_create(
            [
                Item(campaign=campaign, owner_unit=u, code=f"XC-{n:05d}", title=f"基准事项{n}", category=category)
                for n, u in enumerate(units)
            ],
            batch_size=BATCH,
        )
        items = dict(Item.objects.filter(campaign=campaign).values_list("owner_unit_id", "pk"))
        team = InspectionTeam.objects.create(campaign=campaign, name="基准督导组", leader=inspector)
        team.members.set([inspector])
        team.units.set([root])
        on = datetime.date(2026, 5, 1)
        inspections = Inspection.objects.bulk_create(
            [
                Inspection(
                    campaign=campaign,
                    team=team,
                    unit=u,
                    starts_on=on,
                    ends_on=on,
                    methods=["ledger"],
                    recorded_by=inspector,
                )
                for u in units
            ],
            batch_size=BATCH,
        )
        rows = []
        for n in range(FINDINGS):
            inspection = inspections[n % len(inspections)]
            unit = units[n % len(units)]
            rows.append(
                Finding(
                    campaign=campaign,
                    unit=unit,
                    item_id=items[unit.pk] if n % 2 else None,
                    inspection=inspection,
                    category=Finding.Category.values[n % 5],
                    severity=Finding.Severity.values[n % 3],
                    description=f"基准问题{n}：台账记录不全",
                    required="补齐台账并说明情况",
                    found_on=on,
                    deadline=on + datetime.timedelta(days=n % 90),
                    responsible="王明",
                    state=STATES[n % len(STATES)],
                )
            )
        Finding.objects.bulk_create(rows, batch_size=BATCH)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return campaign


def run(report, median_ms) -> None:
    from django.db import connection
    from django.test import Client

    from taizhang.bench import paired_median_ms
    from taizhang.orgs.models import RoleGrant, User

    campaign = _build()
    inspector = User.objects.get(username="bench-inspector")
    liaison = User.objects.get(username="bench-liaison")
    top = RoleGrant.objects.get(user=liaison, campaign=campaign).unit
    row_sql = (
        "SELECT f.id, f.description, f.category, f.severity, f.deadline, f.state, u.name, u.short_name, "
        "i.code, i.light, i.light_code, i.light_n, t.name FROM inspections_finding f "
        "JOIN orgs_unit u ON u.id = f.unit_id LEFT JOIN ledger_item i ON i.id = f.item_id "
        "JOIN inspections_inspection n ON n.id = f.inspection_id JOIN inspections_inspectionteam t ON t.id = n.team_id "
        "WHERE f.id IN ({})"
    )

    def bare(where: str, params: list) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT f.id FROM inspections_finding f {where} ORDER BY f.deadline, f.id LIMIT 1000", params
            )
            ids = [row[0] for row in cursor.fetchall()][:50]
            if len(ids) == 1000:
                cursor.execute(f"SELECT COUNT(*) FROM inspections_finding f {where}", params)
                cursor.fetchall()
            cursor.execute(row_sql.format(", ".join(["%s"] * len(ids))), ids)
            cursor.fetchall()

    cases = [
        (
            "inspector's findings page (his team's, 20,000 findings, 2,000 units)",
            inspector,
            "JOIN inspections_inspection n ON n.id = f.inspection_id WHERE f.campaign_id = %s AND n.team_id IN "
            "(SELECT t.id FROM inspections_inspectionteam t LEFT JOIN inspections_inspectionteam_members m "
            "ON m.inspectionteam_id = t.id WHERE t.campaign_id = %s AND (t.leader_id = %s OR m.user_id = %s))",
            [campaign.pk, campaign.pk, inspector.pk, inspector.pk],
        ),
        (
            "unit's findings page (a regional company's subtree)",
            liaison,
            "JOIN orgs_unit u ON u.id = f.unit_id WHERE f.campaign_id = %s AND u.path LIKE %s",
            [campaign.pk, top.path + "%"],
        ),
    ]
    url = f"/c/{campaign.slug}/findings/"
    for measure, user, where, params in cases:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        assert client.get(url).status_code == 200
        ours, theirs = paired_median_ms(lambda c=client: c.get(url), lambda w=where, p=params: bare(w, p), repeat=9)
        report(measure + " vs its bare SQL", ours, theirs)
