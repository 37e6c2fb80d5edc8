"""The send log counts real attempts: every try is recorded with its outcome, retries show, nothing is logged twice."""

import datetime

from django.utils import timezone

from taizhang.notices.models import Attempt, Channel, Delivery, GroupRobot, Reason
from taizhang.notices.sending import MAX_ATTEMPTS, _record, notify, send_pending


def test_a_message_in_the_app_is_sent_in_one_attempt(people):
    message = notify(reason=Reason.CHASE, scope="p1", user=people["bob"], subject="逾期", body="b")
    delivery = message.deliveries.get(channel=Channel.IN_APP)
    assert (delivery.status, delivery.attempts) == (Delivery.Status.SENT, 1)
    assert list(delivery.attempt_log.values_list("number", "outcome")) == [(1, Attempt.Outcome.SENT)]


def test_a_robot_that_fails_twice_then_answers_shows_three_attempts(robot_server, org):
    robot_server.answers["/flaky"] = (500, {"errcode": -1})
    robot = GroupRobot.objects.create(unit=org["hr"], kind=Channel.WECOM, webhook_url=robot_server.url("/flaky"))
    notify(reason=Reason.CHASE, scope="p1", robot=robot, subject="逾期", body="b")
    now = timezone.now()
    assert send_pending(now=now)["retry"] == 1
    now += datetime.timedelta(hours=1)
    assert send_pending(now=now)["retry"] == 1
    robot_server.answers["/flaky"] = (200, {"errcode": 0, "errmsg": "ok"})
    now += datetime.timedelta(hours=1)
    assert send_pending(now=now)["sent"] == 1
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.SENT, 3)
    assert list(delivery.attempt_log.values_list("number", "outcome", "error")) == [
        (1, Attempt.Outcome.FAILED, "HTTP 500"),
        (2, Attempt.Outcome.FAILED, "HTTP 500"),
        (3, Attempt.Outcome.SENT, ""),
    ]


def test_a_robot_that_never_answers_is_given_up_after_the_last_attempt(org):
    robot = GroupRobot.objects.create(unit=org["hr"], kind=Channel.WECOM, webhook_url="http://127.0.0.1:9/nothing")
    notify(reason=Reason.CHASE, scope="p1", robot=robot, subject="s", body="b")
    later = timezone.now()
    for _ in range(MAX_ATTEMPTS + 2):  # more runs than attempts: a given-up delivery is not tried again
        send_pending(now=later)
        later += datetime.timedelta(hours=3)
    delivery = Delivery.objects.get()
    outcomes = list(delivery.attempt_log.values_list("outcome", flat=True))
    assert delivery.status == Delivery.Status.FAILED and delivery.attempts == MAX_ATTEMPTS == len(outcomes)
    assert outcomes == [Attempt.Outcome.FAILED] * (MAX_ATTEMPTS - 1) + [Attempt.Outcome.GAVE_UP]


def test_the_same_attempt_is_recorded_once(people):
    message = notify(reason=Reason.CHASE, scope="p1", user=people["bob"], subject="s", body="b")
    delivery = message.deliveries.get(channel=Channel.IN_APP)
    _record(delivery, Attempt.Outcome.SENT)  # a worker restarted after the send logs the same try again
    assert delivery.attempt_log.count() == 1


def test_the_send_log_shows_each_attempt_of_a_retried_message(robot_server, login, people, org, campaign):
    robot_server.answers["/flaky"] = (500, {"errcode": -1})
    robot = GroupRobot.objects.create(unit=org["hr"], kind=Channel.WECOM, webhook_url=robot_server.url("/flaky"))
    notify(reason=Reason.CHASE, scope="p1", robot=robot, subject="逾期提醒", body="b", campaign=campaign)
    notify(reason=Reason.CHASE, scope="p1", user=people["bob"], subject="逾期提醒", body="b", campaign=campaign)
    send_pending()
    robot_server.answers["/flaky"] = (200, {"errcode": 0})
    send_pending(now=timezone.now() + datetime.timedelta(hours=1))
    body = login(people["olivia"]).get(f"/c/{campaign.slug}/notices/log/").content.decode()
    assert 'data-attempts="2"' in body and 'data-attempts="1"' in body and 'data-attempts="0"' not in body
    assert body.count('data-outcome="failed"') == 1 and body.count('data-outcome="sent"') == 1
