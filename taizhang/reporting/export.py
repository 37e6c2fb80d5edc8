"""The completeness board as an xlsx file: one row per unit, its rates, then one column per period."""

from django.utils.translation import gettext as _

from taizhang.lib.xlsx import write_table

from .queries import Cell


def cell_labels() -> dict[str, str]:
    return {
        Cell.ON_TIME: _("on time"),
        Cell.LATE: _("late"),
        Cell.MISSING: _("missing"),
        Cell.RETURNED: _("returned"),
        Cell.DRAFT: _("not yet due"),
        Cell.PENDING: _("not yet due"),
        Cell.NOT_EXPECTED: _("not expected"),
    }


def export_board(campaign, data: dict) -> bytes:
    labels = cell_labels()
    periods = data["periods"]
    headers = [
        _("Unit"),
        _("Expected reports"),
        _("On time"),
        _("Late"),
        _("Returned"),
        _("Missing"),
        _("Reporting rate (%)"),
        _("On-time rate (%)"),
        *(p.short_name for p in periods),
    ]
    rows = []
    for row in data["rows"]:
        total = row.total
        rows.append(
            [
                "\u3000" * row.unit.depth + row.unit.name,
                total.expected,
                total.on_time,
                total.late,
                total.returned,
                total.missing,
                total.reporting_rate,
                total.on_time_rate,
                *(labels[state] if row.expected else "" for _period, _report, state in row.cells),
            ]
        )
    return write_table(
        sheet_name=_("Completeness"),
        title=_("%(campaign)s: reporting completeness") % {"campaign": campaign.name},
        headers=headers,
        widths=[28, 10, 8, 8, 8, 8, 10, 10, *(14 for _p in periods)],
        rows=rows,
    )
