"""The office's audit pages: the log with filters and its export, and a person's own data."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from taizhang.campaigns.models import Campaign
from taizhang.lib.paging import IdPaginator
from taizhang.orgs.access import can_manage_units
from taizhang.orgs.models import Role, RoleGrant

from . import personal
from .models import AuditEvent
from .queries import events_xlsx, filtered

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_office(user) -> None:
    # The log spans campaigns (sign-ins belong to none): the office of any campaign reads it, as it keeps the units.
    if not can_manage_units(user):
        raise PermissionDenied(_("Only the campaign office reads the audit log."))


def _office_campaigns(user):
    if user.is_superuser:
        return Campaign.objects.all()
    return Campaign.objects.filter(pk__in=RoleGrant.objects.filter(user=user, role=Role.OFFICE).values("campaign_id"))


@require_GET
@login_required
def event_list(request):
    """The audit log, newest first, filtered by kind, who or what, and dates."""
    _require_office(request.user)
    events, chosen = filtered(request)
    page = IdPaginator(events, 50).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in chosen.items() if v})
    return render(
        request,
        "audit/event_list.html",
        {"page": page, "chosen": chosen, "kinds": AuditEvent.Kind.choices, "query": query},
    )


@require_GET
@login_required
def event_export(request):
    """The filtered log as a spreadsheet (the export is itself in the log, as every download is)."""
    _require_office(request.user)
    events, _chosen = filtered(request)
    response = HttpResponse(events_xlsx(events), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="audit-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


@require_http_methods(["GET", "POST"])
@login_required
def person_data(request):
    """Find what is stored about one member of the public (tracking code or phone), export it or anonymise it."""
    _require_office(request.user)
    campaigns = _office_campaigns(request.user)
    source = request.POST if request.method == "POST" else request.GET
    query = personal.normalise_query(source.get("who", ""))
    if request.method == "POST":
        action = request.POST.get("action")
        if not query:
            messages.error(request, _("Give a tracking code or a phone number."))
            return render(request, "audit/person_data.html", {"query": "", "found": None}, status=400)
        if action == "export":
            response = HttpResponse(
                personal.export(query, campaigns, acting_user=request.user), content_type="application/json"
            )
            response["Content-Disposition"] = f'attachment; filename="personal-data-{query}.json"'
            return response
        if action == "anonymise" and request.POST.get("confirm") == "yes":
            counts = personal.anonymise(query, campaigns, acting_user=request.user)
            messages.success(request, _("Personal data erased from %(n)d records.") % {"n": sum(counts.values())})
            return redirect(f"{request.path}?{urlencode({'who': query})}")
        messages.error(request, _("Tick the box to confirm the erasure."))
        return render(
            request, "audit/person_data.html", {"query": query, "found": personal.find(query, campaigns)}, status=400
        )
    found = personal.find(query, campaigns) if query else None
    return render(request, "audit/person_data.html", {"query": query, "found": found})
