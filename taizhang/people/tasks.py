"""Background work of the people's side (Huey periodic tasks, Asia/Shanghai)."""

import datetime

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from taizhang.campaigns.models import Campaign, DemandNotice

from . import actions


@db_periodic_task(crontab(hour="8", minute="5"))
@lock_task("people-demand-digests")
def demand_digests() -> int:
    """Every morning: yesterday's problems from the public, to the offices that chose a digest."""
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    campaigns = Campaign.objects.filter(is_active=True, demand_notice=DemandNotice.DAILY)
    return sum(actions.send_demand_digest(campaign, on=yesterday) for campaign in campaigns)
