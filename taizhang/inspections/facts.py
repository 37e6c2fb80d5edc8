"""Facts about findings for the apps above (assessment scores units by them): plain dicts, a query or two each."""

import datetime
from collections.abc import Collection

from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from .models import Finding
from .queries import OPEN_STATES


def _scope(campaign, unit_ids: Collection[int] | None):
    findings = Finding.objects.filter(campaign=campaign)
    return findings if unit_ids is None else findings.filter(unit_id__in=list(unit_ids))


def findings_by_unit(
    campaign, start: datetime.date, end: datetime.date, unit_ids: Collection[int] | None = None
) -> dict[int, dict[str, int]]:
    """Unit id → {severity: count} of the findings found between ``start`` and ``end`` (both included)."""
    rows = (
        _scope(campaign, unit_ids)
        .filter(found_on__gte=start, found_on__lte=end)
        .values_list("unit_id", "severity")
        .annotate(n=Count("id"))
        .order_by()
    )
    result: dict[int, dict[str, int]] = {}
    for unit_id, severity, n in rows:
        result.setdefault(unit_id, {})[severity] = n
    return result


def rectifications_late_by_unit(
    campaign, start: datetime.date, end: datetime.date, unit_ids: Collection[int] | None = None
) -> dict[int, int]:
    """Unit id → findings due between ``start`` and ``end`` not verified by their deadline.

    Late: verified after the deadline, or still open with the deadline passed (by ``end`` or today, the earlier).
    """
    cutoff = min(end, timezone.localdate())
    rows = (
        _scope(campaign, unit_ids)
        .filter(deadline__gte=start, deadline__lte=end)
        .annotate(verified_on=TruncDate("verified_at", tzinfo=timezone.get_current_timezone()))
        .filter(
            Q(state__in=OPEN_STATES, deadline__lt=cutoff)
            | Q(state=Finding.State.VERIFIED, verified_on__gt=F("deadline"))
        )
        .values_list("unit_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return dict(rows)
