"""Signing in through a real OpenID provider: the tests' own, on a loopback port (oidc_provider.py)."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from taizhang.orgs.models import Role, RoleGrant, User
from taizhang.signon.models import DirectoryAccount, GroupRule

pytestmark = pytest.mark.django_db

WECOM_PERSON = {
    "preferred_username": "sunqi",
    "name": "孙七",
    "email": "sunqi@example.org",
    "department": "人力资源部",
    "groups": ["taizhang-office"],
}


def sign_in_at_provider(client: Client, provider, subject: str, *, next_url: str = ""):
    """Start at taizhang, let the provider sign the person in, come back with the code; the callback's response."""
    provider.signing_in = subject
    start = reverse("signon:oidc_start") + (f"?next={next_url}" if next_url else "")
    to_provider = client.get(start)
    assert to_provider.status_code == 302
    assert to_provider["Location"].startswith(provider.base + "/authorize?")
    back = requests.get(to_provider["Location"], allow_redirects=False, timeout=5)
    assert back.status_code == 302
    location = urlsplit(back.headers["Location"])
    assert location.path == reverse("signon:oidc_callback")
    return client.get(location.path, {k: v[0] for k, v in parse_qs(location.query).items()})


def test_it_makes_the_person_on_first_sign_in_with_their_unit_and_roles(oidc_on, people, campaign, org):
    GroupRule.objects.create(
        campaign=campaign,
        group="taizhang-office",
        role=Role.OFFICE,
        created_by=people["olivia"],
        created_at=timezone.now(),
    )
    oidc_on.people["wecom-0001"] = WECOM_PERSON
    client = Client()
    response = sign_in_at_provider(client, oidc_on, "wecom-0001")
    assert response.status_code == 302 and response["Location"] == reverse("campaigns:home")
    user = User.objects.get(username="sunqi")
    assert (user.name, user.email, user.unit) == ("孙七", "sunqi@example.org", org["hr"])
    assert DirectoryAccount.objects.get(user=user).external_id == "wecom-0001"
    assert RoleGrant.objects.filter(user=user, campaign=campaign, role=Role.OFFICE).exists()
    assert client.get(reverse("signon:group_rules", args=[campaign.slug])).status_code == 200


def test_the_same_subject_is_the_same_person_after_a_rename(oidc_on, people):
    oidc_on.people["wecom-0002"] = {**WECOM_PERSON, "preferred_username": "sunqi"}
    sign_in_at_provider(Client(), oidc_on, "wecom-0002")
    oidc_on.people["wecom-0002"] = {**WECOM_PERSON, "preferred_username": "sunqi2", "name": "孙七七"}
    sign_in_at_provider(Client(), oidc_on, "wecom-0002")
    assert User.objects.filter(directory_account__external_id="wecom-0002").get().name == "孙七七"
    assert User.objects.filter(username__startswith="sunqi").count() == 1


def test_a_forged_callback_signs_no_one_in(oidc_on, people):
    client = Client()
    client.get(reverse("signon:oidc_start"))
    response = client.get(reverse("signon:oidc_callback"), {"code": "made-up", "state": "made-up"})
    assert response.status_code in (302, 400)
    assert "_auth_user_id" not in client.session
    assert not DirectoryAccount.objects.exists()


def test_a_local_account_of_the_same_name_is_not_taken_over(oidc_on, people):
    oidc_on.people["wecom-0003"] = {**WECOM_PERSON, "preferred_username": "olivia"}
    client = Client()
    response = sign_in_at_provider(client, oidc_on, "wecom-0003")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


def test_the_login_page_offers_the_provider_only_when_it_is_on(oidc_on, settings):
    assert "企业微信" in Client().get(reverse("login")).content.decode()
    settings.TAIZHANG_OIDC_ENABLED = False
    assert "login-oidc-button" not in Client().get(reverse("login")).content.decode()
    assert Client().get(reverse("signon:oidc_start")).status_code == 404
    assert Client().get(reverse("signon:oidc_callback")).status_code == 404
