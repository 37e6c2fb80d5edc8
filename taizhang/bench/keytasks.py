"""Key-task benchmarks (``python -m taizhang.bench keytasks``).

The dashboards' 100,000-item campaign over 2,000 units (``bench100k``), given the seed's tree of 19
aspects and 39 key tasks, every item under one of them and every key task with an owner unit and a
deadline. Measures: the key-task view (all aspects, and one aspect drilled down) against the bare SQL
of its two queries, and the roll-up of every key task (percent and light) against the bare read
of what it reads.
"""

import datetime

from django.db import connection
from django.db.models import F
from django.db.models.functions import Mod
from django.test import Client
from django.utils import timezone

from taizhang.campaigns.models import KeyTask
from taizhang.campaigns.seed import KEY_TASKS
from taizhang.ledger.keytasks import recompute_key_tasks
from taizhang.ledger.models import Item, KeyTaskTrack
from taizhang.orgs.models import Role, RoleGrant, Unit, User


def _tree(campaign) -> list[KeyTask]:
    """The seed's tree in the bench campaign, its items spread over the 39 key tasks, owners and deadlines."""
    tasks = list(KeyTask.objects.filter(campaign=campaign, parent__isnull=False).order_by("parent__order", "order"))
    if tasks:
        return tasks
    aspects = KeyTask.objects.bulk_create(
        KeyTask(campaign=campaign, code=str(n), name=name, order=n) for n, (name, _tasks) in enumerate(KEY_TASKS, 1)
    )
    tasks = KeyTask.objects.bulk_create(
        KeyTask(campaign=campaign, parent=aspect, code=f"{aspect.code}.{m}", name=task, order=m)
        for aspect, (_name, names) in zip(aspects, KEY_TASKS, strict=True)
        for m, task in enumerate(names.split("；"), 1)
    )
    for n, task in enumerate(tasks):
        Item.objects.filter(campaign=campaign).alias(r=Mod(F("id"), len(tasks))).filter(r=n).update(key_task=task)
    owners = list(Unit.objects.filter(depth=1).order_by("path")[: len(tasks)]) or [None]
    KeyTaskTrack.objects.bulk_create(
        KeyTaskTrack(
            key_task=task,
            campaign=campaign,
            owner_unit=owners[n % len(owners)],
            due=campaign.starts_on + datetime.timedelta(days=90 + 7 * n),
        )
        for n, task in enumerate(tasks)
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE ledger_item" if connection.vendor == "postgresql" else "ANALYZE")
    return tasks


def run(report, median_ms) -> None:
    from taizhang.bench import paired_median_ms
    from taizhang.bench.dashboards import _campaign

    today = timezone.localdate()
    campaign = _campaign(today)
    tasks = _tree(campaign)
    office = User.objects.get(username="office")
    RoleGrant.objects.get_or_create(user=office, campaign=campaign, role=Role.OFFICE, defaults={"unit": None})
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(office)
    params = [campaign.pk]

    def bare_rollup() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT key_task_id, COUNT(*), "
                "SUM(CASE WHEN status IN ('completed', 'closed') THEN 1 ELSE 0 END), "
                "AVG(CASE WHEN parent_id IS NULL THEN percent END), "
                "SUM(CASE WHEN light = 'red' THEN 1 ELSE 0 END), SUM(CASE WHEN light = 'yellow' THEN 1 ELSE 0 END), "
                "SUM(CASE WHEN light = 'blue' THEN 1 ELSE 0 END), SUM(CASE WHEN light = 'green' THEN 1 ELSE 0 END) "
                "FROM ledger_item WHERE campaign_id = %s AND key_task_id IS NOT NULL AND status <> 'withdrawn' "
                "GROUP BY key_task_id",
                params,
            )
            cursor.fetchall()

    def bare_board() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT k.id, k.parent_id, k.code, k.name, t.percent, t.light, t.light_code, t.light_n, t.lead, "
                "t.due, u.name FROM campaigns_keytask k LEFT JOIN ledger_keytasktrack t ON t.key_task_id = k.id "
                "LEFT JOIN orgs_unit u ON u.id = t.owner_unit_id WHERE k.campaign_id = %s "
                'ORDER BY k.parent_id, k."order", k.id',
                params,
            )
            cursor.fetchall()
        bare_rollup()

    def bare_recompute_reads() -> None:
        bare_rollup()
        list(KeyTaskTrack.objects.filter(campaign=campaign).values_list("id", "key_task_id", "due", "percent"))

    report(
        "key-task roll-up, every key task (100k items)",
        *paired_median_ms(lambda: recompute_key_tasks(campaign, on=today), bare_recompute_reads, repeat=7),
    )
    url = f"/c/{campaign.slug}/key-tasks/"
    assert client.get(url).status_code == 200
    report(
        "key-task view, 19 aspects (100k items, 2,000 units) vs its bare SQL",
        *paired_median_ms(lambda: client.get(url), bare_board, repeat=9),
    )
    aspect = tasks[0].parent_id
    assert client.get(url, {"aspect": aspect}).status_code == 200
    report(
        "key-task view, one aspect drilled down vs its bare SQL",
        *paired_median_ms(lambda: client.get(url, {"aspect": aspect}), bare_board, repeat=9),
    )
