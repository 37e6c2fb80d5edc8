"""Study benchmarks (``python -m taizhang.bench study``).

2,000 units (the shared bench tree), 200,000 members on their rosters, 50,000 activities and about
a million attendances: the participation page (rolled up the tree, 50 units a page) against the
bare SQL of the same three aggregates, and the quarterly plan page against its bare SQL.
"""

import datetime
import os
import random

SLUG = "bench-study"
MEMBERS_PER_UNIT = int(os.environ.get("BENCH_STUDY_MEMBERS", "100"))
ACTIVITIES_PER_UNIT = int(os.environ.get("BENCH_STUDY_ACTIVITIES", "25"))
BATCH = 5000


def _build():
    from django.db import connection, transaction

    from taizhang.bench.dashboards import make_units
    from taizhang.campaigns.models import Campaign
    from taizhang.orgs.models import Unit
    from taizhang.reporting.periods import TZ
    from taizhang.study.actions import activity_kinds
    from taizhang.study.models import Activity, ActivityPlan, Attendance, Member

    campaign = Campaign.objects.filter(slug=SLUG).first()
    if campaign is not None and Activity.objects.filter(campaign=campaign).exists():
        return campaign
    rng = random.Random(15)
    with transaction.atomic():
        campaign = Campaign.objects.create(
            slug=SLUG, name="学习教育基准", starts_on=datetime.date(2025, 1, 1), ends_on=datetime.date(2025, 12, 31)
        )
        below = make_units()
        units = [Unit.objects.get(name="基准集团", parent=None), *below]
        kinds = activity_kinds(campaign)
        Member.objects.filter(unit__in=below, phone__startswith="17").delete()
        members = [
            Member(unit=unit, name=f"学员{u:04d}{n:03d}", phone=f"17{u:04d}{n:05d}", is_party_member=n % 3 > 0)
            for u, unit in enumerate(units)
            for n in range(MEMBERS_PER_UNIT)
        ]
        Member.objects.bulk_create(members, batch_size=BATCH)
        by_unit: dict[int, list[int]] = {}
        for pk, unit_id in Member.objects.filter(phone__startswith="17").values_list("pk", "unit_id"):
            by_unit.setdefault(unit_id, []).append(pk)
        start = datetime.datetime(2025, 1, 6, 9, tzinfo=TZ)
        activities = []
        for unit in units:
            for n in range(ACTIVITIES_PER_UNIT):
                at = start + datetime.timedelta(days=rng.randint(0, 350))
                activities.append(
                    Activity(
                        campaign=campaign,
                        kind=kinds[n % len(kinds)],
                        title=f"基准活动{n}",
                        unit=unit,
                        starts_at=at,
                        ends_at=at + datetime.timedelta(hours=2),
                        state=Activity.State.HELD if n % 6 else Activity.State.PLANNED,
                        hours=2,
                        sign_in_token=f"b{unit.pk:06d}{n:04d}",
                    )
                )
        Activity.objects.bulk_create(activities, batch_size=BATCH)
        rows = Activity.objects.filter(campaign=campaign, state=Activity.State.HELD).values_list("pk", "unit_id")
        statuses = ["present"] * 8 + ["leave", "absent"]
        attendances = []
        for activity_id, unit_id in rows.iterator():
            for member_id in rng.sample(by_unit[unit_id], min(20, len(by_unit[unit_id]))):
                attendances.append(
                    Attendance(activity_id=activity_id, member_id=member_id, status=rng.choice(statuses))
                )
            if len(attendances) >= BATCH * 4:
                Attendance.objects.bulk_create(attendances, batch_size=BATCH)
                attendances = []
        Attendance.objects.bulk_create(attendances, batch_size=BATCH)
        ActivityPlan.objects.bulk_create(
            [
                ActivityPlan(campaign=campaign, unit=unit, kind=kind, quarter=datetime.date(2025, 4, 1), planned=2)
                for unit in units
                for kind in kinds[:4]
            ],
            batch_size=BATCH,
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return campaign


def run(report, median_ms) -> None:
    from django.db import connection
    from django.test import Client

    from taizhang.bench import paired_median_ms
    from taizhang.orgs.models import User

    campaign = _build()
    office = User.objects.get(username="office")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(office)
    params = [campaign.pk]

    def bare_participation() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, path, name, depth FROM orgs_unit WHERE is_active ORDER BY path")
            cursor.fetchall()
            cursor.execute("SELECT unit_id, COUNT(*) FROM study_member WHERE is_active GROUP BY unit_id")
            cursor.fetchall()
            cursor.execute(
                "SELECT m.unit_id, COUNT(DISTINCT a.member_id) FROM study_attendance a "
                "JOIN study_activity v ON v.id = a.activity_id JOIN study_member m ON m.id = a.member_id "
                "WHERE v.campaign_id = %s AND v.state = 'held' AND a.status = 'present' AND m.is_active "
                "GROUP BY m.unit_id",
                params,
            )
            cursor.fetchall()
            cursor.execute(
                "SELECT unit_id, state, COUNT(*) FROM study_activity WHERE campaign_id = %s GROUP BY unit_id, state",
                params,
            )
            cursor.fetchall()

    url = f"/c/{campaign.slug}/study/participation/"
    assert client.get(url).status_code == 200
    ours, theirs = paired_median_ms(lambda: client.get(url), bare_participation, repeat=7)
    report("study participation page (2,000 units, ~1M attendances) vs its bare SQL", ours, theirs)

    plan_url = f"/c/{campaign.slug}/study/plan/?quarter=2025Q2"

    def bare_plan() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT p.unit_id, p.kind_id, p.planned, u.name, u.path FROM study_activityplan p "
                "JOIN orgs_unit u ON u.id = p.unit_id WHERE p.campaign_id = %s AND p.quarter = %s",
                [campaign.pk, datetime.date(2025, 4, 1)],
            )
            cursor.fetchall()
            cursor.execute(
                "SELECT unit_id, kind_id, COUNT(*) FROM study_activity WHERE campaign_id = %s AND state = 'held' "
                "AND starts_at >= %s AND starts_at < %s GROUP BY unit_id, kind_id",
                [
                    campaign.pk,
                    datetime.datetime(2025, 3, 31, 16, tzinfo=datetime.UTC),
                    datetime.datetime(2025, 6, 30, 16, tzinfo=datetime.UTC),
                ],
            )
            cursor.fetchall()

    assert client.get(plan_url).status_code == 200
    ours, theirs = paired_median_ms(lambda: client.get(plan_url), bare_plan, repeat=7)
    report("study quarterly plan page (2,000 units × 4 kinds) vs its bare SQL", ours, theirs)
