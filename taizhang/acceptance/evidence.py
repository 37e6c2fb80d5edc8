"""Acceptance and closing as evidence in the campaign's chain (taizhang/audit/chain.py).

A closing (销号) and a reopening (复号) are the item's history entries of that action: the item row
itself keeps changing (title, light), its closing does not.
"""

from taizhang.audit import chain
from taizhang.history.models import HistoryEntry

CLOSINGS = {
    "action__in": [HistoryEntry.Action.CLOSE, HistoryEntry.Action.REOPEN],
    "content_type__app_label": "ledger",
    "content_type__model": "item",
}


def register_evidence() -> None:
    from .models import Acceptance

    chain.register(
        Acceptance,
        fields=("item", "checked_on", "checkers", "result", "reasons", "statement", "recorded_by", "created_at"),
        campaign="item__campaign",
    )
    chain.register(
        HistoryEntry,
        fields=("content_type", "object_id", "action", "note", "actor", "at"),
        campaign="campaign",
        when=CLOSINGS,
    )


def chain_closing(item, action: str) -> None:
    """Chain the history entry that just closed or reopened ``item``."""
    entry = (
        HistoryEntry.objects.filter(
            object_id=item.pk, action=action, **{k: v for k, v in CLOSINGS.items() if k != "action__in"}
        )
        .order_by("-id")
        .first()
    )
    chain.append(item.campaign, entry)
