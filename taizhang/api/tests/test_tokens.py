"""Tokens: stored hashed, shown once, expiring, revocable, scoped, rate-limited, never beyond their person."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from taizhang.api import actions
from taizhang.api.models import ApiToken, hash_secret
from taizhang.api.tests.conftest import ApiClient
from taizhang.orgs.models import RoleGrant

pytestmark = pytest.mark.django_db


def _soon():
    return timezone.localdate() + datetime.timedelta(days=10)


def test_only_the_hash_of_a_token_is_stored(people):
    token, secret = actions.create_personal_token(
        name="脚本", scope="read", expires_on=_soon(), acting_user=people["lily"]
    )
    row = ApiToken.objects.get(pk=token.pk)
    assert secret not in (row.key_hash, row.prefix) and row.key_hash == hash_secret(secret)
    assert secret.startswith(row.prefix)


def test_a_token_must_expire_within_a_year(people):
    with pytest.raises(ValidationError):
        actions.create_personal_token(
            name="x",
            scope="read",
            expires_on=timezone.localdate() + datetime.timedelta(days=400),
            acting_user=people["lily"],
        )


def test_an_expired_or_revoked_token_is_401(people, campaign, items):
    token, secret = actions.create_personal_token(
        name="x", scope="read", expires_on=_soon(), acting_user=people["lily"]
    )
    api = ApiClient(secret)
    url = f"/api/v1/c/{campaign.slug}/items/"
    assert api.get(url).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert api.get(url).status_code == 401
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + datetime.timedelta(days=1))
    actions.revoke_token(token, acting_user=people["lily"])
    assert api.get(url).status_code == 401


def test_a_token_loses_what_its_person_loses(people, campaign, items, org, integration_for):
    api, _token = integration_for(campaign, people["olivia"])
    url = f"/api/v1/c/{campaign.slug}/items/"
    assert api.post(url, {"code": "I-1", "title": "x", "owner_unit": org["hr"].pk}).status_code == 201
    RoleGrant.objects.filter(user=people["olivia"]).delete()
    assert api.post(url, {"code": "I-2", "title": "x", "owner_unit": org["hr"].pk}).status_code == 403


def test_an_integration_token_reaches_only_its_campaign_and_resources(people, campaign, items, org, integration_for):
    from taizhang.orgs.actions import grant_role
    from taizhang.testing.factories import make_campaign

    other = make_campaign("other")
    grant_role(user=people["olivia"], campaign=other, role="office")
    api, _token = integration_for(campaign, people["olivia"], resources=["progress"])
    assert api.get(f"/api/v1/c/{campaign.slug}/items/").status_code == 403  # items not among its resources
    assert api.get(f"/api/v1/c/{campaign.slug}/items/{items['oa'].pk}/progress/").status_code == 200
    assert api.get(f"/api/v1/c/{other.slug}/items/1/progress/").status_code == 403  # another campaign


def test_an_integration_token_is_rate_limited_and_its_last_use_shown(people, campaign, items, integration_for):
    api, token = integration_for(campaign, people["olivia"], rate_limit=3)
    url = f"/api/v1/c/{campaign.slug}/items/"
    assert [api.get(url).status_code for _ in range(4)] == [200, 200, 200, 429]
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_only_the_office_makes_integration_tokens(people, campaign):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.create_integration_token(
            campaign,
            name="x",
            scope="read",
            resources=["items"],
            expires_on=_soon(),
            rate_limit=10,
            acting_user=people["lily"],
        )


def test_a_person_makes_a_token_on_their_page_and_sees_it_once(people, login):
    client = login(people["lily"])
    response = client.post("/api/tokens/", {"name": "我的脚本", "scope": "read", "expires_on": _soon().isoformat()})
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret and secret in response.content.decode()
    again = client.get("/api/tokens/")
    assert secret not in again.content.decode() and "我的脚本" in again.content.decode()


def test_a_person_revokes_their_token_but_not_anothers(people, login):
    token, _secret = actions.create_personal_token(
        name="x", scope="read", expires_on=_soon(), acting_user=people["lily"]
    )
    assert login(people["bob"]).post(f"/api/tokens/{token.pk}/revoke/").status_code == 403
    assert login(people["lily"]).post(f"/api/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_office_makes_an_integration_token_on_the_campaigns_page(people, campaign, login):
    client = login(people["olivia"])
    response = client.post(
        f"/c/{campaign.slug}/api/tokens/",
        {"name": "OA", "scope": "write", "expires_on": _soon().isoformat(), "resources": ["items"], "rate_limit": 60},
    )
    assert response.status_code == 200 and response.context["secret"]
    token = ApiToken.objects.get(kind="integration")
    assert (token.campaign, token.resources, token.rate_limit) == (campaign, ["items"], 60)
    assert login(people["lily"]).get(f"/c/{campaign.slug}/api/tokens/").status_code == 403


def test_the_openapi_document_and_the_docs_page_are_served_from_our_own_files(client):
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.")
    operation = document["paths"]["/api/v1/c/{slug}/items/"]["post"]
    assert operation["x-taizhang-resource"] == "items" and operation["x-taizhang-write"] is True
    assert "application/problem+json" in operation["responses"]["422"]["content"]
    page = client.get("/api/v1/docs").content.decode()
    assert "cdn" not in page.lower() and "/static/ninja/swagger-ui-bundle.js" in page


def test_a_tokens_use_is_in_the_audit_log_once_a_minute(people, campaign, items, integration_for, time_machine):
    from taizhang.audit.models import AuditEvent

    api, _token = integration_for(campaign, people["olivia"], rate_limit=100)
    url = f"/api/v1/c/{campaign.slug}/items/"
    assert [api.get(url).status_code for _ in range(3)] == [200, 200, 200]
    uses = AuditEvent.objects.filter(kind=AuditEvent.Kind.TOKEN)
    assert list(uses.values_list("actor__username", flat=True)) == [people["olivia"].username]
    assert uses.get().detail["path"] == url
    time_machine.move_to(timezone.now() + datetime.timedelta(minutes=2), tick=True)
    assert api.get(url).status_code == 200
    assert uses.count() == 2
