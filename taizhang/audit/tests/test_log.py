"""The audit log: sign-ins, failures, permission changes, downloads, admin changes; the office's page; append-only."""

import json

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from taizhang.audit import chain
from taizhang.audit.log import record_token_use
from taizhang.audit.models import AuditEvent
from taizhang.ledger import actions as ledger_actions
from taizhang.ledger.models import Item
from taizhang.lib.xlsxread import read_workbook
from taizhang.orgs.actions import grant_role, revoke_role
from taizhang.orgs.models import Role, RoleGrant
from taizhang.people import actions as people_actions
from taizhang.people.models import Demand, Rating

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"


def events(kind):
    return list(AuditEvent.objects.filter(kind=kind).order_by("id"))


def test_sign_in_sign_out_and_a_failed_sign_in_are_logged_with_the_address(client, people):
    client.post(reverse("login"), {"username": "lily", "password": "wrong"}, REMOTE_ADDR="203.0.113.7")
    client.post(reverse("login"), {"username": "lily", "password": PASSWORD}, REMOTE_ADDR="203.0.113.7")
    client.post(reverse("logout"), REMOTE_ADDR="203.0.113.7")
    (failed,) = events(AuditEvent.Kind.LOGIN_FAILED)
    assert (failed.username, failed.address, failed.actor) == ("lily", "203.0.113.7", None)
    (login,) = events(AuditEvent.Kind.LOGIN)
    assert (login.actor, login.address) == (people["lily"], "203.0.113.7")
    (logout,) = events(AuditEvent.Kind.LOGOUT)
    assert logout.actor == people["lily"]


def test_a_role_granted_and_revoked_is_a_permission_change_with_who_did_it(campaign, people):
    grant = grant_role(user=people["charlie"], campaign=campaign, role=Role.LEADER, acting_user=people["olivia"])
    revoke_role(grant, acting_user=people["olivia"])
    charlie = f"user#{people['charlie'].pk}"
    granted, revoked = [e for e in events(AuditEvent.Kind.PERMISSION) if e.what.endswith(charlie)]
    assert granted.actor == revoked.actor == people["olivia"]
    assert granted.campaign == campaign
    assert "陈外人" in granted.detail["note"]
    assert not RoleGrant.objects.filter(user=people["charlie"]).exists()


def test_a_download_is_logged_with_who_and_what(client, campaign, people, items):
    client.force_login(people["olivia"])
    response = client.get(reverse("ledger:item_export", args=[campaign.slug]), REMOTE_ADDR="198.51.100.2")
    assert response.status_code == 200
    (download,) = events(AuditEvent.Kind.DOWNLOAD)
    assert download.actor == people["olivia"]
    assert download.what == reverse("ledger:item_export", args=[campaign.slug])
    assert download.address == "198.51.100.2"
    assert download.detail["file"].endswith(".xlsx")


def test_an_admin_change_is_logged(people):
    olivia = people["olivia"]
    LogEntry.objects.log_actions(
        user_id=olivia.pk, queryset=[people["bob"]], action_flag=CHANGE, change_message="改了姓名", single_object=True
    )
    (change,) = events(AuditEvent.Kind.ADMIN)
    assert (change.actor == olivia and "bob" in change.what.lower()) or "包联络" in change.what


def test_token_use_is_logged_through_the_function_the_api_calls(people, rf):
    request = rf.get("/api/v1/items/", REMOTE_ADDR="192.0.2.9")
    record_token_use(user=people["lily"], token_name="OA 接口", scope="read", request=request)
    (used,) = events(AuditEvent.Kind.TOKEN)
    assert (used.actor, used.what, used.address, used.detail["scope"]) == (
        people["lily"],
        "OA 接口",
        "192.0.2.9",
        "read",
    )


def test_the_audit_log_cannot_be_changed_or_deleted_through_the_orm(people, rf):
    event = record_token_use(user=people["lily"], token_name="x")
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.filter(pk=event.pk).update(what="y")
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.all().delete()
    with pytest.raises(PermissionDenied):
        event.delete()
    event.what = "y"
    with pytest.raises(PermissionDenied):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).what == "x"


def test_the_office_filters_the_log_and_exports_what_it_filtered(client, campaign, people):
    client.post(reverse("login"), {"username": "bob", "password": "wrong"})
    client.force_login(people["olivia"])
    page = client.get(reverse("audit:event_list"), {"kind": "login_failed"})
    assert page.status_code == 200
    assert [e.username for e in page.context["page"]] == ["bob"]
    assert client.get(reverse("audit:event_list"), {"kind": "nonsense"}).status_code == 400
    export = client.get(reverse("audit:event_export"), {"kind": "login_failed"})
    sheet = read_workbook(export.content, "audit.xlsx").sheets[0]
    assert [row[2] for row in sheet.rows[2:]] == ["bob"]
    # The export is a download like any other, and is in the log itself.
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.DOWNLOAD, actor=people["olivia"]).count() == 1


def test_a_liaison_does_not_read_the_audit_log(client, people):
    client.force_login(people["lily"])
    assert client.get(reverse("audit:event_list")).status_code == 403
    assert client.get(reverse("audit:person_data")).status_code == 403


# A person's own data ---------------------------------------------------------------------


@pytest.fixture
def rated_demand(campaign, people, items):
    demand = people_actions.submit_demand(
        campaign=campaign,
        data={"text": "食堂排队太久，我叫王芳", "name": "王芳", "phone": "138-0013-8000", "email": "wf@example.com"},
    )
    item = items["oa"]
    people_actions.link_demand(demand, item, acting_user=people["olivia"])
    ledger_actions.add_progress(item, percent=100, done="完成", acting_user=people["lily"])
    people_actions.rate_item(Item.objects.get(pk=item.pk), value="satisfied", comment="王芳很满意", demand=demand)
    return demand


def test_the_office_exports_everything_about_a_person_by_phone(client, people, rated_demand):
    client.force_login(people["olivia"])
    found = client.get(reverse("audit:person_data"), {"who": "13800138000"})
    assert rated_demand.tracking_code in found.content.decode()
    response = client.post(reverse("audit:person_data"), {"who": rated_demand.tracking_code, "action": "export"})
    document = json.loads(b"".join(response.streaming_content) if response.streaming else response.content)
    (row,) = document["data"]["people"]
    assert (row["name"], row["phone"], row["ratings"][0]["comment"]) == ("王芳", "138-0013-8000", "王芳很满意")
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PERSONAL, actor=people["olivia"]).count() == 1


def test_anonymising_a_person_keeps_every_figure_and_the_chain(client, campaign, people, items, rated_demand):
    people_actions.rate_item(Item.objects.get(pk=items["oa"].pk), value="basic", voter="cookie:9")  # someone else
    client.force_login(people["olivia"])
    refused = client.post(reverse("audit:person_data"), {"who": rated_demand.tracking_code, "action": "anonymise"})
    assert refused.status_code == 400  # not confirmed
    assert Demand.objects.get(pk=rated_demand.pk).name == "王芳"
    client.post(
        reverse("audit:person_data"), {"who": rated_demand.tracking_code, "action": "anonymise", "confirm": "yes"}
    )
    demand = Demand.objects.get(pk=rated_demand.pk)
    assert (demand.name, demand.phone, demand.email) == ("", "", "")
    assert "王芳" not in demand.text
    assert demand.status == rated_demand.status and list(demand.items.all()) == [items["oa"]]
    rating = Rating.objects.get(demand=demand)
    assert (rating.value, rating.comment) == ("satisfied", "")
    assert Rating.objects.filter(item=items["oa"]).count() == 2
    assert chain.verify(campaign) == []  # the ratings' values are chained, their comments are not
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PERSONAL, what__startswith="anonymise").count() == 1


def test_an_office_finds_no_one_in_another_campaign(client, people, rated_demand):
    from taizhang.testing.factories import make_campaign, make_user

    other = make_campaign("other")
    stranger = make_user("stella")
    grant_role(user=stranger, campaign=other, role=Role.OFFICE)
    client.force_login(stranger)
    page = client.get(reverse("audit:person_data"), {"who": rated_demand.tracking_code})
    assert page.context["found"] == {}


def test_evidence_is_read_only_in_the_admin(client, people, items):
    from taizhang.acceptance import actions as acceptance_actions

    ledger_actions.add_progress(items["oa"], percent=100, done="完成", acting_user=people["lily"])
    acceptance = acceptance_actions.record_acceptance(
        items["oa"], data={"checkers": "欧阳办", "result": "passed"}, acting_user=people["olivia"]
    )
    admin_user = people["olivia"]
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    change = reverse("admin:acceptance_acceptance_change", args=[acceptance.pk])
    assert client.get(change).status_code == 200  # to look at
    assert client.post(change, {"checkers": "改过"}).status_code == 403
    delete = reverse("admin:acceptance_acceptance_delete", args=[acceptance.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert type(acceptance).objects.get(pk=acceptance.pk).checkers == "欧阳办"
