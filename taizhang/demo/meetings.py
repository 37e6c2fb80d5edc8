"""Meetings for the demo campaign: ``build(campaign)``.

A quarterly review meeting (季度讲评会诊) held a month ago: its agenda built from the ledger in one
click, minutes approved by the chair, and five decisions in every state — assigned and overdue,
in progress, near its deadline, done by the unit, closed by the office. And the next leading-group
meeting, planned for next week with its agenda built. Everything goes through the actions, as the
office, the chair and the units' liaisons would do it. Idempotent: a campaign with meetings is left alone.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from taizhang.meetings import actions
from taizhang.meetings.models import Meeting
from taizhang.orgs.models import Role, RoleGrant
from taizhang.reporting.models import ReportingPeriod

# text, days from today to the deadline, what becomes of it
DECISIONS = [
    ("梳理亮红灯事项，逐项明确整改措施和完成时限。", -10, "assigned"),
    ("完善职工服务中心运行制度，形成长效机制。", 20, "in_progress"),
    ("加快员工福利平台上线，月底前完成试运行。", 3, "assigned"),
    ("汇总基层意见建议，形成问题清单报领导小组。", 5, "done"),
    ("推广“一站式”服务经验，编发信息简报。", -5, "closed"),
]


@transaction.atomic
def build(campaign, *, now: datetime.datetime | None = None) -> int:
    """Create the demo's meetings; returns how many were made (0 when already there)."""
    if Meeting.objects.filter(campaign=campaign).exists():
        return 0
    now = now or timezone.now()
    today = timezone.localdate(now)
    office = RoleGrant.objects.filter(campaign=campaign, role=Role.OFFICE).select_related("user").first()
    leader = RoleGrant.objects.filter(campaign=campaign, role=Role.LEADER).select_related("user").first()
    liaisons = list(
        RoleGrant.objects.filter(campaign=campaign, role=Role.LIAISON, unit__is_active=True)
        .select_related("user", "unit")
        .order_by("unit__path")
    )
    if office is None or leader is None or not liaisons:
        return 0
    office, chair = office.user, leader.user
    # At Beijing hours (now is aware, in UTC): 09:00 and 15:00 local, not the evening.
    held_at = timezone.localtime(now - datetime.timedelta(days=30)).replace(hour=9, minute=0, second=0, microsecond=0)
    quarter = (
        ReportingPeriod.objects.filter(
            campaign=campaign, kind=ReportingPeriod.Kind.QUARTERLY, ends_on__lt=held_at.date()
        )
        .order_by("-ends_on")
        .first()
    )
    review = actions.create_meeting(
        campaign,
        data={
            "kind": Meeting.Kind.QUARTERLY_REVIEW,
            "title": "季度讲评会诊会议",
            "starts_at": held_at,
            "place": "集团总部三楼第一会议室",
            "chair": chair,
            "guests": "各单位联络员列席",
            "period": quarter,
        },
        attendees=[chair, office],
        acting_user=office,
    )
    actions.build_agenda(review, expected_version=review.version, acting_user=office, now=held_at)
    review.refresh_from_db()
    review = actions.mark_held(review, expected_version=review.version, acting_user=office)
    review = actions.record_minutes(
        review,
        minutes="会议听取了活动办公室关于本季度“我为群众办实事”推进情况的汇报，讲评了各单位报送和事项推进情况，"
        "对亮红灯和超期事项逐项会诊，研究部署下一阶段工作。会议议定以下事项。",
        expected_version=review.version,
        acting_user=office,
    )
    for n, (text, days, fate) in enumerate(DECISIONS):
        grant = liaisons[n % len(liaisons)]
        deadline = max(today + datetime.timedelta(days=days), held_at.date())
        review.refresh_from_db()
        decision = actions.add_decision(
            review,
            text=text,
            owner_unit=grant.unit,
            deadline=deadline,
            expected_version=review.version,
            acting_user=office,
        )
        if fate in ("in_progress", "done", "closed"):
            decision = actions.add_progress(
                decision,
                percent=60,
                text="已制定工作方案，正在推进。",
                expected_version=decision.version,
                acting_user=grant.user,
            )
        if fate in ("done", "closed"):
            decision = actions.mark_done(
                decision, text="已按要求完成。", expected_version=decision.version, acting_user=grant.user
            )
        if fate == "closed":
            actions.close_decision(decision, expected_version=decision.version, acting_user=office)
    review.refresh_from_db()
    actions.approve_minutes(review, expected_version=review.version, acting_user=chair)
    upcoming = actions.create_meeting(
        campaign,
        data={
            "kind": Meeting.Kind.LEADING_GROUP,
            "title": "领导小组会议",
            "starts_at": timezone.localtime(now + datetime.timedelta(days=7)).replace(
                hour=15, minute=0, second=0, microsecond=0
            ),
            "place": "集团总部三楼第一会议室",
            "chair": chair,
        },
        attendees=[chair, office],
        acting_user=office,
    )
    actions.build_agenda(upcoming, expected_version=upcoming.version, acting_user=office, now=now)
    return 2
