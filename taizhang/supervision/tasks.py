"""Background work of supervision (Huey periodic tasks, Asia/Shanghai)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from taizhang.campaigns.models import Campaign

from . import actions


@db_periodic_task(crontab(hour="8", minute="10"))
@lock_task("supervision-instruction-deadlines")
def instruction_deadlines() -> int:
    """Every morning: instructions due tomorrow or today, and those past their date unanswered (once each)."""
    from taizhang.notices.tasks import deliver

    made = sum(actions.send_instruction_deadlines(c) for c in Campaign.objects.filter(is_active=True))
    deliver()
    return made
