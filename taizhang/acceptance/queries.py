"""Reading an item's acceptance and look-backs."""

import datetime

from taizhang.ledger.models import Item

from .models import Acceptance, LookBack


def latest_acceptance(item: Item) -> Acceptance | None:
    return item.acceptances.order_by("-created_at", "-id").first()


def item_accepted(item: Item) -> bool:
    """The item's latest acceptance passed."""
    latest = latest_acceptance(item)
    return latest is not None and latest.result == Acceptance.Result.PASSED


def item_ever_passed(item: Item) -> bool:
    """Some acceptance of the item passed (a later return for rework does not take back the call to rate)."""
    return item.acceptances.filter(result=Acceptance.Result.PASSED).exists()


def lookbacks_due(campaign, on: datetime.date):
    """Look-backs not yet recorded whose day has come, for the office's lists."""
    return LookBack.objects.filter(item__campaign=campaign, done_on__isnull=True, due_on__lte=on).select_related("item")
