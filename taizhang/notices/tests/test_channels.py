"""Channels: email through Django's mail, WeCom and DingTalk robots through their real payloads (on 127.0.0.1)."""

import base64
import hashlib
import hmac
import urllib.parse

import pytest
from django.core import mail

from taizhang.notices import channels
from taizhang.notices.models import Channel, Delivery, GroupRobot, Message, Preference, Reason
from taizhang.notices.sending import MAX_ATTEMPTS, notify, send_pending


def test_wecom_robot_gets_a_markdown_message(robot_server, org):
    robot = GroupRobot.objects.create(
        unit=org["hr"], kind=Channel.WECOM, webhook_url=robot_server.url("/cgi-bin/webhook/send?key=abc")
    )
    notify(reason=Reason.CHASE, scope="p1", robot=robot, subject="周报逾期", body="人力资源部未报送", url="/c/x/")
    assert send_pending(absolute=lambda u: "http://taizhang.lan" + u)["sent"] == 1
    (request,) = robot_server.requests
    assert request["path"] == "/cgi-bin/webhook/send" and request["query"] == "key=abc"
    assert request["json"]["msgtype"] == "markdown"
    assert "周报逾期" in request["json"]["markdown"]["content"]
    assert "http://taizhang.lan/c/x/" in request["json"]["markdown"]["content"]
    assert Delivery.objects.get().status == Delivery.Status.SENT


def test_dingtalk_robot_request_is_signed_with_hmac_sha256_of_timestamp_and_secret(robot_server, org):
    secret = "SEC0123456789abcdef"
    robot = GroupRobot.objects.create(
        unit=org["hr"],
        kind=Channel.DINGTALK,
        webhook_url=robot_server.url("/robot/send?access_token=tok"),
        secret=secret,
    )
    notify(reason=Reason.CHASE, scope="p1", robot=robot, subject="周报逾期", body="请尽快报送")
    send_pending()
    (request,) = robot_server.requests
    query = urllib.parse.parse_qs(request["query"])
    assert query["access_token"] == ["tok"]
    timestamp = query["timestamp"][0]
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    assert query["sign"] == [expected]
    assert request["json"] == {
        "msgtype": "markdown",
        "markdown": {"title": "周报逾期", "text": "#### 周报逾期\n\n请尽快报送"},
    }


def test_dingtalk_sign_matches_the_documented_example_shape():
    sign = channels.dingtalk_sign("SECxyz", 1577262236757)
    raw = base64.b64encode(hmac.new(b"SECxyz", b"1577262236757\nSECxyz", hashlib.sha256).digest()).decode()
    assert urllib.parse.unquote_plus(sign) == raw


def test_email_goes_through_django_mail_with_the_link(people, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    bob = people["bob"]
    bob.email = "bob@example.test"
    bob.save()
    notify(
        reason=Reason.REMINDER,
        scope="p1",
        user=bob,
        subject="周报将到期",
        body="请于周五17:00前报送",
        url="/c/2021/reports/",
    )
    assert send_pending(absolute=lambda u: "http://taizhang.lan" + u)["sent"] == 1
    (email,) = mail.outbox
    assert email.to == ["bob@example.test"] and email.subject == "周报将到期"
    assert "http://taizhang.lan/c/2021/reports/" in email.body
    assert set(Delivery.objects.values_list("channel", flat=True)) == {Channel.IN_APP, Channel.EMAIL}


def test_the_worker_makes_links_absolute_with_site_url(people, settings):
    from taizhang.notices.tasks import deliver

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://taizhang.example.cn/"
    bob = people["bob"]
    bob.email = "bob@example.test"
    bob.save()
    notify(reason=Reason.CHASE, scope="p2", user=bob, subject="周报逾期", body="请尽快报送", url="/c/2021/reports/")
    deliver.call_local()
    (email,) = mail.outbox
    assert "https://taizhang.example.cn/c/2021/reports/" in email.body


def test_preferences_turn_channels_off_and_all_off_means_no_message(people):
    bob = people["bob"]
    bob.email = "bob@example.test"
    bob.save()
    Preference.objects.create(user=bob, reason=Reason.REMINDER, channel=Channel.EMAIL, enabled=False)
    message = notify(reason=Reason.REMINDER, scope="p1", user=bob, subject="s", body="b")
    assert list(message.deliveries.values_list("channel", flat=True)) == [Channel.IN_APP]
    Preference.objects.create(user=bob, reason=Reason.CHASE, channel=Channel.EMAIL, enabled=False)
    Preference.objects.create(user=bob, reason=Reason.CHASE, channel=Channel.IN_APP, enabled=False)
    assert notify(reason=Reason.CHASE, scope="p1", user=bob, subject="s", body="b") is None


def test_a_failing_robot_is_retried_and_reported_without_blocking_the_others(robot_server, org, people, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    robot_server.answers["/broken"] = (500, {"errcode": -1})
    robot_server.answers["/refusing"] = (200, {"errcode": 310000, "errmsg": "keywords not in content"})
    broken = GroupRobot.objects.create(unit=org["hr"], kind=Channel.WECOM, webhook_url=robot_server.url("/broken"))
    refusing = GroupRobot.objects.create(
        unit=org["hr"], kind=Channel.DINGTALK, webhook_url=robot_server.url("/refusing")
    )
    working = GroupRobot.objects.create(unit=org["hr"], kind=Channel.WECOM, webhook_url=robot_server.url("/ok"))
    for robot in (broken, refusing, working):
        notify(reason=Reason.CHASE, scope="p1", robot=robot, subject="逾期", body="b")
    counts = send_pending()
    assert counts == {"sent": 1, "failed": 0, "retry": 2, "skipped": 0}
    failing = Delivery.objects.filter(message__robot__in=[broken, refusing])
    assert {d.status for d in failing} == {Delivery.Status.PENDING}
    assert {d.last_error for d in failing} == {"HTTP 500", "errcode 310000: keywords not in content"}
    # Not retried before its time; then retried until it gives up, and stays in the log as failed.
    assert send_pending()["sent"] + send_pending()["retry"] == 0
    import datetime

    from django.utils import timezone

    later = timezone.now()
    for _ in range(MAX_ATTEMPTS):
        later += datetime.timedelta(hours=2)
        send_pending(now=later)
    assert {d.status for d in failing.all()} == {Delivery.Status.FAILED}
    assert {d.attempts for d in failing.all()} == {MAX_ATTEMPTS}
    assert len([r for r in robot_server.requests if r["path"] == "/ok"]) == 1


def test_an_unreachable_robot_is_a_channel_error_not_a_crash(org):
    robot = GroupRobot.objects.create(unit=org["hr"], kind=Channel.WECOM, webhook_url="http://127.0.0.1:9/nothing")
    notify(reason=Reason.CHASE, scope="p1", robot=robot, subject="s", body="b")
    assert send_pending()["retry"] == 1
    assert Delivery.objects.get().last_error


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/x"])
def test_only_http_webhooks_are_called(url):
    with pytest.raises(channels.ChannelError):
        channels.send_wecom(url, "s", "b")


def test_the_same_message_is_made_once_per_recipient_and_reason(people):
    bob = people["bob"]
    assert notify(reason=Reason.CHASE, scope="period7:unit3", user=bob, subject="s", body="b") is not None
    assert notify(reason=Reason.CHASE, scope="period7:unit3", user=bob, subject="s", body="b") is None
    assert notify(reason=Reason.REMINDER, scope="period7:unit3", user=bob, subject="s", body="b") is not None
    assert Message.objects.count() == 2
