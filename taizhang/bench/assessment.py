"""Assessment benchmarks (``python -m taizhang.bench assessment``).

The 100,000-item bench campaign (``bench100k``, built by the dashboards bench and reused) over its 2,000-unit
tree, scored with a 20-item scheme for the subsidiaries (about 1,980 units) over the year so far:

- scoring every unit (the rules' reads, the unit and item scores, the facts behind every point, the
  ranking) against the bare SQL that reads the same facts plus the raw insert (``executemany`` on SQLite,
  ``COPY`` on PostgreSQL) of the same result rows: unit scores, item scores, and the facts (one row per
  unit and item, as stored);
- one unit's breakdown page against the bare SQL of its rows.
"""

import json
import time

SCHEME_NAME = "基准考核细则（20项）"
# 20 items of 5 points: every automatic rule the bench data feeds, some twice with other parameters.
ITEMS = [
    ("on_time", {"per": 1}),
    ("on_time", {"per": "0.5"}),
    ("on_time", {"per": 2}),
    ("overdue", {"per": 1, "partner_percent": 50}),
    ("overdue", {"per": "0.5", "partner_percent": 0}),
    ("overdue", {"per": 2, "partner_percent": 100}),
    ("red_weeks", {"per": 1}),
    ("red_weeks", {"per": "0.5"}),
    ("report_rate", {"low": 60, "high": 100}),
    ("reports_missed", {"per_missed": 1, "per_returned": "0.5"}),
    ("chase", {"per_notice": 1, "per_late": 1}),
    ("chase", {"per_notice": "0.5", "per_late": 2}),
    ("satisfaction", {"low": 70, "high": 95}),
    ("practices", {"per": 1}),
    ("study", {}),
    ("manual", {}),
    ("manual", {}),
    ("manual", {}),
    ("manual", {}),
    ("manual", {}),
]


def _scheme(campaign, actor):
    from taizhang.assessment import actions
    from taizhang.assessment.models import AssessmentScheme

    scheme = AssessmentScheme.objects.filter(campaign=campaign, name=SCHEME_NAME).first()
    if scheme is not None:
        return scheme
    scheme = actions.create_scheme(
        campaign, data={"unit_kind": "subsidiary", "name": SCHEME_NAME, "total": 100}, acting_user=actor
    )
    sections = [actions.add_section(scheme, title=f"第{n + 1}部分", acting_user=actor) for n in range(4)]
    for n, (kind, params) in enumerate(ITEMS):
        actions.add_item(
            sections[n // 5],
            data={"title": f"考核项{n + 1:02d}", "points": 5, "kind": kind, "params": params},
            acting_user=actor,
        )
    return scheme


def _bare(run, unit_ids_sql: str):
    """The facts the rules read, straight from SQL: one statement per rule kind (repeated kinds read once each)."""
    from django.db import connection

    from taizhang.assessment.rules import Context

    ctx = Context(
        campaign=run.campaign, unit_ids=set(), starts_on=run.starts_on, ends_on=run.ends_on, cutoff=run.cutoff
    )
    start, last = ctx.starts_on.isoformat(), ctx.last_day.isoformat()
    c = run.campaign.pk
    statements = [
        # on time
        (
            f"SELECT i.owner_unit_id, i.id, i.code, i.title FROM ledger_item i WHERE i.campaign_id = %s AND "
            f"i.owner_unit_id IN ({unit_ids_sql}) AND i.status IN ('completed','closed') AND i.completed_on >= %s AND "
            f"i.completed_on <= %s AND i.due IS NOT NULL AND i.completed_on <= i.due",
            [c, start, last],
        ),
        # overdue, owners then partners
        (
            f"SELECT i.owner_unit_id, i.id, i.code, i.title FROM ledger_item i WHERE i.campaign_id = %s AND "
            f"i.owner_unit_id IN ({unit_ids_sql}) AND i.due >= %s AND i.due < %s AND i.status <> 'withdrawn' AND "
            f"(i.completed_on IS NULL OR i.completed_on > i.due)",
            [c, start, last],
        ),
        (
            f"SELECT p.unit_id, i.id, i.code, i.title FROM ledger_item_partner_units p JOIN ledger_item i ON "
            f"i.id = p.item_id WHERE i.campaign_id = %s AND p.unit_id IN ({unit_ids_sql}) AND i.due >= %s AND "
            f"i.due < %s AND i.status <> 'withdrawn' AND (i.completed_on IS NULL OR i.completed_on > i.due)",
            [c, start, last],
        ),
        # red weeks
        (
            f"SELECT t.unit_id, t.week, t.count FROM ledger_lighttally t WHERE t.campaign_id = %s AND "
            f"t.unit_id IN ({unit_ids_sql}) AND t.week >= %s AND t.week <= %s AND t.light = 'red' AND t.count > 0",
            [c, start, last],
        ),
        # reports (periods, then the units' reports)
        ("SELECT id, label FROM reporting_reportingperiod WHERE campaign_id = %s AND kind = 'weekly'", [c]),
        (
            "SELECT r.unit_id, r.period_id, r.status, r.is_late FROM reporting_unitreport r JOIN "
            "reporting_reportingperiod p ON p.id = r.period_id WHERE p.campaign_id = %s",
            [c],
        ),
        ("SELECT n.unit_id, n.id, n.number FROM supervision_chasenotice n WHERE n.campaign_id = %s", [c]),
        (
            "SELECT i.owner_unit_id, r.item_id, r.value, COUNT(*) FROM people_rating r JOIN ledger_item i ON "
            "i.id = r.item_id WHERE i.campaign_id = %s GROUP BY 1, 2, 3",
            [c],
        ),
        ("SELECT unit_id, id, title FROM bulletins_practice WHERE campaign_id = %s AND status = 'published'", [c]),
        ("SELECT unit_id, id FROM study_activity WHERE campaign_id = %s AND state = 'held'", [c]),
        ("SELECT unit_id, SUM(planned) FROM study_activityplan WHERE campaign_id = %s GROUP BY 1", [c]),
    ]

    def run_sql():
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                cursor.fetchall()

    return run_sql


def _raw_insert(run, fresh_run):
    """The same result rows as ``run``'s, inserted raw under a new run (rolled back): unit scores with their
    rank and grade, item scores, facts (their JSON as stored). Read before the clock starts."""
    from django.db import connection, transaction

    from taizhang.assessment.models import ItemFacts, ItemScore, UnitScore
    from taizhang.lib.rows import insert_tuples

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT unit_id, total, automatic, rank, grade FROM assessment_unitscore WHERE run_id = %s", [run.pk]
        )
        units = cursor.fetchall()
        cursor.execute(
            "SELECT u.unit_id, s.scheme_item_id, s.computed, s.points, s.facts FROM assessment_itemscore s "
            "JOIN assessment_unitscore u ON u.id = s.unit_score_id WHERE u.run_id = %s",
            [run.pk],
        )
        items = cursor.fetchall()
        cursor.execute("SELECT unit_id, scheme_item_id, rows FROM assessment_itemfacts WHERE run_id = %s", [run.pk])
        facts = [(u, i, r if isinstance(r, str) else json.dumps(r)) for u, i, r in cursor.fetchall()]

    def insert():
        with transaction.atomic():
            new = fresh_run()
            insert_tuples(
                UnitScore, ["run", "unit", "total", "automatic", "rank", "grade"], [(new.pk, *u) for u in units]
            )
            with connection.cursor() as cursor:
                cursor.execute("SELECT unit_id, id FROM assessment_unitscore WHERE run_id = %s", [new.pk])
                score_of = dict(cursor.fetchall())
            insert_tuples(
                ItemScore,
                [
                    "unit_score",
                    "scheme_item",
                    "computed",
                    "points",
                    "facts",
                    "manual_reason",
                    "manual_evidence",
                    "adjusted",
                    "version",
                ],
                [(score_of[u], i, c, p, f, "", "", 0, 1) for u, i, c, p, f in items],
            )
            insert_tuples(ItemFacts, ["run", "unit", "scheme_item", "rows"], [(new.pk, *f) for f in facts])
            transaction.set_rollback(True)

    return insert


def run(report, median_ms) -> None:
    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone

    from taizhang.assessment import scoring
    from taizhang.assessment.models import ItemFacts, ItemScore, ScoringRun, UnitScore
    from taizhang.bench import paired_median_ms
    from taizhang.bench.dashboards import _campaign
    from taizhang.orgs.actions import system_actor
    from taizhang.orgs.models import Role, RoleGrant, Unit, User

    today = timezone.localdate()
    started = time.perf_counter()
    campaign = _campaign(today)
    print(f"# assessment: bench campaign ready after {time.perf_counter() - started:.0f} s", flush=True)
    actor = system_actor("bench")
    scheme = _scheme(campaign, actor)
    run_row = ScoringRun.objects.filter(scheme=scheme).first()
    if run_row is None:
        from taizhang.assessment import actions

        run_row = actions.start_run(
            scheme, label="基准全年", starts_on=campaign.starts_on, ends_on=today, acting_user=actor
        )
        # start_run queued the job on commit; the bench computes it itself, below.
        ScoringRun.objects.filter(pk=run_row.pk).update(status=ScoringRun.Status.DONE)
    run_row = ScoringRun.objects.select_related("scheme", "campaign").get(pk=run_row.pk)
    if not UnitScore.objects.filter(run=run_row).exists():
        with transaction.atomic():
            scoring.write(run_row)
    units = len(scoring.run_units(run_row))

    def fresh_run():
        fresh = ScoringRun.objects.create(
            campaign=campaign,
            scheme=scheme,
            label="基准",
            starts_on=run_row.starts_on,
            ends_on=run_row.ends_on,
            cutoff=run_row.cutoff,
            status=ScoringRun.Status.RUNNING,
        )
        return ScoringRun.objects.select_related("scheme", "campaign").get(pk=fresh.pk)

    def ours():
        """A fresh run each time (computed as the background job does), rolled back after."""
        with transaction.atomic():
            scoring.write(fresh_run())
            transaction.set_rollback(True)

    print(
        f"# assessment: {units} units, {ItemScore.objects.filter(unit_score__run=run_row).count()} item scores, "
        f"{sum(len(r) for r in ItemFacts.objects.filter(run=run_row).values_list('rows', flat=True))} facts in "
        f"{ItemFacts.objects.filter(run=run_row).count()} rows",
        flush=True,
    )
    subsidiaries = "SELECT id FROM orgs_unit WHERE kind = 'subsidiary' AND is_active"
    read = _bare(run_row, subsidiaries)
    insert = _raw_insert(run_row, fresh_run)

    def bare():
        read()
        insert()

    # Turn about (a shared machine slows down and speeds up under both sides alike).
    ms, base = paired_median_ms(ours, bare, repeat=3)
    report(f"score {units} units × 20 items ({connection.vendor})", ms, base)

    office = User.objects.get(username="office")
    RoleGrant.objects.get_or_create(user=office, campaign=campaign, role=Role.OFFICE, defaults={"unit": None})
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(office)
    score = UnitScore.objects.filter(run=run_row).order_by("-automatic").first()
    unit = Unit.objects.get(pk=score.unit_id)
    url = f"/c/{campaign.slug}/assessment/runs/{run_row.pk}/units/{unit.pk}/"
    assert client.get(url).status_code == 200

    # The page's bare SQL: the very SELECTs the page runs (session, user, campaign, grants, the run, the unit's
    # score and its item scores), replayed through a plain cursor, without Django's models or templates.
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    selects = [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    print(f"# assessment: the breakdown page runs {len(selects)} SELECTs", flush=True)

    def bare_page():
        with connection.cursor() as cursor:
            for sql in selects:
                cursor.execute(sql)
                cursor.fetchall()

    page, bare = paired_median_ms(lambda: client.get(url), bare_page)
    report("unit breakdown page", page, bare)
