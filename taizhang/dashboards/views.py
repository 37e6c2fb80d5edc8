"""Dashboards: the campaign overview (whole campaign or one unit's subtree), role views and the big screen."""

from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from taizhang.campaigns.decorators import campaign_view
from taizhang.ledger.models import Light
from taizhang.lib.params import id_param, int_param
from taizhang.orgs.models import ContactPoint, Unit

from . import queries

# The big screen fetches fresh figures this often.
SCREEN_REFRESH_SECONDS = 60


def chart_labels() -> dict:
    """Words the charts draw themselves (legends), in the reader's language."""
    return {"red": _("Red lights"), "planned": _("Planned: deadline passed"), "completed": _("Completed")}


def _scope(request) -> Unit | None:
    pk = id_param(request, "unit")
    return None if pk is None else get_object_or_404(Unit, pk=pk)


def unit_rows_html(rows: list[dict]) -> str:
    """The unit table's rows, built in Python: a region's hundred sub-units are 2,500 template nodes."""
    title = _("This unit’s dashboard")
    parts = []
    for row in rows:
        own = format_html('<a href="?unit={}" title="{}"><i class="bi bi-bar-chart"></i></a> ', row["id"], title)
        parts.append(
            format_html(
                '<tr data-unit="{id}"><td>{own}<a href="{link}">{name}</a></td>'
                '<td class="text-end" data-value="{total}"><div class="tz-bar-cell">'
                '<span class="tz-bar" style="width: {share}%"></span><span class="tz-bar-label">{total}</span></div></td>'
                '<td class="text-end" data-value="{rate}"><div class="tz-bar-cell">'
                '<span class="tz-bar tz-bar-done" style="width: {rate_width}%"></span>'
                '<span class="tz-bar-label">{rate}%</span></div></td>'
                '<td class="text-end" data-value="{yellow}">{yellow_cell}</td>'
                '<td class="text-end" data-value="{red}">{red_cell}</td></tr>',
                id=row["id"],
                own=own if row["dashboard"] else "",
                link=row["link"],
                name=row["name"],
                total=row["total"],
                share=f"{row['share']:.0f}",
                rate=row["rate"],
                rate_width=f"{row['rate']:.0f}",
                yellow=row["yellow"],
                red=row["red"],
                yellow_cell=format_html('<a href="{}&amp;light=yellow">{}</a>', row["link"], row["yellow"])
                if row["yellow"]
                else "0",
                red_cell=format_html(
                    '<a class="text-danger fw-semibold" href="{}&amp;light=red">{}</a>', row["link"], row["red"]
                )
                if row["red"]
                else "0",
            )
        )
    return mark_safe("".join(parts))  # every part came from format_html


def _context(request, campaign, access) -> dict:
    unit = _scope(request)
    today = timezone.localdate()
    data = queries.overview(campaign, today, unit)
    items = queries.scope_items(campaign, unit)
    return {
        "campaign": campaign,
        "access": access,
        "scope": unit,
        "scope_path": unit.ancestors() if unit is not None else [],
        "today": today,
        "data": data,
        "unit_rows": unit_rows_html(data["by_unit"]),
        "red_items": queries.red_list(items, today),
        "my_units": access.liaison_units,
        "labels": chart_labels(),
    }


@campaign_view
def overview(request, campaign, access):
    return render(request, "dashboards/overview.html", _context(request, campaign, access))


@campaign_view
def screen(request, campaign, access):
    context = _context(request, campaign, access)
    refresh = int_param(request, "refresh", SCREEN_REFRESH_SECONDS, min_value=1)
    context["refresh_seconds"] = min(refresh, 3600)
    data_url = reverse("dashboards:data", args=[campaign.slug])
    context["data_url"] = f"{data_url}?unit={context['scope'].pk}" if context["scope"] else data_url
    return render(request, "dashboards/screen.html", context)


@campaign_view
def data(request, campaign, access):
    """The overview's figures as JSON (the big screen refreshes from here)."""
    unit = _scope(request)
    return JsonResponse(queries.overview(campaign, timezone.localdate(), unit))


@campaign_view
def mine(request, campaign, access):
    """Each role's own view: a liaison's unit, a leader's contact points, the office's whole campaign."""
    if access.liaison_units and not access.is_office:
        url = reverse("dashboards:overview", args=[campaign.slug])
        return redirect(f"{url}?unit={access.liaison_units[0].pk}")
    if ContactPoint.objects.filter(campaign=campaign, leader=request.user).exists():
        return redirect("dashboards:contacts", slug=campaign.slug)
    return redirect("dashboards:overview", slug=campaign.slug)


@campaign_view
def contacts(request, campaign, access):
    """A leader's contact points (联系点), each with its subtree's figures and lights."""
    points = list(
        ContactPoint.objects.filter(campaign=campaign, leader=request.user)
        .select_related("unit")
        .order_by("unit__path")
    )
    items = queries.scope_items(campaign)
    if points:
        subtree = Q()
        for point in points:
            subtree |= Q(owner_unit__path__startswith=point.unit.path)
        per_path = list(items.filter(subtree).values("owner_unit__path").annotate(**queries.FIGURES).order_by())
    else:
        per_path = []
    rows = []
    for point in points:
        figures = dict.fromkeys(queries.FIGURES, 0)
        for entry in per_path:
            if entry["owner_unit__path"].startswith(point.unit.path):
                for key in figures:
                    figures[key] += entry[key]
        drill = queries.Drill(campaign, point.unit)
        rows.append(
            {
                "id": point.unit.pk,
                "name": point.unit.display_name,
                "note": point.note,
                **figures,
                "rate": queries.rate(figures["done"], figures["total"]),
                "link": drill(),
                "links": {light: drill(light=light) for light in queries.SHOWN_LIGHTS},
            }
        )
    chart = {
        "names": [row["name"] for row in rows],
        "series": [
            {
                "key": light,
                "name": str(Light(light).label),
                "color": queries.LIGHT_COLOURS[light],
                "data": [{"value": row[light], "link": row["links"][light]} for row in rows],
            }
            for light in (Light.RED, Light.YELLOW, Light.BLUE)
        ],
    }
    return render(
        request,
        "dashboards/contacts.html",
        {"campaign": campaign, "access": access, "rows": rows, "chart": chart, "labels": chart_labels()},
    )
