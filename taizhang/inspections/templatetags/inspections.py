from django import template
from django.utils import timezone

from taizhang.campaigns.models import Campaign
from taizhang.orgs.access import Access

from ..models import Finding
from ..queries import OPEN_STATES, visible_findings

register = template.Library()


@register.simple_tag(takes_context=True)
def unit_findings(context, unit) -> list:
    """Open findings about the unit as a whole (no item) in the active campaigns the person may read them in.

    The unit page belongs to no campaign: each campaign's access decides on its own.
    """
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    rows = []
    for campaign in Campaign.objects.filter(is_active=True):
        access = Access.for_user(request.user, campaign)
        if not access.can_read_unit_work(unit):
            continue
        rows += list(
            Finding.objects.filter(campaign=campaign, unit=unit, item__isnull=True, state__in=OPEN_STATES)
            .select_related("campaign")
            .order_by("deadline")[:20]
        )
    return rows


@register.simple_tag
def board_findings(campaign, access, scope=None) -> dict:
    """The board's figures on findings: open, overdue, waiting for verification, and the open ones on units (no item)."""
    findings = visible_findings(access)
    if scope is not None:
        findings = findings.filter(unit__path__startswith=scope.path)
    today = timezone.localdate()
    open_ = findings.filter(state__in=OPEN_STATES)
    return {
        "open": open_.count(),
        "overdue": open_.filter(deadline__lt=today).count(),
        "to_verify": open_.filter(state=Finding.State.ANSWERED).count(),
        "on_units": list(open_.filter(item__isnull=True).select_related("unit").order_by("deadline")[:10]),
        "today": today,
    }
