"""Background work on the ledger."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from taizhang.campaigns.models import Campaign

from .lights import refresh_lights


@db_periodic_task(crontab(hour="1", minute="5"))
@lock_task("refresh-lights")
def refresh_all_lights() -> int:
    """Dates move overnight: recompute every active campaign's lights (Asia/Shanghai 01:05)."""
    return sum(refresh_lights(campaign) for campaign in Campaign.objects.filter(is_active=True))


@db_task()
def relight_campaign(campaign_id: int) -> int:
    """The light thresholds changed: recompute the whole campaign's lights now, not tonight."""
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        return 0  # deleted before the task ran
    return refresh_lights(campaign)
