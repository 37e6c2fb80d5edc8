"""People and roles on pages: the office adds, imports and grants; a liaison never sees these pages."""

from django.core.files.uploadedfile import SimpleUploadedFile

from taizhang.history.models import HistoryEntry
from taizhang.lib.xlsx import write_table
from taizhang.orgs.models import ContactPoint, Role, RoleGrant, User


def _sheet(rows) -> SimpleUploadedFile:
    content = write_table(
        sheet_name="用户",
        title="用户名单",
        headers=["姓名", "单位", "手机", "角色", "邮箱"],
        widths=[10] * 5,
        rows=rows,
    )
    return SimpleUploadedFile("users.xlsx", content)


def test_a_liaison_is_refused_every_people_page(people, login, campaign):
    client = login(people["lily"])
    for url in ("people/", "people/new/", "people/import/", "contact-points/"):
        assert client.get(f"/c/{campaign.slug}/{url}").status_code == 403


def test_the_office_adds_a_person_with_a_role_and_the_history_says_so(people, login, campaign, org):
    client = login(people["olivia"])
    response = client.post(
        f"/c/{campaign.slug}/people/new/",
        {
            "username": "wangfang",
            "name": "王芳",
            "unit": org["hr"].pk,
            "phone": "13800000009",
            "email": "wf@example.com",
            "password": "a-long-password",
            "role": Role.LIAISON,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="wangfang")
    assert user.check_password("a-long-password")
    assert RoleGrant.objects.filter(user=user, campaign=campaign, role=Role.LIAISON, unit=org["hr"]).exists()
    assert HistoryEntry.objects.filter(object_id=user.pk, action=HistoryEntry.Action.CREATE).exists()
    listed = client.get(f"/c/{campaign.slug}/people/").content.decode()
    assert "王芳" in listed


def test_an_import_with_a_bad_row_writes_nothing_and_names_the_row(people, login, campaign):
    client = login(people["olivia"])
    before = User.objects.count()
    response = client.post(
        f"/c/{campaign.slug}/people/import/",
        {
            "file": _sheet(
                [["张三", "人力资源部", "13900000001", "联络员", ""], ["李四", "不存在的部门", "13900000002", "", ""]]
            )
        },
    )
    assert response.status_code == 400
    assert "不存在的部门" in response.content.decode()
    assert User.objects.count() == before


def test_an_import_adds_people_and_grants_their_roles(people, login, campaign, org):
    client = login(people["olivia"])
    response = client.post(
        f"/c/{campaign.slug}/people/import/",
        {
            "file": _sheet(
                [
                    ["张三", "人力资源部", "13900000001", "联络员", "zs@example.com"],
                    ["李四", "集团办公室", "13900000002", "领导", ""],
                ]
            )
        },
    )
    assert response.status_code == 302
    zhang = User.objects.get(username="13900000001")
    assert not zhang.has_usable_password()
    assert RoleGrant.objects.get(user=zhang, campaign=campaign).unit == org["hr"]
    assert RoleGrant.objects.get(user__username="13900000002", campaign=campaign).role == Role.LEADER


def test_roles_are_granted_in_bulk_and_revoked_one_by_one(people, login, campaign, org):
    client = login(people["olivia"])
    response = client.post(
        f"/c/{campaign.slug}/people/grant/",
        {
            "users": [people["charlie"].pk, people["leo"].pk],
            "role": Role.LIAISON,
            "units": [org["hr"].pk, org["hospital"].pk],
        },
    )
    assert response.status_code == 302
    grants = RoleGrant.objects.filter(campaign=campaign, role=Role.LIAISON, user__in=[people["charlie"], people["leo"]])
    assert grants.count() == 4
    grant = grants.first()
    assert client.post(f"/c/{campaign.slug}/people/grants/{grant.pk}/revoke/").status_code == 302
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()
    assert HistoryEntry.objects.filter(object_id=grant.user_id, action=HistoryEntry.Action.REVOKE).exists()


def test_contact_points_are_added_and_removed(people, login, campaign, org):
    client = login(people["olivia"])
    response = client.post(
        f"/c/{campaign.slug}/contact-points/", {"leader": people["leo"].pk, "units": [org["hr"].pk, org["hospital"].pk]}
    )
    assert response.status_code == 302
    assert ContactPoint.objects.filter(campaign=campaign, leader=people["leo"]).count() == 2
    point = ContactPoint.objects.first()
    assert client.post(f"/c/{campaign.slug}/contact-points/{point.pk}/remove/").status_code == 302
    assert ContactPoint.objects.filter(campaign=campaign).count() == 1
