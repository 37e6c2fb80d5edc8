"""A plausible reporting history for the demo campaign: ``build(campaign)``.

Called by :func:`taizhang.demo.ledger.build_demo` after the ledger is built.
Each expected unit gets a habit — punctual, sometimes late or sloppy (returned now and then) —
and two units with a liaison of their own fall silent in the latest weeks (missing in a row, so the
lights have something to say); each reports on every period already due: weekly, monthly (with the
monthly summary written) and quarterly. Reports more than two weeks old that came in are accepted by
the office. Idempotent: a campaign with reports is left alone.
"""

import datetime
import random

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from taizhang.history.models import HistoryEntry
from taizhang.orgs.models import Role, RoleGrant, Unit
from taizhang.reporting.models import ReportingPeriod, UnitReport
from taizhang.reporting.periods import generate_periods
from taizhang.reporting.queries import expected_unit_ids

RESULTS = [
    "本月完成既定节点任务，群众反映良好。",
    "推进会召开两次，完成阶段性目标。",
    "完成设备采购和场地改造，已投入试运行。",
    "走访基层单位12个，解决实际问题8件。",
]
PRACTICES = ["建立周调度机制，清单化推进。", "领导班子包保到点，现场办公。", "用好“走下去听”，问需于民。", ""]
PROBLEMS = ["资金到位较慢。", "跨部门协调难度大。", "基层人手紧张。", ""]
SUGGESTIONS = ["建议集团统筹专项资金。", "建议加强业务培训。", "建议简化审批流程。", ""]
# A weekly report has no monthly summary to ask about: only a monthly report is returned for one.
WEEKLY_RETURN_REASONS = ["进展描述过于简单，请补充具体数据。"]
MONTHLY_RETURN_REASONS = [*WEEKLY_RETURN_REASONS, "月度小结缺少存在问题，请补充。"]

# habit → (chance on time, chance late, chance returned); the rest is missing.
HABITS = {
    "punctual": (0.92, 0.06, 0.01),
    "late": (0.55, 0.35, 0.03),
    "sloppy": (0.6, 0.15, 0.15),
}


def _writer(unit: Unit, grants: list[RoleGrant], office):
    for grant in grants:
        if unit.path.startswith(grant.unit.path):
            return grant.user
    return office


def _quarterly(campaign, units, grants, office, silent: set[int], now, seed: int) -> list[UnitReport]:
    """Each expected unit's 季度讲评 report for the quarters already due (a liaison's list showed them 漏报).

    A random stream of their own, so the weekly and monthly history stays what it was; the units falling
    silent miss the latest one too.
    """
    rng = random.Random(seed + 1)
    quarters = list(
        ReportingPeriod.objects.filter(
            campaign=campaign, kind=ReportingPeriod.Kind.QUARTERLY, due_at__lte=now
        ).order_by("due_at")
    )
    reports = []
    for unit in units:
        writer = _writer(unit, grants, office)
        for n, period in enumerate(quarters):
            if unit.pk in silent and n == len(quarters) - 1:
                continue
            late = rng.random() < 0.15
            submitted_at = period.due_at + (
                datetime.timedelta(hours=rng.randint(2, 48)) if late else -datetime.timedelta(hours=rng.randint(2, 96))
            )
            if submitted_at > now:
                continue
            report = UnitReport(
                period=period,
                unit=unit,
                submitted_at=submitted_at,
                submitted_by=writer,
                is_late=late,
                status=UnitReport.Status.SUBMITTED,
                results=rng.choice(RESULTS),
            )
            if period.due_at < now - datetime.timedelta(days=14):
                report.status = UnitReport.Status.ACCEPTED
                report.decided_by, report.decided_at = office, submitted_at + datetime.timedelta(days=2)
            reports.append(report)
    return reports


def _falling_silent(units: list[Unit], grants: list[RoleGrant], count: int = 2) -> set[int]:
    """The units that stop reporting: the last ones with a liaison of their own.

    A sub-unit reported by its parent's liaison would read, on its red items, as missing reports its
    unit had sent (the parent's reports are in); a unit with its own liaison is one whose liaison went quiet.
    """
    own = {grant.unit_id for grant in grants}
    chosen = [unit.pk for unit in units if unit.pk in own][-count:]
    return set(chosen or [unit.pk for unit in units[-count:]])  # no liaison at all: the office writes for all


@transaction.atomic
def build(campaign, *, now: datetime.datetime | None = None, seed: int = 2026) -> int:
    """Create the campaign's periods and a reporting history up to ``now``; returns how many reports were made."""
    now = now or timezone.now()
    generate_periods(campaign)
    if UnitReport.objects.filter(period__campaign=campaign).exists():
        return 0
    office_grant = RoleGrant.objects.filter(campaign=campaign, role=Role.OFFICE).select_related("user").first()
    office = office_grant.user if office_grant else None
    grants = sorted(
        RoleGrant.objects.filter(campaign=campaign, role=Role.LIAISON).select_related("user", "unit"),
        key=lambda g: -len(g.unit.path),
    )
    units = list(Unit.objects.filter(pk__in=expected_unit_ids(campaign)).order_by("path"))
    periods = list(
        ReportingPeriod.objects.filter(
            campaign=campaign, kind__in=[ReportingPeriod.Kind.WEEKLY, ReportingPeriod.Kind.MONTHLY], due_at__lte=now
        ).order_by("due_at")
    )
    rng = random.Random(seed)
    habits = list(HABITS)
    reports: list[UnitReport] = []
    silent = _falling_silent(units, grants)
    for index, unit in enumerate(units):
        # Two units fall silent in the latest weeks (missed reports in a row for the lights);
        # before that they report by a habit like any other unit, so their history is not empty.
        falls_silent = unit.pk in silent
        on_time_p, late_p, returned_p = HABITS[habits[index % 3]]
        writer = _writer(unit, grants, office)
        for n, period in enumerate(periods):
            recent = n >= len(periods) - 4
            roll = rng.random()
            if falls_silent and recent:
                continue
            if roll >= on_time_p + late_p + returned_p:
                continue  # missing
            late = on_time_p <= roll < on_time_p + late_p
            submitted_at = period.due_at + (
                datetime.timedelta(hours=rng.randint(2, 60)) if late else -datetime.timedelta(hours=rng.randint(1, 70))
            )
            if submitted_at > now:
                continue
            report = UnitReport(
                period=period,
                unit=unit,
                submitted_at=submitted_at,
                submitted_by=writer,
                is_late=late,
                status=UnitReport.Status.SUBMITTED,
                no_change=not period.is_monthly and rng.random() < 0.15,
            )
            if period.is_monthly:
                report.results = rng.choice(RESULTS)
                report.practices = rng.choice(PRACTICES)
                report.problems = rng.choice(PROBLEMS)
                report.suggestions = rng.choice(SUGGESTIONS)
            if roll >= on_time_p + late_p:
                report.status = UnitReport.Status.RETURNED
                report.return_reason = rng.choice(
                    MONTHLY_RETURN_REASONS if period.is_monthly else WEEKLY_RETURN_REASONS
                )
                report.decided_by, report.decided_at = office, submitted_at + datetime.timedelta(hours=20)
            elif period.due_at < now - datetime.timedelta(days=14):
                report.status = UnitReport.Status.ACCEPTED
                report.decided_by, report.decided_at = office, submitted_at + datetime.timedelta(days=2)
            reports.append(report)
    reports += _quarterly(campaign, units, grants, office, silent, now, seed)
    UnitReport.objects.bulk_create(reports, batch_size=500)
    _history(campaign, UnitReport.objects.filter(period__campaign=campaign).select_related("period"))
    return len(reports)


def _history(campaign, reports) -> None:
    """One history row per status change, as the actions would have written them."""
    content_type = ContentType.objects.get_for_model(UnitReport)
    labels = dict(UnitReport.Status.choices)
    label = str(UnitReport._meta.get_field("status").verbose_name)
    rows = []

    actions = {
        UnitReport.Status.SUBMITTED: HistoryEntry.Action.SUBMIT,
        UnitReport.Status.ACCEPTED: HistoryEntry.Action.ACCEPT,
        UnitReport.Status.RETURNED: HistoryEntry.Action.RETURN,
    }

    def change(report, old, new, actor, note=""):
        rows.append(
            HistoryEntry(
                content_type=content_type,
                object_id=report.pk,
                campaign=campaign,
                action=actions.get(new, HistoryEntry.Action.UPDATE),
                changes=[{"field": "status", "label": label, "old": str(labels[old]), "new": str(labels[new])}],
                note=note,
                actor=actor,
            )
        )

    for report in reports:
        change(report, UnitReport.Status.DRAFT, UnitReport.Status.SUBMITTED, report.submitted_by)
        if report.status != UnitReport.Status.SUBMITTED:
            change(report, UnitReport.Status.SUBMITTED, report.status, report.decided_by, report.return_reason)
    created = HistoryEntry.objects.bulk_create(rows, batch_size=500)
    # The rows carry the reports' times, not the moment the demo was built.
    for entry, report in zip(created, _times(reports), strict=True):
        entry.at = report
    HistoryEntry.objects.bulk_update(created, ["at"], batch_size=500)


def _times(reports):
    for report in reports:
        yield report.submitted_at
        if report.status != UnitReport.Status.SUBMITTED:
            yield report.decided_at
