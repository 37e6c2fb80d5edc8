"""The agenda built from the ledger in one click: what a meeting that decides should look at.

:func:`agenda_figures` gathers, with aggregate queries (fast on 100,000 items): units lagging in
reporting (reporting's own rates), red and overdue items (the first ``top``, and how many more),
open inspection findings and instructions (when those apps are installed), the units' good practice
from their monthly reports, earlier decisions not yet done, and for a quarterly review the figures
of reporting's quarterly pack. Each section becomes an agenda point the office then edits.
"""

import datetime
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from taizhang.ledger.models import Item, Light, Status
from taizhang.orgs.models import Unit
from taizhang.reporting import digest
from taizhang.reporting.models import ReportingPeriod, UnitReport
from taizhang.reporting.queries import expected_unit_ids, periods_in_range, unit_rates

from .models import AgendaPoint, Decision, Meeting

TOP = 10
UNDONE = (Status.NOT_STARTED, Status.IN_PROGRESS)
LOOK_BACK = datetime.timedelta(weeks=8)  # the reporting rates of the last eight weeks, outside a quarterly review


@dataclass
class Line:
    """One line of a section: its words and, where there is one, the page it is about."""

    text: str
    url: str = ""


@dataclass
class Section:
    """One agenda point the builder proposes: a title, lines, and a count of what is left out."""

    source: str
    title: str
    lines: list[Line] = field(default_factory=list)
    more: int = 0
    summary: str = ""

    def body(self) -> str:
        parts = [self.summary] if self.summary else []
        parts += [f"{n}. {line.text}" for n, line in enumerate(self.lines, 1)]
        if self.more:
            parts.append(ngettext("… and %(n)d more.", "… and %(n)d more.", self.more) % {"n": self.more})
        if not self.lines and not self.summary:
            parts.append(_("None at present."))
        return "\n".join(parts)


def _model(label: str, name: str):
    """A model of an app above or beside this one, or None when that app (or model) is not installed."""
    if not apps.is_installed(f"taizhang.{label}"):
        return None
    try:
        return apps.get_model(label, name)
    except LookupError:
        return None


def quarter_for(meeting: Meeting) -> ReportingPeriod | None:
    """The quarter a quarterly review looks back on: the one chosen, else the last quarter ended before it."""
    if meeting.period_id:
        return meeting.period
    on = timezone.localdate(meeting.starts_at)
    return (
        ReportingPeriod.objects.filter(campaign=meeting.campaign, kind=ReportingPeriod.Kind.QUARTERLY, ends_on__lt=on)
        .order_by("-ends_on")
        .first()
    )


def _window(meeting: Meeting, quarter: ReportingPeriod | None) -> tuple[datetime.date, datetime.date]:
    if quarter is not None:
        return quarter.starts_on, quarter.ends_on
    on = timezone.localdate(meeting.starts_at)
    return on - LOOK_BACK, on


def lagging_units(campaign, start: datetime.date, end: datetime.date, now: datetime.datetime, top: int) -> Section:
    """Expected units below 100% reporting over the weekly periods of the window, the worst first."""
    periods = list(periods_in_range(campaign, ReportingPeriod.Kind.WEEKLY, start, end))
    rates = unit_rates(campaign, periods, expected_unit_ids(campaign), now)
    lagging = sorted(
        ((unit_id, r) for unit_id, r in rates.items() if r.expected and r.reported < r.expected),
        key=lambda pair: (pair[1].reporting_rate or 0, pair[1].on_time_rate or 0, pair[0]),
    )
    shown = lagging[:top]
    names = dict(Unit.objects.filter(pk__in=[unit_id for unit_id, _r in shown]).values_list("pk", "name"))
    section = Section(
        AgendaPoint.Source.LAGGING_UNITS,
        _("Units lagging in reporting"),
        more=len(lagging) - len(shown),
        summary=_("%(n)d of %(total)d units that must report missed reports between %(start)s and %(end)s.")
        % {"n": len(lagging), "total": len(rates), "start": start.isoformat(), "end": end.isoformat()},
    )
    for unit_id, r in shown:
        section.lines.append(
            Line(
                _("%(unit)s: %(reported)d of %(expected)d reports in (%(rate)s%%), %(on_time)d on time")
                % {
                    "unit": names.get(unit_id, unit_id),
                    "reported": r.reported,
                    "expected": r.expected,
                    "rate": r.reporting_rate or 0,
                    "on_time": r.on_time,
                }
            )
        )
    return section


def red_items(campaign, on: datetime.date, top: int) -> Section:
    """Items not done that are red or past their deadline: the most overdue first, and the counts.

    Read in two index walks (past due by date, then the other red ones) rather than one OR that the
    database answers by sorting every match: tens of thousands on a large campaign.
    """
    undone = Item.objects.filter(campaign=campaign, status__in=UNDONE)
    items = undone.filter(Q(light=Light.RED) | Q(due__lt=on))
    counts = items.aggregate(total=Count("id"), overdue=Count("id", filter=Q(due__lt=on)))
    fields = ("id", "code", "title", "due", "percent", "owner_unit__name")
    shown = list(undone.filter(due__lt=on).select_related("owner_unit").only(*fields).order_by("due", "code")[:top])
    if len(shown) < top:
        shown += (
            undone.filter(light=Light.RED)
            .exclude(due__lt=on)
            .select_related("owner_unit")
            .only(*fields)
            .order_by(F("due").asc(nulls_last=True), "code")[: top - len(shown)]
        )
    section = Section(
        AgendaPoint.Source.RED_ITEMS,
        _("Red and overdue items"),
        more=counts["total"] - len(shown),
        summary=_("%(total)d open items are red or overdue, %(overdue)d of them past their deadline.") % counts,
    )
    if not counts["total"]:
        section.summary = ""  # "None at present." says it better than a row of zeros
    for item in shown:
        late = (on - item.due).days if item.due and item.due < on else 0
        words = ngettext("%(n)d day overdue", "%(n)d days overdue", late) % {"n": late} if late else _("red light")
        section.lines.append(
            Line(
                f"{item.code} {item.title}（{item.owner_unit.name}，{item.percent}%，{words}）",
                reverse("ledger:item_detail", args=[campaign.slug, item.pk]),
            )
        )
    return section


def open_findings(campaign, on: datetime.date, top: int) -> Section | None:
    """Inspection findings not yet verified (inspections app), the most overdue first."""
    Finding = _model("inspections", "Finding")
    if Finding is None:
        return None
    findings = Finding.objects.filter(campaign=campaign).exclude(state="verified")
    counts = findings.aggregate(
        total=Count("id"),
        overdue=Count("id", filter=Q(deadline__lt=on)),
        severe=Count("id", filter=Q(severity="severe")),
        returned=Count("id", filter=Q(state="returned")),
    )
    shown = list(findings.select_related("unit", "item").order_by("deadline", "pk")[:top])
    section = Section(
        AgendaPoint.Source.FINDINGS,
        _("Open inspection findings"),
        more=counts["total"] - len(shown),
        summary=_(
            "%(total)d findings not yet verified: %(overdue)d past their rectification deadline, "
            "%(severe)d severe, %(returned)d returned for rectification."
        )
        % counts,
    )
    if not counts["total"]:
        section.summary = ""  # "None at present." says it better than a row of zeros
    for finding in shown:
        about = finding.item.title if finding.item_id else finding.unit.name
        section.lines.append(
            Line(
                _("%(unit)s: %(about)s (%(severity)s, rectify by %(deadline)s, %(state)s)")
                % {
                    "unit": finding.unit.name,
                    "about": about,
                    "severity": finding.get_severity_display(),
                    "deadline": finding.deadline.isoformat() if finding.deadline else "—",
                    "state": finding.get_state_display(),
                },
                finding.get_absolute_url(),
            )
        )
    return section


def open_instructions(campaign, on: datetime.date, top: int) -> Section | None:
    """Leaders' instructions (批示) not yet carried out (supervision app), the most overdue first."""
    Instruction = _model("supervision", "Instruction")
    if Instruction is None:
        return None
    instructions = Instruction.objects.filter(campaign=campaign).exclude(state="done")
    counts = instructions.aggregate(
        total=Count("id"),
        overdue=Count("id", filter=Q(answered_at__isnull=True, respond_by__lt=on)),
        unanswered=Count("id", filter=Q(answered_at__isnull=True)),
    )
    shown = list(instructions.select_related("unit", "leader").order_by("respond_by", "pk")[:top])
    section = Section(
        AgendaPoint.Source.INSTRUCTIONS,
        _("Open instructions"),
        more=counts["total"] - len(shown),
        summary=_("%(total)d instructions not yet carried out: %(unanswered)d unanswered, %(overdue)d overdue.")
        % counts,
    )
    if not counts["total"]:
        section.summary = ""  # "None at present." says it better than a row of zeros
    for instruction in shown:
        leader = getattr(instruction.leader, "display_name", "") or str(instruction.leader)
        section.lines.append(
            Line(
                _("%(unit)s: %(text)s (%(leader)s, answer by %(date)s, %(state)s)")
                % {
                    "unit": instruction.unit.name if instruction.unit_id else "—",
                    "text": instruction.text[:80],
                    "leader": leader,
                    "date": instruction.respond_by.isoformat() if instruction.respond_by else "—",
                    "state": instruction.get_state_display(),
                },
                instruction.get_absolute_url(),
            )
        )
    return section


def highlights(campaign, start: datetime.date, end: datetime.date, top: int) -> Section:
    """Good practice (经验做法) the units wrote in their monthly reports of the window."""
    reports = UnitReport.objects.filter(
        period__campaign=campaign,
        period__kind=ReportingPeriod.Kind.MONTHLY,
        period__starts_on__lte=end,
        period__ends_on__gte=start,
        status__in=(UnitReport.Status.SUBMITTED, UnitReport.Status.ACCEPTED),
    ).exclude(practices="")
    total = reports.count()
    shown = list(
        reports.select_related("unit", "period")
        .only("practices", "unit__name", "period__label")
        .order_by("-period__starts_on", "unit__path")[:top]
    )
    section = Section(AgendaPoint.Source.HIGHLIGHTS, _("Units' good practice"), more=total - len(shown))
    for report in shown:
        text = " ".join(report.practices.split())
        section.lines.append(Line(f"{report.unit.name}（{report.period.name}）：{text[:120]}"))
    return section


def open_decisions(meeting: Meeting, on: datetime.date, top: int) -> Section:
    """Decisions of earlier meetings not yet done: what the meeting should follow up."""
    decisions = Decision.objects.filter(campaign=meeting.campaign).unfinished().exclude(meeting=meeting)
    counts = decisions.aggregate(total=Count("id"), overdue=Count("id", filter=Q(deadline__lt=on)))
    shown = list(decisions.select_related("owner_unit", "meeting").order_by("deadline", "pk")[:top])
    section = Section(
        AgendaPoint.Source.DECISIONS,
        _("Earlier decisions not yet done"),
        more=counts["total"] - len(shown),
        summary=_("%(total)d decisions of earlier meetings not yet done, %(overdue)d overdue.") % counts,
    )
    if not counts["total"]:
        section.summary = ""  # "None at present." says it better than a row of zeros
    for decision in shown:
        section.lines.append(
            Line(
                _("%(unit)s: %(text)s (deadline %(date)s, %(status)s)")
                % {
                    "unit": decision.owner_unit.name,
                    "text": decision.text[:80],
                    "date": decision.deadline.isoformat(),
                    "status": decision.get_status_display(),
                },
                decision.get_absolute_url(),
            )
        )
    return section


def quarterly_section(pack: dict, top: int) -> Section:
    """The quarterly pack's ranking and red items, as one agenda point (the pack computes, we only quote)."""
    rates = pack["rates"]
    section = Section(
        AgendaPoint.Source.QUARTERLY,
        _("Quarterly review: %(period)s") % {"period": pack["period"].name},
        more=max(0, len(pack["ranking"]) - top),
        summary=_(
            "Weekly reports in the quarter: %(reported)d of %(expected)d in, %(on_time)d on time; "
            "%(red)d red items open."
        )
        % {
            "reported": rates.reported,
            "expected": rates.expected,
            "on_time": rates.on_time,
            "red": len(pack["red_items"]),
        },
    )
    for n, row in enumerate(pack["ranking"][:top], 1):
        section.lines.append(
            Line(
                _(
                    "No. %(rank)d %(unit)s: on-time reporting %(on_time)s, completed on schedule %(schedule)s, %(red)d red"
                )
                % {
                    "rank": n,
                    "unit": row["unit"].name,
                    "on_time": "—" if row["on_time_rate"] is None else f"{row['on_time_rate']:.1f}%",
                    "schedule": "—" if row["schedule_rate"] is None else f"{row['schedule_rate']:.1f}%",
                    "red": row["red"],
                }
            )
        )
    return section


def agenda_figures(meeting: Meeting, *, top: int = TOP, now: datetime.datetime | None = None) -> dict:
    """Every section the builder proposes, and the quarterly pack behind a quarterly review."""
    now = now or timezone.now()
    on = timezone.localdate(now)
    campaign = meeting.campaign
    quarter = quarter_for(meeting) if meeting.kind == Meeting.Kind.QUARTERLY_REVIEW else None
    start, end = _window(meeting, quarter)
    pack = digest.quarterly_pack(quarter, on=on) if quarter is not None else None
    sections = [] if pack is None else [quarterly_section(pack, top)]
    sections += [lagging_units(campaign, start, min(end, on), now, top), red_items(campaign, on, top)]
    sections += [s for s in (open_findings(campaign, on, top), open_instructions(campaign, on, top)) if s]
    sections += [open_decisions(meeting, on, top), highlights(campaign, start, end, top)]
    return {"sections": sections, "quarter": quarter, "pack": pack, "start": start, "end": end, "on": on}
