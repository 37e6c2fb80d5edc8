"""Background work on rectification (Huey periodic tasks, Asia/Shanghai)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from taizhang.campaigns.models import Campaign

from . import actions


@db_periodic_task(crontab(hour="8", minute="10"))
@lock_task("inspections-deadlines")
def rectification_deadlines() -> int:
    """Every morning: rectification deadlines approaching and missed, each told once (the notices' dedupe).

    The lights need nothing here: the ledger's nightly refresh asks this app's provider for overdue
    rectifications, so a deadline passing turns its item red that night.
    """
    from taizhang.notices.tasks import deliver

    made = sum(actions.send_deadline_notices(c) for c in Campaign.objects.filter(is_active=True))
    deliver()
    return made
