"""The bell, the inbox, preferences and the office's send log."""

from taizhang.notices.models import Channel, Delivery, GroupRobot, Message, Preference, Reason
from taizhang.notices.sending import notify


def test_bell_counts_unread_messages_and_reading_clears_it(login, people, campaign):
    bob = people["bob"]
    first = notify(reason=Reason.CHASE, scope="a", user=bob, subject="周报逾期", body="b", url="/c/2021/reports/")
    notify(reason=Reason.REMINDER, scope="b", user=bob, subject="周报将到期", body="b")
    client = login(bob)
    assert 'id="bell-count">2<' in client.get("/notices/bell/").content.decode()
    assert "周报逾期" in client.get("/notices/").content.decode()
    response = client.post(f"/notices/{first.pk}/read/")
    assert response.status_code == 302 and response["Location"] == "/c/2021/reports/"
    assert 'id="bell-count">1<' in client.get("/notices/bell/").content.decode()
    client.post("/notices/read-all/")
    assert "bell-count" not in client.get("/notices/bell/").content.decode()


def test_nobody_reads_or_marks_another_persons_message(login, people):
    message = notify(reason=Reason.CHASE, scope="a", user=people["bob"], subject="s", body="b")
    client = login(people["lily"])
    assert client.post(f"/notices/{message.pk}/read/").status_code == 404
    assert "bell-count" not in client.get("/notices/bell/").content.decode()
    assert Message.objects.get(pk=message.pk).read_at is None


def test_preferences_page_saves_choices(login, people):
    client = login(people["bob"])
    assert client.get("/notices/preferences/").status_code == 200
    client.post("/notices/preferences/", {f"{Reason.CHASE}:{Channel.IN_APP}": "on"})
    assert Preference.objects.get(user=people["bob"], reason=Reason.CHASE, channel=Channel.IN_APP).enabled
    assert not Preference.objects.get(user=people["bob"], reason=Reason.CHASE, channel=Channel.EMAIL).enabled


def test_office_sees_the_send_log_with_failures_others_do_not(login, people, org, campaign):
    robot = GroupRobot.objects.create(unit=org["hr"], kind=Channel.WECOM, webhook_url="http://127.0.0.1:9/x")
    notify(reason=Reason.CHASE, scope="a", robot=robot, subject="逾期提醒", body="b", campaign=campaign)
    Delivery.objects.update(last_error="HTTP 500", attempts=2)
    response = login(people["olivia"]).get(f"/c/{campaign.slug}/notices/log/")
    assert response.status_code == 200
    assert "逾期提醒" in response.content.decode() and "HTTP 500" in response.content.decode()
    assert (
        login(people["olivia"])
        .get(f"/c/{campaign.slug}/notices/log/", {"status": "sent"})
        .content.decode()
        .count("逾期提醒")
        == 0
    )
    assert login(people["bob"]).get(f"/c/{campaign.slug}/notices/log/").status_code == 403
    assert login(people["leo"]).get(f"/c/{campaign.slug}/notices/log/").status_code == 403
