"""Reading the audit log: the office's filters, one place for the page and its export."""

from django.db.models import Q
from django.utils.translation import gettext as _

from taizhang.lib.params import choice_param, date_param
from taizhang.lib.xlsx import write_table

from .models import AuditEvent


def filtered(request):
    """The events the page's filters select (kind, who or what, from, to), newest first; and the filters."""
    kind = choice_param(request, "kind", AuditEvent.Kind.values, default="")
    words = (request.GET.get("q") or "").strip()[:100]
    start = date_param(request, "from")
    end = date_param(request, "to")
    events = AuditEvent.objects.select_related("actor", "campaign")
    if kind:
        events = events.filter(kind=kind)
    if words:
        events = events.filter(Q(username__icontains=words) | Q(what__icontains=words) | Q(address=words))
    if start:
        events = events.filter(at__date__gte=start)
    if end:
        events = events.filter(at__date__lte=end)
    return events.order_by("-at", "-id"), {"kind": kind, "q": words, "from": start, "to": end}


EXPORT_LIMIT = 100_000


def events_xlsx(events) -> bytes:
    """The selected events as a spreadsheet (at most ``EXPORT_LIMIT`` rows, newest first)."""
    import json

    rows = (
        [
            event.at.astimezone().replace(tzinfo=None),
            event.get_kind_display(),
            event.username,
            event.address,
            event.campaign.slug if event.campaign else "",
            event.what,
            json.dumps(event.detail, ensure_ascii=False) if event.detail else "",
        ]
        for event in events[:EXPORT_LIMIT].iterator(chunk_size=2000)
    )
    return write_table(
        sheet_name=_("Audit log"),
        title=_("Audit log"),
        headers=[_("When"), _("Kind"), _("Who"), _("Address"), _("Campaign"), _("What"), _("Detail")],
        widths=[18, 16, 16, 16, 12, 50, 60],
        rows=rows,
    )
