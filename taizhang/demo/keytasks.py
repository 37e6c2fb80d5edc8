"""Key tasks in the demo campaign: each of the 39 with an owner unit, a leader, a deadline and progress.

``build(campaign, today=…)`` is called by the demo builder after the ledger; it goes through
ledger.keytasks' actions as the office and the owner units would, and leaves a campaign whose key
tasks already have progress alone (idempotent). The same ``today`` gives the same result.
"""

import datetime
import random
from collections import Counter

from django.db.models import Count
from django.utils import timezone

from taizhang.campaigns.models import KeyTask
from taizhang.ledger import keytasks
from taizhang.ledger.lights import expected_percent
from taizhang.ledger.models import Item, KeyTaskProgress
from taizhang.lib.deadlines import parse_deadline
from taizhang.orgs.models import Role, RoleGrant, Unit

LEADS = ["王建国", "李卫东", "张立新", "刘志强", "陈红梅", "杨海涛"]
DEADLINES = ["6月底前", "三季度末", "9月底前", "10月底前", "年底前", "长期坚持"]
DONE = [
    "召开专题部署会，印发工作方案",
    "完成阶段性任务，形成工作台账",
    "开展督导检查，推动问题整改",
    "总结经验做法，形成长效机制",
]


def build(campaign, *, today: datetime.date | None = None, seed: int = 39) -> int:
    """Owners, deadlines and progress for every key task; returns how many entries were made (0 when already there)."""
    today = today or timezone.localdate()
    if KeyTaskProgress.objects.filter(track__campaign=campaign).exists():
        return 0
    office_grant = RoleGrant.objects.filter(campaign=campaign, role=Role.OFFICE).select_related("user").first()
    if office_grant is None:
        return 0
    office = office_grant.user
    rng = random.Random(seed)
    # A key task is owned by the unit that holds most of its items.
    owners: dict[int, Counter] = {}
    for key_task_id, unit_id, n in (
        Item.objects.filter(campaign=campaign, key_task__isnull=False)
        .values_list("key_task_id", "owner_unit_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        owners.setdefault(key_task_id, Counter())[unit_id] = n
    units = Unit.objects.in_bulk({c.most_common(1)[0][0] for c in owners.values()})
    made = 0
    tasks = KeyTask.objects.filter(campaign=campaign, parent__isnull=False).select_related("campaign").order_by("pk")
    for n, task in enumerate(tasks):
        track = keytasks.track_of(task)
        unit_id = owners[task.pk].most_common(1)[0][0] if task.pk in owners else None
        words = DEADLINES[n % len(DEADLINES)]
        deadline = parse_deadline(words, year=campaign.starts_on.year, start=campaign.starts_on)
        track = keytasks.update_key_task(
            task,
            data={
                "owner_unit": units.get(unit_id),
                "lead": LEADS[n % len(LEADS)],
                "due": deadline.due,
                "due_text": words,
            },
            expected_version=track.version,
            acting_user=office,
        )
        if n % 3 == 2:
            continue  # a third report nothing themselves: their percent comes from their items
        expected = expected_percent(campaign.starts_on, deadline.due, today) if deadline.due else 50
        steps = rng.randint(1, 3)
        for step in range(1, steps + 1):
            percent = max(5, min(100, round(expected * step / steps) + rng.randint(-25, 10)))
            when = today - datetime.timedelta(days=14 * (steps - step) + rng.randint(0, 6))
            keytasks.add_key_task_progress(
                task,
                percent=percent,
                done=DONE[min(step - 1, len(DONE) - 1)],
                expected_version=track.version,
                as_of=when,
                created_at=timezone.make_aware(datetime.datetime.combine(when, datetime.time(16, rng.randint(0, 59)))),
                acting_user=office,
            )
            track.refresh_from_db()
            made += 1
    return made
