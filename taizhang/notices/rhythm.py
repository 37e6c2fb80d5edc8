"""Who gets told what, and when: reminders before a report is due, chases after, escalations, deadline digests.

Each function is safe to run as often as the scheduler likes: messages are made once per recipient,
reason and scope (the period, the unit's latest missed period, the day of a digest).
"""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.ledger.models import Item
from taizhang.orgs.models import ContactPoint, Role, RoleGrant, Unit
from taizhang.reporting.models import ReportingPeriod, UnitReport
from taizhang.reporting.queries import expected_unit_ids, missed_reports_by_unit

from .models import GroupRobot, Reason
from .sending import notify

REMIND_BEFORE = datetime.timedelta(hours=24)
CHASE_WITHIN = datetime.timedelta(days=7)
# Units report weekly and monthly; the quarterly review is the office's own meeting.
UNIT_REPORTS = (ReportingPeriod.Kind.WEEKLY, ReportingPeriod.Kind.MONTHLY)


def _liaisons(campaign) -> list[RoleGrant]:
    return list(RoleGrant.objects.filter(campaign=campaign, role=Role.LIAISON).select_related("user", "unit"))


def liaisons_for(unit: Unit, grants: list[RoleGrant]) -> list:
    """The unit's own liaisons, or else the nearest ones above it."""
    own = [g.user for g in grants if g.unit_id == unit.pk]
    if own:
        return own
    above = sorted((g for g in grants if unit.path.startswith(g.unit.path)), key=lambda g: -len(g.unit.path))
    return [g.user for g in above if len(g.unit.path) == len(above[0].unit.path)] if above else []


def _open_reports(campaign, period: ReportingPeriod) -> list[Unit]:
    """Expected units that have not submitted for the period."""
    done = set(
        UnitReport.objects.filter(
            period=period, status__in=(UnitReport.Status.SUBMITTED, UnitReport.Status.ACCEPTED)
        ).values_list("unit_id", flat=True)
    )
    return list(Unit.objects.filter(pk__in=expected_unit_ids(campaign) - done).order_by("path"))


def _report_url(campaign, period, unit) -> str:
    return reverse("reporting:report_detail", args=[campaign.slug, period.pk, unit.pk])


def send_reminders(campaign, *, now: datetime.datetime | None = None) -> int:
    """Before the due time: remind liaisons whose unit has not submitted."""
    now = now or timezone.now()
    grants = _liaisons(campaign)
    made = 0
    for period in ReportingPeriod.objects.filter(
        campaign=campaign, kind__in=UNIT_REPORTS, due_at__gt=now, due_at__lte=now + REMIND_BEFORE
    ):
        for unit in _open_reports(campaign, period):
            for user in liaisons_for(unit, grants):
                made += bool(
                    notify(
                        reason=Reason.REMINDER,
                        scope=f"period{period.pk}:unit{unit.pk}",
                        campaign=campaign,
                        user=user,
                        subject=_("Report due: %(unit)s, %(period)s") % {"unit": unit.name, "period": period.name},
                        body=_("The %(kind)s of %(unit)s for %(period)s is due at %(due)s.")
                        % {
                            "kind": period.get_kind_display(),
                            "unit": unit.name,
                            "period": period.name,
                            "due": timezone.localtime(period.due_at).strftime("%Y-%m-%d %H:%M"),
                        },
                        url=_report_url(campaign, period, unit),
                    )
                )
    return made


def send_chases(campaign, *, now: datetime.datetime | None = None) -> int:
    """After the due time: chase the liaison, the unit's leaders (contact points) and the unit's group robots."""
    now = now or timezone.now()
    grants = _liaisons(campaign)
    made = 0
    periods = ReportingPeriod.objects.filter(
        campaign=campaign, kind__in=UNIT_REPORTS, due_at__lte=now, due_at__gt=now - CHASE_WITHIN
    )
    for period in periods:
        for unit in _open_reports(campaign, period):
            ancestors = [int(part) for part in unit.path.split(".") if part]
            leaders = [
                cp.leader
                for cp in ContactPoint.objects.filter(campaign=campaign, unit_id__in=ancestors).select_related("leader")
            ]
            subject = _("Report overdue: %(unit)s, %(period)s") % {"unit": unit.name, "period": period.name}
            body = _("The %(kind)s of %(unit)s for %(period)s was due at %(due)s and has not been submitted.") % {
                "kind": period.get_kind_display(),
                "unit": unit.name,
                "period": period.name,
                "due": timezone.localtime(period.due_at).strftime("%Y-%m-%d %H:%M"),
            }
            scope = f"period{period.pk}:unit{unit.pk}"
            url = _report_url(campaign, period, unit)
            for user in {u.pk: u for u in [*liaisons_for(unit, grants), *leaders]}.values():
                made += bool(
                    notify(
                        reason=Reason.CHASE,
                        scope=scope,
                        campaign=campaign,
                        user=user,
                        subject=subject,
                        body=body,
                        url=url,
                    )
                )
            for robot in GroupRobot.objects.filter(unit=unit, is_active=True):
                made += bool(
                    notify(
                        reason=Reason.CHASE,
                        scope=scope,
                        campaign=campaign,
                        robot=robot,
                        subject=subject,
                        body=body,
                        url=url,
                    )
                )
    return made


def send_escalations(campaign, *, now: datetime.datetime | None = None) -> int:
    """Units that missed ``campaign.yellow_missed_reports`` weekly reports in a row go to the office."""
    now = now or timezone.now()
    threshold = max(1, campaign.yellow_missed_reports)
    missed = {
        u: n for u, n in missed_reports_by_unit(campaign, timezone.localtime(now).date()).items() if n >= threshold
    }
    if not missed:
        return 0
    office = [g.user for g in RoleGrant.objects.filter(campaign=campaign, role=Role.OFFICE).select_related("user")]
    latest = (
        ReportingPeriod.objects.filter(campaign=campaign, kind=ReportingPeriod.Kind.WEEKLY, due_at__lte=now)
        .order_by("-due_at")
        .first()
    )
    made = 0
    for unit in Unit.objects.filter(pk__in=missed).order_by("path"):
        for user in office:
            made += bool(
                notify(
                    reason=Reason.ESCALATION,
                    scope=f"unit{unit.pk}:after{latest.pk if latest else 0}",
                    campaign=campaign,
                    user=user,
                    subject=_("%(unit)s missed %(n)d reports in a row") % {"unit": unit.name, "n": missed[unit.pk]},
                    body=_("%(unit)s has not submitted its last %(n)d weekly reports.")
                    % {"unit": unit.name, "n": missed[unit.pk]},
                    url=reverse("reporting:board", args=[campaign.slug]),
                )
            )
    return made


def send_deadline_digests(campaign, *, now: datetime.datetime | None = None) -> int:
    """Once a day: each unit's liaisons get the unit's open items near or past their deadline, in one message."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    horizon = today + datetime.timedelta(days=campaign.blue_days_before_due)
    items = (
        Item.objects.filter(campaign=campaign, due__isnull=False, due__lte=horizon)
        .open()
        .exclude(percent__gte=100)
        .select_related("owner_unit")
        .order_by("owner_unit__path", "due", "code")
    )
    by_unit: dict[int, list[Item]] = {}
    for item in items:
        by_unit.setdefault(item.owner_unit_id, []).append(item)
    grants = _liaisons(campaign)
    made = 0
    for unit_items in by_unit.values():
        unit = unit_items[0].owner_unit
        lines = []
        for item in unit_items:
            days = (item.due - today).days
            when = _("%(n)d days overdue") % {"n": -days} if days < 0 else _("due in %(n)d days") % {"n": days}
            owner = f" · {item.owner}" if item.owner else ""
            lines.append(f"- {item.code} {item.title}（{when}，{item.percent}%{owner}）")
        for user in liaisons_for(unit, grants):
            made += bool(
                notify(
                    reason=Reason.DEADLINE_DIGEST,
                    scope=f"{today.isoformat()}:unit{unit.pk}",
                    campaign=campaign,
                    user=user,
                    subject=_("%(unit)s: %(n)d items near or past their deadline")
                    % {"unit": unit.name, "n": len(unit_items)},
                    body="\n".join(lines),
                    url=reverse("ledger:item_list", args=[campaign.slug]) + f"?unit={unit.pk}&sort=due",
                )
            )
    return made
