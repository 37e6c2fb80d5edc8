"""The office hears of a new problem from the public: each one as it arrives, or a morning digest (a campaign rule)."""

import pytest
from django.urls import reverse

from taizhang.campaigns.models import DemandNotice
from taizhang.notices.models import Channel, GroupRobot, Message, Preference, Reason
from taizhang.people import actions

pytestmark = pytest.mark.django_db


def office_messages():
    return Message.objects.filter(reason=Reason.DEMAND)


def test_a_problem_from_the_public_form_reaches_the_office_once(client, people, campaign, org):
    people["olivia"].email = "olivia@example.com"
    people["olivia"].save()
    response = client.post(
        reverse("people:demand_new", args=[campaign.slug]),
        {
            "text": "食堂晚餐太早结束，加班员工吃不上饭",
            "category": campaign.categories.first().pk,
            "unit": org["hr"].pk,
        },
    )
    assert response.status_code == 302
    message = office_messages().get()
    demand = campaign.demands.get()
    assert message.recipient == people["olivia"]
    assert demand.tracking_code in message.subject and "人力资源部" in message.body
    assert message.url == reverse("people:demand_detail", args=[campaign.slug, demand.pk])
    assert set(message.deliveries.values_list("channel", flat=True)) == {Channel.IN_APP, Channel.EMAIL}
    # Told once: a retry or a second run makes nothing.
    assert actions.tell_office_of_demand(demand) == 0
    assert office_messages().count() == 1


def test_the_office_bell_follows_each_persons_preferences_and_the_office_robot_is_told(people, campaign, org):
    people["olivia"].email = "olivia@example.com"
    people["olivia"].save()
    Preference.objects.create(user=people["olivia"], reason=Reason.DEMAND, channel=Channel.EMAIL, enabled=False)
    robot = GroupRobot.objects.create(unit=org["group"], kind=Channel.WECOM, webhook_url="https://example.com/hook")
    GroupRobot.objects.create(unit=org["hr"], kind=Channel.WECOM, webhook_url="https://example.com/other")

    actions.submit_demand(campaign=campaign, data={"text": "班车太少"})

    person = office_messages().get(recipient=people["olivia"])
    assert list(person.deliveries.values_list("channel", flat=True)) == [Channel.IN_APP]
    assert list(office_messages().filter(robot__isnull=False).values_list("robot", flat=True)) == [robot.pk]


def test_problems_staff_record_themselves_are_not_news_to_the_office(people, campaign):
    actions.submit_demand(
        campaign=campaign, data={"text": "走访中听到：停车难", "channel": "visit"}, acting_user=people["olivia"]
    )
    assert not office_messages().exists()


def test_a_campaign_may_switch_the_notice_off(people, campaign):
    campaign.demand_notice = DemandNotice.OFF
    campaign.save()
    actions.submit_demand(campaign=campaign, data={"text": "班车太少"})
    assert not office_messages().exists()
    assert actions.send_demand_digest(campaign, on=actions.today()) == 0


def test_a_daily_digest_gathers_the_days_problems_in_one_message_once(people, campaign):
    campaign.demand_notice = DemandNotice.DAILY
    campaign.save()
    first = actions.submit_demand(campaign=campaign, data={"text": "班车太少"})
    second = actions.submit_demand(campaign=campaign, data={"text": "食堂太挤"})
    assert not office_messages().exists(), "a digest campaign is not told of each one"

    assert actions.send_demand_digest(campaign, on=actions.today()) == 1
    digest = office_messages().get()
    assert first.tracking_code in digest.body and second.tracking_code in digest.body
    assert "2" in digest.subject
    assert actions.send_demand_digest(campaign, on=actions.today()) == 0
    assert actions.send_demand_digest(campaign, on=actions.today().replace(day=1)) == 0, "a day without problems"


def test_the_rules_page_keeps_the_notice_setting_with_the_publics_problems(login, people, campaign):
    page = login(people["olivia"]).get(reverse("campaigns:rules", args=[campaign.slug])).content.decode()
    group = page[page.index('id="rules-group-5"') :]
    group = group[: group.index("</fieldset>")]
    assert 'name="demand_notice"' in group
    assert "群众" in group
