"""The evidence chain's cost: bulk progress with and without the chain, concurrent writers, verify_ledger.

The baseline of the chain's lines is the same action with the chain switched off (its honest cost
is what it adds to the write); every write is rolled back, so the demo stays as it was.
"""

import threading
import time

from django.db import connection, connections, transaction


class _Rollback(Exception):
    pass


def _rolled_back(fn) -> None:
    try:
        with transaction.atomic():
            fn()
            raise _Rollback
    except _Rollback:
        pass


def run(report, median_ms) -> None:
    from taizhang.audit import chain
    from taizhang.bench import paired_median_ms
    from taizhang.campaigns.models import Campaign
    from taizhang.ledger import actions
    from taizhang.ledger.models import Item, Status
    from taizhang.orgs.models import User

    campaign = Campaign.objects.get(slug="2026")
    office = User.objects.get(username="office")
    items = list(
        Item.objects.filter(campaign=campaign, children__isnull=True)
        .exclude(status__in=[Status.CLOSED, Status.WITHDRAWN])
        .select_related("campaign", "owner_unit")
        .order_by("pk")[:200]
    )
    reports = [actions.NewProgress(items[i % len(items)], 50, f"基准进展{i}") for i in range(1000)]
    real_append_many = chain.append_many

    def without_chain(fn):
        def call():
            chain.append_many = lambda campaign, records: []
            try:
                fn()
            finally:
                chain.append_many = real_append_many

        return call

    def bulk() -> None:
        _rolled_back(lambda: actions.add_progress_many(campaign=campaign, reports=reports, acting_user=office))

    ours, theirs = paired_median_ms(bulk, without_chain(bulk), repeat=5)
    report("add_progress_many 1,000 entries with the chain vs without", ours, theirs)

    # Concurrent writers: 4 threads, each appending single entries in its own transactions (rolled back, so
    # the head lock is held as long as in a commit and the bench database keeps no unchained rows).
    def writers(n_threads: int = 4, each: int = 25) -> float:
        errors = []

        def work(offset: int) -> None:
            try:
                for i in range(each):
                    item = items[(offset * each + i) % len(items)]
                    _rolled_back(
                        lambda item=item, i=i: actions.add_progress(
                            item, percent=50, done=f"并发进展{offset}-{i}", acting_user=office
                        )
                    )
            except Exception as error:
                errors.append(error)
            finally:
                connections.close_all()

        start = time.perf_counter()
        threads = [threading.Thread(target=work, args=(t,)) for t in range(n_threads)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            print(f"# concurrent writers: {len(errors)} errors, first: {errors[0]!r}", flush=True)
        return (time.perf_counter() - start) * 1000 / (n_threads * each)

    if connection.vendor == "postgresql":
        with_chain = writers()
        chain.append_many = lambda campaign, records: []
        try:
            bare = writers()
        finally:
            chain.append_many = real_append_many
        report("one progress entry, 4 concurrent writers, per entry with the chain vs without", with_chain, bare)

    def bare_links() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT seq, kind, object_id, canonical, previous, digest FROM audit_chainlink "
                "WHERE campaign_id = %s ORDER BY seq",
                [campaign.pk],
            )
            cursor.fetchall()

    links = chain.head_of(campaign)[0]
    report(
        f"verify_ledger on the demo campaign ({links} links) vs reading its links",
        median_ms(lambda: chain.verify(campaign), repeat=3),
        median_ms(bare_links, repeat=3),
    )
