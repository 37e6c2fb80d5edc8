"""Background work on decisions (Huey periodic task, Asia/Shanghai)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from taizhang.campaigns.models import Campaign

from .reminders import send_decision_reminders


@db_periodic_task(crontab(hour="8", minute="10"))
@lock_task("meetings-decision-reminders")
def decision_reminders() -> int:
    """Every morning: decisions near or past their deadline, to their units' liaisons (each notice once)."""
    from taizhang.notices.tasks import deliver

    made = sum(send_decision_reminders(c) for c in Campaign.objects.filter(is_active=True))
    deliver()
    return made
