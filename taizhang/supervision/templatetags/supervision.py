from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from taizhang.supervision import queries
from taizhang.supervision.forms import InstructionForm
from taizhang.supervision.models import Instruction, Responsibility

register = template.Library()


@register.simple_tag
def supervision_panel(item, access) -> dict:
    """What the item page shows of supervision: its instructions (批示) with their state, who holds which
    responsibility for it, and the leader's instruction form."""
    holders = queries.holders_for_item(item)
    return {
        "instructions": list(Instruction.objects.filter(item=item).select_related("leader").order_by("-given_at")[:20]),
        "responsibilities": [(label, holders[kind]) for kind, label in Responsibility.choices if kind in holders],
        "form": InstructionForm(campaign=item.campaign, initial={"item": item.pk}) if access.is_leader else None,
    }


@register.simple_tag
def my_unvisited_points(campaign, user) -> dict:
    """The leader's own contact points without a visit in the campaign's N days (for the leader's dashboard)."""
    points = queries.unvisited_contact_points(campaign, mine=True, user=user)
    return {"points": list(points[:20]), "days": campaign.visit_gap_days}


@register.simple_tag
def key_task_responsibilities(task) -> list:
    """(responsibility, holders) named for a key task or the aspect above it, in the seed's order."""
    holders = queries.holders_for_key_task(task)
    return [(label, holders[kind]) for kind, label in Responsibility.choices if kind in holders]


# The grid's table, built as a string with every value escaped: 50 units × 8 responsibilities through the
# template engine, or through format_html per cell, cost several times the queries behind them (the
# benchmark holds the page to 1.5× its bare SQL).


def _edit_base(slug: str) -> str:
    # An assignment's edit URL is the grid's URL + "<pk>/edit/" (supervision/urls.py): one reverse per table.
    return reverse("supervision:responsibility_grid", args=[slug])


def holder_html(
    slug: str,
    pk: int,
    label: str,
    *,
    editable: bool,
    saved: bool = False,
    base: str | None = None,
    change: str | None = None,
) -> str:
    """One holder as its cell shows it, with the in-place edit link for the office: the grid's markup and
    the edit view's answer after a save or a cancel are this one function. ``base`` and ``change`` (the edit
    URL's start and the link's translated words) are worked out once by a table of many holders."""
    html = f'<span class="tz-holder">{escape(label)}</span>'
    if editable:
        url = f"{escape(base or _edit_base(slug))}{pk}/edit/"
        hint = escape((change or _("Change the holder: %(label)s")) % {"label": label})
        html += (
            f' <a class="ms-1 tz-edit-holder" tabindex="0" data-tz-heading href="{url}" hx-get="{url}" '
            f'hx-target="#assignment-{pk}"><i class="bi bi-pencil" aria-hidden="true"></i>'
            f'<span class="visually-hidden">{hint}</span></a>'
        )
    if saved:
        said = escape(_("Saved: %(label)s") % {"label": label})
        html += f' <span class="visually-hidden" data-tz-announce>{said}</span>'
    return mark_safe(html)


@register.simple_tag
def grid_table(rows, campaign, access) -> str:
    editable = access.is_office
    slug = campaign.slug
    base = _edit_base(slug)
    new_url = escape(reverse("supervision:responsibility_new", args=[slug]))
    inherited = escape(_("inherited"))
    gap_badge = (
        ' <span class="badge text-bg-warning"><i class="bi bi-exclamation-triangle" aria-hidden="true"></i> '
        f"{escape(_('no first responsibility holder'))}</span>"
    )
    assign = escape(_("Assign a responsibility"))
    change = _("Change the holder: %(label)s")
    body = []
    for row in rows:
        unit = row.unit
        name = escape(unit.display_name)
        head = f'<span class="text-muted">{"·" * unit.depth}</span> ' if unit.depth else ""
        head += f'<a href="?under={unit.pk}">{name}</a>'
        if row.gap:
            head += gap_badge
        if editable:
            head += (
                f' <a class="small ms-1" href="{new_url}?unit={unit.pk}" aria-label="{assign}: {name}">'
                '<i class="bi bi-plus-circle"></i></a>'
            )
        cells = []
        for holders in row.cells:
            parts = []
            for h in holders:
                if h.inherited:
                    parts.append(
                        f'<div class="text-muted" title="{inherited}">{escape(h.label)} '
                        f'<span class="visually-hidden">({inherited})</span></div>'
                    )
                else:
                    held = holder_html(slug, h.assignment_id, h.label, editable=editable, base=base, change=change)
                    parts.append(f'<div id="assignment-{h.assignment_id}" data-tz-swap-errors>{held}</div>')
            cells.append("<td>" + "".join(parts) + "</td>")
        gap = ' class="table-warning tz-gap"' if row.gap else ""
        body.append(
            f'<tr data-unit="{unit.pk}"{gap}><th scope="row" class="text-nowrap">{head}</th>'
            f'<td class="text-end">{row.open_items}</td>{"".join(cells)}</tr>'
        )
    if not body:
        body.append(f'<tr><td colspan="10" class="text-muted">{escape(_("No units."))}</td></tr>')
    heads = "".join(f'<th scope="col">{escape(str(label))}</th>' for _kind, label in Responsibility.choices)
    return mark_safe(
        '<div class="table-responsive"><table class="table table-sm table-bordered small" id="responsibility-grid">'
        f'<thead><tr><th scope="col">{escape(_("Unit"))}</th><th scope="col" class="text-end">'
        f"{escape(_('Open items'))}</th>{heads}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )
