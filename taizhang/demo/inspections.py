"""Inspection teams for the demo campaign: ``build(campaign)``.

One team of the campaign's inspectors covering four units, two rounds (a month ago and last week), an
inspection per unit and round, and findings in every state: closed (已销号), returned (退回整改), waiting
for verification, open within its deadline, and overdue (the item turns red). One finding is on a unit as a
whole. Everything goes through the actions, as the people would do it. Idempotent: a campaign with a team
is left alone. Dates are relative to the day it runs.
"""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from taizhang.inspections import actions
from taizhang.inspections.models import InspectionTeam, Method
from taizhang.inspections.queries import proposed_sample
from taizhang.orgs.models import Role, RoleGrant

# (category, severity, problem, required rectification, days from the inspection to the deadline, what happens)
ROUND_ONE = [
    (
        "lagging",
        "major",
        "事项推进缓慢，实际进度落后序时进度20个百分点",
        "制定倒排工期计划，两周内赶上序时进度",
        14,
        "verified",
    ),
    (
        "ledger_untrue",
        "minor",
        "台账记录与实际完成情况不符，佐证材料缺失",
        "核实台账数据，补齐佐证材料",
        10,
        "returned",
    ),
    ("formalism", "severe", "为群众办实事停留在开会部署，未见实际举措", "明确具体举措和责任人，限期见效", 20, "open"),
]
ROUND_TWO = [
    ("dissatisfied", "major", "职工反映问题解决不彻底，满意度不高", "回访职工，逐条整改反馈", 21, "answered"),
    ("lagging", "minor", "月度进展填报不及时", "按时填报进展，落实专人负责", 30, "open"),
    ("responsibility", "major", "主体责任压得不实，班子成员未分工", "明确班子成员分工，建立责任清单", 9, "unit"),
]


def _photo(n: int) -> SimpleUploadedFile:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (640, 360), (40 + 30 * n, 120, 80)).save(out, "JPEG", quality=80)
    return SimpleUploadedFile(f"rectification-{n}.jpg", out.getvalue(), content_type="image/jpeg")


@transaction.atomic
def build(campaign, *, now: datetime.datetime | None = None) -> int:
    """Create the demo's team, rounds, inspections and findings; returns how many findings (0 when already there)."""
    if InspectionTeam.objects.filter(campaign=campaign).exists():
        return 0
    today = timezone.localdate(now) if now else timezone.localdate()
    grants = RoleGrant.objects.filter(campaign=campaign).select_related("user", "unit")
    office = next((g.user for g in grants if g.role == Role.OFFICE), None)
    inspectors = [g.user for g in grants if g.role == Role.INSPECTOR]
    liaisons = sorted((g for g in grants if g.role == Role.LIAISON and g.unit.is_active), key=lambda g: g.unit.path)
    with_items = [g for g in liaisons if proposed_sample(campaign, g.unit, 1)]
    if office is None or not inspectors or len(with_items) < 2:
        return 0
    chosen = with_items[:4]
    team = actions.create_team(
        campaign,
        data={
            "name": "第一督导巡回组",
            "leader": inspectors[0],
            "members": inspectors,
            "units": [g.unit for g in chosen],
        },
        acting_user=office,
    )
    made = 0
    for label, back, findings in [("第一轮", 35, ROUND_ONE), ("第二轮", 7, ROUND_TWO)]:
        starts_on = today - datetime.timedelta(days=back)
        round_ = actions.add_round(
            team,
            data={
                "name": label,
                "starts_on": starts_on,
                "ends_on": starts_on + datetime.timedelta(days=4),
                "units": [g.unit for g in chosen],
            },
            acting_user=inspectors[0],
        )
        for m, grant in enumerate(chosen[:2]):
            sample = proposed_sample(campaign, grant.unit, 5)
            inspection = actions.record_inspection(
                team,
                data={
                    "unit": grant.unit,
                    "round": round_,
                    "starts_on": starts_on + datetime.timedelta(days=m),
                    "ends_on": starts_on + datetime.timedelta(days=m),
                    "methods": [Method.BRIEFING, Method.LEDGER, Method.INTERVIEW]
                    if m == 0
                    else [Method.SITE, Method.SURVEY],
                    "items": sample,
                    "summary": f"{label}督导：听取{grant.unit.display_name}汇报，抽查台账{len(sample)}项。",
                },
                token="",
                acting_user=inspectors[0],
            )
            for k, (category, severity, text, required, days, fate) in enumerate(findings):
                if (k + m) % 2:  # each unit gets about half of the round's findings
                    continue
                finding = actions.add_finding(
                    inspection,
                    data={
                        "item": None if fate == "unit" else sample[k % len(sample)],
                        "category": category,
                        "severity": severity,
                        "description": text,
                        "required": required,
                        "deadline": inspection.starts_on + datetime.timedelta(days=days),
                        "responsible": grant.user.display_name,
                    },
                    acting_user=inspectors[0],
                )
                made += 1
                _play(finding, fate, liaison=grant.user, inspector=inspectors[0], n=made)
    return made


def _play(finding, fate: str, *, liaison, inspector, n: int) -> None:
    """Take a finding to its demo state through the unit's answers and the inspector's decisions."""
    if fate in ("open", "unit"):
        return
    finding = actions.answer_finding(
        finding,
        measures="已制定整改方案，逐项落实，相关台账已补齐。",
        done=True,
        evidence=[_photo(n)],
        expected_version=None,
        acting_user=liaison,
    ).finding
    if fate == "verified":
        actions.verify_finding(finding, expected_version=None, acting_user=inspector)
    elif fate == "returned":
        actions.return_finding(
            finding, reason="佐证材料不充分，请补充现场照片。", expected_version=None, acting_user=inspector
        )
