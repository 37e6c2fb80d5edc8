"""Reminders before the due time, chases after, escalations to the office, deadline digests — each once."""

import datetime

from django.utils import timezone

from taizhang.notices import rhythm
from taizhang.notices.models import Channel, GroupRobot, Message, Reason
from taizhang.orgs.models import ContactPoint
from taizhang.reporting import actions
from taizhang.reporting.models import ReportingPeriod
from taizhang.reporting.periods import generate_periods
from taizhang.testing.clock import into_open_week


def _week(campaign, which):
    generate_periods(campaign)
    weeks = ReportingPeriod.objects.filter(campaign=campaign, kind="weekly")
    now = timezone.now()
    if which == "next":
        return weeks.filter(due_at__gt=now).order_by("due_at").first()
    return weeks.filter(due_at__lte=now).order_by("-due_at").first()


def test_reminder_goes_to_liaisons_of_units_that_have_not_submitted_once(
    people, items, org, campaign, _clock_at_test_start
):
    period = into_open_week(campaign, _clock_at_test_start)  # lily submits into it now
    before = period.due_at - datetime.timedelta(hours=5)
    actions.submit_report(
        actions.start_report(period, org["office_dept"], acting_user=people["lily"]),
        acting_user=people["lily"],
        no_change=True,
    )
    assert rhythm.send_reminders(campaign, now=before) >= 1
    # Only this week's reminders: a monthly report can fall due the same Friday (5 March 2021) and is reminded too.
    reminded = set(
        Message.objects.filter(reason=Reason.REMINDER, dedupe_key__contains=f"period{period.pk}:").values_list(
            "recipient__username", flat=True
        )
    )
    assert reminded == {"bob"}  # lily's unit has submitted; the hospital has no liaison of its own or above
    assert rhythm.send_reminders(campaign, now=before + datetime.timedelta(minutes=15)) == 0
    # Two days before is too early for a reminder.
    Message.objects.all().delete()
    assert rhythm.send_reminders(campaign, now=period.due_at - datetime.timedelta(days=2)) == 0


def test_chase_after_due_reaches_liaison_contact_point_leader_and_group_robot(
    people, items, org, campaign, robot_server
):
    period = _week(campaign, "last")
    ContactPoint.objects.create(campaign=campaign, leader=people["leo"], unit=org["hr"])
    GroupRobot.objects.create(unit=org["hr"], kind=Channel.WECOM, webhook_url=robot_server.url("/hr"))
    made = rhythm.send_chases(campaign, now=period.due_at + datetime.timedelta(hours=1))
    chased = (
        Message.objects.filter(reason=Reason.CHASE, scope_unit=None)
        if False
        else Message.objects.filter(reason=Reason.CHASE, dedupe_key__contains=f"unit{org['hr'].pk}:")
    )
    assert {m.recipient.username if m.recipient else "robot" for m in chased} == {"bob", "leo", "robot"}
    assert made == Message.objects.filter(reason=Reason.CHASE).count()
    assert rhythm.send_chases(campaign, now=period.due_at + datetime.timedelta(hours=2)) == 0


def test_escalation_to_the_office_after_the_campaigns_missed_reports(people, items, org, campaign):
    generate_periods(campaign)
    now = timezone.now()
    assert campaign.yellow_missed_reports == 2
    made = rhythm.send_escalations(campaign, now=now)
    escalated = Message.objects.filter(reason=Reason.ESCALATION)
    assert made == escalated.count() > 0
    assert set(escalated.values_list("recipient__username", flat=True)) == {"olivia"}
    assert rhythm.send_escalations(campaign, now=now) == 0


def test_deadline_digest_lists_a_units_items_near_or_past_due_in_one_message(people, items, org, campaign):
    assert rhythm.send_deadline_digests(campaign) >= 1
    (digest,) = Message.objects.filter(reason=Reason.DEADLINE_DIGEST, recipient=people["bob"])
    assert "HQ-004" in digest.body and "12" in digest.body  # 12 days overdue
    assert "HQ-003" not in digest.body  # due in 30 days, beyond the 7-day notice
    assert not Message.objects.filter(reason=Reason.DEADLINE_DIGEST, recipient=people["lily"]).exists()
    assert rhythm.send_deadline_digests(campaign) == 0
