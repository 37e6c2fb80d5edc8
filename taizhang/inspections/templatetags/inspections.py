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


STATE_BADGE = {"verified": "text-bg-success", "answered": "text-bg-info", "returned": "text-bg-warning"}


@register.simple_tag
def finding_rows(rows, campaign, today, table_id: str = "") -> str:
    """The findings table, built as a string: a page of 50 rendered through the template engine costs more
    than the queries behind it (the benchmark holds the findings pages to 1.5× their bare SQL)."""
    from django.urls import reverse
    from django.utils.html import format_html, format_html_join
    from django.utils.safestring import mark_safe
    from django.utils.text import Truncator
    from django.utils.translation import gettext as _

    base = reverse("inspections:finding_list", args=[campaign.slug])
    overdue = _("overdue")
    body = []
    for f in rows:
        item = ""
        if f.item_id:
            item = format_html(
                '<div class="small"><span class="text-nowrap" title="{}"><span class="light-dot light-{}" '
                'aria-hidden="true"></span> <span class="visually-hidden">{}</span></span> {}</div>',
                f.item.light_reason,
                f.item.light,
                f.item.get_light_display(),
                f.item.code,
            )
        late = (
            format_html(' <span class="badge text-bg-danger">{}</span>', overdue)
            if f.state != Finding.State.VERIFIED and f.deadline < today
            else ""
        )
        body.append(
            format_html(
                '<tr data-finding="{}"><td>{}{}</td><td><a href="{}{}/">{}</a></td>'
                '<td class="d-none d-md-table-cell small">{}</td><td class="small">{}</td>'
                '<td class="text-nowrap">{}{}</td><td><span class="badge tz-state-{} {}">{}</span></td></tr>',
                f.pk,
                f.unit.display_name,
                item,
                base,
                f.pk,
                Truncator(f.description).chars(60),
                f.get_category_display(),
                f.get_severity_display(),
                f.deadline.isoformat(),
                late,
                f.state,
                STATE_BADGE.get(f.state, "text-bg-secondary"),
                f.get_state_display(),
            )
        )
    if not body:
        body.append(format_html('<tr><td colspan="6" class="text-muted">{}</td></tr>', _("No findings.")))
    head = format_html_join(
        "",
        "<th{}>{}</th>",
        (
            ("", _("Unit")),
            ("", _("Problem found")),
            (mark_safe(' class="d-none d-md-table-cell"'), _("Category")),
            ("", _("Severity")),
            ("", _("Deadline")),
            ("", _("State")),
        ),
    )
    return format_html(
        '<div class="table-responsive"><table class="table table-sm table-hover tz-findings"{}>'
        "<thead><tr>{}</tr></thead><tbody>{}</tbody></table></div>",
        format_html(' id="{}"', table_id) if table_id else "",
        head,
        mark_safe("".join(body)),
    )
