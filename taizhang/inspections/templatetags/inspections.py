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
def point_findings(campaign, access, unit) -> dict:
    """A contact point's panel: the open findings about its unit and below, with their state and light."""
    from ..queries import open_findings_under

    findings = open_findings_under(access, unit)
    return {"rows": list(findings[:20]), "count": findings.count(), "today": timezone.localdate()}


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
    from html import escape

    from django.urls import reverse
    from django.utils.html import format_html, format_html_join
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext as _

    from taizhang.ledger.lights import describe
    from taizhang.ledger.models import Light

    base = escape(reverse("inspections:finding_list", args=[campaign.slug]))
    # Plain string building with every value escaped (format_html per cell cost more than the page's
    # queries); each label translated and escaped once per table, not once per row.
    late = f' <span class="badge text-bg-danger">{escape(_("overdue"))}</span>'
    categories = {value: escape(str(label)) for value, label in Finding.Category.choices}
    severities = {value: escape(str(label)) for value, label in Finding.Severity.choices}
    states = {value: escape(str(label)) for value, label in Finding.State.choices}
    lights = {value: escape(str(label)) for value, label in Light.choices}
    reasons: dict[tuple[str, int], str] = {}
    verified = Finding.State.VERIFIED
    body = []
    for f in rows:
        item = ""
        if f.item_id:
            i = f.item
            key = (i.light_code, i.light_n)
            if key not in reasons:
                reasons[key] = escape(describe(*key))
            light = escape(i.light)
            item = (
                f'<div class="small"><span class="text-nowrap" title="{reasons[key]}"><span class="light-dot '
                f'light-{light}" aria-hidden="true"></span> <span class="visually-hidden">'
                f"{lights.get(i.light, light)}</span></span> {escape(i.code)}</div>"
            )
        text = f.description if len(f.description) <= 60 else f.description[:59] + "…"
        state = escape(f.state)
        body.append(
            f'<tr data-finding="{f.pk}"><td>{escape(f.unit.display_name)}{item}</td>'
            f'<td><a href="{base}{f.pk}/">{escape(text)}</a></td>'
            f'<td class="d-none d-md-table-cell small">{categories.get(f.category, escape(f.category))}</td>'
            f'<td class="small">{severities.get(f.severity, escape(f.severity))}</td>'
            f'<td class="text-nowrap">{f.deadline.isoformat()}{late if f.state != verified and f.deadline < today else ""}'
            f'</td><td><span class="badge tz-state-{state} {STATE_BADGE.get(f.state, "text-bg-secondary")}">'
            f"{states.get(f.state, state)}</span></td></tr>"
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


@register.simple_tag
def choice_filters(form) -> str:
    """A filter form's choice fields as labelled selects, built as a string: the same markup as the widgets
    (the form's classes and aria-label), without a template render per widget, which cost the findings page
    more than its rows."""
    from html import escape

    from django.utils.safestring import mark_safe

    parts = []
    for field in form:
        value = str(field.value() or "")
        attrs = " ".join(f'{name}="{escape(str(v))}"' for name, v in field.field.widget.attrs.items())
        options = "".join(
            f'<option value="{escape(str(key))}"{" selected" if str(key) == value else ""}>{escape(str(label))}</option>'
            for key, label in field.field.choices
        )
        parts.append(
            f'<div><label class="form-label small" for="{field.id_for_label}">{escape(str(field.label))}</label>'
            f'<select name="{field.html_name}" {attrs} id="{field.id_for_label}">{options}</select></div>'
        )
    return mark_safe("".join(parts))
