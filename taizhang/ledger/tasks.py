"""Background work on the ledger."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from taizhang.campaigns.models import Campaign

from .actions import refresh_lights


@db_periodic_task(crontab(hour="1", minute="5"))
@lock_task("refresh-lights")
def refresh_all_lights() -> int:
    """Dates move overnight: recompute every active campaign's lights (Asia/Shanghai 01:05)."""
    return sum(refresh_lights(campaign) for campaign in Campaign.objects.filter(is_active=True))
