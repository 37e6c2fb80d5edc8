"""Rosters, activities with attendance and QR sign-in, participation rolled up, materials read and confirmed."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from taizhang.history.models import HistoryEntry
from taizhang.orgs.access import Access
from taizhang.study import actions
from taizhang.study.models import Activity, Attendance, Member, Reading
from taizhang.study.queries import participation, reading_rate, study_record

HEADER = ["姓名", "单位", "手机", "是否党员", "党支部"]


@pytest.fixture
def access(people, campaign):
    return {name: Access.for_user(user, campaign) for name, user in people.items()}


@pytest.fixture
def roster(org, access, people):
    rows = [
        ["人员名册"],
        HEADER,
        ["张三", "办公室", "138 0000 0001", "是", "机关第一支部"],
        ["李四", "集团办公室", "13800000002", "否", ""],
        ["王五", "人力资源部", "+86 138-0000-0003", "中共党员", "机关第二支部"],
        ["赵六", "八一骨科医院", "13800000004", "是", "医院支部"],
    ]
    actions.import_roster(rows, access=access["olivia"], acting_user=people["olivia"])
    return {m.name: m for m in Member.objects.all()}


def _activity(campaign, org, access, people, *, unit="office_dept", starts=None, **extra):
    starts = starts or timezone.now() - datetime.timedelta(hours=1)
    data = {
        "kind": actions.activity_kinds(campaign)[2],  # 主题党日
        "title": "重温入党誓词",
        "unit": org[unit],
        "starts_at": starts,
        "ends_at": starts + datetime.timedelta(hours=2),
        "place": "三楼会议室",
        "hours": 2,
        **extra,
    }
    return actions.create_activity(campaign=campaign, data=data, access=access["olivia"], acting_user=people["olivia"])


def test_roster_import_reads_the_usual_columns_and_normalises_phones(roster, org):
    assert set(roster) == {"张三", "李四", "王五", "赵六"}
    assert roster["王五"].phone == "13800000003" and roster["王五"].is_party_member
    assert roster["张三"].unit == org["office_dept"] and roster["张三"].party_branch == "机关第一支部"
    assert not roster["李四"].is_party_member
    assert HistoryEntry.objects.filter(object_id=roster["张三"].pk, action="create").exists()


def test_roster_with_unknown_unit_or_duplicate_phone_imports_nothing(org, access, people):
    rows = [HEADER, ["甲", "办公室", "13900000001", "", ""], ["乙", "不存在的单位", "13900000002", "", ""]]
    with pytest.raises(ValidationError) as refused:
        actions.import_roster(rows, access=access["olivia"], acting_user=people["olivia"])
    assert "不存在的单位" in " ".join(refused.value.messages)
    rows = [HEADER, ["甲", "办公室", "13900000001", "", ""], ["乙", "人力资源部", "139-0000-0001", "", ""]]
    with pytest.raises(ValidationError) as refused:
        actions.import_roster(rows, access=access["olivia"], acting_user=people["olivia"])
    assert "2" in " ".join(refused.value.messages)
    assert Member.objects.count() == 0


def test_liaison_keeps_only_their_own_units_roster(org, access, people):
    rows = [HEADER, ["甲", "办公室", "13900000001", "", ""], ["乙", "人力资源部", "13900000002", "", ""]]
    with pytest.raises(ValidationError) as refused:
        actions.import_roster(rows, access=access["lily"], acting_user=people["lily"])
    assert "人力资源部" in " ".join(refused.value.messages)
    assert Member.objects.count() == 0
    actions.import_roster(rows[:2], access=access["lily"], acting_user=people["lily"])
    assert list(Member.objects.values_list("name", flat=True)) == ["甲"]


def test_reimport_updates_a_member_found_by_phone(roster, access, people, org):
    rows = [HEADER, ["王五", "人力资源部", "13800000003", "是", "机关第三支部"]]
    plan = actions.import_roster(rows, access=access["olivia"], acting_user=people["olivia"])
    assert (len(plan.creates), len(plan.updates)) == (0, 1)
    assert Member.objects.get(phone="13800000003").party_branch == "机关第三支部"
    # The same phone with another name is someone else's number: refused.
    with pytest.raises(ValidationError):
        actions.import_roster(
            [HEADER, ["王小五", "人力资源部", "13800000003", "", ""]],
            access=access["olivia"],
            acting_user=people["olivia"],
        )


def test_liaison_plans_activities_for_their_unit_only(campaign, org, access, people):
    data = {
        "kind": actions.activity_kinds(campaign)[0],
        "title": "专题学习",
        "unit": org["hr"],
        "starts_at": timezone.now(),
        "ends_at": timezone.now() + datetime.timedelta(hours=1),
    }
    with pytest.raises(PermissionDenied):
        actions.create_activity(campaign=campaign, data=data, access=access["lily"], acting_user=people["lily"])
    with pytest.raises(PermissionDenied):
        actions.create_activity(campaign=campaign, data=data, access=access["leo"], acting_user=people["leo"])
    activity = actions.create_activity(campaign=campaign, data=data, access=access["bob"], acting_user=people["bob"])
    assert activity.state == Activity.State.PLANNED and len(activity.sign_in_token) >= 20


def test_activity_that_ends_before_it_starts_is_refused(campaign, org, access, people):
    with pytest.raises(ValidationError):
        _activity(campaign, org, access, people, ends_at=timezone.now() - datetime.timedelta(days=1))
    assert not Activity.objects.exists()


def test_stale_activity_edit_is_refused(campaign, org, access, people):
    activity = _activity(campaign, org, access, people)
    actions.update_activity(
        activity, data={"place": "礼堂"}, expected_version=1, access=access["olivia"], acting_user=people["olivia"]
    )
    with pytest.raises(actions.StaleActivity):
        actions.update_activity(
            activity, data={"place": "操场"}, expected_version=1, access=access["olivia"], acting_user=people["olivia"]
        )
    assert Activity.objects.get().place == "礼堂"


def test_attendance_from_the_roster_makes_the_activity_held(campaign, org, access, people, roster):
    activity = _activity(campaign, org, access, people)
    changed = actions.record_attendance(
        activity,
        marks={roster["张三"].pk: ("present", ""), roster["李四"].pk: ("leave", "出差")},
        access=access["lily"],
        acting_user=people["lily"],
    )
    assert changed == 2
    activity.refresh_from_db()
    assert activity.state == Activity.State.HELD
    assert Attendance.objects.get(member=roster["李四"]).reason == "出差"


def test_attendance_of_another_units_member_or_leave_without_reason_writes_nothing(
    campaign, org, access, people, roster
):
    activity = _activity(campaign, org, access, people)
    with pytest.raises(ValidationError) as refused:
        actions.record_attendance(
            activity,
            marks={roster["张三"].pk: ("present", ""), roster["王五"].pk: ("present", "")},
            access=access["olivia"],
            acting_user=people["olivia"],
        )
    assert "王五" in refused.value.messages[0]
    with pytest.raises(ValidationError):
        actions.record_attendance(
            activity, marks={roster["张三"].pk: ("leave", " ")}, access=access["olivia"], acting_user=people["olivia"]
        )
    with pytest.raises(PermissionDenied):
        actions.record_attendance(
            activity, marks={roster["张三"].pk: ("present", "")}, access=access["bob"], acting_user=people["bob"]
        )
    assert not Attendance.objects.exists()
    activity.refresh_from_db()
    assert activity.state == Activity.State.PLANNED


def test_qr_sign_in_works_once_and_only_in_the_window(campaign, org, access, people, roster):
    activity = _activity(campaign, org, access, people)
    attendance = actions.sign_in(activity.sign_in_token, name="张三", phone="13800000001")
    assert (attendance.status, attendance.via) == ("present", "qr")
    with pytest.raises(ValidationError, match="已"):
        actions.sign_in(activity.sign_in_token, name="张三", phone="138 0000 0001")
    with pytest.raises(ValidationError):
        actions.sign_in(activity.sign_in_token, name="张三", phone="13800000009")  # not the roster's phone
    with pytest.raises(ValidationError):
        actions.sign_in(activity.sign_in_token, name="王五", phone="13800000003")  # another unit's member
    with pytest.raises(ValidationError):
        actions.sign_in(
            activity.sign_in_token, name="李四", phone="13800000002", now=activity.ends_at + datetime.timedelta(hours=1)
        )
    with pytest.raises(ValidationError):
        actions.sign_in("not-a-token", name="李四", phone="13800000002")
    assert Attendance.objects.count() == 1


def test_a_member_on_leave_who_comes_after_all_signs_in(campaign, org, access, people, roster):
    activity = _activity(campaign, org, access, people)
    actions.record_attendance(
        activity, marks={roster["李四"].pk: ("leave", "病假")}, access=access["olivia"], acting_user=people["olivia"]
    )
    actions.sign_in(activity.sign_in_token, name="李四", phone="13800000002")
    assert Attendance.objects.get(member=roster["李四"]).status == "present"


def test_audience_units_widen_who_may_attend(campaign, org, access, people, roster):
    activity = _activity(campaign, org, access, people, unit="group")
    activity.audience_units.set([org["subsidiary"]])
    actions.sign_in(activity.sign_in_token, name="赵六", phone="13800000004")  # the hospital is below the subsidiary
    with pytest.raises(ValidationError):
        actions.sign_in(activity.sign_in_token, name="张三", phone="13800000001")


def test_participation_rolls_up_the_tree(campaign, org, access, people, roster):
    held = _activity(campaign, org, access, people)
    actions.record_attendance(
        held, marks={roster["张三"].pk: ("present", "")}, access=access["olivia"], acting_user=people["olivia"]
    )
    _activity(campaign, org, access, people, unit="hr", starts=timezone.now() + datetime.timedelta(days=3))
    rows = {row.unit.name: row for row in participation(campaign)}
    assert (rows["集团办公室"].members, rows["集团办公室"].attended, rows["集团办公室"].rate) == (2, 1, 50.0)
    assert (rows["人力资源部"].held, rows["人力资源部"].planned) == (0, 1)
    group = rows["中国融通集团"]
    assert (group.members, group.attended, group.held, group.planned) == (4, 1, 1, 1)
    record = study_record(roster["张三"], campaign)
    assert record["hours"] == 2 and [a.activity for a in record["attended"]] == [held]


def test_materials_are_assigned_read_and_confirmed_once(campaign, org, access, people, roster):
    upload = SimpleUploadedFile("红色之路.pdf", b"%PDF-1.4 stand-in", content_type="application/pdf")
    with pytest.raises(PermissionDenied):
        actions.create_material(
            campaign=campaign,
            data={"title": "红色之路"},
            files=[upload],
            access=access["lily"],
            acting_user=people["lily"],
        )
    with pytest.raises(ValidationError):
        actions.create_material(
            campaign=campaign, data={"title": "红色之路"}, access=access["olivia"], acting_user=people["olivia"]
        )
    material = actions.create_material(
        campaign=campaign,
        data={"title": "红色之路", "source": "集团党组"},
        files=[upload],
        access=access["olivia"],
        acting_user=people["olivia"],
    )
    actions.assign_material(
        material,
        unit=org["office_dept"],
        read_by=timezone.localdate(),
        access=access["olivia"],
        acting_user=people["olivia"],
    )
    with pytest.raises(ValidationError):
        actions.assign_material(
            material,
            unit=org["office_dept"],
            read_by=timezone.localdate(),
            access=access["olivia"],
            acting_user=people["olivia"],
        )
    assert reading_rate(material) == (0, 2)
    with pytest.raises(ValidationError):
        actions.open_material(material, name="王五", phone="13800000003")  # HR was not assigned
    reading = actions.open_material(material, name="张三", phone="13800000001")
    first = actions.confirm_reading(reading).confirmed_at
    assert actions.confirm_reading(reading, now=timezone.now() + datetime.timedelta(hours=1)).confirmed_at == first
    assert actions.open_material(material, name="张三", phone="13800000001").pk == reading.pk
    assert reading_rate(material) == (1, 2)


# Pages -------------------------------------------------------------------------------


def test_pages_answer_each_role(client, campaign, org, access, people, roster):
    activity = _activity(campaign, org, access, people)
    pages = [
        reverse("study:home", args=[campaign.slug]),
        reverse("study:activity_detail", args=[campaign.slug, activity.pk]),
        reverse("study:participation", args=[campaign.slug]),
        reverse("study:roster", args=[campaign.slug]),
        reverse("study:material_list", args=[campaign.slug]),
    ]
    for url in pages:
        assert client.get(url).status_code == 302  # to the login page
        client.force_login(people["charlie"])
        assert client.get(url).status_code == 403
        client.force_login(people["olivia"])
        assert client.get(url).status_code == 200, url
        client.logout()
    client.force_login(people["leo"])
    assert client.get(reverse("study:activity_attendance", args=[campaign.slug, activity.pk])).status_code == 403
    roster_page = client.get(reverse("study:roster", args=[campaign.slug]) + f"?unit={org['office_dept'].pk}")
    assert "张三" in roster_page.content.decode() and "13800000001" not in roster_page.content.decode()
    client.force_login(people["bob"])
    assert (
        client.get(reverse("study:roster", args=[campaign.slug]) + f"?unit={org['office_dept'].pk}").status_code == 403
    )


def test_liaison_records_attendance_on_the_page(client, campaign, org, access, people, roster):
    activity = _activity(campaign, org, access, people)
    client.force_login(people["lily"])
    url = reverse("study:activity_attendance", args=[campaign.slug, activity.pk])
    page = client.get(url)
    assert "张三" in page.content.decode() and "王五" not in page.content.decode()
    response = client.post(
        url, {f"m-{roster['张三'].pk}": "present", f"m-{roster['李四'].pk}": "leave", f"r-{roster['李四'].pk}": "出差"}
    )
    assert response.status_code == 302
    assert dict(Attendance.objects.values_list("member__name", "status")) == {"张三": "present", "李四": "leave"}
    # A member of another unit slipped into the form: refused, nothing changes.
    response = client.post(url, {f"m-{roster['王五'].pk}": "present", f"m-{roster['张三'].pk}": "absent"})
    assert response.status_code == 400
    assert Attendance.objects.get(member=roster["张三"]).status == "present"


def test_public_sign_in_page(client, campaign, org, access, people, roster):
    activity = _activity(campaign, org, access, people)
    url = reverse("study:sign_in", args=[activity.sign_in_token])
    assert client.get(url).status_code == 200
    assert client.post(url, {"name": "张三", "phone": "000"}).status_code == 400
    response = client.post(url, {"name": "张三", "phone": "13800000001"})
    assert response.status_code == 200 and "signed-in" in response.content.decode()
    assert client.post(url, {"name": "张三", "phone": "13800000001"}).status_code == 400
    assert client.get(reverse("study:sign_in", args=["x" * 30])).status_code == 404


def test_roster_upload_page_refuses_a_bad_file_and_imports_a_good_one(client, campaign, people, org):
    from taizhang.lib.xlsx import write_table

    client.force_login(people["olivia"])
    url = reverse("study:roster_import", args=[campaign.slug])
    bad = SimpleUploadedFile("名册.xlsx", b"not a spreadsheet at all")
    assert client.post(url, {"file": bad}).status_code == 400
    data = write_table(
        sheet_name="名册",
        title="人员名册",
        headers=HEADER,
        widths=[10] * 5,
        rows=[["张三", "办公室", "13800000001", "是", "一支部"]],
    )
    good = SimpleUploadedFile("名册.xlsx", data)
    assert client.post(url, {"file": good}).status_code == 302
    assert Member.objects.get().name == "张三"


def test_material_files_go_to_campaign_members_and_reading_links_only(client, campaign, org, access, people, roster):
    upload = SimpleUploadedFile("红色之路.pdf", b"%PDF-1.4 stand-in", content_type="application/pdf")
    material = actions.create_material(
        campaign=campaign,
        data={"title": "红色之路"},
        files=[upload],
        access=access["olivia"],
        acting_user=people["olivia"],
    )
    stored = material.files.get()
    url = reverse("study:material_file", args=[campaign.slug, stored.pk])
    assert client.get(url).status_code == 302
    client.force_login(people["charlie"])
    assert client.get(url).status_code == 403
    client.force_login(people["lily"])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    client.logout()
    actions.assign_material(
        material,
        unit=org["office_dept"],
        read_by=timezone.localdate(),
        access=access["olivia"],
        acting_user=people["olivia"],
    )
    response = client.post(reverse("study:read", args=[material.read_token]), {"name": "张三", "phone": "13800000001"})
    reading = Reading.objects.get()
    assert response["Location"] == reverse("study:reading", args=[reading.token])
    assert client.get(reverse("study:reading_file", args=[reading.token, stored.pk])).status_code == 200
    client.post(reverse("study:reading", args=[reading.token]))
    assert Reading.objects.get().confirmed_at is not None


# Quarterly plans -----------------------------------------------------------------------


def test_plan_light_keeps_pace_over_the_quarter():
    from taizhang.study.queries import plan_light, quarter_of

    first, last = quarter_of(datetime.date(2026, 5, 17))
    assert (first, last) == (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))
    assert quarter_of(datetime.date(2026, 12, 31)) == (datetime.date(2026, 10, 1), datetime.date(2026, 12, 31))
    assert plan_light(4, 0, first, last, datetime.date(2026, 4, 10)) == "green"  # too early to be behind
    assert plan_light(4, 1, first, last, datetime.date(2026, 5, 1)) == "green"  # a third in: one of four due
    assert plan_light(4, 1, first, last, datetime.date(2026, 5, 20)) == "yellow"
    assert plan_light(4, 4, first, last, datetime.date(2026, 5, 20)) == "green"
    assert plan_light(4, 3, first, last, datetime.date(2026, 7, 1)) == "red"
    assert plan_light(0, 0, first, last, datetime.date(2026, 7, 1)) == "green"


def test_unit_plans_its_quarter_and_the_page_shows_planned_against_held(client, campaign, org, access, people, roster):
    kinds = actions.activity_kinds(campaign)
    theme_day = kinds[2]
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):
        actions.set_activity_plan(
            campaign,
            unit=org["hr"],
            quarter=today,
            counts={theme_day: 2},
            access=access["lily"],
            acting_user=people["lily"],
        )
    assert (
        actions.set_activity_plan(
            campaign,
            unit=org["office_dept"],
            quarter=today,
            counts={theme_day: 3},
            access=access["lily"],
            acting_user=people["lily"],
        )
        == 1
    )
    held = _activity(campaign, org, access, people)
    actions.record_attendance(
        held, marks={roster["张三"].pk: ("present", "")}, access=access["olivia"], acting_user=people["olivia"]
    )
    from taizhang.study.queries import plan_progress

    row = plan_progress(campaign, today, today)[0]
    cell = next(c for c in row.cells if c[0] == theme_day)
    assert (row.unit, cell[1], cell[2]) == (org["office_dept"], 3, 1)
    client.force_login(people["lily"])
    page = client.get(reverse("study:activity_plan", args=[campaign.slug]))
    assert page.status_code == 200 and "1 / 3" in page.content.decode()
    response = client.post(
        reverse("study:activity_plan", args=[campaign.slug]), {"unit": org["hr"].pk, f"k-{theme_day.pk}": "2"}
    )
    assert response.status_code == 400  # not lily's unit
    response = client.post(
        reverse("study:activity_plan", args=[campaign.slug]), {"unit": org["office_dept"].pk, f"k-{theme_day.pk}": "x"}
    )
    assert response.status_code == 400
    response = client.post(
        reverse("study:activity_plan", args=[campaign.slug]), {"unit": org["office_dept"].pk, f"k-{theme_day.pk}": "0"}
    )
    assert response.status_code == 302 and not plan_progress(campaign, today, today)
    assert client.get(reverse("study:activity_plan", args=[campaign.slug]) + "?quarter=2026Q9").status_code == 200
    client.force_login(people["charlie"])
    assert client.get(reverse("study:activity_plan", args=[campaign.slug])).status_code == 403


def test_member_study_record_page(client, campaign, org, access, people, roster):
    held = _activity(campaign, org, access, people)
    actions.record_attendance(
        held, marks={roster["张三"].pk: ("present", "")}, access=access["olivia"], acting_user=people["olivia"]
    )
    url = reverse("study:member_record", args=[campaign.slug, roster["张三"].pk])
    client.force_login(people["lily"])
    page = client.get(url).content.decode()
    assert "重温入党誓词" in page and "13800000001" in page
    client.force_login(people["leo"])
    page = client.get(url).content.decode()
    assert "重温入党誓词" in page and "13800000001" not in page  # leaders read the record, not the phone
    client.force_login(people["bob"])
    assert client.get(url).status_code == 403


def test_the_office_names_the_unit_whose_plan_it_sets(client, campaign, org, people):
    kinds = actions.activity_kinds(campaign)
    url = reverse("study:activity_plan", args=[campaign.slug])
    client.force_login(people["olivia"])
    page = client.get(url).content.decode()
    assert "<option" not in page.split('id="plan-form"')[1]  # no list of every unit on the page
    assert client.post(url, {"unit": "人力", f"k-{kinds[0].pk}": "2"}).status_code == 302  # the short name
    from taizhang.study.models import ActivityPlan

    assert ActivityPlan.objects.get().unit == org["hr"]
    response = client.post(url, {"unit": "不存在的单位", f"k-{kinds[0].pk}": "2"})
    assert response.status_code == 400 and "不存在的单位" in response.content.decode()


# The campaign's kinds of activity, on a page for the office --------------------------------------


def test_the_office_renames_reorders_and_adds_kinds_in_history(client, campaign, people, access):
    kinds = actions.activity_kinds(campaign)
    first, second = kinds[0], kinds[1]
    client.force_login(people["olivia"])
    url = reverse("study:activity_kinds", args=[campaign.slug])
    assert client.get(url).status_code == 200
    # Two kinds swap names; a new one is added at the end.
    data = {f"name-{first.pk}": second.name, f"name-{second.pk}": first.name, "name-new": "党史知识竞赛"}
    assert client.post(url, {**data, "order-new": "20"}).status_code == 302
    first.refresh_from_db()
    assert first.name == kinds[1].name and campaign.activity_kinds.filter(name="党史知识竞赛", order=20).exists()
    assert HistoryEntry.objects.filter(object_id=first.pk, action="update").exists()
    # A duplicate, an empty name or a junk order is refused and nothing changes.
    assert client.post(url, {f"name-{first.pk}": "党史知识竞赛"}).status_code == 400
    assert client.post(url, {f"name-{first.pk}": " "}).status_code == 400
    assert client.post(url, {f"order-{first.pk}": "x"}).status_code == 400
    first.refresh_from_db()
    assert first.name == kinds[1].name
    client.force_login(people["lily"])
    assert client.get(url).status_code == 403
    with pytest.raises(PermissionDenied):
        actions.save_activity_kinds(campaign, changes={}, new=("x", 1), access=access["lily"], acting_user=None)


def test_a_copied_campaign_takes_the_kinds_of_activity_along(campaign, people, access):
    from taizhang.campaigns.actions import start_campaign

    kinds = actions.activity_kinds(campaign)
    actions.save_activity_kinds(
        campaign, changes={}, new=("党史知识竞赛", 9), access=access["olivia"], acting_user=people["olivia"]
    )
    copy = start_campaign(
        data={
            "name": "2027年",
            "slug": "2027",
            "starts_on": datetime.date(2027, 3, 1),
            "ends_on": datetime.date(2027, 12, 31),
        },
        acting_user=people["olivia"],
        copy_from=campaign,
    )
    names = list(copy.activity_kinds.order_by("order", "id").values_list("name", flat=True))
    assert names == [k.name for k in kinds] + ["党史知识竞赛"]
