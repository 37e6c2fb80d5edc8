"""The demo's life beyond the list itself: ``build(campaign, users)``, called by demo.ledger.build_demo.

Problems from the public from every channel (some made into items, one linked to an item already
listed, one merged as a duplicate, one answered), a published item with an objection in its posting
window, comments on items, and the weekly light tallies of the campaign's past weeks so the 亮灯趋势
chart has a real trend. Everything goes through the apps' actions. Idempotent: a part already there
is left alone; relative to the day it runs (the tallies run up to this week).
"""

import calendar
import datetime

from django.utils import timezone

from taizhang.ledger import actions as ledger_actions
from taizhang.ledger.lights import backfill_tally
from taizhang.ledger.models import Comment, Item, Status
from taizhang.orgs.models import Role
from taizhang.people import actions as people_actions
from taizhang.people.models import Channel, Demand, PublicItem

# (channel, problem, the unit concerned by name or None)
PROBLEMS = [
    (Channel.ONLINE, "食堂晚餐结束太早，加班的同事吃不上热饭，希望延长供应时间。", None),
    (Channel.ONLINE, "食堂晚饭供应时间太短，加班员工经常吃不上饭。", None),
    (Channel.ONLINE, "园区班车班次太少，早高峰经常坐不上车。", None),
    (Channel.VISIT, "走访基层时职工反映：宿舍热水器老化，冬天洗澡水温不稳定。", None),
    (Channel.HEARING, "座谈会上离退休职工提出：希望在社区设立健康咨询服务点。", None),
    (Channel.DISCUSSION, "恳谈会上青年职工建议：开展婚恋交友联谊活动。", None),
    (Channel.SURVEY, "问卷调查显示：职工希望增加心理健康讲座。", None),
    (Channel.HOTLINE, "热线来电：办公楼电梯经常故障，希望尽快维修。", None),
    (Channel.ONLINE, "报销流程太繁琐，一张发票要跑好几个部门签字。", None),
]
COMMENTS = [
    "请抓紧推进，按时完成节点任务。",
    "进展情况请在周报中写清楚具体数据。",
    "已与配合单位沟通，下周召开协调会。",
]


def _someone(users, role):
    return next(user for user, has in users if has == role)


def build(campaign, users) -> None:
    office = _someone(users, Role.OFFICE)
    leader = _someone(users, Role.LEADER)
    _problems(campaign, office)
    _comments(campaign, office, leader)
    _published(campaign, office)
    _tallies(campaign)


def _problems(campaign, office) -> None:
    # Built once: other parts of the demo (leaders' visits) bring problems of their own, so look for ours.
    if Demand.objects.filter(campaign=campaign, text=PROBLEMS[0][1]).exists():
        return
    today = timezone.localdate()
    categories = list(campaign.categories.all())
    demands = []
    for n, (channel, text, _unit) in enumerate(PROBLEMS):
        data = {"text": text, "channel": channel, "category": categories[n % len(categories)] if categories else None}
        if channel != Channel.ONLINE:
            data.update({"collected_on": today - datetime.timedelta(days=20 - n), "place": "集团总部"})
        demands.append(
            people_actions.submit_demand(
                campaign=campaign, data=data, acting_user=None if channel == Channel.ONLINE else office
            )
        )
    canteen, canteen_again, bus, *_rest = demands
    later = today + datetime.timedelta(days=62)
    due = datetime.date(later.year, later.month, calendar.monthrange(later.year, later.month)[1])
    owner = Item.objects.filter(campaign=campaign).exclude(status=Status.WITHDRAWN).order_by("code").first()
    # Two problems about the canteen's dinner become one new item; the second, sent twice, is merged.
    people_actions.create_item_from_demands(
        [canteen],
        data={
            "code": "MZ-001",
            "title": "延长职工食堂晚餐供应时间",
            "owner_unit": owner.owner_unit,
            "lead": owner.lead,
            "owner": owner.owner,
            "due": due,
            "due_text": f"{due.month}月底前",
        },
        acting_user=office,
    )
    people_actions.merge_demand(canteen_again, into=canteen, acting_user=office)
    # The shuttle bus: an item already on the list answers it.
    shuttle = Item.objects.filter(campaign=campaign, title__contains="班车").first() or owner
    people_actions.link_demand(bus, shuttle, acting_user=office)
    # The reimbursement one is answered without an item.
    people_actions.answer_demand(
        demands[-1], reply="财务部已在推进报销流程线上化，预计下季度上线，届时一次提交即可。", acting_user=office
    )


def _comments(campaign, office, leader) -> None:
    if Comment.objects.filter(item__campaign=campaign, kind=Comment.Kind.COMMENT).exists():
        return
    items = Item.objects.filter(campaign=campaign, status=Status.IN_PROGRESS).order_by("code")[:3]
    for item, body in zip(items, COMMENTS, strict=False):
        ledger_actions.add_comment(item, body=body, acting_user=leader if body == COMMENTS[0] else office)


def _published(campaign, office) -> None:
    if PublicItem.objects.filter(item__campaign=campaign).exists():
        return
    done = list(Item.objects.filter(campaign=campaign, status=Status.COMPLETED).order_by("code")[:3])
    for n, item in enumerate(done):
        people_actions.publish_item(item, acting_user=office, for_objection=n == 0)
    if done:
        people_actions.submit_objection(
            done[0], data={"text": "实际效果没有宣传的好，部分职工仍未享受到。", "name": "", "phone": ""}
        )


def _tallies(campaign) -> None:
    """The weeks before this one, as their nights would have tallied them (this week's is today's)."""
    today = timezone.localdate()
    monday = campaign.starts_on - datetime.timedelta(days=campaign.starts_on.weekday())
    this_week = today - datetime.timedelta(days=today.weekday())
    while monday < this_week:
        backfill_tally(campaign, monday + datetime.timedelta(days=4))  # as of the Friday
        monday += datetime.timedelta(days=7)
