"""Assessment for the demo campaign: ``build(campaign, now=…)``.

A scheme for the HQ departments and one for the subsidiaries (考核细则 as offices write them), a quarter
scored for each: the assessor scores the manual items, proposes adjustments (the office approves one,
one waits), the review opens, a unit objects and the assessor answers; the departments' result is frozen
(定档) with its nominations and penalty actions, the subsidiaries' stays in review with an open objection.
Everything goes through the actions. Idempotent: a campaign with a scheme is left alone.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from taizhang.assessment import actions
from taizhang.assessment.models import AssessmentScheme, ItemScore, Rule
from taizhang.assessment.scoring import compute
from taizhang.lib.periods import period_name, quarter_key
from taizhang.orgs.models import Role, RoleGrant, Unit

# section → [(title, points, rule, params, method, department)]
DEPARTMENTS = [
    (
        "工作落实（50分）",
        [
            ("实事项目按期完成", 15, Rule.Kind.ON_TIME, {"per": 3}, "台账核查", "活动办公室"),
            ("实事项目超期", 15, Rule.Kind.OVERDUE, {"per": 3, "partner_percent": 50}, "台账核查", "活动办公室"),
            ("红灯预警", 10, Rule.Kind.RED_WEEKS, {"per": 1}, "亮灯记录", "活动办公室"),
            ("督办响应", 10, Rule.Kind.CHASE, {"per_notice": 1, "per_late": 2}, "督办记录", "督导组"),
        ],
    ),
    (
        "报送与宣传（25分）",
        [
            ("按时报送", 15, Rule.Kind.REPORT_RATE, {"low": 60, "high": 100}, "报送记录", "活动办公室"),
            ("经验做法", 10, Rule.Kind.PRACTICES, {"per": 2}, "信息简报", "党群工作部"),
        ],
    ),
    (
        "群众评价与组织（25分）",
        [
            ("群众满意度", 10, Rule.Kind.SATISFACTION, {"low": 70, "high": 95}, "满意度测评", "活动办公室"),
            ("组织领导", 15, Rule.Kind.MANUAL, {}, "查阅资料", "考核组"),
        ],
    ),
]
SUBSIDIARIES = [
    (
        "任务完成（60分）",
        [
            ("实事项目按期完成", 20, Rule.Kind.ON_TIME, {"per": 2}, "台账核查", "活动办公室"),
            ("实事项目超期", 20, Rule.Kind.OVERDUE, {"per": 2, "partner_percent": 50}, "台账核查", "活动办公室"),
            (
                "报送漏报退回",
                10,
                Rule.Kind.REPORTS_MISSED,
                {"per_missed": 1, "per_returned": "0.5"},
                "报送记录",
                "活动办公室",
            ),
            ("学习教育", 10, Rule.Kind.STUDY, {}, "活动记录", "党群工作部"),
        ],
    ),
    (
        "成效评价（40分）",
        [
            ("群众满意度", 20, Rule.Kind.SATISFACTION, {"low": 70, "high": 95}, "满意度测评", "活动办公室"),
            ("现场检查", 20, Rule.Kind.MANUAL, {}, "现场检查", "考核组"),
        ],
    ),
]


def _user(campaign, role):
    grant = RoleGrant.objects.filter(campaign=campaign, role=role).select_related("user").order_by("pk").first()
    return grant.user if grant else None


def _quarter(today: datetime.date) -> tuple[datetime.date, str]:
    start = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    if (today - start).days < 20:  # too early in a quarter: the last one
        start = datetime.date(start.year - (start.month == 1), (start.month - 4) % 12 + 1, 1)
    return start, period_name(quarter_key(start))  # the quarter's one name (lib.periods)


def _scheme(campaign, office, *, kind, name, sections):
    scheme = actions.create_scheme(
        campaign, data={"unit_kind": kind, "name": name, "total": 100, "excellent_quota": 20}, acting_user=office
    )
    for title, items in sections:
        section = actions.add_section(scheme, title=title, acting_user=office)
        for item_title, points, kind_, params, method, department in items:
            actions.add_item(
                section,
                data={
                    "title": item_title,
                    "points": points,
                    "kind": kind_,
                    "params": params,
                    "method": method,
                    "department": department,
                },
                acting_user=office,
            )
    return scheme


def _score_quarter(scheme, *, assessor, office, start, end, label):
    run = actions.start_run(scheme, label=label, starts_on=start, ends_on=end, acting_user=assessor)
    compute(run.pk)  # the task's own function, inline: the demo is ready when the command ends
    run.refresh_from_db()
    manual = list(
        ItemScore.objects.filter(unit_score__run=run, scheme_item__rule__kind=Rule.Kind.MANUAL)
        .select_related("scheme_item", "unit_score__unit")
        .order_by("unit_score__unit__path")
    )
    for n, score in enumerate(manual):
        top = score.scheme_item.points
        actions.score_manual(
            score,
            points=top - (n % 4),
            reason=["资料齐全，组织有力", "台账规范", "个别资料缺失", "现场检查发现问题"][n % 4],
            evidence="考核组现场检查记录",
            acting_user=assessor,
        )
    scores = list(
        ItemScore.objects.filter(unit_score__run=run)
        .exclude(scheme_item__rule__kind=Rule.Kind.MANUAL)
        .select_related("scheme_item")
        .order_by("unit_score__unit__path", "scheme_item__order")[:40]
    )
    down = next((s for s in scores if s.points >= 2), None)
    if down is not None:
        first = actions.propose_adjustment(down, points=-1, reason="督导检查发现台账与实际不符", acting_user=assessor)
        actions.decide_adjustment(first, approve=True, note_text="同意", acting_user=office)
    up = next((s for s in scores if s.points + 1 <= s.scheme_item.points and s is not down), None)
    if up is not None:
        actions.propose_adjustment(up, points=1, reason="创新做法获上级肯定", evidence="上级通报", acting_user=assessor)
    actions.open_review(run, acting_user=office)
    return run


def _object(run, assessor, *, answer: bool):
    for score in (
        ItemScore.objects.filter(unit_score__run=run, scheme_item__rule__kind=Rule.Kind.MANUAL)
        .select_related("unit_score__unit")
        .order_by("points", "unit_score__unit__path")
    ):
        grant = (
            RoleGrant.objects.filter(
                campaign=run.campaign,
                role=Role.LIAISON,
                unit__in=Unit.objects.filter(
                    path__in=[score.unit_score.unit.path[:n] for n in range(7, len(score.unit_score.unit.path) + 1, 7)]
                ),
            )
            .select_related("user")
            .first()
        )
        if grant is None:
            continue
        objection = actions.raise_objection(score, reason="已补充提交相关资料，申请复核", acting_user=grant.user)
        if answer:
            actions.answer_objection(
                objection, answer="经复核，资料补充后仍缺少过程记录，维持原分", acting_user=assessor
            )
        return objection
    return None


def build(campaign, *, now: datetime.datetime | None = None) -> None:
    if AssessmentScheme.objects.filter(campaign=campaign).exists():
        return
    office, assessor = _user(campaign, Role.OFFICE), _user(campaign, Role.ASSESSOR)
    if office is None or assessor is None:
        return
    today = timezone.localtime(now).date() if now else timezone.localdate()
    start, label = _quarter(today)
    end = min(
        today,
        datetime.date(start.year + (start.month == 10), (start.month + 2) % 12 + 1, 1) - datetime.timedelta(days=1),
    )
    with transaction.atomic():
        departments = _scheme(
            campaign, office, kind=Unit.Kind.DEPARTMENT, name="集团总部部门考核细则", sections=DEPARTMENTS
        )
        subsidiaries = _scheme(
            campaign, office, kind=Unit.Kind.SUBSIDIARY, name="子公司考核细则", sections=SUBSIDIARIES
        )
        run = _score_quarter(departments, assessor=assessor, office=office, start=start, end=end, label=label)
        _object(run, assessor, answer=True)
        from taizhang.assessment.models import Adjustment

        for pending in Adjustment.objects.filter(item_score__unit_score__run=run, state=Adjustment.State.PROPOSED):
            actions.decide_adjustment(pending, approve=True, note_text="同意", acting_user=office)
        actions.freeze_run(run, acting_user=office)
        sub_run = _score_quarter(subsidiaries, assessor=assessor, office=office, start=start, end=end, label=label)
        _object(sub_run, assessor, answer=False)
