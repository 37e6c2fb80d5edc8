"""Facts about instructions (批示) other apps read: the light loader's "instructed", assessment's lateness."""

import datetime
from collections.abc import Collection

from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from .models import Instruction

CHUNK = 2000

# An instruction still waiting for the unit's answer (given, or asked again) keeps its item one light
# higher (the rule the ledger applied to instruction comments); once answered it no longer does.
WAITING = (Instruction.State.PENDING, Instruction.State.AGAIN)


def instructed_items(campaign, on: datetime.date, item_ids: Collection[int] | None) -> dict[int, int]:
    """Item id → 1 for the items with an instruction waiting for its answer on ``on`` (the "instructed" fact)."""
    rows = Instruction.objects.filter(
        campaign=campaign, item__isnull=False, state__in=WAITING, given_at__date__lte=on
    ).order_by()
    if item_ids is None:
        return dict.fromkeys(rows.values_list("item_id", flat=True), 1)
    ids = sorted(item_ids)
    found: dict[int, int] = {}
    for i in range(0, len(ids), CHUNK):
        found.update(dict.fromkeys(rows.filter(item_id__in=ids[i : i + CHUNK]).values_list("item_id", flat=True), 1))
    return found


def instructions_late_by_unit(
    campaign, start: datetime.date, end: datetime.date, unit_ids: Collection[int] | None = None
) -> dict[int, int]:
    """Owner unit id → instructions due in [start, end] answered late, or not answered and past their date.

    "Late" is judged on the answer's day (Asia/Shanghai) against ``respond_by``; an unanswered one is late
    once ``respond_by`` is before today (or before ``end``, whichever is earlier).
    """
    today = min(timezone.localdate(), end + datetime.timedelta(days=1))
    rows = Instruction.objects.filter(campaign=campaign, respond_by__gte=start, respond_by__lte=end)
    if unit_ids is not None:
        rows = rows.filter(unit_id__in=list(unit_ids))
    late = rows.annotate(answered_on=TruncDate("answered_at", tzinfo=timezone.get_current_timezone())).filter(
        Q(answered_at__isnull=False, answered_on__gt=F("respond_by"))
        | Q(answered_at__isnull=True, respond_by__lt=today)
    )
    return dict(late.values("unit_id").annotate(n=Count("id")).order_by().values_list("unit_id", "n"))
