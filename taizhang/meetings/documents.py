"""The meeting pack (agenda + figures) and the minutes (with the decisions table), as .docx and PDF."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from taizhang.lib import documents

from .agenda import agenda_figures
from .lights import decision_light
from .models import Meeting


def _when(meeting: Meeting) -> str:
    return date_format(timezone.localtime(meeting.starts_at), "DATETIME_FORMAT")


def meeting_rows(meeting: Meeting) -> list[tuple[str, str]]:
    people = [u.display_name for u in meeting.attendees.all()]
    if meeting.guests.strip():
        people.append(meeting.guests.strip())
    return [
        (_("Kind of meeting"), meeting.get_kind_display()),
        (_("Date and time"), _when(meeting)),
        (_("Place"), meeting.place or "—"),
        (_("Chair"), meeting.chair.display_name if meeting.chair else "—"),
        (_("Attendees"), "、".join(people) or "—"),
    ]


def decision_rows(meeting: Meeting, today=None) -> list[list]:
    today = today or timezone.localdate()
    rows = []
    for d in meeting.decisions.select_related("owner_unit", "campaign", "meeting").order_by("seq"):
        verdict = decision_light(d, today)
        rows.append([d.seq, d.text, d.owner_unit.name, d.deadline.isoformat(), d.get_status_display(), verdict.reason])
    return rows


def decision_headers() -> list[str]:
    return [_("No."), _("Decision"), _("Responsible unit"), _("Deadline"), _("Status"), _("Light")]


def _fields_table(rows) -> dict:
    return {"table": {"headers": [_("Field"), _("Value")], "rows": rows, "widths_cm": [4, 11.6]}}


def pack_data(meeting: Meeting) -> dict:
    figures = agenda_figures(meeting)
    return {
        "meeting": meeting,
        "rows": meeting_rows(meeting),
        "points": list(meeting.points.order_by("order", "id")),
        "figures": figures,
        "title": _("%(meeting)s: meeting pack") % {"meeting": meeting.title},
    }


def pack_docx(meeting: Meeting) -> bytes:
    data = pack_data(meeting)
    blocks = [_fields_table(data["rows"]), {"heading": _("Agenda")}]
    for n, point in enumerate(data["points"], 1):
        blocks.append({"paragraph": f"{n}. {point.title}"})
        blocks += [{"paragraph": line} for line in point.body.splitlines() if line.strip()]
    blocks.append({"heading": _("Figures from the ledger")})
    pack = data["figures"]["pack"]
    if pack is not None:
        blocks += [
            {"heading": _("Ranking of units"), "level": 2},
            {
                "table": {
                    "headers": [
                        _("Rank"),
                        _("Unit"),
                        _("On-time reporting"),
                        _("Completed on schedule"),
                        _("Red items"),
                    ],
                    "rows": [
                        [n, r["unit"].name, _pct(r["on_time_rate"]), _pct(r["schedule_rate"]), r["red"]]
                        for n, r in enumerate(pack["ranking"], 1)
                    ],
                }
            },
        ]
    for section in data["figures"]["sections"]:
        blocks.append({"heading": section.title, "level": 2})
        if section.summary:
            blocks.append({"paragraph": section.summary})
        if section.lines:
            blocks.append(
                {
                    "table": {
                        "headers": [_("No."), _("Details")],
                        "rows": [[n, line.text] for n, line in enumerate(section.lines, 1)],
                        "widths_cm": [1.5, 14.1],
                    }
                }
            )
        if section.more:
            blocks.append(
                {"paragraph": ngettext("… and %(n)d more.", "… and %(n)d more.", section.more) % {"n": section.more}}
            )
    return documents.render_docx({"title": data["title"], "subtitle": _when(meeting), "blocks": blocks})


def _pct(value) -> str:
    return "—" if value is None else f"{value:.1f}%"


def pack_pdf(meeting: Meeting) -> bytes:
    return documents.render_pdf("meetings/pack_document.html", pack_data(meeting))


def minutes_data(meeting: Meeting) -> dict:
    return {
        "meeting": meeting,
        "rows": meeting_rows(meeting),
        "points": list(meeting.points.order_by("order", "id")),
        "decision_headers": decision_headers(),
        "decisions": decision_rows(meeting),
        "title": _("%(meeting)s: minutes") % {"meeting": meeting.title},
        "approved": (
            _("Approved by %(name)s on %(date)s")
            % {"name": meeting.approved_by.display_name, "date": date_format(timezone.localtime(meeting.approved_at))}
            if meeting.approved_at
            else _("Draft: not yet approved")
        ),
    }


def minutes_docx(meeting: Meeting) -> bytes:
    data = minutes_data(meeting)
    blocks = [_fields_table(data["rows"]), {"heading": _("Agenda")}]
    blocks += [{"paragraph": f"{n}. {p.title}"} for n, p in enumerate(data["points"], 1)]
    blocks.append({"heading": _("Minutes")})
    blocks += [{"paragraph": line} for line in meeting.minutes.splitlines() if line.strip()] or [
        {"paragraph": _("No minutes written yet.")}
    ]
    blocks += [
        {"heading": _("Decisions")},
        {"table": {"headers": data["decision_headers"], "rows": data["decisions"]}}
        if data["decisions"]
        else {"paragraph": _("No decisions recorded.")},
    ]
    return documents.render_docx(
        {"title": data["title"], "subtitle": _when(meeting), "blocks": blocks, "signature": [data["approved"]]}
    )


def minutes_pdf(meeting: Meeting) -> bytes:
    return documents.render_pdf("meetings/minutes_document.html", minutes_data(meeting))
