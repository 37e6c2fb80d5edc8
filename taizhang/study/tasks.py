"""Background work on study (Huey periodic tasks, Asia/Shanghai)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from taizhang.campaigns.models import Campaign

from .reminders import send_activity_reminders


@db_periodic_task(crontab(minute="20"))
@lock_task("study-reminders")
def remind_activities() -> int:
    """Every hour: the day-before reminders of planned activities and the chases of missing records."""
    from taizhang.notices.tasks import deliver

    made = sum(send_activity_reminders(campaign) for campaign in Campaign.objects.filter(is_active=True))
    deliver()
    return made
