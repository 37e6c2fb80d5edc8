"""The three lists of rectification work (问题清单, 任务清单, 责任清单) and the inspection report (督导检查情况报告)."""

from collections import Counter

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.ledger.models import FINISHED_STATUSES, Item, Light, Status
from taizhang.lib import documents
from taizhang.lib.xlsx import write_table

from .models import Finding, InspectionTeam

LISTS = ("problems", "tasks", "responsibility")


def list_title(kind: str) -> str:
    return {
        "problems": _("List of problems (问题清单)"),
        "tasks": _("List of tasks (任务清单)"),
        "responsibility": _("List of responsibilities (责任清单)"),
    }[kind]


def list_name(kind: str) -> str:
    """The list's short name, for file names: 问题清单."""
    return {
        "problems": _("list of problems"),
        "tasks": _("list of tasks"),
        "responsibility": _("list of responsibilities"),
    }[kind]


def list_table(findings, kind: str) -> tuple[list[str], list[int], list[list]]:
    """(headers, column widths, rows) of one of the three lists, from findings (with unit, item, team joined)."""
    today = timezone.localdate()
    rows = []
    if kind == "problems":
        headers = [
            _("No."),
            _("Unit"),
            _("Item"),
            _("Category"),
            _("Severity"),
            _("Problem found"),
            _("Found on"),
            _("Team"),
        ]
        widths = [6, 20, 24, 14, 8, 40, 12, 16]
        for n, f in enumerate(findings, 1):
            rows.append(
                [
                    n,
                    f.unit.name,
                    f.item.code + " " + f.item.title if f.item else "—",
                    f.get_category_display(),
                    f.get_severity_display(),
                    f.description,
                    f.found_on,
                    f.inspection.team.name,
                ]
            )
    elif kind == "tasks":
        headers = [
            _("No."),
            _("Unit"),
            _("Problem found"),
            _("Rectification required"),
            _("Deadline"),
            _("State"),
            _("Rectification measures"),
            _("Days overdue"),
        ]
        widths = [6, 20, 30, 30, 12, 14, 30, 8]
        for n, f in enumerate(findings, 1):
            rows.append(
                [
                    n,
                    f.unit.name,
                    f.description,
                    f.required,
                    f.deadline,
                    f.get_state_display(),
                    f.measures or "",
                    f.days_late(today) or "",
                ]
            )
    else:
        headers = [
            _("No."),
            _("Unit"),
            _("Problem found"),
            _("Person responsible"),
            _("Responsible leader"),
            _("Deadline"),
            _("State"),
        ]
        widths = [6, 20, 36, 14, 14, 12, 14]
        for n, f in enumerate(findings, 1):
            rows.append(
                [
                    n,
                    f.unit.name,
                    f.description,
                    f.responsible,
                    f.item.lead if f.item else "",
                    f.deadline,
                    f.get_state_display(),
                ]
            )
    return headers, widths, rows


def list_xlsx(findings, kind: str, campaign) -> bytes:
    headers, widths, rows = list_table(findings, kind)
    title = f"{campaign.name} {list_title(kind)}"
    return write_table(sheet_name=list_title(kind)[:31], title=title, headers=headers, widths=widths, rows=rows)


def _text(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def list_docx(findings, kind: str, campaign) -> bytes:
    headers, _widths, rows = list_table(findings, kind)
    return documents.render_docx(
        {
            "title": list_title(kind),
            "subtitle": campaign.name,
            "blocks": [{"table": {"headers": headers, "rows": [[_text(v) for v in row] for row in rows]}}],
            "signature": [_("Campaign office"), timezone.localdate().isoformat()],
        }
    )


# The report -------------------------------------------------------------------------------------


def report_context(team: InspectionTeam) -> dict:
    """What the report says: the team, its inspections, findings by category and unit, rectification, ledger figures."""
    campaign = team.campaign
    inspections = list(team.inspections.select_related("unit").annotate(checked=Count("items")).order_by("starts_on"))
    findings = Finding.objects.filter(inspection__team=team)
    by_category = Counter(dict(findings.values_list("category").annotate(n=Count("id")).order_by()))
    by_state = Counter(dict(findings.values_list("state").annotate(n=Count("id")).order_by()))
    by_unit = list(
        findings.values("unit__name")
        .annotate(
            n=Count("id"),
            verified=Count("id", filter=Q(state=Finding.State.VERIFIED)),
            late=Count("id", filter=Q(deadline__lt=timezone.localdate()) & ~Q(state=Finding.State.VERIFIED)),
        )
        .order_by("unit__name")
    )
    unit_ids = {i.unit_id for i in inspections}
    ledger = (
        Item.objects.filter(campaign=campaign, owner_unit_id__in=unit_ids)
        .exclude(status=Status.WITHDRAWN)
        .aggregate(
            total=Count("id"),
            done=Count("id", filter=Q(status__in=[Status.COMPLETED, *FINISHED_STATUSES])),
            red=Count("id", filter=Q(light=Light.RED)),
            yellow=Count("id", filter=Q(light=Light.YELLOW)),
        )
    )
    labels = dict(Finding.Category.choices)
    states = dict(Finding.State.choices)
    return {
        "team": team,
        "campaign": campaign,
        "members": [m.display_name for m in team.members.all()],
        "inspections": inspections,
        "total": sum(by_category.values()),
        "by_category": [(str(labels.get(k, k)), n) for k, n in by_category.most_common()],
        "by_state": [(str(states[s]), by_state.get(s, 0)) for s in Finding.State.values],
        "by_unit": by_unit,
        "ledger": ledger,
        "today": timezone.localdate(),
    }


def report_title() -> str:
    return _("Report on the supervision and inspection (督导检查情况报告)")


def report_docx(team: InspectionTeam) -> bytes:
    c = report_context(team)
    ledger = c["ledger"]
    blocks = [
        {"heading": _("The team")},
        {
            "paragraph": _("%(team)s, led by %(leader)s; members: %(members)s.")
            % {"team": team.name, "leader": team.leader.display_name, "members": "、".join(c["members"]) or "—"}
        },
        {"heading": _("What was inspected")},
        {
            "table": {
                "headers": [_("Unit"), _("From"), _("To"), _("Methods"), _("Items checked")],
                "rows": [
                    [
                        i.unit.name,
                        i.starts_on.isoformat(),
                        i.ends_on.isoformat(),
                        i.get_methods_display(),
                        str(i.checked),
                    ]
                    for i in c["inspections"]
                ],
            }
        },
        {
            "paragraph": _(
                "The units inspected hold %(total)d items in the ledger: %(done)d completed, %(red)d red, %(yellow)d yellow."
            )
            % ledger
        },
        {"heading": _("Findings by category")},
        {"table": {"headers": [_("Category"), _("Findings")], "rows": [[k, str(n)] for k, n in c["by_category"]]}},
        {"heading": _("Findings by unit")},
        {
            "table": {
                "headers": [_("Unit"), _("Findings"), _("Closed"), _("Overdue")],
                "rows": [[r["unit__name"], str(r["n"]), str(r["verified"]), str(r["late"])] for r in c["by_unit"]],
            }
        },
        {"heading": _("Rectification")},
        {"table": {"headers": [_("State"), _("Findings")], "rows": [[k, str(n)] for k, n in c["by_state"]]}},
    ]
    return documents.render_docx(
        {
            "title": report_title(),
            "subtitle": f"{c['campaign'].name} · {team.name}",
            "blocks": blocks,
            "signature": [team.name, c["today"].isoformat()],
        }
    )


def report_pdf(team: InspectionTeam) -> bytes:
    return documents.render_pdf("inspections/report_document.html", {**report_context(team), "title": report_title()})
