"""Two workers at once, or one restarted: every message is made once and sent once."""

import threading

import pytest
from django.db import close_old_connections, connection

from taizhang.notices.models import Channel, Delivery, GroupRobot, Message, Reason
from taizhang.notices.sending import claim, due_deliveries, notify, send_pending
from taizhang.orgs.models import Unit


def _in_threads(target, n=2):
    barrier = threading.Barrier(n)
    errors = []

    def run():
        try:
            barrier.wait()
            target()
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the SQLite test database is in memory with a shared cache, which refuses a second writer "
    "(SQLITE_LOCKED) instead of waiting; this runs on PostgreSQL, the interleaved tests below run everywhere",
)
def test_two_concurrent_senders_send_each_robot_message_exactly_once(robot_server):
    unit = Unit.objects.create(name="并发测试单位", path="999999.", kind=Unit.Kind.DEPARTMENT)
    robots = [
        GroupRobot.objects.create(unit=unit, kind=Channel.WECOM, webhook_url=robot_server.url(f"/r{n}"))
        for n in range(8)
    ]

    def make_and_send():
        # Both workers make the same messages (same dedupe keys) and then both deliver.
        for robot in robots:
            notify(reason=Reason.CHASE, scope="period1", robot=robot, subject="逾期", body="b")
        send_pending()

    _in_threads(make_and_send)
    assert Message.objects.count() == 8
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 8
    assert sorted(r["path"] for r in robot_server.requests) == sorted(f"/r{n}" for n in range(8))


@pytest.mark.django_db
def test_a_worker_that_read_the_queue_late_skips_what_the_other_claimed(robot_server, org):
    robot = GroupRobot.objects.create(unit=org["hr"], kind=Channel.WECOM, webhook_url=robot_server.url("/r"))
    notify(reason=Reason.CHASE, scope="p", robot=robot, subject="s", body="b")
    from django.utils import timezone

    ids_seen_by_both = list(due_deliveries(timezone.now()).values_list("id", flat=True))
    first = send_pending(ids=ids_seen_by_both)
    second = send_pending(ids=ids_seen_by_both)
    assert first["sent"] == 1 and second == {"sent": 0, "failed": 0, "retry": 0, "skipped": 1}
    assert len(robot_server.requests) == 1
    assert not claim(ids_seen_by_both[0], timezone.now())


@pytest.mark.django_db
def test_a_claim_left_by_a_dead_worker_is_taken_again_later(robot_server, org):
    import datetime

    from django.utils import timezone

    robot = GroupRobot.objects.create(unit=org["hr"], kind=Channel.WECOM, webhook_url=robot_server.url("/r"))
    notify(reason=Reason.CHASE, scope="p", robot=robot, subject="s", body="b")
    delivery = Delivery.objects.get()
    assert claim(delivery.pk, timezone.now())  # the worker dies here, before sending
    assert send_pending()["sent"] == 0
    assert send_pending(now=timezone.now() + datetime.timedelta(minutes=11))["sent"] == 1
    assert len(robot_server.requests) == 1
