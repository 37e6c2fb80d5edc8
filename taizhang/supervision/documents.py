"""The chase-up notice as a document (.docx and PDF), through taizhang.lib.documents."""

from django.utils.translation import gettext as _

from taizhang.lib import documents

from .models import ChaseNotice


def notice_rows(notice: ChaseNotice) -> list[tuple[str, str]]:
    item = notice.item
    return [
        (_("Notice number"), notice.number),
        (_("Item code"), item.code),
        (_("Item"), item.title),
        (_("Content"), item.content or "—"),
        (_("Responsible unit"), notice.unit.name),
        (_("Responsible leader"), item.lead or "—"),
        (_("Deadline"), notice.due.isoformat() if notice.due else (item.due_text or _("ongoing"))),
        (_("Progress"), f"{notice.percent}%"),
        (_("Days overdue"), str(notice.days_overdue) if notice.days_overdue else "—"),
        (_("Points behind schedule"), str(notice.points_behind) if notice.points_behind else "—"),
        (_("Why"), notice.reason),
        (_("Response required by"), notice.required_by.isoformat()),
        (_("Contact"), notice.contact),
    ]


def title(notice: ChaseNotice) -> str:
    return _("Chase-up notice")


def notice_docx(notice: ChaseNotice) -> bytes:
    blocks = [
        {"paragraph": _("%(unit)s:") % {"unit": notice.unit.name}},
        {
            "paragraph": _(
                "The item below is behind its deadline or schedule. Please push it forward and send a written "
                "response on its progress, problems and measures by %(date)s."
            )
            % {"date": notice.required_by.isoformat()}
        },
        {"table": {"headers": [_("Field"), _("Value")], "rows": notice_rows(notice), "widths_cm": [4, 11.6]}},
    ]
    if notice.requirements:
        blocks += [{"heading": _("Requirements")}, {"paragraph": notice.requirements}]
    return documents.render_docx(
        {
            "title": title(notice),
            "subtitle": notice.number,
            "blocks": blocks,
            "signature": [_("Campaign office"), notice.issued_at.date().isoformat()],
        }
    )


def notice_pdf(notice: ChaseNotice) -> bytes:
    return documents.render_pdf(
        "supervision/notice_document.html", {"notice": notice, "rows": notice_rows(notice), "title": title(notice)}
    )


# The responsibility grid: xlsx and the .docx 责任分工方案 -----------------------------------------


def _cell(holders) -> str:
    return "；".join(h.label + (_(" (inherited)") if h.inherited else "") for h in holders)


def grid_headers() -> list[str]:
    from .models import Responsibility

    return [_("Unit"), _("Open items"), *[str(label) for _v, label in Responsibility.choices], _("Gap")]


def grid_table(rows) -> list[list]:
    return [
        [
            "　" * row.unit.depth + row.unit.name,
            row.open_items,
            *[_cell(cell) for cell in row.cells],
            _("no first responsibility holder") if row.gap else "",
        ]
        for row in rows
    ]


def grid_xlsx(campaign, rows) -> bytes:
    from taizhang.lib.xlsx import write_table

    return write_table(
        sheet_name=_("Responsibilities"),
        title=_("%(campaign)s: who holds which responsibility") % {"campaign": campaign.name},
        headers=grid_headers(),
        widths=[30, 8, *[22] * 8, 16],
        rows=grid_table(rows),
    )


def grid_docx(campaign, rows) -> bytes:
    """责任分工方案: one section per responsibility, the units and who holds it, then the gaps."""
    from .models import Responsibility

    blocks = [
        {"paragraph": _("To carry the campaign through level by level, the responsibilities are divided as follows.")}
    ]
    for index, (_kind, label) in enumerate(Responsibility.choices):
        table = [
            [row.unit.name, _cell(row.cells[index])]
            for row in rows
            if row.cells[index] and not all(h.inherited for h in row.cells[index])
        ]
        blocks.append({"heading": str(label)})
        if table:
            blocks.append({"table": {"headers": [_("Unit"), _("Held by")], "rows": table, "widths_cm": [6, 9.6]}})
        else:
            blocks.append({"paragraph": _("Not assigned yet.")})
    gaps = [row for row in rows if row.gap]
    if gaps:
        blocks.append({"heading": _("Gaps to fill")})
        blocks.append(
            {
                "table": {
                    "headers": [_("Unit"), _("Open items")],
                    "rows": [[row.unit.name, row.open_items] for row in gaps],
                    "widths_cm": [11, 4.6],
                }
            }
        )
    return documents.render_docx(
        {
            "title": _("Division of responsibilities (责任分工方案)"),
            "subtitle": campaign.name,
            "blocks": blocks,
            "signature": [_("Campaign office")],
        }
    )
