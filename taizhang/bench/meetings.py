"""Meetings benchmark (``python -m taizhang.bench meetings``): the agenda builder on 100,000 items.

On the dashboards' 100,000-item campaign (``bench100k``, 2,000 units) with a year of weekly periods,
eight weeks of weekly reports from most units and monthly reports with good practice, a quarterly
review meeting's agenda is built: the quarterly pack's figures, lagging units by reporting rate, red
and overdue items, earlier decisions, highlights. Measured against the bare SQL of the same figures
(the same aggregates and top-N reads, written by hand); the target is under one second.
"""

import datetime
import random

from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

TOP = 10


def _prepare(campaign):
    """Periods, reports and a quarterly review meeting, made once per bench database."""
    from taizhang.meetings import actions
    from taizhang.meetings.models import Meeting
    from taizhang.orgs.actions import system_actor
    from taizhang.orgs.models import Unit, User
    from taizhang.reporting.models import ReportingPeriod, UnitReport
    from taizhang.reporting.periods import generate_periods

    now = timezone.now()
    generate_periods(campaign, now=datetime.datetime(campaign.starts_on.year, 1, 1, tzinfo=datetime.UTC))
    weekly = list(
        ReportingPeriod.objects.filter(campaign=campaign, kind="weekly", due_at__lte=now).order_by("-starts_on")[:8]
    )
    if not UnitReport.objects.filter(period__in=weekly).exists():
        user = User.objects.filter(is_superuser=True).first() or User.objects.first()
        units = list(
            Unit.objects.filter(items__campaign=campaign).values_list("id", flat=True).distinct().order_by("id")
        )
        rng = random.Random(12)
        rows = [
            UnitReport(
                period=p,
                unit_id=u,
                status=UnitReport.Status.ACCEPTED,
                is_late=rng.random() < 0.1,
                submitted_at=p.due_at,
                submitted_by=user,
            )
            for p in weekly
            for u in units
            if rng.random() < 0.85
        ]
        months = ReportingPeriod.objects.filter(campaign=campaign, kind="monthly", due_at__lte=now).order_by(
            "-starts_on"
        )[:3]
        rows += [
            UnitReport(
                period=m,
                unit_id=u,
                status=UnitReport.Status.ACCEPTED,
                submitted_at=m.due_at,
                submitted_by=user,
                practices="清单化推进，挂图作战。" if n % 4 == 0 else "",
            )
            for m in months
            for n, u in enumerate(units)
        ]
        with transaction.atomic():
            UnitReport.objects.bulk_create(rows, batch_size=2000)
    meeting = Meeting.objects.filter(campaign=campaign, title="基准季度讲评会诊").first()
    if meeting is None:
        meeting = actions.create_meeting(
            campaign,
            data={"kind": Meeting.Kind.QUARTERLY_REVIEW, "title": "基准季度讲评会诊", "starts_at": now},
            acting_user=system_actor("bench"),
        )
    return meeting


def _bare(campaign, meeting, quarter, start, end, on):
    """The same figures in hand-written SQL: expected units and their reports, red/overdue items (count and
    top N), highlights (count and top N), earlier decisions, and the quarterly pack's per-unit aggregates."""
    weekly = "SELECT id FROM reporting_reportingperiod WHERE campaign_id = %s AND kind = 'weekly' AND ends_on >= %s AND starts_on <= %s AND due_at <= %s"
    open_statuses = "('not_started', 'in_progress', 'completed')"
    undone = "('not_started', 'in_progress')"

    def run():
        with connection.cursor() as c:
            c.execute(
                f"SELECT DISTINCT owner_unit_id FROM ledger_item WHERE campaign_id = %s AND status IN {open_statuses}",
                [campaign.pk],
            )
            c.fetchall()
            c.execute(
                "SELECT unit_id, SUM(CASE WHEN status IN ('submitted','accepted') AND NOT is_late THEN 1 ELSE 0 END), "
                "SUM(CASE WHEN status IN ('submitted','accepted') AND is_late THEN 1 ELSE 0 END), "
                "SUM(CASE WHEN status = 'returned' THEN 1 ELSE 0 END) FROM reporting_unitreport "
                f"WHERE period_id IN ({weekly}) GROUP BY unit_id",
                [campaign.pk, start, end, timezone.now()],
            )
            c.fetchall()
            red = (
                f"FROM ledger_item i WHERE i.campaign_id = %s AND i.status IN {undone} "
                "AND (i.light = 'red' OR i.due < %s)"
            )
            c.execute(f"SELECT COUNT(*), SUM(CASE WHEN i.due < %s THEN 1 ELSE 0 END) {red}", [on, campaign.pk, on])
            c.fetchall()
            c.execute(
                f"SELECT i.id, i.code, i.title, i.due, i.percent, u.name {red.replace('FROM ledger_item i', 'FROM ledger_item i JOIN orgs_unit u ON u.id = i.owner_unit_id')} "
                "ORDER BY i.due, i.code LIMIT %s",
                [campaign.pk, on, TOP],
            )
            c.fetchall()
            highlights = (
                "FROM reporting_unitreport r JOIN reporting_reportingperiod p ON p.id = r.period_id "
                "WHERE p.campaign_id = %s AND p.kind = 'monthly' AND p.starts_on <= %s AND p.ends_on >= %s "
                "AND r.status IN ('submitted','accepted') AND r.practices <> ''"
            )
            c.execute(f"SELECT COUNT(*) {highlights}", [campaign.pk, end, start])
            c.fetchall()
            c.execute(
                f"SELECT r.practices, u.name, p.label {highlights.replace('WHERE', 'JOIN orgs_unit u ON u.id = r.unit_id WHERE')} "
                "ORDER BY p.starts_on DESC, u.path LIMIT %s",
                [campaign.pk, end, start, TOP],
            )
            c.fetchall()
            c.execute(
                "SELECT COUNT(*) FROM meetings_decision WHERE campaign_id = %s AND status NOT IN ('done','closed') "
                "AND meeting_id <> %s",
                [campaign.pk, meeting.pk],
            )
            c.fetchall()
            if quarter is not None:
                c.execute(
                    "SELECT owner_unit_id, COUNT(*), SUM(CASE WHEN completed_on IS NOT NULL AND completed_on <= due "
                    "THEN 1 ELSE 0 END) FROM ledger_item WHERE campaign_id = %s AND status <> 'withdrawn' "
                    "AND due >= %s AND due <= %s GROUP BY owner_unit_id",
                    [campaign.pk, quarter.starts_on, min(quarter.ends_on, on)],
                )
                c.fetchall()
                c.execute(
                    "SELECT owner_unit_id, COUNT(*) FROM ledger_item WHERE campaign_id = %s AND status <> 'withdrawn' "
                    "AND light = 'red' GROUP BY owner_unit_id",
                    [campaign.pk],
                )
                c.fetchall()
                c.execute(
                    "SELECT i.id, i.code, i.title, i.due, u.name FROM ledger_item i JOIN orgs_unit u ON u.id = i.owner_unit_id "
                    "WHERE i.campaign_id = %s AND i.light = 'red' AND i.status NOT IN ('withdrawn','completed','closed') "
                    "ORDER BY i.due, i.code LIMIT 200",
                    [campaign.pk],
                )
                c.fetchall()
                c.execute("SELECT id, name, short_name, path, depth, sort_order FROM orgs_unit")
                c.fetchall()

    return run


def run(report, median_ms) -> None:
    from taizhang.bench import dashboards, paired_median_ms
    from taizhang.meetings.agenda import _window, agenda_figures, quarter_for
    from taizhang.orgs.models import Role, RoleGrant, User

    today = timezone.localdate()
    campaign = dashboards._campaign(today)
    meeting = _prepare(campaign)
    dashboards._analyze()
    quarter = quarter_for(meeting)
    start, end = _window(meeting, quarter)
    figures = agenda_figures(meeting)
    print(
        f"# meetings: quarter {quarter.label if quarter else '—'}, "
        + "; ".join(f"{s.source} {len(s.lines)}+{s.more}" for s in figures["sections"]),
        flush=True,
    )
    bare = _bare(campaign, meeting, quarter, start, min(end, today), today)
    report(
        "agenda builder figures (quarterly review, 100,000 items) against the bare SQL of the same figures",
        *paired_median_ms(lambda: agenda_figures(meeting), bare, repeat=5),
    )
    office = User.objects.get(username="office")
    RoleGrant.objects.get_or_create(user=office, campaign=campaign, role=Role.OFFICE, defaults={"unit": None})
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(office)
    url = f"/c/{campaign.slug}/meetings/{meeting.pk}/agenda/build/"
    assert client.get(url).status_code == 200
    report(
        "agenda builder page (quarterly review, 100,000 items) against the bare SQL of the same figures",
        *paired_median_ms(lambda: client.get(url), bare, repeat=5),
    )
