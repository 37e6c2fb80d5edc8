"""Background work of the audit: the daily anchor of the evidence chains."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from .anchors import write_anchor


@db_periodic_task(crontab(hour="0", minute="30"))
@lock_task("audit-anchor")
def daily_anchor() -> str:
    """Write today's chain heads into the audit log (Asia/Shanghai 00:30; once a day, however often it runs)."""
    return write_anchor().what
