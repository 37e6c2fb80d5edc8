"""Study in the demo campaign: rosters, member groups, a quarter of activities of every kind with attendance,
《红色之路》.

``build(campaign, now=…)`` is called by the demo builder after the ledger; it goes through the
study actions as the office would, and leaves a campaign that has activities alone (idempotent).
The same ``now`` gives the same result (``random.Random(2026)``).
"""

import datetime
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from taizhang.orgs.access import Access
from taizhang.orgs.models import Role, RoleGrant, Unit
from taizhang.study import actions
from taizhang.study.models import Activity

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉力海晨雪松琳宇鑫浩博思雨佳欣怡子涵"
BRANCHES = ["第一党支部", "第二党支部", "第三党支部"]
THEMES = {
    "专题学习": ["学习《中国共产党简史》", "学习党的创新理论", "学习“七一”重要讲话精神"],
    "专题培训": ["基层党务工作者培训", "新入职员工党史培训"],
    "主题党日": ["重温入党誓词", "“我为群众办实事”主题党日", "走访慰问老党员"],
    "重走红色之路": ["重走长征路", "参观革命纪念馆"],
    "读书班": ["《红色之路》读书班", "党史读书分享会"],
    "专题党课": ["书记讲专题党课", "学党史、悟思想专题党课"],
    "实践活动": ["志愿服务进社区", "为一线职工办实事"],
}
LEAVE_REASONS = ["出差", "病假", "值班", "外出培训", "事假"]
PLACES = ["三楼会议室", "党员活动室", "多功能厅", "职工之家", "红色教育基地"]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _stand_in_pdf() -> bytes:
    """A short generated stand-in for the group's history textbook 《红色之路》."""
    from taizhang.lib.documents import render_pdf

    return render_pdf(
        "demo/red_road.html",
        {
            "title": "红色之路",
            "chapters": [
                ("第一章 红色基因", "本书为演示用的生成文本，讲述集团传承红色基因、服务强军的历程。"),
                ("第二章 为军首责", "坚持为军服务的政治指向，把融通初心根植于党的初心、军队的初心。"),
                ("第三章 强国利民", "突出强国利民的政治担当，多为职工群众办实事、解难题。"),
            ],
        },
    )


@transaction.atomic
def build(campaign, *, now: datetime.datetime | None = None, seed: int = 2026) -> int:
    """Rosters, activities and the textbook; returns how many activities were made (0 when already there)."""
    now = now or timezone.now()
    if Activity.objects.filter(campaign=campaign).exists():
        return 0
    office_grant = RoleGrant.objects.filter(campaign=campaign, role=Role.OFFICE).select_related("user").first()
    if office_grant is None:
        return 0
    office = office_grant.user
    access = Access.for_user(office, campaign)
    rng = random.Random(seed)
    units = list(
        Unit.objects.filter(
            is_active=True, kind__in=[Unit.Kind.DEPARTMENT, Unit.Kind.SUBSIDIARY, Unit.Kind.SUBUNIT]
        ).order_by("path")
    )
    rows = [["姓名", "单位", "手机", "是否党员", "党支部"]]
    phone = 13_900_000_000
    for unit in units:
        for _n in range(rng.randint(6, 14)):
            phone += rng.randint(1, 97)
            party = rng.random() < 0.7
            rows.append(
                [_name(rng), unit.name, str(phone), "是" if party else "否", rng.choice(BRANCHES) if party else ""]
            )
    actions.import_roster(rows, access=access, acting_user=office)

    kinds = {kind.name: kind for kind in actions.activity_kinds(campaign)}
    organisers = [unit for unit in units if unit.kind in (Unit.Kind.DEPARTMENT, Unit.Kind.SUBSIDIARY)]
    made = 0
    for unit in organisers:
        for kind_name, themes in THEMES.items():
            if rng.random() < 0.35:
                continue
            # Within the last quarter, or planned in the next three weeks (one in six).
            days = rng.randint(-88, -2) if rng.random() > 1 / 6 else rng.randint(2, 21)
            # At 9:00, 14:00 or 15:00 Beijing time (the hour set on the local time, not on UTC).
            local = timezone.localtime(now + datetime.timedelta(days=days))
            start = local.replace(hour=rng.choice((9, 14, 15)), minute=0, second=0, microsecond=0)
            activity = actions.create_activity(
                campaign=campaign,
                data={
                    "kind": kinds[kind_name],
                    "title": rng.choice(themes),
                    "unit": unit,
                    "starts_at": start,
                    "ends_at": start + datetime.timedelta(hours=rng.choice((1, 2, 3))),
                    "place": rng.choice(PLACES),
                    "speaker": _name(rng) if kind_name in ("专题党课", "专题培训") else "",
                    "hours": rng.choice((1, 2, 2, 3)),
                    "outsiders": rng.choice((0, 0, 2, 5)),
                    "summary": "活动按计划开展，参加人员反响良好。" if days < 0 else "",
                },
                access=access,
                acting_user=office,
            )
            made += 1
            if days > 0:
                continue
            marks = {}
            for member in actions.expected_members(activity):
                roll = rng.random()
                if roll < 0.8:
                    marks[member.pk] = ("present", "")
                elif roll < 0.93:
                    marks[member.pk] = ("leave", rng.choice(LEAVE_REASONS))
                else:
                    marks[member.pk] = ("absent", "")
            actions.record_attendance(activity, marks=marks, access=access, acting_user=office)

    # Each organising unit's plan for this quarter: what it held plus a few more, so some are behind.
    from taizhang.study.queries import quarter_of

    first, _last = quarter_of(now.date())
    held = Activity.objects.filter(campaign=campaign, state=Activity.State.HELD, starts_at__date__gte=first)
    for unit in organisers:
        counts = {kind: held.filter(unit=unit, kind=kind).count() + rng.choice((0, 0, 1, 2)) for kind in kinds.values()}
        actions.set_activity_plan(campaign, unit=unit, quarter=first, counts=counts, access=access, acting_user=office)

    upload = SimpleUploadedFile("红色之路.pdf", _stand_in_pdf(), content_type="application/pdf")
    material = actions.create_material(
        campaign=campaign,
        data={"title": "《红色之路》", "source": "集团党组编印", "tags": "党史教材"},
        files=[upload],
        access=access,
        acting_user=office,
    )
    read_by = (now + datetime.timedelta(days=20)).date()
    for unit in organisers:
        actions.assign_material(material, unit=unit, read_by=read_by, access=access, acting_user=office)
    for member in actions.assigned_members(material).order_by("pk"):
        if rng.random() < 0.6:
            opened = now - datetime.timedelta(days=rng.randint(1, 30), minutes=rng.randint(0, 600))
            reading = actions.open_material(material, name=member.name, phone=member.phone, now=opened)
            if rng.random() < 0.85:
                actions.confirm_reading(reading, now=opened + datetime.timedelta(minutes=rng.randint(8, 90)))
    made += _member_groups(campaign, organisers, kinds, material, now=now, access=access, office=office, seed=seed)
    return made


def _member_groups(campaign, organisers, kinds, material, *, now, access, office, seed: int) -> int:
    """A 党小组 of each organising unit's party members (with a leader), a 青年学习小组 in some: each group
    held one 党小组集中学习 for its own members and is assigned 《红色之路》. Its own random stream, so the
    rest of the demo reads as before."""
    from taizhang.study import groups

    rng = random.Random(seed + 1)
    made = 0
    read_by = (now + datetime.timedelta(days=20)).date()
    for unit in organisers:
        party = list(unit.members.filter(is_active=True, is_party_member=True).order_by("pk"))
        if len(party) < 3:
            continue
        group = groups.create_group(
            unit=unit, data={"name": "第一党小组", "kind": "party"}, access=access, acting_user=office
        )
        groups.add_members(group, member_ids=[m.pk for m in party], access=access, acting_user=office)
        groups.update_group(
            group, data={"leader": party[0]}, expected_version=group.version, access=access, acting_user=office
        )
        made_groups = [group]
        young = [m for m in unit.members.filter(is_active=True).order_by("pk") if rng.random() < 0.4]
        if len(young) >= 3 and rng.random() < 0.5:
            study = groups.create_group(
                unit=unit, data={"name": "青年学习小组", "kind": "study"}, access=access, acting_user=office
            )
            groups.add_members(study, member_ids=[m.pk for m in young], access=access, acting_user=office)
            made_groups.append(study)
        for each in made_groups:
            local = timezone.localtime(now - datetime.timedelta(days=rng.randint(3, 60)))
            start = local.replace(hour=15, minute=0, second=0, microsecond=0)
            activity = actions.create_activity(
                campaign=campaign,
                data={
                    "kind": kinds["专题学习"],
                    "title": f"{each.name}集中学习《红色之路》",
                    "unit": unit,
                    "starts_at": start,
                    "ends_at": start + datetime.timedelta(hours=1),
                    "place": rng.choice(PLACES),
                    "hours": 1,
                    "summary": "小组成员交流学习体会。",
                },
                audience_groups=[each],
                access=access,
                acting_user=office,
            )
            made += 1
            marks = {
                member.pk: ("present", "") if rng.random() < 0.85 else ("leave", rng.choice(LEAVE_REASONS))
                for member in actions.expected_members(activity)
            }
            actions.record_attendance(activity, marks=marks, access=access, acting_user=office)
            actions.assign_material(material, group=each, read_by=read_by, access=access, acting_user=office)
    return made
