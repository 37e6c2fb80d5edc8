"""Good practice and bulletins for the demo campaign: ``build(campaign)``.

A dozen cases written by the units' liaisons (one returned and fixed on the way), two of them
特色样板; three published issues of the 信息简报 a week apart and one in preparation. Everything
goes through the actions, as a person would do it. Idempotent: a campaign with cases is left alone.
"""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from taizhang.bulletins import actions
from taizhang.bulletins.models import Practice
from taizhang.orgs.models import Role, RoleGrant

CASES = [
    (
        "职工食堂延时服务暖人心",
        "针对一线职工倒班就餐难，食堂延长供餐至21点。",
        ["早餐提前至6点", "夜班加餐", "线上预订"],
    ),
    ("“一站式”职工服务中心", "整合社保、公积金、工会服务，职工少跑腿。", ["窗口合并", "材料清单化", "限时办结"]),
    ("OA审批流程再造", "审批环节由7个减为3个，平均办理时间缩短60%。", ["梳理流程", "电子签章", "移动审批"]),
    ("公益义诊进社区", "组织医疗专家下沉社区，累计义诊3200人次。", ["专家排班", "慢病随访", "健康档案"]),
    ("退役军人就业帮扶", "建立退役军人岗位库，帮扶就业86人。", ["岗位对接", "技能培训", "跟踪回访"]),
    ("消费帮扶助力乡村振兴", "采购帮扶地区农产品，带动农户增收。", ["定点采购", "展销专区", "直播带货"]),
    ("单身职工联谊交友", "联合驻地单位举办联谊活动，搭建交友平台。", ["联谊活动", "兴趣社团", "婚恋讲座"]),
    ("职工子女暑期托管", "开办暑期托管班，解决双职工家庭后顾之忧。", ["课程设置", "安全管理", "家长反馈"]),
    ("合作伙伴账款清欠", "建立清欠台账，按期支付中小企业账款。", ["台账管理", "限时支付", "月度通报"]),
    ("基层站所设施改造", "改造老旧站所宿舍和卫生间，改善基层条件。", ["摸底排查", "分批改造", "验收回访"]),
    ("困难职工精准帮扶", "建立困难职工档案，实施“一人一策”。", ["建档立卡", "节日慰问", "医疗救助"]),
    ("“走下去听”问需于民", "班子成员深入基层一线，收集意见建议132条。", ["蹲点调研", "座谈交流", "清单反馈"]),
]
MODELS = {0: "解决一线职工急难愁盼，做法可复制可推广。", 2: "流程再造成效显著，全集团推广。"}
ISSUES = [(0, 1, 2), (3, 4, 5), (6, 7, 8)]
PREPARING = (9,)
FIGURES = ["completed", "completion", "lights", "on_time", "ranking"]


def _photo(n: int) -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (960, 540), (180 - 10 * (n % 6), 40 + 12 * (n % 8), 40))
    draw = ImageDraw.Draw(image)
    for i in range(0, 960, 60):
        draw.line((i, 540, i + 270, 0), fill=(255, 255, 255), width=3)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return SimpleUploadedFile(f"demo-{n}.jpg", out.getvalue(), content_type="image/jpeg")


def _body(summary: str, points: list[str]) -> str:
    items = "".join(f"<li><strong>{p}</strong></li>" for p in points)
    return f"<h2>主要做法</h2><ul>{items}</ul><h2>取得成效</h2><p>{summary}</p>"


@transaction.atomic
def build(campaign, *, now: datetime.datetime | None = None) -> int:
    """Create the demo's cases and bulletins; returns how many cases were made (0 when already there)."""
    if Practice.objects.filter(campaign=campaign).exists():
        return 0
    now = now or timezone.now()
    office_grant = RoleGrant.objects.filter(campaign=campaign, role=Role.OFFICE).select_related("user").first()
    liaisons = list(
        RoleGrant.objects.filter(campaign=campaign, role=Role.LIAISON, unit__is_active=True)
        .select_related("user", "unit")
        .order_by("unit__path")
    )
    if office_grant is None or not liaisons:
        return 0
    office = office_grant.user
    categories = list(campaign.categories.all())
    key_tasks = list(campaign.key_tasks.filter(parent__isnull=False)[:20])
    cases = []
    for n, (title, summary, points) in enumerate(CASES):
        grant = liaisons[n % len(liaisons)]
        data = {"title": title, "unit": grant.unit, "summary": summary, "body": _body(summary, points)}
        if categories:
            data["categories"] = [categories[n % len(categories)]]
        if key_tasks:
            data["key_tasks"] = [key_tasks[n % len(key_tasks)]]
        practice = actions.create_practice(campaign, data=data, acting_user=grant.user)
        photo = actions.add_photo(practice, upload=_photo(n), caption=f"{title}现场", acting_user=grant.user)
        practice = actions.update_practice(
            practice,
            data={
                **data,
                "body": data["body"] + f'<img src="/c/{campaign.slug}/practices/{practice.pk}/photos/{photo.pk}/">',
            },
            acting_user=grant.user,
        )
        if n == len(CASES) - 1:
            cases.append(practice)  # one still a draft at the unit
            continue
        actions.submit_practice(practice, acting_user=grant.user)
        if n == 1:
            actions.return_practice(practice, comment="请补充具体数据。", acting_user=office)
            actions.update_practice(
                practice, data={**data, "summary": summary + "月均服务职工1500人次。"}, acting_user=grant.user
            )
            actions.submit_practice(practice, acting_user=grant.user)
        if n == len(CASES) - 2:
            cases.append(practice)  # one waiting for the office
            continue
        practice = actions.accept_practice(practice, acting_user=office)
        if n in MODELS:
            practice = actions.mark_model(practice, is_model=True, reason=MODELS[n], acting_user=office)
        cases.append(practice)
    today = timezone.localdate(now)
    for number, picks in enumerate(ISSUES):
        issued = today - datetime.timedelta(days=7 * (len(ISSUES) - number))
        bulletin = actions.create_bulletin(
            campaign,
            data={
                "issued_on": issued,
                "period_starts": issued - datetime.timedelta(days=6),
                "period_ends": issued,
                "editor": office.display_name,
                "proofreaders": ["张校对", "李校对"],
                "figure_kinds": FIGURES[: 2 + number],
                "foreword": "本期刊发各单位“我为群众办实事”经验做法。",
            },
            acting_user=office,
        )
        actions.set_cases(bulletin, practice_ids=[cases[i].pk for i in picks], acting_user=office)
        actions.sign_off(bulletin, acting_user=office)
        actions.publish_bulletin(bulletin, acting_user=office, now=now)
    preparing = actions.create_bulletin(
        campaign,
        data={"editor": office.display_name, "proofreaders": ["张校对"], "figure_kinds": FIGURES},
        acting_user=office,
    )
    actions.set_cases(preparing, practice_ids=[cases[i].pk for i in PREPARING], acting_user=office)
    return len(cases)
