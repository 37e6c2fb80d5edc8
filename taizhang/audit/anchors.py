"""The daily anchor: every campaign's chain head written to the audit log once a day.

Kept outside the database's reach by being exported (the office hands the file to the
discipline-inspection office) and printed in the monthly digest: a chain rewritten from some
record onwards no longer reaches an anchored head, which ``verify_ledger`` reports.
"""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import chain
from .log import record_event
from .models import AuditEvent


def write_anchor(day: datetime.date | None = None) -> AuditEvent:
    """Write the day's anchor once; asked again the same day, return the one already written."""
    day = day or timezone.localdate()
    existing = AuditEvent.objects.filter(kind=AuditEvent.Kind.ANCHOR, what=day.isoformat()).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return record_event(AuditEvent.Kind.ANCHOR, day.isoformat(), detail={"heads": chain.heads()})
    except IntegrityError:  # another worker wrote it in the meantime
        return AuditEvent.objects.get(kind=AuditEvent.Kind.ANCHOR, what=day.isoformat())


def anchors_of(campaign) -> list[dict]:
    """Every anchored head of ``campaign``: [{"seq", "digest", "day"}], oldest first."""
    out = []
    for day, detail in (
        AuditEvent.objects.filter(kind=AuditEvent.Kind.ANCHOR).order_by("at", "id").values_list("what", "detail")
    ):
        head = (detail or {}).get("heads", {}).get(campaign.slug)
        if head:
            out.append({"seq": head["seq"], "digest": head["digest"], "day": day})
    return out


def anchor_line(campaign) -> str:
    """The digest's footer: the campaign's latest anchored chain head (or its head now, before the first anchor)."""
    anchored = anchors_of(campaign)
    if anchored:
        latest = anchored[-1]
        day, seq, digest = latest["day"], latest["seq"], latest["digest"]
    else:
        seq, digest = chain.head_of(campaign)
        day = timezone.localdate().isoformat()
    return _("Ledger chain anchor of %(day)s: %(seq)d records, head %(digest)s") % {
        "day": day,
        "seq": seq,
        "digest": digest,
    }
