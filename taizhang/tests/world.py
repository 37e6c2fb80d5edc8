"""One small world for the generated proofs: two campaigns, a person of every role, one object of every kind.

Campaign "2021" holds the objects the URLs are asked about, owned by 办公室 (lily's unit); campaign "other"
holds the same kinds again, to ask campaign 2021's URLs about objects that are not theirs. ``walk_urlconf``
lists every URL pattern of the project by its name, and ``build_kwargs`` fills a pattern's arguments from a
row's spec such as ``"pk=item"``.
"""

import datetime
import io
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from taizhang.acceptance.models import Acceptance, AcceptanceAttachment, LookBack
from taizhang.api import actions as api_actions
from taizhang.bulletins import actions as bulletins_actions
from taizhang.campaigns.models import KeyTask, PlanEvidence, PlanSection
from taizhang.inspections.models import (
    Finding,
    Inspection,
    InspectionTeam,
    Method,
    Rectification,
    RectificationEvidence,
)
from taizhang.ledger.models import KeyTaskTrack, ProgressAttachment, ProgressEntry
from taizhang.lib.xlsx import write_table
from taizhang.meetings.models import Decision, Meeting
from taizhang.notices.models import GroupRobot, Message, Reason
from taizhang.orgs import accounts
from taizhang.orgs.actions import grant_role
from taizhang.orgs.models import ContactPoint, Role, RoleGrant, SignInLink, User
from taizhang.people import actions as people_actions
from taizhang.people.models import ApiKey, PublicItem, RatingInvitation
from taizhang.reporting.models import ExpectedUnit, GeneratedDocument, ReportingPeriod, UnitReport
from taizhang.reporting.periods import generate_periods, open_periods
from taizhang.sheets.models import ImportJob
from taizhang.signon.models import GroupRule
from taizhang.study.models import (
    Activity,
    ActivityKind,
    ActivityPhoto,
    Material,
    MaterialFile,
    Member,
    MemberGroup,
    Reading,
)
from taizhang.supervision.models import (
    Assignment,
    ChaseNotice,
    Instruction,
    InstructionEvidence,
    InstructionStep,
    Visit,
    VisitPhoto,
)
from taizhang.testing.factories import make_campaign, make_item, make_unit, make_user

# The people asked, in the order a matrix row lists their outcomes.
ROLES = ("anon", "owner", "other", "leader", "inspector", "assessor", "office", "stranger")
ROLE_NAMES = {
    "anon": "anonymous",
    "owner": "liaison of the owner unit (lily, 办公室)",
    "other": "liaison of another unit (bob, 人力资源部)",
    "leader": "leader (leo)",
    "inspector": "inspector (ivan)",
    "assessor": "assessor (amy)",
    "office": "campaign office (olivia, not a superuser)",
    "stranger": "office of another campaign only (sam)",
}
# Not walked: Django's own admin (its permission model is Django's, staff only) and the i18n switch.
# The API's operations (namespace "api-v1") have a matrix of their own, by token scope: test_api_matrix.py.
EXCLUDED_NAMESPACES = ("admin", "api-v1")
EXCLUDED_NAMES = ("set_language",)


@dataclass
class Side:
    """The objects of one campaign, by kind."""

    campaign: object
    objects: dict = field(default_factory=dict)


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


def _xlsx() -> bytes:
    return write_table(
        sheet_name="台账",
        title="测试台账",
        headers=["序号", "事项名称", "责任单位", "完成时限"],
        widths=[6, 30, 20, 12],
        rows=[[1, "测试事项", "集团办公室", "2026-12-31"]],
    )


def _side(campaign, owner_unit, *, office, liaison, prefix: str) -> Side:
    today = timezone.localdate()
    side = Side(campaign=campaign)
    o = side.objects
    o["item"] = make_item(campaign, owner_unit, code=f"{prefix}-001", title="优化OA系统", due=today)
    o["unit"] = owner_unit
    o["category"] = campaign.categories.first()
    entry = ProgressEntry.objects.create(
        item=o["item"], as_of=today, percent=10, done="已启动", author=liaison, created_at=timezone.now()
    )
    attachment = ProgressAttachment(entry=entry, name="photo.png", size=len(_png()))
    attachment.file.save("photo.png", ContentFile(_png()), save=True)
    o["attachment"] = attachment
    generate_periods(campaign)
    period = ReportingPeriod.objects.filter(campaign=campaign, kind=ReportingPeriod.Kind.WEEKLY).order_by("due_at")
    o["period"] = period.filter(due_at__lte=timezone.now()).last() or period.first()
    ExpectedUnit.objects.get_or_create(campaign=campaign, unit=owner_unit)
    o["document"] = GeneratedDocument.objects.create(
        campaign=campaign, period=o["period"], kind="monthly_digest", format="docx", requested_by=office
    )
    job = ImportJob(campaign=campaign, filename="ledger.xlsx", created_by=office)
    job.file.save("ledger.xlsx", ContentFile(_xlsx()), save=True)
    o["job"] = job
    upload = ImportJob(
        campaign=campaign,
        kind=ImportJob.Kind.STATISTICS,
        period=open_periods(campaign).first(),
        filename="stats.xlsx",
        created_by=liaison,
    )
    upload.file.save("stats.xlsx", ContentFile(_xlsx()), save=True)
    o["statistics_upload"] = upload
    o["chase"] = ChaseNotice.objects.create(
        campaign=campaign,
        seq=1,
        number=f"督办〔2026〕{prefix}1号",
        item=o["item"],
        unit=owner_unit,
        light="red",
        required_by=today + datetime.timedelta(days=3),
        contact="王明 13800000000",
        issued_by=office,
        issued_at=timezone.now(),
    )
    o["demand"] = people_actions.submit_demand(
        campaign=campaign, data={"text": "食堂的饭菜太咸了，希望改进", "category": o["category"]}
    )
    acceptance = Acceptance.objects.create(
        item=o["item"], checked_on=today, checkers="王明", result=Acceptance.Result.PASSED, recorded_by=office
    )
    evidence = AcceptanceAttachment(acceptance=acceptance, name="evidence.png", size=len(_png()))
    evidence.file.save("evidence.png", ContentFile(_png()), save=True)
    o["evidence"] = evidence
    o["lookback"] = LookBack.objects.create(item=o["item"], due_on=today + datetime.timedelta(days=30))
    PublicItem.objects.create(item=o["item"], published_by=office)
    o["api_key"] = ApiKey.objects.create(campaign=campaign, name="测试客户端")
    o["rating"] = RatingInvitation.objects.create(item=o["item"], opened_by=office)
    # Study: a member of the owner unit's roster, an activity of the unit, a material with its file, a reading.
    o["member"] = Member.objects.create(
        unit=owner_unit, name="张三", phone="1380000000" + ("1" if prefix == "HQ" else "2")
    )
    # A member group (党小组) of the owner unit, with that member; like the roster, shared by every campaign.
    o["member_group"] = MemberGroup.objects.create(unit=owner_unit, name=f"机关第一党小组{prefix}")
    o["member_group"].members.add(o["member"])
    now = timezone.now()
    o["activity"] = Activity.objects.create(
        campaign=campaign,
        kind=ActivityKind.objects.create(campaign=campaign, name="主题党日"),
        title="重温入党誓词",
        unit=owner_unit,
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=1),
    )
    activity_photo = ActivityPhoto(activity=o["activity"], name="photo.png", size=9)
    activity_photo.file.save("photo.png", ContentFile(_png()), save=True)
    o["activity_photo"] = activity_photo
    material = Material.objects.create(campaign=campaign, title="红色之路")
    material_file = MaterialFile(material=material, name="book.pdf", size=9)
    material_file.file.save("book.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    o["material"], o["material_file"] = material, material_file
    o["reading"] = Reading.objects.create(material=material, member=o["member"], opened_at=now)
    section = PlanSection.objects.create(campaign=campaign, kind=PlanSection.Kind.PREPARATION, name="定好实施方案")
    evidence = PlanEvidence(section=section, name="plan.pdf", size=9)
    evidence.file.save("plan.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    o["plan_evidence"] = evidence
    # A key task owned by the owner unit (its liaison reports on it; the office edits it).
    o["key_task"] = KeyTask.objects.create(campaign=campaign, code="1", name="专题学习")
    KeyTaskTrack.objects.create(key_task=o["key_task"], campaign=campaign, owner_unit=owner_unit)
    # People and roles: the liaison's grant and a contact point (the office's pages revoke and remove them).
    o["grant"] = RoleGrant.objects.filter(campaign=campaign, user=liaison).first()
    o["contact_point"] = ContactPoint.objects.create(campaign=campaign, leader=office, unit=owner_unit)
    o["group_rule"] = GroupRule.objects.create(
        campaign=campaign, group=f"{prefix}-leaders", role="leader", created_by=office, created_at=timezone.now()
    )
    o["robot"] = GroupRobot.objects.create(unit=owner_unit, kind="wecom", webhook_url="https://robot.invalid/hook")
    # A person imported without a password, with the one-time first sign-in link the office printed.
    newcomer = User.objects.create(username=f"newcomer-{prefix}", name="新同事", unit=owner_unit, password="!")
    o["first_sign_in_token"] = f"first-sign-in-{prefix}"
    SignInLink.objects.create(
        user=newcomer,
        token_hash=accounts._token_hash(o["first_sign_in_token"]),
        created_by=office,
        created_at=now,
        expires_at=now + datetime.timedelta(days=7),
    )
    _bulletins(side, owner_unit, office=office, liaison=liaison, prefix=prefix)
    _inspections(side, owner_unit, office=office, liaison=liaison)
    # Meetings: a meeting held yesterday with one decision for the owner unit.
    o["meeting"] = Meeting.objects.create(
        campaign=campaign,
        kind=Meeting.Kind.QUARTERLY_REVIEW,
        title="季度讲评会诊",
        starts_at=now - datetime.timedelta(days=1),
        state=Meeting.State.HELD,
        created_by=office,
    )
    o["decision"] = Decision.objects.create(
        meeting=o["meeting"],
        campaign=campaign,
        seq=1,
        text="完善职工服务中心制度",
        owner_unit=owner_unit,
        deadline=today + datetime.timedelta(days=30),
    )
    _supervision(side, owner_unit, office=office, liaison=liaison)
    _assessment(side, owner_unit, office=office)
    return side


def _inspections(side: Side, owner_unit, *, office, liaison) -> None:
    """An inspection team (the campaign's inspectors, covering the owner unit), an inspection of the unit,
    a finding on the item waiting for the unit's rectification, and an earlier answer with a photo."""
    campaign, o = side.campaign, side.objects
    today = timezone.localdate()
    inspectors = [g.user for g in campaign.grants.filter(role=Role.INSPECTOR).select_related("user")]
    team = InspectionTeam.objects.create(
        campaign=campaign, name="第一督导组", leader=inspectors[0] if inspectors else office
    )
    team.members.set(inspectors)
    team.units.set([owner_unit])
    o["team"] = team
    o["inspection"] = Inspection.objects.create(
        campaign=campaign,
        team=team,
        unit=owner_unit,
        starts_on=today,
        ends_on=today,
        methods=[Method.LEDGER],
        recorded_by=office,
    )
    o["finding"] = Finding.objects.create(
        campaign=campaign,
        unit=owner_unit,
        item=o["item"],
        inspection=o["inspection"],
        category=Finding.Category.LAGGING,
        description="进度滞后于序时进度",
        required="制定赶进度计划",
        found_on=today,
        deadline=today + datetime.timedelta(days=14),
        responsible="王明",
    )
    answer = Rectification.objects.create(
        finding=o["finding"], measures="已制定计划", answered_by=liaison, answered_at=timezone.now()
    )
    evidence = RectificationEvidence(rectification=answer, name="photo.png", size=len(_png()))
    evidence.file.save("photo.png", ContentFile(_png()), save=True)
    o["finding_evidence"] = evidence


def _supervision(side, owner_unit, *, office, liaison) -> None:
    """A responsibility, an instruction answered with evidence, a contact point visited with a photo."""
    campaign, o, now = side.campaign, side.objects, timezone.now()
    o["assignment"] = Assignment.objects.create(
        campaign=campaign, kind="first", unit=owner_unit, holder_name="王书记", assigned_by=office, assigned_at=now
    )
    o["instruction"] = Instruction.objects.create(
        campaign=campaign,
        unit=owner_unit,
        item=o["item"],
        leader=office,
        text="请抓紧推进",
        given_at=now,
        respond_by=timezone.localdate() + datetime.timedelta(days=7),
    )
    step = InstructionStep.objects.create(
        instruction=o["instruction"], kind="answer", text="已推进", author=liaison, at=now
    )
    evidence = InstructionEvidence(step=step, name="evidence.png", size=len(_png()))
    evidence.file.save("evidence.png", ContentFile(_png()), save=True)
    o["instruction_evidence"] = evidence
    o["contact_point"] = o.get("contact_point") or ContactPoint.objects.create(
        campaign=campaign, leader=office, unit=owner_unit
    )
    o["visit"] = Visit.objects.create(
        campaign=campaign,
        leader=office,
        visited_on=timezone.localdate(),
        contact_point=o["contact_point"],
        unit=owner_unit,
        recorded_by=office,
        recorded_at=now,
    )
    photo = VisitPhoto(visit=o["visit"], name="photo.png", size=len(_png()))
    photo.file.save("photo.png", ContentFile(_png()), save=True)
    o["visit_photo"] = photo


def _assessment(side: Side, owner_unit, *, office) -> None:
    """A department scheme (a manual item and an automatic one), a computed run of this quarter with the review
    open, the owner unit's score on the manual item, an adjustment and an objection on it, and a penalty."""
    from taizhang.assessment import actions as assessment_actions
    from taizhang.assessment.models import (
        Adjustment,
        AdjustmentEvidence,
        ItemScore,
        ManualScoreEvidence,
        Objection,
        ObjectionEvidence,
        PenaltyAction,
        PenaltyEvidence,
    )
    from taizhang.assessment.scoring import compute

    campaign, o = side.campaign, side.objects
    write = assessment_actions
    scheme = write.create_scheme(
        campaign, data={"unit_kind": owner_unit.kind, "name": "部门考核细则"}, acting_user=office
    )
    section = write.add_section(scheme, title="工作落实", acting_user=office)
    o["scheme_item"] = write.add_item(section, data={"title": "现场检查", "points": 20}, acting_user=office)
    write.add_item(section, data={"title": "按期完成", "points": 10, "kind": "on_time"}, acting_user=office)
    today = timezone.localdate()
    run = write.start_run(
        scheme, label="本季度", starts_on=today - datetime.timedelta(days=60), ends_on=today, acting_user=office
    )
    compute(run.pk)
    run.refresh_from_db()
    write.open_review(run, acting_user=office)
    o["scheme"], o["run"] = scheme, run
    score = ItemScore.objects.get(unit_score__run=run, unit_score__unit=owner_unit, scheme_item=o["scheme_item"])
    o["item_score"] = score
    o["adjustment"] = Adjustment.objects.create(item_score=score, points=1, reason="亮点", proposed_by=office)
    o["objection"] = Objection.objects.create(item_score=score, reason="偏低", raised_by=office)
    for key, evidence in (
        ("adjustment_file", AdjustmentEvidence(adjustment=o["adjustment"], name="依据.pdf", size=9)),
        ("objection_file", ObjectionEvidence(objection=o["objection"], name="申诉材料.pdf", size=9)),
        ("score_file", ManualScoreEvidence(item_score=score, name="评分依据.pdf", size=9, uploaded_by=office)),
    ):
        evidence.file.save("evidence.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
        o[key] = evidence
    o["penalty"] = PenaltyAction.objects.create(
        run=run, unit=owner_unit, kind=PenaltyAction.Kind.RECTIFY, reason="较差", deadline=today
    )
    o["penalty_file"] = PenaltyEvidence(penalty=o["penalty"], name="整改报告.pdf", size=9, uploaded_by=office)
    o["penalty_file"].file.save("evidence.pdf", ContentFile(b"%PDF-1.4\n"), save=True)


def _bulletins(side: Side, owner_unit, *, office, liaison, prefix: str) -> None:
    """Good practice and bulletins, through the app's actions: a draft case of the owner unit and a published
    one (each with a photo), a published issue (with a year and number) and one in preparation, and a monthly
    report of the unit with experience and practices text (to draft a case from).

    Campaign "other" dates its published issue a year back: a year and a number name an issue only within a
    campaign, so campaign 2021's address with them must find nothing.
    """
    campaign, o = side.campaign, side.objects
    write = bulletins_actions

    def case(title: str):
        practice = write.create_practice(
            campaign,
            data={"title": title, "unit": owner_unit, "summary": "职工少跑腿", "body": "<p>窗口合并，限时办结。</p>"},
            acting_user=liaison,
        )
        photo = write.add_photo(
            practice,
            upload=SimpleUploadedFile("case.png", _png(), content_type="image/png"),
            caption="现场",
            acting_user=liaison,
        )
        return practice, photo

    o["practice"], o["photo"] = case("一站式职工服务中心")
    published, o["published_photo"] = case("职工食堂延时服务")
    write.submit_practice(published, acting_user=liaison)
    write.accept_practice(published, acting_user=office)
    issued_on = timezone.localdate() - datetime.timedelta(days=0 if prefix == "HQ" else 365)
    bulletin = write.create_bulletin(
        campaign,
        data={"issued_on": issued_on, "editor": "王编辑", "proofreaders": ["李校对"], "figure_kinds": ["completion"]},
        acting_user=office,
    )
    write.set_cases(bulletin, practice_ids=[published.pk], acting_user=office)
    write.sign_off(bulletin, acting_user=office)
    o["bulletin"] = write.publish_bulletin(bulletin, acting_user=office)  # the case is published with it
    o["published_practice"] = published
    o["draft_bulletin"] = write.create_bulletin(campaign, data={"editor": "王编辑"}, acting_user=office)
    write.set_cases(o["draft_bulletin"], practice_ids=[published.pk], acting_user=office)
    o["signatory"] = write.add_signatory(campaign, office, acting_user=office)
    month = ReportingPeriod.objects.filter(campaign=campaign, kind=ReportingPeriod.Kind.MONTHLY).order_by("due_at")
    o["api_token"], _secret = api_actions.create_personal_token(
        name="脚本", scope="read", expires_on=timezone.localdate() + datetime.timedelta(days=30), acting_user=liaison
    )
    o["unit_report"] = UnitReport.objects.create(
        period=month.filter(due_at__lte=timezone.now()).last() or month.first(),
        unit=owner_unit,
        practices="建立职工服务中心。\n推行一站式办理。",
    )


@dataclass
class World:
    """Everything a row's spec can name: ``own`` (campaign 2021), ``foreign`` (campaign "other"), the people."""

    own: Side
    foreign: Side
    users: dict
    notices: dict

    @property
    def campaign(self):
        return self.own.campaign


def build_world() -> World:
    today = timezone.localdate()
    dates = {"starts_on": today - datetime.timedelta(days=90), "ends_on": today + datetime.timedelta(days=270)}
    campaign = make_campaign(**dates)
    other_campaign = make_campaign("other", name="另一个活动", **dates)
    group = make_unit("中国融通集团", kind="group", short_name="集团")
    office_dept = make_unit("集团办公室", parent=group, short_name="办公室")
    hr = make_unit("人力资源部", parent=group, short_name="人力")
    users = {
        "owner": make_user("lily", name="李联络", unit=office_dept),
        "other": make_user("bob", name="包联络", unit=hr),
        "leader": make_user("leo", name="刘领导", unit=group),
        "inspector": make_user("ivan", name="尹督查", unit=group),
        "assessor": make_user("amy", name="艾考核", unit=group),
        "office": make_user("olivia", name="欧阳办", unit=group),
        "stranger": make_user("sam", name="孙外人", unit=hr),
    }
    grant_role(user=users["owner"], campaign=campaign, role=Role.LIAISON, unit=office_dept)
    grant_role(user=users["other"], campaign=campaign, role=Role.LIAISON, unit=hr)
    grant_role(user=users["leader"], campaign=campaign, role=Role.LEADER)
    grant_role(user=users["inspector"], campaign=campaign, role=Role.INSPECTOR)
    grant_role(user=users["assessor"], campaign=campaign, role=Role.ASSESSOR)
    grant_role(user=users["office"], campaign=campaign, role=Role.OFFICE)
    grant_role(user=users["stranger"], campaign=other_campaign, role=Role.OFFICE)
    grant_role(user=users["stranger"], campaign=other_campaign, role=Role.LIAISON, unit=office_dept)
    own = _side(campaign, office_dept, office=users["office"], liaison=users["owner"], prefix="HQ")
    foreign = _side(other_campaign, office_dept, office=users["stranger"], liaison=users["stranger"], prefix="OT")
    notices = {
        who: Message.objects.create(
            campaign=campaign,
            reason=next(iter(Reason)).value,
            dedupe_key=f"matrix-{who}",
            recipient=users[who],
            subject="提醒",
            body="请按时上报",
        )
        for who in ("owner", "other")
    }
    return World(own=own, foreign=foreign, users=users, notices=notices)


# --- the URLconf -----------------------------------------------------------------------------------------


def walk_urlconf(patterns=None, namespace: str = "") -> list[tuple[str, URLPattern]]:
    """Every named URL pattern of the project as ``("app:name", pattern)``, the excluded ones left out."""
    found = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or ""
            if inner in EXCLUDED_NAMESPACES:
                continue
            prefix = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            found.extend(walk_urlconf(entry.url_patterns, prefix))
        elif entry.name not in EXCLUDED_NAMES:
            name = f"{namespace}:{entry.name}" if namespace else str(entry.name)
            found.append((name, entry))
    return found


def parse_spec(spec: str) -> dict[str, str]:
    """``"pk=item period=period"`` → ``{"pk": "item", "period": "period"}``; ``slug`` is always the campaign."""
    return dict(part.split("=", 1) for part in spec.split())


def build_kwargs(spec: str, world: World, *, side: str = "own") -> dict:
    """The URL's arguments; ``side="foreign"`` takes every object from the other campaign (slug stays 2021)."""
    chosen = world.foreign if side == "foreign" else world.own
    kwargs = {}
    for name, kind in parse_spec(spec).items():
        if kind == "slug":
            kwargs[name] = world.campaign.slug
        elif kind.startswith("notice:"):
            kwargs[name] = world.notices[kind.split(":", 1)[1]].pk
        elif kind == "week":
            kwargs[name] = open_periods(world.campaign).first().label
        elif kind == "sign_in_token":
            kwargs[name] = chosen.objects["activity"].sign_in_token
        elif kind == "read_token":
            kwargs[name] = chosen.objects["material"].read_token
        elif kind == "reading_token":
            kwargs[name] = chosen.objects["reading"].token
        elif kind == "first_sign_in_token":
            kwargs[name] = chosen.objects["first_sign_in_token"]
        elif kind == "rating_token":
            kwargs[name] = chosen.objects["rating"].token
        elif kind == "tracking_code":
            kwargs[name] = chosen.objects["demand"].tracking_code
        elif kind.endswith(("_year", "_number")):  # ``bulletin_year``: the year of the object ``bulletin``
            owner, attribute = kind.rsplit("_", 1)
            kwargs[name] = getattr(chosen.objects[owner], attribute)
        elif kind.startswith("="):
            kwargs[name] = kind[1:]
        else:
            value = chosen.objects[kind]
            kwargs[name] = value.pk
    return kwargs
