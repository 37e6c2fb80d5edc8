"""Many liaisons at once on one unit (PostgreSQL): progress writes, submissions and returns never deadlock or lose a write."""

import random
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from taizhang.ledger.actions import add_progress
from taizhang.ledger.models import Item, ProgressEntry
from taizhang.reporting import actions
from taizhang.reporting.models import ReportingPeriod, UnitReport
from taizhang.reporting.periods import generate_periods
from taizhang.testing.factories import make_item

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="the SQLite test database is in memory with a shared cache, which refuses a second writer "
        "(SQLITE_LOCKED) instead of waiting; row locks and deadlocks are PostgreSQL's",
    ),
]


def _run_together(targets) -> list[Exception]:
    barrier = threading.Barrier(len(targets))
    errors: list[Exception] = []

    def run(target):
        try:
            barrier.wait()
            target()
        except Exception as error:  # every unexpected error is a failure, reported by the caller
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return errors


def test_concurrent_progress_writes_and_submissions_on_one_unit_give_no_error_and_lose_no_write(org, people, campaign):
    unit = org["office_dept"]
    for n in range(6):
        make_item(campaign, unit, code=f"HQ-1{n:02d}", title=f"并发事项{n}")
    generate_periods(campaign)
    now = timezone.now()
    weekly = ReportingPeriod.objects.filter(campaign=campaign, kind=ReportingPeriod.Kind.WEEKLY)
    current_week = weekly.filter(due_at__gt=now).order_by("due_at").first()
    past_weeks = list(weekly.filter(due_at__lte=now).order_by("due_at"))[-6:]
    month = ReportingPeriod.objects.filter(campaign=campaign, kind="monthly", due_at__gt=now).order_by("due_at")[0]
    item_ids = list(Item.objects.filter(owner_unit=unit).values_list("pk", flat=True))
    lily, olivia = people["lily"], people["olivia"]
    written: list[tuple[int, int]] = []  # (item, percent) of every successful write, in the order committed
    lock = threading.Lock()

    def writer(seed: int):
        def work():
            rng = random.Random(seed)
            for _n in range(10):
                item = Item.objects.select_related("campaign", "owner_unit").get(pk=rng.choice(item_ids))
                percent = rng.randint(1, 99)
                with transaction.atomic():
                    actions.start_report(current_week, unit, acting_user=lily)
                    add_progress(item, percent=percent, done=f"线程{seed}", acting_user=lily)
                    # Recorded under the item's row lock, so the list's order is the commit order per item.
                    with lock:
                        written.append((item.pk, percent))

        return work

    def submit_and_return(period):
        def work():
            for _n in range(4):
                report = actions.start_report(period, unit, acting_user=lily)
                actions.submit_report(report, acting_user=lily, no_change=True)
                actions.return_report(report, reason="请补充", acting_user=olivia)

        return work

    def catch_up_late():
        for period in past_weeks:  # each late report relights every item of the unit
            report = actions.start_report(period, unit, acting_user=lily)
            actions.submit_report(report, acting_user=lily, no_change=True)

    errors = _run_together(
        [writer(seed) for seed in range(4)] + [submit_and_return(current_week), submit_and_return(month), catch_up_late]
    )
    assert errors == [], [str(e) for e in errors]
    assert ProgressEntry.objects.filter(item__owner_unit=unit).count() == len(written) == 40
    last = {}
    for item_id, percent in written:
        last[item_id] = percent
    for item in Item.objects.filter(pk__in=last):
        assert item.percent == last[item.pk], item.code
    assert UnitReport.objects.filter(unit=unit, period__in=past_weeks, status="submitted").count() == len(past_weeks)
    assert UnitReport.objects.get(unit=unit, period=current_week).status == "returned"
    with pytest.raises(ValidationError):  # the business rules still hold after the storm
        actions.submit_report(UnitReport.objects.get(unit=unit, period=past_weeks[0]), acting_user=lily)
