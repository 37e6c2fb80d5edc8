"""The item list as a tidy xlsx: the full ledger columns with Chinese headers."""

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.campaigns.models import Scope
from taizhang.lib.xlsx import write_table

from .lights import describe
from .models import Light, ProgressEntry, Status


def export_items(campaign, items) -> bytes:
    columns = [
        (_("Code"), 10),
        (_("Title"), 36),
        (_("Content and measures"), 48),
        (_("Category"), 12),
        (_("Phase"), 10),
        (_("Scope"), 8),
        (_("Key task"), 20),
        (_("Responsible unit"), 20),
        (_("Partner units"), 24),
        (_("Responsible leader"), 10),
        (_("Person responsible"), 10),
        (_("Deadline"), 12),
        (_("Deadline as written"), 14),
        (_("Status"), 10),
        (_("Progress (%)"), 9),
        (_("Light"), 8),
        (_("Light reason"), 20),
        (_("Latest progress"), 48),
        (_("Last reported"), 16),
        (_("Model project"), 20),
    ]
    latest_done = ProgressEntry.objects.filter(item=OuterRef("pk")).order_by("-created_at", "-id").values("done")[:1]
    items = (
        items.select_related("key_task").prefetch_related("partner_units").annotate(latest_done=Subquery(latest_done))
    )

    # Labels resolved once, not per row: lazy translations are costly at 100,000 rows.
    scopes, statuses, lights = ({k: str(v) for k, v in c.choices} for c in (Scope, Status, Light))
    reasons: dict[tuple[str, int], str] = {}

    def reason(item) -> str:
        key = (item.light_code, item.light_n)
        if key not in reasons:
            reasons[key] = describe(*key)
        return reasons[key]

    def rows():
        for item in items:
            content = "\n".join(part for part in (item.content, item.measures) if part)
            yield [
                item.code,
                item.title,
                content,
                str(item.category or ""),
                str(item.phase or ""),
                scopes.get(item.scope, item.scope),
                str(item.key_task or ""),
                item.owner_unit.name,
                "、".join(u.name for u in item.partner_units.all()),
                item.lead,
                item.owner,
                item.due,
                item.due_text,
                statuses.get(item.status, item.status),
                item.percent,
                lights.get(item.light, item.light),
                reason(item),
                item.latest_done or "",
                timezone.localtime(item.last_progress_at) if item.last_progress_at else None,
                f"★ {item.model_reason}" if item.is_model else "",
            ]

    title = _("%(campaign)s — item ledger (exported %(date)s)") % {
        "campaign": campaign.name,
        "date": timezone.localdate().isoformat(),
    }
    return write_table(
        sheet_name=_("Items"),
        title=title,
        headers=[c[0] for c in columns],
        widths=[c[1] for c in columns],
        rows=rows(),
    )
