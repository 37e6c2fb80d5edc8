"""Background work on reporting: keep every active campaign's periods in step with its rhythm."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from taizhang.campaigns.models import Campaign

from .periods import generate_periods


@db_periodic_task(crontab(hour="0", minute="30"))
@lock_task("generate-periods")
def generate_all_periods() -> int:
    """Nightly (Asia/Shanghai 00:30): create periods for campaigns whose rhythm or dates changed."""
    return sum(generate_periods(campaign) for campaign in Campaign.objects.filter(is_active=True))


@db_task()
def generate_document(document_id: int) -> bool:
    """Make a requested monthly digest or quarterly pack (the progress page polls its row)."""
    from .documents import generate

    return generate(document_id)
