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
