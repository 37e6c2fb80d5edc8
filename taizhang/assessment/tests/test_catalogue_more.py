"""The rules over red-light days, bulletins carrying a unit's cases, attendance and reading rates from study,
and files behind a manual score: each unit's points move as its facts move, and the facts show in the breakdown."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from taizhang.assessment import actions, rules
from taizhang.assessment.models import FactKind, ItemScore, ManualScoreEvidence
from taizhang.assessment.queries import facts_of
from taizhang.bulletins.models import Bulletin, BulletinEntry, Practice
from taizhang.history.models import HistoryEntry
from taizhang.ledger.models import Item, Light
from taizhang.study.models import Activity, ActivityKind, Assignment, Attendance, Material, Member, Reading
from taizhang.testing.factories import make_item

from .conftest import at, run_scheme

pytestmark = pytest.mark.django_db
D = Decimal
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _scheme(scene, kind, params, points=10):
    office = scene["office"]
    scheme = actions.create_scheme(
        scene["campaign"], data={"unit_kind": "subsidiary", "name": f"考核 {kind}", "total": 100}, acting_user=office
    )
    section = actions.add_section(scheme, title="工作落实", acting_user=office)
    item = actions.add_item(
        section, data={"title": kind, "points": points, "kind": kind, "params": params}, acting_user=office
    )
    return scheme, item


def _points(run, unit, item):
    return ItemScore.objects.get(unit_score__run=run, unit_score__unit=unit, scheme_item=item).points


def _light(item, day, old, new):
    entry = HistoryEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Item),
        object_id=item.pk,
        campaign=item.campaign,
        action=HistoryEntry.Action.LIGHT,
        changes=[{"field": "light", "label": "亮灯", "old": old, "new": new}],
    )
    HistoryEntry.objects.filter(pk=entry.pk).update(at=at(day, 22))


def test_each_red_day_costs_its_points(scene):
    campaign, a, b = scene["campaign"], scene["a"], scene["b"]
    red_then_green = make_item(campaign, a, code="A-1", title="修路", light=Light.GREEN)
    _light(red_then_green, "2026-05-01", "yellow", "red")
    _light(red_then_green, "2026-05-11", "red", "green")  # red from 1 to 10 May: 10 days
    _light(red_then_green, "2026-03-01", "green", "red")  # before the range: only its days in the range count
    _light(red_then_green, "2026-03-05", "red", "green")
    # Red now with no change recorded: red since it was entered (10 June to the cut-off, 17 June: 8 days).
    make_item(campaign, b, code="B-1", title="修桥", light=Light.RED, created_at=at("2026-06-10"))
    scheme, item = _scheme(scene, "red_days", {"per": "0.5"})
    run = run_scheme(scheme, scene["assessor"])  # 2026-04-01 to 2026-06-30, cut-off 2026-06-17
    assert (_points(run, a, item), _points(run, b, item)) == (D(5), D(6))
    [fact] = facts_of(run, a.pk, item.pk)
    assert (fact.kind, fact.object_id, fact.points) == (FactKind.ITEM, red_then_green.pk, D("-5.0"))
    assert "10" in fact.label
    # Red again on 15 June: three more days.
    _light(red_then_green, "2026-06-15", "green", "red")
    run = run_scheme(scheme, scene["assessor"])
    assert _points(run, a, item) == D("3.5")
    assert "%(per)s" not in rules.describe("red_days", item.rule.params, 10)


def _bulletin(campaign, number, practices, *, published="2026-05-05"):
    bulletin = Bulletin.objects.create(
        campaign=campaign,
        year=2026,
        number=number,
        masthead="信息简报",
        issued_on=datetime.date.fromisoformat(published),
        publisher="办公室",
        period_starts=datetime.date(2026, 4, 1),
        period_ends=datetime.date(2026, 4, 30),
        status=Bulletin.Status.PUBLISHED if published else Bulletin.Status.DRAFT,
        published_at=at(published) if published else None,
    )
    for order, practice in enumerate(practices):
        BulletinEntry.objects.create(bulletin=bulletin, practice=practice, order=order)
    return bulletin


def test_each_bulletin_carrying_a_case_of_the_unit_adds_its_points(scene):
    campaign, a, b = scene["campaign"], scene["a"], scene["b"]

    def case(unit, title):
        return Practice.objects.create(
            campaign=campaign, unit=unit, title=title, year=2026, status=Practice.Status.PUBLISHED
        )

    a1, a2, b1 = case(a, "清单化推进"), case(a, "挂图作战"), case(b, "接诉即办")
    first = _bulletin(campaign, 1, [a1, a2, b1])  # two cases of A in one issue: the issue counts once
    _bulletin(campaign, 2, [b1], published="2026-03-05")  # before the range
    scheme, item = _scheme(scene, "bulletins", {"per": 2})
    run = run_scheme(scheme, scene["assessor"])
    assert (_points(run, a, item), _points(run, b, item)) == (D(2), D(2))
    [fact] = facts_of(run, a.pk, item.pk)
    assert (fact.kind, fact.object_id) == (FactKind.BULLETIN, first.pk)
    _bulletin(campaign, 3, [a2], published="2026-06-01")
    run = run_scheme(scheme, scene["assessor"])
    assert (_points(run, a, item), _points(run, b, item)) == (D(4), D(2))


def test_attendance_rate_gives_points_linear_between_the_rates(scene):
    campaign, a, b = scene["campaign"], scene["a"], scene["b"]
    kind = ActivityKind.objects.create(campaign=campaign, name="专题学习")
    members = [Member.objects.create(unit=a, name=f"成员{n}") for n in range(4)]
    activity = Activity.objects.create(
        campaign=campaign,
        kind=kind,
        title="专题学习",
        unit=a,
        starts_at=at("2026-05-10"),
        ends_at=at("2026-05-10", 12),
        state=Activity.State.HELD,
    )
    for member in members[:3]:
        Attendance.objects.create(activity=activity, member=member, status=Attendance.Status.PRESENT)
    Attendance.objects.create(activity=activity, member=members[3], status=Attendance.Status.ABSENT)
    scheme, item = _scheme(scene, "attendance", {"low": 60, "high": 90})
    run = run_scheme(scheme, scene["assessor"])
    # 3 of 4 expected: 75%, half-way between 60% and 90%; B held nothing and keeps its points.
    assert (_points(run, a, item), _points(run, b, item)) == (D(5), D(10))
    facts = facts_of(run, a.pk, item.pk)
    assert [f.kind for f in facts] == [FactKind.ACTIVITY, FactKind.FIGURE] and facts[-1].points == D(5)
    Attendance.objects.filter(member=members[3]).update(status=Attendance.Status.PRESENT)
    run = run_scheme(scheme, scene["assessor"])
    assert _points(run, a, item) == D(10)


def test_reading_rate_gives_points_linear_between_the_rates(scene):
    campaign, a, b = scene["campaign"], scene["a"], scene["b"]
    members = [Member.objects.create(unit=a, name=f"读者{n}") for n in range(4)]
    material = Material.objects.create(campaign=campaign, title="红色之路")
    Assignment.objects.create(material=material, unit=a, read_by=datetime.date(2026, 5, 20))
    for member in members[:2]:
        Reading.objects.create(
            material=material, member=member, opened_at=at("2026-05-02"), confirmed_at=at("2026-05-03")
        )
    scheme, item = _scheme(scene, "reading", {"low": 0, "high": 100})
    run = run_scheme(scheme, scene["assessor"])
    assert (_points(run, a, item), _points(run, b, item)) == (D(5), D(10))
    facts = facts_of(run, a.pk, item.pk)
    assert (facts[0].kind, facts[0].object_id) == (FactKind.MATERIAL, material.pk)
    Reading.objects.create(
        material=material, member=members[2], opened_at=at("2026-05-02"), confirmed_at=at("2026-05-04")
    )
    run = run_scheme(scheme, scene["assessor"])
    assert _points(run, a, item) == D("7.5")


def test_rate_rules_refuse_a_lower_rate_above_the_upper(scene):
    from django.core.exceptions import ValidationError

    for kind in ("attendance", "reading"):
        with pytest.raises(ValidationError):
            rules.clean_params(kind, {"low": 90, "high": 60}, D(10))


def test_files_behind_a_manual_score_go_through_the_gate_and_are_read_per_unit(client, scene, settings):
    scheme, item = _scheme(scene, "manual", {}, points=20)
    run = run_scheme(scheme, scene["assessor"])
    slug = scene["campaign"].slug
    score = ItemScore.objects.get(unit_score__run=run, unit_score__unit=scene["a"], scheme_item=item)
    page = reverse("assessment:item_score", args=[slug, run.pk, score.pk])
    client.force_login(scene["assessor"])

    def post(name, content):
        return client.post(
            page,
            {
                "what": "manual",
                "m-points": "15",
                "m-reason": "资料齐全",
                "m-version": score.version,
                "m-files": SimpleUploadedFile(name, content),
            },
        )

    assert post("x.pdf", b"MZ\x90\x00").status_code == 400
    settings.ATTACHMENT_MAX_BYTES = 10
    assert post("大.pdf", PDF).status_code == 400
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    assert not ManualScoreEvidence.objects.exists()
    score.refresh_from_db()
    assert score.points == 0
    assert post("评分依据.pdf", PDF).status_code == 302
    score.refresh_from_db()
    assert score.points == D(15)
    evidence = ManualScoreEvidence.objects.get(item_score=score)
    url = reverse("assessment:score_file", args=[slug, run.pk, evidence.pk])
    assert url in client.get(page).content.decode()
    assert b"".join(client.get(url).streaming_content) == PDF
    # The unit reads it once the review opens; another unit never.
    actions.open_review(run, acting_user=scene["office"])
    client.force_login(scene["liaison"])
    assert client.get(url).status_code == 200
    client.force_login(scene["other"])
    assert client.get(url).status_code == 403


def test_the_item_form_takes_the_new_rules_with_their_parameters(client, scene):
    scheme, _item = _scheme(scene, "manual", {})
    section = scheme.sections.get()
    slug = scene["campaign"].slug
    client.force_login(scene["office"])
    add = reverse("assessment:item_add", args=[slug, scheme.pk])
    base = {"item-section": section.pk, "item-title": "参学率", "item-points": "5", "item-kind": "attendance"}
    assert client.post(add, {**base, "item-low": "95", "item-high": "60"}).status_code == 400
    assert client.post(add, {**base, "item-low": "60", "item-high": "90"}).status_code == 302
    red = {**base, "item-title": "红灯天数", "item-kind": "red_days", "item-per": "0.2"}
    assert client.post(add, red).status_code == 302
    for kind in ("bulletins", "reading"):
        assert client.post(add, {**base, "item-title": kind, "item-kind": kind}).status_code == 302
    rows = {i.title: i for i in scheme.items.select_related("rule")}
    assert rows["参学率"].rule.params == {"low": "60", "high": "90"}
    assert rows["红灯天数"].rule.params == {"per": "0.2"}
    assert rows["bulletins"].rule.params == {"per": "1"} and rows["reading"].rule.params["high"] == "95"
    assert "%(" not in rows["红灯天数"].standard and "0.2" in rows["红灯天数"].standard
