"""The figures behind the dashboards: aggregate queries only, a fixed handful per page whatever the size.

Every figure carries the item-list filters that reproduce it (``link``), so a
click on a chart opens exactly the items it counts.
"""

import datetime
from urllib.parse import urlencode

from django.db.models import F, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from taizhang.ledger.models import Item, Light, LightTally, Status
from taizhang.lib.aggregates import count_where
from taizhang.lib.periods import period_name, week_key
from taizhang.orgs.models import Unit

DONE = (Status.COMPLETED, Status.CLOSED)
SHOWN_STATUSES = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.COMPLETED, Status.CLOSED)
SHOWN_LIGHTS = (Light.RED, Light.YELLOW, Light.BLUE, Light.GREEN)
LIGHT_COLOURS = {Light.GREEN: "#2e9d4c", Light.BLUE: "#2f6fd6", Light.YELLOW: "#f2c200", Light.RED: "#d9342b"}
STATUS_COLOURS = {
    Status.NOT_STARTED: "#adb5bd",
    Status.IN_PROGRESS: "#2f6fd6",
    Status.COMPLETED: "#2e9d4c",
    Status.CLOSED: "#176b31",
}


FIGURES = {
    "total": count_where(),
    "done": count_where(Q(status__in=DONE)),
    "red": count_where(Q(light=Light.RED)),
    "yellow": count_where(Q(light=Light.YELLOW)),
    "blue": count_where(Q(light=Light.BLUE)),
}
CUBE = ("category", "phase", "status", "light")


class Drill:
    """Builds item-list links that keep the dashboard's scope (its unit) and add a figure's own filters."""

    def __init__(self, campaign, unit: Unit | None = None):
        self.base = reverse("ledger:item_list", args=[campaign.slug])
        self.unit = unit

    def __call__(self, **filters) -> str:
        params = {}
        if self.unit is not None and "unit" not in filters:
            params["unit"] = self.unit.pk
        params.update({k: v for k, v in filters.items() if v not in (None, "")})
        if "status" not in params and "light" not in params:
            # The dashboards leave withdrawn items out; so must the list a figure opens.
            params["status"] = "current"
        return f"{self.base}?{urlencode(params)}"


def scope_items(campaign, unit: Unit | None = None):
    """The campaign's items that count on a dashboard: not withdrawn, in the unit's subtree when given."""
    items = Item.objects.filter(campaign=campaign).exclude(status=Status.WITHDRAWN)
    return items.in_unit(unit) if unit is not None else items


def rate(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def cube(items, today: datetime.date) -> list[dict]:
    """Counts by category, phase, status and light: one pass over the covering index, a few hundred rows.

    The headline, the category and phase tables and today's light counts are all sums over it.
    """
    return list(
        items.values(*CUBE)
        .annotate(
            n=count_where(),
            on_time=count_where(Q(status__in=DONE) & (Q(due__isnull=True) | Q(completed_on__lte=F("due")))),
            # Overdue: red and past its deadline, the same rule as the item-list link that shows them.
            overdue=count_where(Q(light=Light.RED, due__lt=today)),
        )
        .order_by()
    )


def _sum(rows, key: str = "n", **match) -> int:
    return sum(
        row[key] for row in rows if all(row[k] in v if isinstance(v, tuple) else row[k] == v for k, v in match.items())
    )


def headline(rows: list[dict], drill: Drill) -> dict:
    """Totals, by status and by light, completion and on-time completion, from the cube."""
    total = _sum(rows)
    done = _sum(rows, status=DONE)
    done_on_time = _sum(rows, "on_time")
    return {
        "total": total,
        "done": done,
        "done_on_time": done_on_time,
        "overdue": _sum(rows, "overdue"),
        "completion_rate": rate(done, total),
        "on_time_rate": rate(done_on_time, done),
        "statuses": [
            {
                "key": value,
                "name": str(label),
                "value": _sum(rows, status=value),
                "color": STATUS_COLOURS[value],
                "link": drill(status=value),
            }
            for value, label in Status.choices
            if value in SHOWN_STATUSES
        ],
        "lights": [
            {
                "key": value,
                "name": str(Light(value).label),
                "value": _sum(rows, light=value),
                "color": LIGHT_COLOURS[value],
                "link": drill(light=value),
            }
            for value in SHOWN_LIGHTS
        ],
    }


def _by(cube_rows: list[dict], field: str, objects, drill: Drill, param: str) -> list[dict]:
    """Figures per category or phase, in the campaign's order; items without one come last."""
    per: dict = {}
    for row in cube_rows:
        figures = per.setdefault(
            row[field], dict.fromkeys(["total", "done", "red", "yellow", "blue", *SHOWN_STATUSES], 0)
        )
        figures["total"] += row["n"]
        if row["status"] in DONE:
            figures["done"] += row["n"]
        if row["light"] in figures:
            figures[row["light"]] += row["n"]
        if row["status"] in figures:
            figures[row["status"]] += row["n"]
    result = []
    for obj in [*objects, None]:
        row = per.get(obj.pk if obj else None)
        if row is None:
            continue
        result.append(
            {
                "id": obj.pk if obj else None,
                "name": obj.name if obj else _("(none)"),
                **{key: row[key] for key in FIGURES},
                "rate": rate(row["done"], row["total"]),
                "link": drill(**{param: obj.pk}) if obj else None,
                "statuses": [
                    {"value": row[value], "link": drill(**{param: obj.pk}, status=value) if obj else None}
                    for value in SHOWN_STATUSES
                ],
                "red_link": drill(**{param: obj.pk}, light=Light.RED) if obj else None,
            }
        )
    return result


def by_unit(items, campaign, scope: Unit | None, drill: Drill) -> list[dict]:
    """Figures per unit one level below the scope (below the group when there is none), subtrees rolled up."""
    if scope is None:
        children = list(Unit.objects.filter(depth=1).order_by("sort_order", "name"))
        if not children:
            children = list(Unit.objects.filter(depth=0).order_by("sort_order", "name"))
    else:
        children = list(Unit.objects.filter(parent=scope).order_by("sort_order", "name"))
    # Grouped by unit id (from the covering index), then placed in the tree by the units' paths.
    units = Unit.objects.all() if scope is None else Unit.objects.filter(path__startswith=scope.path)
    paths = dict(units.values_list("id", "path"))
    per_unit = [
        {**row, "owner_unit__path": paths[row["owner_unit"]]}
        for row in items.values("owner_unit").annotate(**FIGURES).order_by()
    ]
    rows = []
    if scope is not None:
        own = dict.fromkeys(FIGURES, 0)
        for entry in per_unit:
            if entry["owner_unit__path"] == scope.path:
                own = {key: entry[key] for key in FIGURES}
        if own["total"]:
            rows.append({"unit": scope, "own": True, **own})
    # Each unit's figures go to the child whose path starts theirs (all children have paths of one length).
    child_rows = {unit.path: {"unit": unit, "own": False, **dict.fromkeys(FIGURES, 0)} for unit in children}
    width = len(children[0].path) if children else 0
    for entry in per_unit:
        row = child_rows.get(entry["owner_unit__path"][:width])
        if row is not None:
            for key in FIGURES:
                row[key] += entry[key]
    rows.extend(row for row in child_rows.values() if row["total"])
    top = max((row["total"] for row in rows), default=0)
    return [
        {
            "id": row["unit"].pk,
            "name": row["unit"].display_name if not row["own"] else _("%(unit)s itself") % {"unit": row["unit"]},
            **{key: row[key] for key in FIGURES},
            "rate": rate(row["done"], row["total"]),
            "share": rate(row["total"], top),
            "link": drill(unit=row["unit"].pk),
            "dashboard": not row["own"],
        }
        for row in rows
    ]


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def weeks_of(campaign, today: datetime.date) -> list[datetime.date]:
    """Mondays from the campaign's start to its end."""
    first, last = week_start(campaign.starts_on), week_start(campaign.ends_on)
    return [first + datetime.timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]


def week_names(weeks: list[datetime.date]) -> dict:
    """A weekly axis as people read it: 2026年第48周 under each point, the week's days in its tooltip.

    The Mondays stay in ``weeks`` (the data's keys); ``labels`` and ``names`` are :func:`period_name`'s, so the
    board reads the same week as the report pages, sheets and file names.
    """
    keys = [week_key(monday) for monday in weeks]
    return {
        "labels": [period_name(key, short=True) for key in keys],
        "names": [period_name(key) for key in keys],
    }


def burn_up(items, campaign, today: datetime.date, drill: Drill) -> dict:
    """Items completed by the end of each week against the plan (items whose deadline has passed by then)."""
    weeks = weeks_of(campaign, today)
    # No "due is not null" filter: it would steer SQLite off the covering index; the None key is dropped.
    due = dict(items.values_list("due").annotate(n=count_where()).order_by())
    due.pop(None, None)
    done = dict(
        items.filter(status__in=DONE, completed_on__isnull=False)
        .values_list("completed_on")
        .annotate(n=count_where())
        .order_by()
    )
    planned, completed, labels, links = [], [], [], []
    # Running totals: walk each day's counts once, in date order, alongside the weeks.
    due_days, done_days = sorted(due.items()), sorted(done.items())
    planned_so_far = done_so_far = 0
    for monday in weeks:
        sunday = monday + datetime.timedelta(days=6)
        while due_days and due_days[0][0] <= sunday:
            planned_so_far += due_days.pop(0)[1]
        while done_days and done_days[0][0] <= sunday:
            done_so_far += done_days.pop(0)[1]
        planned.append(planned_so_far)
        completed.append(done_so_far if monday <= today else None)
        labels.append(monday.isoformat())
        links.append(drill(due_to=sunday.isoformat()))
    return {
        "weeks": labels,
        **week_names(weeks),
        "planned": planned,
        "completed": completed,
        "links": links,
        "done_link": drill(status="completed"),
    }


def lights_over_time(
    items, campaign, today: datetime.date, drill: Drill, unit: Unit | None = None, current: dict | None = None
) -> dict:
    """How many items showed each light week by week: the nightly tallies, and today's live counts.

    ``refresh_lights`` keeps one tally per unit and week (and one for the whole campaign), so this
    reads a few hundred rows whatever the size of the ledger. Weeks before the first tally stay empty.
    """
    if current is None:
        current = dict(items.values_list("light").annotate(n=count_where()).order_by())
    tallies = LightTally.objects.filter(campaign=campaign)
    if unit is None:
        tallies = tallies.filter(unit=None)
    else:
        tallies = tallies.filter(unit__in=Unit.objects.filter(path__startswith=unit.path).values("pk"))
    counts: dict[tuple[datetime.date, str], int] = {}
    for week, light, n in tallies.values_list("week", "light").annotate(n=Sum("count")).order_by():
        counts[week, light] = n
    known = {week for week, _light in counts}
    weeks = [monday for monday in weeks_of(campaign, today) if monday <= today]
    this_week = week_start(today)

    def value(monday, light):
        if monday == this_week:
            return current.get(light, 0)
        return counts.get((monday, light), 0) if monday in known else None

    points = sum(1 for monday in weeks if monday == this_week or monday in known)
    return {
        "weeks": [monday.isoformat() for monday in weeks],
        **week_names(weeks),
        # One week is one stack of dots that reads as "all green": below two the chart says why it is empty.
        "points": points,
        "too_few": _("The trend shows from the second week of lights on.") if points < 2 else "",
        "series": [
            {
                "key": light,
                "name": str(Light(light).label),
                "color": LIGHT_COLOURS[light],
                "data": [value(monday, light) for monday in weeks],
                "link": drill(light=light),
            }
            for light in SHOWN_LIGHTS
        ],
    }


def red_list(items, today: datetime.date, limit: int = 20) -> list[Item]:
    """Red items, the longest overdue first, with the days overdue."""
    # Dated ones first, in the order of the (campaign, light, due, code) index; then the ongoing ones.
    # (One ORDER BY due NULLS LAST would sort every red item: SQLite keeps NULLs first in its indexes.)
    reds = items.filter(light=Light.RED).select_related("owner_unit")
    reds = list(reds.filter(due__isnull=False).order_by("due", "code")[:limit])
    if len(reds) < limit:
        reds += (
            items.filter(light=Light.RED, due__isnull=True)
            .select_related("owner_unit")
            .order_by("code")[: limit - len(reds)]
        )
    for item in reds:
        item.days_overdue = (today - item.due).days if item.due and item.due < today else 0
    return reds


def overview(campaign, today: datetime.date, unit: Unit | None = None) -> dict:
    """Every figure of the campaign overview, for the whole campaign or one unit's subtree."""
    items = scope_items(campaign, unit)
    drill = Drill(campaign, unit)
    rows = cube(items, today)
    current = {light: _sum(rows, light=light) for light in Light.values}
    return {
        "headline": headline(rows, drill),
        "by_category": _by(rows, "category", list(campaign.categories.all()), drill, "category"),
        "by_phase": _by(rows, "phase", list(campaign.phases.all()), drill, "phase"),
        "by_unit": by_unit(items, campaign, unit, drill),
        "burn_up": burn_up(items, campaign, today, drill),
        "lights_over_time": lights_over_time(items, campaign, today, drill, unit, current),
        "links": {
            "all": drill(),
            "open": drill(status="open"),
            "red": drill(light="red"),
            "yellow": drill(light="yellow"),
            "overdue": drill(light="red", due_to=(today - datetime.timedelta(days=1)).isoformat()),
        },
    }
