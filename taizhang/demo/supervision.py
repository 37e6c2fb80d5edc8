"""Supervision in the demo campaign: a responsibility grid, leaders' visits at their contact points, instructions.

``build(campaign, now=…)`` is called by the demo builder after the ledger; it goes through the supervision
actions as the office, the leader and the liaisons would, and leaves a campaign that has assignments alone
(idempotent). Dates are relative to the day it runs: visits in the past weeks, answer dates from today.
"""

import datetime

from django.utils import timezone

from taizhang.ledger.models import OPEN_STATUSES, Item
from taizhang.orgs.models import ContactPoint, Role, RoleGrant, Unit
from taizhang.supervision import actions
from taizhang.supervision.models import Assignment, Responsibility, Visit

# At the group: who holds each of the eight (the seed's words); the units below inherit what they do not name.
GROUP_HOLDERS = [
    (Responsibility.PRINCIPAL, {"holder_title": "集团党委"}),
    (Responsibility.FIRST, {"holder_title": "党委书记", "holder_name": "王建华"}),
    (Responsibility.LEAD_PUSH, {"holder_title": "党委班子成员"}),
    (Responsibility.DIRECT_LEADERSHIP, {"holder_title": "活动领导小组"}),
    (Responsibility.ORGANISE, {"holder_title": "活动领导小组办公室"}),
    (Responsibility.SUPPORT, {"holder_title": "总部各部门"}),
    (Responsibility.LINKAGE, {"holder_title": "各参与部门"}),
]
SECRETARIES = ["张国强", "李明辉", "陈晓东", "刘志远", "杨文斌"]
VISITS = [
    (
        Visit.Form.FORUM,
        18,
        "一线职工代表、班组长",
        "职工食堂就餐高峰排队时间长\n夜班职工通勤不便",
        "当场协调增设两个打饭窗口",
    ),
    (Visit.Form.SITE, 6, "车间主任、安全员", "老旧厂房漏雨，雨季影响生产", "现场明确维修责任单位"),
]


def build(campaign, *, now: datetime.datetime | None = None) -> int:
    """The grid, two visits, four instructions in every state; returns how many assignments were made."""
    if Assignment.objects.filter(campaign=campaign).exists():
        return 0
    grants = list(RoleGrant.objects.filter(campaign=campaign).select_related("user", "unit"))
    office = next((g.user for g in grants if g.role == Role.OFFICE), None)
    leader = next((g.user for g in grants if g.role == Role.LEADER), None)
    if office is None or leader is None:
        return 0
    # The actions judge dates against the clock (no visit in the future, no answer date in the past).
    today = min(timezone.localdate(now) if now else timezone.localdate(), timezone.localdate())
    made = _grid(campaign, office)
    _visits(campaign, leader, today)
    _instructions(campaign, leader, office, grants, today)
    return made


def _grid(campaign, office) -> int:
    group = Unit.objects.filter(parent=None, is_active=True).order_by("path").first()
    if group is None:
        return 0
    made = 0
    for kind, holder in GROUP_HOLDERS:
        actions.assign_responsibility(campaign, kind=kind, unit=group, acting_user=office, **holder)
        made += 1
    party = Unit.objects.filter(parent=group, name__contains="党群").first()
    if party is not None:
        actions.assign_responsibility(
            campaign, kind=Responsibility.HEAD, unit=group, holder_unit=party, acting_user=office
        )
        made += 1
    # First-level units with items name their own party organisation and secretary; the last two do not
    # (the grid shows them inheriting the group's secretary, and any of their sub-units without one).
    with_items = list(
        Unit.objects.filter(parent=group, is_active=True, items__campaign=campaign).distinct().order_by("path")[:7]
    )
    for unit, secretary in zip(with_items[:5], SECRETARIES, strict=False):
        actions.assign_responsibility(
            campaign,
            kind=Responsibility.PRINCIPAL,
            unit=unit,
            holder_title=f"{unit.display_name}党委",
            acting_user=office,
        )
        actions.assign_responsibility(
            campaign,
            kind=Responsibility.FIRST,
            unit=unit,
            holder_title="党委书记",
            holder_name=secretary,
            acting_user=office,
        )
        made += 2
    return made


def _visits(campaign, leader, today) -> None:
    points = list(ContactPoint.objects.filter(campaign=campaign, leader=leader).select_related("unit"))
    # The last contact point stays unvisited: the dashboard list shows it.
    for n, (point, (form, count, whom, raised, solved)) in enumerate(zip(points[:-1], VISITS, strict=False)):
        actions.record_visit(
            campaign,
            contact_point=point,
            visited_on=today - datetime.timedelta(days=10 + 7 * n),
            form=form,
            place=f"{point.unit.display_name}会议室",
            people_count=count,
            people_names=whom,
            raised=raised,
            solved=solved,
            follow_up="请责任单位两周内报送整改方案",
            token=f"demo-visit-{campaign.pk}-{n}",
            acting_user=leader,
        )


def _instructions(campaign, leader, office, grants, today) -> None:
    liaisons = {g.unit_id: g.user for g in grants if g.role == Role.LIAISON and g.unit_id}
    items = list(
        Item.objects.filter(campaign=campaign, status__in=OPEN_STATUSES, owner_unit_id__in=list(liaisons))
        .select_related("owner_unit", "campaign")
        .order_by("-light_rank", "code")[:4]
    )
    texts = [
        "此事群众关注度高，请加快推进，按期销号。",
        "请倒排工期，每周报告进展。",
        "请会同相关部门研究解决，务求实效。",
        "请于本周内拿出具体措施。",
    ]
    for n, (item, text) in enumerate(zip(items, texts, strict=False)):
        instruction = actions.give_instruction(
            campaign,
            text=text,
            item=item,
            # Judged against the clock, not the demo's day (which is earlier once the demo campaign is over).
            respond_by=timezone.localdate() + datetime.timedelta(days=(0, 3, 7, 7)[n]),
            acting_user=leader,
        )
        if n >= 2:
            liaison = liaisons[item.owner_unit_id]
            actions.answer_instruction(
                instruction, text="已召开专题会议研究部署，明确责任人和时间节点。", acting_user=liaison
            )
        if n == 3:
            actions.review_instruction(instruction, done=True, text="同意。", acting_user=leader)
