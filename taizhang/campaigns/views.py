from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from taizhang.history.models import HistoryEntry
from taizhang.history.recording import history_for
from taizhang.ledger.models import Item, Light, Status
from taizhang.lib.forms import apply_errors
from taizhang.orgs.models import ContactPoint, Unit

from . import actions
from .decorators import campaign_view
from .forms import CampaignRulesForm
from .models import Campaign


@login_required
def home(request):
    """The campaigns this person has a role in; straight into the campaign when there is one."""
    campaigns = (
        Campaign.objects.all()
        if request.user.is_superuser
        else Campaign.objects.filter(grants__user=request.user).distinct()
    )
    campaigns = list(campaigns)
    if len(campaigns) == 1:
        return redirect("campaigns:campaign_home", slug=campaigns[0].slug)
    return render(request, "campaigns/home.html", {"campaigns": campaigns})


def headline_counts(campaign) -> dict:
    """Totals, by status and light, and the completion rates shown on the campaign home."""
    items = Item.objects.filter(campaign=campaign).exclude(status=Status.WITHDRAWN)
    counts = items.aggregate(
        total=Count("id"),
        **{f"status_{value}": Count("id", filter=Q(status=value)) for value in Status.values},
        **{f"light_{value}": Count("id", filter=Q(light=value)) for value in Light.values},
        done=Count("id", filter=Q(status__in=[Status.COMPLETED, Status.CLOSED])),
        done_on_time=Count(
            "id",
            filter=Q(status__in=[Status.COMPLETED, Status.CLOSED])
            & (Q(due__isnull=True) | Q(completed_on__lte=F("due"))),
        ),
        ongoing=Count("id", filter=Q(due__isnull=True)),
    )
    total = counts["total"] or 0
    counts["completion_rate"] = round(100 * counts["done"] / total, 1) if total else 0
    counts["on_time_rate"] = round(100 * counts["done_on_time"] / counts["done"], 1) if counts["done"] else 0
    counts["statuses"] = [
        (value, label, counts[f"status_{value}"]) for value, label in Status.choices if value != Status.WITHDRAWN
    ]
    counts["lights"] = [
        (value, label, counts[f"light_{value}"]) for value, label in Light.choices if value != Light.NONE
    ]
    return counts


@campaign_view
def campaign_home(request, campaign, access):
    items = Item.objects.filter(campaign=campaign).exclude(status=Status.WITHDRAWN)
    by_category = (
        items.values("category__id", "category__name", "category__order")
        .annotate(
            total=Count("id"),
            done=Count("id", filter=Q(status__in=[Status.COMPLETED, Status.CLOSED])),
            red=Count("id", filter=Q(light=Light.RED)),
        )
        .order_by("category__order")
    )
    # Top-level units under the group, each with its whole subtree rolled up.
    tops = Unit.objects.filter(depth=1, is_active=True).order_by("sort_order", "name")
    unit_rows = []
    per_path = list(
        items.values("owner_unit__path").annotate(
            total=Count("id"),
            done=Count("id", filter=Q(status__in=[Status.COMPLETED, Status.CLOSED])),
            red=Count("id", filter=Q(light=Light.RED)),
            yellow=Count("id", filter=Q(light=Light.YELLOW)),
        )
    )
    for unit in tops:
        row = {"unit": unit, "total": 0, "done": 0, "red": 0, "yellow": 0}
        for entry in per_path:
            if entry["owner_unit__path"].startswith(unit.path):
                for key in ("total", "done", "red", "yellow"):
                    row[key] += entry[key]
        if row["total"]:
            row["rate"] = round(100 * row["done"] / row["total"], 1)
            unit_rows.append(row)
    red_items = items.filter(light=Light.RED).select_related("owner_unit").order_by("due", "code")[:10]
    my_items = None
    if access.liaison_units:
        mine = Q()
        for unit in access.liaison_units:
            mine |= Q(owner_unit__path__startswith=unit.path)
        my_items = items.filter(mine).open().select_related("owner_unit").order_by("due", "code")[:10]
    # A leader's contact points (联系点), each with its subtree's figures.
    contact_rows = []
    points = ContactPoint.objects.filter(campaign=campaign, leader=request.user).select_related("unit")
    for point in points.order_by("unit__sort_order", "unit__name"):
        row = {"unit": point.unit, "total": 0, "done": 0, "red": 0, "yellow": 0}
        for entry in per_path:
            if entry["owner_unit__path"].startswith(point.unit.path):
                for key in ("total", "done", "red", "yellow"):
                    row[key] += entry[key]
        contact_rows.append(row)
    context = {
        "campaign": campaign,
        "access": access,
        "contact_rows": contact_rows,
        "counts": headline_counts(campaign),
        "by_category": by_category,
        "unit_rows": unit_rows,
        "red_items": red_items,
        "my_items": my_items,
    }
    return render(request, "campaigns/campaign_home.html", context)


@campaign_view
def campaign_rules(request, campaign, access):
    """The reporting rhythm, light thresholds and closing rules: the office edits them, leaders read them."""
    access.require(
        access.is_office or access.is_leader, _("Only the campaign office and leaders see the campaign rules.")
    )
    if request.method == "POST":
        access.require(access.is_office, _("Only the campaign office can change the campaign rules."))
    form = CampaignRulesForm(request.POST or None, instance=campaign, read_only=not access.is_office)
    stale = False
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_rules(
                campaign,
                data=form.rules_data(),
                fingerprint=form.cleaned_data["fingerprint"],
                acting_user=request.user,
            )
        except actions.StaleRules as error:
            stale = True
            form.add_error(None, str(error))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Campaign rules saved."))
            return redirect("campaigns:rules", slug=campaign.slug)
    context = {
        "campaign": campaign,
        "access": access,
        "form": form,
        "stale": stale,
        "history": history_for(campaign).filter(action=HistoryEntry.Action.UPDATE)[:20],
    }
    status = 409 if stale else 400 if form.errors else 200
    return render(request, "campaigns/rules.html", context, status=status)
