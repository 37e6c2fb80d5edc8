"""The demo's end of an item's life, and the pressure on the late ones: ``build(campaign, users, today=…)``.

Called by demo.ledger.build_demo once the lights are lit. Through the real actions, as the office, the people
and the liaisons would: completed items accepted (one returned for rework), rated by the people, closed
(销号) — one of them from a public problem, rated by its submitter — and one reopened (复号); chase-up
notices (催办) on red and yellow items, one answered by its unit; milestones on items under way.
Idempotent: each part already there is left alone; dates are relative to the day it runs.
"""

import datetime

from taizhang.acceptance import actions as acceptance_actions
from taizhang.acceptance.models import Acceptance
from taizhang.ledger import actions as ledger_actions
from taizhang.ledger.models import Item, Light, Milestone, Status
from taizhang.orgs.access import Access
from taizhang.orgs.models import Role, RoleGrant
from taizhang.people import actions as people_actions
from taizhang.people.models import Demand, PublicItem, Rating
from taizhang.supervision import actions as supervision_actions
from taizhang.supervision.models import ChaseNotice

CHECKERS = "活动办公室 王晓峰、纪检监察部 周丽"
# A paper survey's ratings, keyed by the questionnaire's number (``voter`` as an import gives it).
SURVEY = [Rating.Value.SATISFIED] * 6 + [Rating.Value.BASIC] * 2 + [Rating.Value.DISSATISFIED]
ELEVATOR = "热线来电：办公楼电梯经常故障，希望尽快维修。"


def _office(users):
    return next(user for user, role in users if role == Role.OFFICE)


def build(campaign, users, *, today: datetime.date) -> None:
    office = _office(users)
    _acceptances(campaign, office, today)
    _chases(campaign, office, today)
    _milestones(campaign, office, today)


def _closable(campaign) -> list[Item]:
    """Completed items not posted for objections (the posted one waits for its window)."""
    posted = PublicItem.objects.filter(item__campaign=campaign, objection_until__isnull=False).values("item")
    return list(
        Item.objects.filter(campaign=campaign, status=Status.COMPLETED).exclude(pk__in=posted).order_by("code")[:8]
    )


def _rate(item: Item, values, *, start: int = 0) -> None:
    for n, value in enumerate(values, start=start):
        people_actions.rate_item(item, value=value, voter=f"survey:{item.code}:{n:03d}")


def _acceptances(campaign, office, today: datetime.date) -> None:
    if Acceptance.objects.filter(item__campaign=campaign).exists():
        return
    items = _closable(campaign)
    if len(items) < 5:
        return
    from_problem, rated, plain, reopened, returned, *waiting = items
    passed = {"checkers": CHECKERS, "result": Acceptance.Result.PASSED, "checked_on": today}

    # A problem from the hotline, answered by an item that is done: its submitter and a survey rate it.
    elevator = Demand.objects.filter(campaign=campaign, text=ELEVATOR).first()
    if elevator is not None and not elevator.items.exists():
        people_actions.link_demand(elevator, from_problem, acting_user=office)
    for item in (from_problem, rated, plain, reopened, *waiting[:2]):
        data = {**passed, "statement": f"{item.title}已按计划完成，现场查看和资料核验合格。"}
        acceptance_actions.record_acceptance(item, data=data, acting_user=office)
    acceptance_actions.record_acceptance(
        returned,
        data={
            "checkers": CHECKERS,
            "result": Acceptance.Result.RETURNED,
            "checked_on": today,
            "reasons": "佐证材料不全，缺少职工签收记录，请补充后重新申请验收。",
        },
        acting_user=office,
    )
    if elevator is not None:
        people_actions.rate_item(
            from_problem, value=Rating.Value.SATISFIED, comment="电梯修好了，谢谢！", demand=elevator
        )
    _rate(from_problem, SURVEY)
    _rate(rated, SURVEY)
    # Accepted and rated, not yet closed: the office's next step (waiting[:2] stay accepted only).
    _rate(waiting[0] if waiting else rated, SURVEY[:4], start=100)
    for item, statement in (
        (from_problem, "问题已解决，群众满意，同意销号。"),
        (rated, "按期完成，测评满意，同意销号。"),
        (plain, "按期完成，验收合格，同意销号。"),
        (reopened, "按期完成，同意销号。"),
    ):
        acceptance_actions.close_item(item, statement=statement, acting_user=office)
    acceptance_actions.reopen_item(reopened, reason="回访发现部分职工仍未享受到服务，重新推进。", acting_user=office)


def _chases(campaign, office, today: datetime.date) -> None:
    if ChaseNotice.objects.filter(campaign=campaign).exists():
        return
    late = list(
        Item.objects.filter(campaign=campaign, light__in=(Light.RED, Light.YELLOW))
        .open()
        .select_related("owner_unit")
        .order_by("-light", "due", "code")[:4]
    )
    notices = []
    for n, item in enumerate(late):
        notices.append(
            supervision_actions.issue_notice(
                item,
                required_by=today + datetime.timedelta(days=3 + 2 * n),
                contact="活动办公室 王晓峰 010-6688 1234",
                requirements="请说明滞后原因，提出整改措施和完成时限，并在周报中如实反映。",
                acting_user=office,
            )
        )
    # One unit answered (the first whose line has a liaison who speaks for it); the others are still to.
    liaisons = list(RoleGrant.objects.filter(campaign=campaign, role=Role.LIAISON).select_related("user", "unit"))
    for notice in notices:
        unit_path = notice.unit.path
        speaker = next(
            (grant.user for grant in liaisons if grant.unit_id and unit_path.startswith(grant.unit.path)), None
        )
        if speaker is not None and supervision_actions.can_answer(Access.for_user(speaker, campaign), notice):
            supervision_actions.respond_notice(
                notice,
                response="已召开专题会议分析原因，调整实施计划，增派人员，确保下月底前完成。",
                acting_user=speaker,
            )
            break


def _milestones(campaign, office, today: datetime.date) -> None:
    if Milestone.objects.filter(item__campaign=campaign).exists():
        return
    under_way = Item.objects.filter(
        campaign=campaign, status=Status.IN_PROGRESS, due__gt=today + datetime.timedelta(days=30)
    ).order_by("code")[:6]
    for item in under_way:
        start = max(item.starts_on or campaign.starts_on, campaign.starts_on)
        span = (item.due - start).days
        points = [(start + datetime.timedelta(days=span * share // 100), share) for share in (30, 60, 90)]
        ledger_actions.update_item(item, data={}, milestones=points, expected_version=item.version, acting_user=office)
