"""People and roles on pages: the office adds, imports and grants; a liaison never sees these pages."""

from django.core.files.uploadedfile import SimpleUploadedFile

from taizhang.history.models import HistoryEntry
from taizhang.lib.xlsx import write_table
from taizhang.orgs import accounts
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


def _import_two(client, campaign):
    client.post(
        f"/c/{campaign.slug}/people/import/",
        {
            "file": _sheet(
                [
                    ["张三", "人力资源部", "13900000001", "联络员", ""],
                    ["李四", "集团办公室", "13900000002", "领导", ""],
                ]
            )
        },
    )


def _links(response) -> list[str]:
    import re

    return re.findall(r"/accounts/first-sign-in/([\w-]+)/", response.content.decode())


def test_imported_people_get_one_time_links_and_set_their_own_password(people, login, campaign, client):
    from taizhang.orgs.models import SignInLink

    office = login(people["olivia"])
    _import_two(office, campaign)
    listing = office.get(f"/c/{campaign.slug}/people/").content.decode()
    assert "sign-in-links-form" in listing
    sheet = office.post(f"/c/{campaign.slug}/people/sign-in-links/")
    assert sheet.status_code == 200 and sheet["Cache-Control"].startswith("max-age=0")
    tokens = _links(sheet)
    assert len(set(tokens)) == 2 and "13900000001" in sheet.content.decode()
    # Only hashes are kept: no token is in the database as it was printed.
    assert not SignInLink.objects.filter(token_hash__in=tokens).exists()
    token = tokens[0]
    zhang = SignInLink.objects.get(token_hash=accounts._token_hash(token)).user
    assert zhang.username in ("13900000001", "13900000002")
    assert HistoryEntry.objects.filter(object_id=zhang.pk, note_key__icontains="sign-in").exists()
    office.logout()
    url = f"/accounts/first-sign-in/{token}/"
    # Opening the link (a mail preview, a scanner) spends nothing.
    assert client.get(url).status_code == 200 and client.get(url).status_code == 200
    weak = client.post(url, {"new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 400
    assert client.get(url).status_code == 200  # a refused password does not spend the link
    done = client.post(url, {"new_password1": "红色之路-2026-go", "new_password2": "红色之路-2026-go"})
    assert done.status_code == 302
    zhang.refresh_from_db()
    assert zhang.check_password("红色之路-2026-go")
    assert client.get("/").wsgi_request.user == zhang
    # The same link a second time (a double click, a copy) finds it used, and changes nothing.
    again = client.post(url, {"new_password1": "another-pass-2026", "new_password2": "another-pass-2026"})
    assert again.status_code == 404
    zhang.refresh_from_db()
    assert zhang.check_password("红色之路-2026-go")
    assert HistoryEntry.objects.filter(object_id=zhang.pk, actor=zhang).count() == 1


def test_a_new_sheet_replaces_the_old_links_and_links_expire(people, login, campaign, client, settings):
    import datetime

    from django.utils import timezone

    from taizhang.orgs.models import SignInLink

    office = login(people["olivia"])
    _import_two(office, campaign)
    zhang = User.objects.get(username="13900000001")
    first = _links(office.post(f"/c/{campaign.slug}/people/sign-in-links/", {"users": zhang.pk}))
    second = _links(office.post(f"/c/{campaign.slug}/people/sign-in-links/", {"users": zhang.pk}))
    assert len(first) == len(second) == 1
    office.logout()
    assert client.get(f"/accounts/first-sign-in/{first[0]}/").status_code == 404
    assert client.get(f"/accounts/first-sign-in/{second[0]}/").status_code == 200
    SignInLink.objects.filter(user=zhang).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    expired = client.get(f"/accounts/first-sign-in/{second[0]}/")
    assert expired.status_code == 404 and "link-expired" in expired.content.decode()


def test_people_with_a_password_get_no_link_and_a_liaison_gets_no_sheet(people, login, campaign):
    office = login(people["olivia"])
    refused = office.post(f"/c/{campaign.slug}/people/sign-in-links/", {"users": people["lily"].pk})
    assert refused.status_code == 302  # lily has a password: nothing is issued
    from taizhang.orgs.models import SignInLink

    assert not SignInLink.objects.exists()
    assert login(people["lily"]).post(f"/c/{campaign.slug}/people/sign-in-links/").status_code == 403


def test_the_people_page_leads_to_the_directory_group_rules(people, login, campaign):
    page = login(people["olivia"]).get(f"/c/{campaign.slug}/people/").content.decode()
    assert f'href="/c/{campaign.slug}/sign-on/groups/"' in page
