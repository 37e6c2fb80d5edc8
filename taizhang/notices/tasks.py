"""Background work on notices (Huey periodic tasks, Asia/Shanghai)."""

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from taizhang.campaigns.models import Campaign

from . import rhythm
from .sending import send_pending


def _absolute(url: str) -> str:
    base = getattr(settings, "SITE_URL", "") or ""
    return base.rstrip("/") + url if url.startswith("/") and base else url


@db_periodic_task(crontab(minute="*/15"))
@lock_task("notices-rhythm")
def chase_reports() -> int:
    """Every quarter hour: reminders before due times, chases after, escalations to the office."""
    made = 0
    for campaign in Campaign.objects.filter(is_active=True):
        made += rhythm.send_reminders(campaign)
        made += rhythm.send_chases(campaign)
        made += rhythm.send_escalations(campaign)
    deliver()
    return made


@db_periodic_task(crontab(hour="8", minute="0"))
@lock_task("notices-digests")
def deadline_digests() -> int:
    """Every morning at 8: items near or past their deadline, to their units' liaisons."""
    made = sum(rhythm.send_deadline_digests(c) for c in Campaign.objects.filter(is_active=True))
    deliver()
    return made


@db_periodic_task(crontab(minute="*"))
def deliver() -> dict:
    """Every minute: send what is waiting (retries included). Safe with several workers: each delivery is claimed."""
    return send_pending(absolute=_absolute)
