"""The documents the office circulates: the monthly digest (月报汇总) and the quarterly review pack (季度讲评).

``monthly_digest(period)`` and ``quarterly_pack(period)`` gather the figures from the ledger with
aggregate queries (fast on 100,000 items); ``*_docx`` and ``*_pdf`` lay them out through
:mod:`taizhang.lib.documents`.
"""

import datetime
from collections import defaultdict

from django.db.models import Avg, Case, Count, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from taizhang.audit.anchors import anchor_line
from taizhang.campaigns.models import Category, KeyTask, Scope
from taizhang.ledger.models import Item, Light, Status
from taizhang.lib import documents
from taizhang.orgs.models import Unit

from .models import ReportingPeriod, UnitReport
from .queries import Rates, board, expected_unit_ids, periods_in_range, unit_rates

DONE = (Status.COMPLETED, Status.CLOSED)


def _first_level(units: dict[int, Unit], unit_id: int) -> int:
    """The unit directly under the root that a unit belongs to (itself when it is one, or the root)."""
    parts = units[unit_id].path.split(".")
    return int(parts[1]) if len(parts) > 2 else int(parts[0])


def _item_figures(items, key: str, month_start: datetime.date, month_end: datetime.date) -> dict:
    rows = items.values(key).annotate(
        total=Count("id"),
        done=Count("id", filter=Q(status__in=DONE)),
        done_this_month=Count("id", filter=Q(completed_on__gte=month_start, completed_on__lte=month_end)),
        average=Avg("percent"),
        red=Count("id", filter=Q(light=Light.RED)),
        yellow=Count("id", filter=Q(light=Light.YELLOW)),
        blue=Count("id", filter=Q(light=Light.BLUE)),
        green=Count("id", filter=Q(light=Light.GREEN)),
    )
    return {row[key]: row for row in rows.order_by()}


def _merge(into: dict, row: dict) -> None:
    total = into.get("total", 0) + row["total"]
    into["average"] = (
        (into.get("average", 0) * into.get("total", 0) + (row["average"] or 0) * row["total"]) / total if total else 0
    )
    for name in ("total", "done", "done_this_month", "red", "yellow", "blue", "green"):
        into[name] = into.get(name, 0) + row[name]


def _plan_dimensions(campaign, items, period) -> tuple[list, list]:
    """The items' figures by aspect of the plan (a key task counts under its aspect) and by scope."""
    nodes = {k.pk: k for k in KeyTask.objects.filter(campaign=campaign).order_by("parent_id", "order", "id")}
    by_aspect: dict[int, dict] = {}
    for key_task_id, row in _item_figures(items, "key_task_id", period.starts_on, period.ends_on).items():
        if key_task_id in nodes:
            node = nodes[key_task_id]
            _merge(by_aspect.setdefault(node.parent_id or node.pk, {}), row)
    aspects = [(str(nodes[pk]), by_aspect[pk]) for pk in nodes if pk in by_aspect]
    labels = dict(Scope.choices)
    scopes = [
        (str(labels.get(scope, scope)), row)
        for scope, row in sorted(_item_figures(items, "scope", period.starts_on, period.ends_on).items())
    ]
    return aspects, scopes


def monthly_digest(period: ReportingPeriod, *, progress=lambda percent: None) -> dict:
    """Figures for a monthly period: per first-level unit and per category, lagging items, the units' words, rates."""
    campaign = period.campaign
    items = Item.objects.filter(campaign=campaign).exclude(status=Status.WITHDRAWN)
    units = {u.pk: u for u in Unit.objects.only("id", "name", "short_name", "path", "depth", "sort_order")}
    progress(10)
    by_unit: dict[int, dict] = defaultdict(dict)
    for unit_id, row in _item_figures(items, "owner_unit_id", period.starts_on, period.ends_on).items():
        _merge(by_unit[_first_level(units, unit_id)], row)
    progress(40)
    categories = {c.pk: c.name for c in Category.objects.filter(campaign=campaign)}
    by_category = {
        categories.get(cat_id, _("no category")): row
        for cat_id, row in _item_figures(items, "category_id", period.starts_on, period.ends_on).items()
    }
    by_aspect, by_scope = _plan_dimensions(campaign, items, period)
    progress(60)
    totals: dict = {}
    for row in by_unit.values():
        _merge(totals, row)
    lagging = list(
        items.filter(light__in=[Light.RED, Light.YELLOW])
        .exclude(status__in=DONE)
        .select_related("owner_unit")
        .order_by(Case(When(light=Light.RED, then=Value(0)), default=Value(1)), "due", "code")[:30]
    )
    reports = list(
        UnitReport.objects.filter(period=period, status__in=(UnitReport.Status.SUBMITTED, UnitReport.Status.ACCEPTED))
        .select_related("unit")
        .order_by("unit__path")
    )
    progress(75)
    weekly = board(campaign, kind=ReportingPeriod.Kind.WEEKLY, start=period.starts_on, end=period.ends_on, limit=0)[
        "overall"
    ]
    progress(90)
    unit_rows = sorted(
        ((units[unit_id], row) for unit_id, row in by_unit.items()), key=lambda pair: (pair[0].path, pair[0].name)
    )
    return {
        "campaign": campaign,
        "period": period,
        "totals": totals,
        "units": unit_rows,
        "categories": sorted(by_category.items(), key=lambda pair: pair[0]),
        "aspects": by_aspect,
        "scopes": by_scope,
        "lagging": lagging,
        "highlights": [(r.unit, r.practices) for r in reports if r.practices],
        "results": [(r.unit, r.results) for r in reports if r.results],
        "problems": [(r.unit, r.problems) for r in reports if r.problems],
        "suggestions": [(r.unit, r.suggestions) for r in reports if r.suggestions],
        "rates": weekly,
        "generated_at": timezone.localtime(),
        # The footer: the ledger's chain as last anchored, for whoever later checks it against verify_ledger.
        "anchor": anchor_line(campaign),
    }


def quarterly_pack(period: ReportingPeriod, *, progress=lambda percent: None, on: datetime.date | None = None) -> dict:
    """Ranking of units (on-time reporting, completion on schedule, lights), red items, the units' problems."""
    campaign = period.campaign
    on = on or timezone.localdate()
    units = {u.pk: u for u in Unit.objects.only("id", "name", "short_name", "path", "depth", "sort_order")}
    weeks = list(periods_in_range(campaign, ReportingPeriod.Kind.WEEKLY, period.starts_on, period.ends_on))
    expected = expected_unit_ids(campaign)
    own = unit_rates(campaign, weeks, expected & units.keys(), timezone.now())
    progress(30)
    per_unit: dict[int, dict] = defaultdict(lambda: {"expected": 0, "on_time": 0, "due": 0, "on_schedule": 0, "red": 0})
    overall = Rates()
    for unit_id, rates in own.items():
        target = per_unit[_first_level(units, unit_id)]
        target["expected"] += rates.expected
        target["on_time"] += rates.on_time
        overall.add(rates)
    items = Item.objects.filter(campaign=campaign).exclude(status=Status.WITHDRAWN)
    due_rows = (
        items.filter(due__gte=period.starts_on, due__lte=min(period.ends_on, on))
        .values("owner_unit_id")
        .annotate(
            due_count=Count("id"),
            on_schedule=Count("id", filter=Q(completed_on__isnull=False, completed_on__lte=F("due"))),
        )
        .order_by()
    )
    for row in due_rows:
        target = per_unit[_first_level(units, row["owner_unit_id"])]
        target["due"] += row["due_count"]
        target["on_schedule"] += row["on_schedule"]
    for row in items.filter(light=Light.RED).values("owner_unit_id").annotate(n=Count("id")).order_by():
        per_unit[_first_level(units, row["owner_unit_id"])]["red"] += row["n"]
    progress(60)
    ranking = []
    for unit_id, figures in per_unit.items():
        on_time_rate = round(100 * figures["on_time"] / figures["expected"], 1) if figures["expected"] else None
        schedule_rate = round(100 * figures["on_schedule"] / figures["due"], 1) if figures["due"] else None
        ranking.append(
            {"unit": units[unit_id], **figures, "on_time_rate": on_time_rate, "schedule_rate": schedule_rate}
        )
    ranking.sort(key=lambda r: (-(r["on_time_rate"] or 0), -(r["schedule_rate"] or 0), r["red"], r["unit"].path))
    red_items = [
        {"item": item, "days_overdue": (on - item.due).days if item.due and item.due < on else 0}
        for item in items.filter(light=Light.RED)
        .exclude(status__in=DONE)
        .select_related("owner_unit")
        .order_by("due", "code")[:200]
    ]
    problems = list(
        UnitReport.objects.filter(
            period__campaign=campaign,
            period__kind=ReportingPeriod.Kind.MONTHLY,
            period__starts_on__gte=period.starts_on,
            period__ends_on__lte=period.ends_on,
        )
        .exclude(problems="")
        .select_related("unit", "period")
        .order_by("unit__path", "period__starts_on")
    )
    progress(90)
    return {
        "campaign": campaign,
        "period": period,
        "ranking": ranking,
        "red_items": red_items,
        "problems": [(r.unit, r.period, r.problems) for r in problems],
        "rates": overall,
        "on": on,
        "generated_at": timezone.localtime(),
    }


def _pct(value) -> str:
    return "—" if value is None else f"{value:.1f}%"


def monthly_digest_docx(data: dict) -> bytes:
    campaign, period, totals, rates = data["campaign"], data["period"], data["totals"], data["rates"]
    blocks = [
        {"heading": _("Overall")},
        {
            "paragraph": _(
                "%(total)d items in the ledger; %(done)d completed, %(month)d of them this month; average progress %(average).1f%%. "
                "Lights: %(red)d red, %(yellow)d yellow, %(blue)d blue."
            )
            % {
                "total": totals.get("total", 0),
                "done": totals.get("done", 0),
                "month": totals.get("done_this_month", 0),
                "average": totals.get("average", 0),
                "red": totals.get("red", 0),
                "yellow": totals.get("yellow", 0),
                "blue": totals.get("blue", 0),
            }
        },
        {
            "paragraph": _(
                "Weekly reports this month: %(reported)d of %(expected)d in (%(rate)s), %(on_time)d on time (%(on_time_rate)s)."
            )
            % {
                "reported": rates.reported,
                "expected": rates.expected,
                "rate": _pct(rates.reporting_rate),
                "on_time": rates.on_time,
                "on_time_rate": _pct(rates.on_time_rate),
            }
        },
        {"heading": _("By unit")},
        {"table": {"headers": _unit_headers(), "rows": [_unit_row(u.name, r) for u, r in data["units"]]}},
        {"heading": _("By category")},
        {"table": {"headers": _unit_headers(_("Category")), "rows": [_unit_row(n, r) for n, r in data["categories"]]}},
    ]
    if data["categories"]:
        blocks.append(
            {
                "image": documents.bar_chart_png(
                    [name for name, _row in data["categories"]],
                    [round(row["average"] or 0, 1) for _name, row in data["categories"]],
                    title=_("Average progress by category"),
                    unit="%",
                    max_value=100,
                ),
                "width_cm": 15,
            }
        )
    blocks += [
        {"heading": _("Lagging items")},
        {
            "table": {
                "headers": [_("Code"), _("Item"), _("Responsible unit"), _("Progress"), _("Light")],
                "rows": [
                    [i.code, i.title, i.owner_unit.name, f"{i.percent}%", i.light_reason or i.get_light_display()]
                    for i in data["lagging"]
                ],
            }
        },
        {"heading": _("Results and highlights")},
        *_quotes(data["results"] + data["highlights"]),
        {"heading": _("Problems")},
        *_quotes(data["problems"]),
        {"heading": _("Opinions and suggestions")},
        *_quotes(data["suggestions"]),
    ]
    # The plan's dimensions come last, so the numbered sections before them keep their places.
    if data.get("aspects"):
        blocks += [
            {"heading": _("By aspect of the plan")},
            {"table": {"headers": _unit_headers(_("Aspect")), "rows": [_unit_row(n, r) for n, r in data["aspects"]]}},
        ]
    if data.get("scopes"):
        blocks += [
            {"heading": _("By scope")},
            {"table": {"headers": _unit_headers(_("Scope")), "rows": [_unit_row(n, r) for n, r in data["scopes"]]}},
        ]
    if data.get("anchor"):
        blocks.append({"paragraph": data["anchor"]})
    return documents.render_docx(
        {
            "title": _("%(campaign)s: monthly digest, %(period)s") % {"campaign": campaign.name, "period": period.name},
            "subtitle": _("Campaign office, %(date)s") % {"date": data["generated_at"].strftime("%Y-%m-%d")},
            "blocks": blocks,
        }
    )


def _unit_headers(first=None):
    return [
        first or _("Unit"),
        pgettext("count", "Items"),
        _("Completed"),
        _("Completed this month"),
        _("Average progress"),
        _("Red"),
        _("Yellow"),
        _("Blue"),
    ]


def _unit_row(name, row):
    return [
        name,
        row["total"],
        row["done"],
        row["done_this_month"],
        f"{(row['average'] or 0):.1f}%",
        row["red"],
        row["yellow"],
        row["blue"],
    ]


def _quotes(pairs):
    if not pairs:
        return [{"paragraph": _("None reported.")}]
    return [{"paragraph": f"{unit.name}：{text}"} for unit, text in pairs]


def monthly_digest_pdf(data: dict) -> bytes:
    chart = ""
    if data["categories"]:
        chart = documents.bar_chart_svg(
            [name for name, _row in data["categories"]],
            [round(row["average"] or 0, 1) for _name, row in data["categories"]],
            title=_("Average progress by category"),
            unit="%",
            max_value=100,
        )
    return documents.render_pdf(
        "reporting/documents/monthly_digest.html",
        {
            **data,
            "chart": documents.svg_data_url(chart),
            "dimensions": [
                (_("By aspect of the plan"), _("Aspect"), data.get("aspects")),
                (_("By scope"), _("Scope"), data.get("scopes")),
            ],
        },
    )


def quarterly_pack_docx(data: dict) -> bytes:
    campaign, period = data["campaign"], data["period"]
    ranking = data["ranking"]
    blocks = [
        {"heading": _("Ranking of units")},
        {
            "table": {
                "headers": [_("Rank"), _("Unit"), _("On-time reporting"), _("Completed on schedule"), _("Red items")],
                "rows": [
                    [n, r["unit"].name, _pct(r["on_time_rate"]), _pct(r["schedule_rate"]), r["red"]]
                    for n, r in enumerate(ranking, 1)
                ],
            }
        },
    ]
    if ranking:
        blocks.append(
            {
                "image": documents.bar_chart_png(*ranking_chart(ranking), unit="%", max_value=100),
                "width_cm": 15,
            }
        )
    blocks += [
        {"heading": _("Red items")},
        {
            "table": {
                "headers": [_("Code"), _("Item"), _("Responsible unit"), _("Person responsible"), _("Days overdue")],
                "rows": [
                    [
                        r["item"].code,
                        r["item"].title,
                        r["item"].owner_unit.name,
                        r["item"].owner or "—",
                        r["days_overdue"],
                    ]
                    for r in data["red_items"]
                ],
            }
        },
        {"heading": _("Problems raised by the units")},
        *_quotes([(unit, f"（{p.name}）{text}") for unit, p, text in data["problems"]]),
    ]
    return documents.render_docx(
        {
            "title": _("%(campaign)s: quarterly review, %(period)s")
            % {"campaign": campaign.name, "period": period.name},
            "subtitle": _("Campaign office, %(date)s") % {"date": data["generated_at"].strftime("%Y-%m-%d")},
            "blocks": blocks,
        }
    )


CHART_ALL_UP_TO = 30  # units a ranking chart shows in full; past that, the best and the worst
CHART_ENDS = 12


def ranking_chart(ranking: list[dict]) -> tuple[list[str], list[float], str]:
    """Labels, values and title of the on-time chart: every unit, ranked, or the best and the worst.

    A review (讲评) exists to call out the units at the bottom: a chart cut at the top N would hide them.
    """
    ranked = [(n, r) for n, r in enumerate(ranking, 1)]
    title = _("On-time reporting rate")
    if len(ranked) > CHART_ALL_UP_TO:
        ranked = ranked[:CHART_ENDS] + ranked[-CHART_ENDS:]
        title = _("On-time reporting rate: the best %(n)d and the worst %(n)d of %(total)d units") % {
            "n": CHART_ENDS,
            "total": len(ranking),
        }
    labels = [f"{n}. {r['unit'].name}" for n, r in ranked]
    return labels, [r["on_time_rate"] or 0 for _n, r in ranked], title


def quarterly_pack_pdf(data: dict) -> bytes:
    chart = ""
    if data["ranking"]:
        chart = documents.bar_chart_svg(*ranking_chart(data["ranking"]), unit="%", max_value=100)
    return documents.render_pdf(
        "reporting/documents/quarterly_pack.html", {**data, "chart": documents.svg_data_url(chart)}
    )
