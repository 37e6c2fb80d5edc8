"""A liaison's home: the open items of their own unit by deadline, and their unit's report for this week."""

import datetime

from django.db.models import F, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.campaigns.decorators import campaign_view
from taizhang.ledger.models import Item, Light, Status
from taizhang.lib.aggregates import count_where
from taizhang.lib.paging import IdPaginator
from taizhang.lib.params import BadParameter, id_param, int_param
from taizhang.reporting.models import ReportingPeriod, UnitReport
from taizhang.reporting.queries import cell_state, is_expected

PER_PAGE = 50
# The columns a row shows (light_reason is worded from light_code and light_n).
ROW_FIELDS = (
    "code",
    "title",
    "due",
    "due_text",
    "percent",
    "status",
    "light",
    "light_code",
    "light_n",
    "owner_unit",
    "owner_unit__name",
)


def unit_items(campaign, unit):
    """The unit's items still to be done: not completed, closed or withdrawn."""
    return Item.objects.filter(campaign=campaign).in_unit(unit).open().exclude(status=Status.COMPLETED)


def unit_figures(items, today: datetime.date) -> dict:
    """One aggregate query: how many are open, overdue, due this week (to Sunday), red, yellow."""
    sunday = today + datetime.timedelta(days=6 - today.weekday())
    return items.aggregate(
        total=count_where(),
        overdue=count_where(Q(due__lt=today)),
        this_week=count_where(Q(due__gte=today, due__lte=sunday)),
        red=count_where(Q(light=Light.RED)),
        yellow=count_where(Q(light=Light.YELLOW)),
    )


def week_report(campaign, unit, now: datetime.datetime) -> dict | None:
    """This week's weekly period and the unit's report for it, as the reporting board names its state."""
    today = timezone.localtime(now).date()
    period = ReportingPeriod.objects.filter(
        campaign=campaign, kind=ReportingPeriod.Kind.WEEKLY, starts_on__lte=today, ends_on__gte=today
    ).first()
    if period is None:
        return None
    report = UnitReport.objects.filter(period=period, unit=unit).only("status", "is_late").first()
    state = cell_state(report, period, is_expected(campaign, unit), now)
    return {
        "period": period,
        "state": state,
        "url": reverse("reporting:report_detail", args=[campaign.slug, period.pk, unit.pk]),
    }


@campaign_view
def unit_home(request, campaign, access):
    access.require(access.is_liaison, _("This page is a liaison's own: it shows the unit they keep."))
    units = access.liaison_units
    chosen = id_param(request, "unit")
    unit = next((u for u in units if u.pk == chosen), None) if chosen is not None else units[0]
    if unit is None:
        raise BadParameter("unit", _("Choose one of your own units."))
    now = timezone.now()
    today = timezone.localtime(now).date()
    items = unit_items(campaign, unit)
    # Overdue first (the earliest deadline), then what is due soon; items without a date at the end.
    ordered = items.only(*ROW_FIELDS).select_related("owner_unit").order_by(F("due").asc(nulls_last=True), "code")
    page = IdPaginator(ordered, PER_PAGE).get_page(int_param(request, "page", 1, min_value=1))
    context = {
        "campaign": campaign,
        "access": access,
        "unit": unit,
        "units": units,
        "today": today,
        "figures": unit_figures(items, today),
        "report": week_report(campaign, unit, now),
        "page": page,
        "query": f"unit={unit.pk}" if len(units) > 1 else "",
        "list_url": reverse("ledger:item_list", args=[campaign.slug]),
    }
    return render(request, "dashboards/unit_home.html", context)
