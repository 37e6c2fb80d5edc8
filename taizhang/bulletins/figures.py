"""The bulletin's figure blocks, computed from the ledger and the reporting rhythm.

Each block is plain JSON (title, rows of label/value, an optional colour), so the issue stores them
as they were at publication and every output (page, PDF, .docx, WeChat) reads the same frozen rows.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.dashboards.queries import (
    DONE,
    LIGHT_COLOURS,
    SHOWN_LIGHTS,
    Drill,
    by_unit,
    cube,
    headline,
    rate,
    scope_items,
)
from taizhang.ledger.models import Light
from taizhang.reporting.models import ReportingPeriod
from taizhang.reporting.queries import expected_unit_ids, periods_in_range, unit_counts

from .models import Bulletin

Figure = Bulletin.Figure
RANKING_ROWS = 10


def compute(
    campaign, kinds: list[str], start: datetime.date, end: datetime.date, now: datetime.datetime | None = None
) -> list[dict]:
    """The chosen figure blocks, in the order of ``Bulletin.Figure``."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    items = scope_items(campaign)
    blocks = []
    head = headline(cube(items, today), Drill(campaign)) if kinds else None
    for kind in Figure.values:
        if kind not in kinds:
            continue
        if kind == Figure.COMPLETED:
            done = items.filter(status__in=DONE, completed_on__gte=start, completed_on__lte=end).count()
            rows = [{"label": _("Completed from %(start)s to %(end)s") % {"start": start, "end": end}, "value": done}]
        elif kind == Figure.COMPLETION:
            rows = [
                {"label": _("Items"), "value": head["total"]},
                {"label": _("Completed"), "value": head["done"]},
                {"label": _("Completion rate"), "value": f"{head['completion_rate']}%"},
            ]
        elif kind == Figure.LIGHTS:
            by = {light["key"]: light["value"] for light in head["lights"]}
            rows = [
                {
                    "label": str(Light(light).label),
                    "value": by.get(light, 0),
                    "colour": LIGHT_COLOURS[light],
                    "key": light,
                }
                for light in SHOWN_LIGHTS
            ]
        elif kind == Figure.ON_TIME:
            rows = _on_time(campaign, start, end, now)
        else:
            ranked = sorted(by_unit(items, campaign, None, Drill(campaign)), key=lambda r: (-r["rate"], r["name"]))
            rows = [
                {"label": f"{n}. {row['name']}", "value": f"{row['rate']}%", "detail": f"{row['done']}/{row['total']}"}
                for n, row in enumerate(ranked[:RANKING_ROWS], start=1)
            ]
        blocks.append({"kind": kind, "title": str(Figure(kind).label), "rows": rows})
    return blocks


def _on_time(campaign, start, end, now) -> list[dict]:
    periods = list(periods_in_range(campaign, ReportingPeriod.Kind.WEEKLY, start, end))
    counts = unit_counts(campaign, periods, expected_unit_ids(campaign), now)
    expected = sum(c[0] for c in counts.values())
    on_time = sum(c[1] for c in counts.values())
    late = sum(c[2] for c in counts.values())
    return [
        {"label": _("Reports expected"), "value": expected},
        {"label": _("On time"), "value": on_time},
        {"label": _("Late"), "value": late},
        {"label": _("On-time reporting rate"), "value": f"{rate(on_time, expected)}%"},
    ]


def has_figures(kinds) -> bool:
    return bool(set(kinds or []) & set(Figure.values))
