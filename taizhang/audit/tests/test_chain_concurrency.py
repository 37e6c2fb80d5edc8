"""Concurrent writers of one campaign's chain (PostgreSQL): serialised on the chain head, none lost, none forked."""

import threading
import time

import pytest
from django.db import close_old_connections, connection

from taizhang.audit import chain
from taizhang.audit.models import ChainLink
from taizhang.ledger import actions as ledger_actions
from taizhang.ledger.models import Item, ProgressEntry

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="the SQLite test database is in memory with a shared cache, which refuses a second writer "
        "(SQLITE_LOCKED) instead of waiting; the head's row lock is PostgreSQL's",
    ),
]

THREADS = 6
EACH = 10


def _together(targets) -> tuple[list[Exception], float]:
    barrier = threading.Barrier(len(targets))
    errors: list[Exception] = []

    def run(target):
        try:
            barrier.wait()
            target()
        except Exception as error:  # every error is a failure, reported by the test
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(target,)) for target in targets]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return errors, time.perf_counter() - started


def test_concurrent_writers_append_every_record_once_in_one_unbroken_chain(people, items, campaign):
    olivia = people["olivia"]
    item_ids = [item.pk for item in items.values() if item.campaign_id == campaign.pk]

    def writer(n: int):
        def work():
            for k in range(EACH):
                item = Item.objects.select_related("campaign", "owner_unit").get(pk=item_ids[(n + k) % len(item_ids)])
                ledger_actions.add_progress(item, percent=k + 1, done=f"线程{n}第{k}次", acting_user=olivia)

        return work

    errors, seconds = _together([writer(n) for n in range(THREADS)])
    assert not errors, errors[:3]
    entries = set(ProgressEntry.objects.filter(item__campaign=campaign).values_list("pk", flat=True))
    assert len(entries) == THREADS * EACH
    links = list(ChainLink.objects.filter(campaign=campaign).order_by("seq").values_list("seq", "object_id", "kind"))
    # One link per entry, numbered 1..N with no gap or repeat: no writer read a stale head.
    assert [seq for seq, _pk, _kind in links] == list(range(1, len(links) + 1))
    assert {pk for _seq, pk, kind in links if kind == "ledger.progressentry"} == entries
    assert chain.verify(campaign) == []
    assert chain.head_of(campaign)[0] == len(links)
    print(f"# {THREADS * EACH} chained progress entries by {THREADS} writers in {seconds:.2f} s")
