"""Signing in with directory accounts against a real slapd (started by the fixtures on a loopback port)."""

import pytest
from django.contrib.auth import authenticate
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from taizhang.orgs.models import Role, RoleGrant, User
from taizhang.signon.ldap import directory_entries
from taizhang.signon.models import DirectoryAccount, GroupRule, MappedGrant

pytestmark = pytest.mark.django_db


def rule(campaign, group, role, unit=None, by=None):
    return GroupRule.objects.create(
        campaign=campaign, group=group, role=role, unit=unit, created_by=by, created_at=timezone.now()
    )


def log_in(username, password):
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password})
    return client, response


def test_it_makes_the_person_on_first_sign_in_in_the_unit_their_entry_names(ldap_on, people, org):
    client, response = log_in("zhangsan", "zhangsan-pw-1")
    assert response.status_code == 302
    user = User.objects.get(username="zhangsan")
    assert (user.name, user.email, user.phone, user.unit) == (
        "张三",
        "zhangsan@example.org",
        "13800000001",
        org["office_dept"],
    )
    assert not user.has_usable_password()
    account = DirectoryAccount.objects.get(user=user)
    assert account.external_id == "uid=zhangsan,ou=people,dc=example,dc=org"
    assert "taizhang-office" in account.groups
    assert client.get(reverse("campaigns:home")).status_code == 200


def test_a_wrong_directory_password_is_refused_and_counted(ldap_on, people):
    _client, response = log_in("zhangsan", "wrong-password")
    assert response.status_code == 200
    assert not User.objects.filter(username="zhangsan").exists()
    from axes.models import AccessAttempt

    assert AccessAttempt.objects.filter(username="zhangsan").exists()


def test_group_rules_give_roles_and_take_back_only_their_own(ldap_on, people, campaign, org):
    olivia = people["olivia"]
    rule(campaign, "taizhang-office", Role.OFFICE, by=olivia)
    rule(campaign, "cn=taizhang-liaisons,ou=groups,dc=example,dc=org", Role.LIAISON, by=olivia)
    leaders = rule(campaign, "Leaders", Role.LEADER, by=olivia)  # names are matched regardless of case
    log_in("zhangsan", "zhangsan-pw-1")
    log_in("lisi", "lisi-pw-1")
    zhangsan, lisi = User.objects.get(username="zhangsan"), User.objects.get(username="lisi")
    assert set(RoleGrant.objects.filter(user=zhangsan).values_list("role", "unit")) == {
        (Role.OFFICE, None),
        (Role.LIAISON, org["office_dept"].pk),
    }
    assert set(RoleGrant.objects.filter(user=lisi).values_list("role", "unit")) == {
        (Role.LIAISON, org["hr"].pk),
        (Role.LEADER, None),
    }
    # A role the office gave by hand is never taken away by a sign-in; the rule's own are.
    from taizhang.orgs.actions import grant_role

    grant_role(user=lisi, campaign=campaign, role=Role.ASSESSOR, acting_user=olivia)
    leaders.delete()
    log_in("lisi", "lisi-pw-1")
    assert set(RoleGrant.objects.filter(user=lisi).values_list("role", flat=True)) == {Role.LIAISON, Role.ASSESSOR}
    assert MappedGrant.objects.filter(grant__user=lisi).count() == 1


def test_a_liaison_rule_without_a_unit_skips_people_the_directory_places_nowhere(ldap_on, people, campaign):
    rule(campaign, "taizhang-liaisons", Role.LIAISON, by=people["olivia"])
    _client, response = log_in("wangwu", "wangwu-pw-1")
    assert response.status_code == 302  # signed in, in no unit
    wangwu = User.objects.get(username="wangwu")
    assert wangwu.unit is None
    assert not RoleGrant.objects.filter(user=wangwu).exists()


def test_a_local_account_is_not_taken_over_by_a_directory_entry_of_its_name(ldap_on, people):
    _client, response = log_in("olivia", "olivia-directory-pw")
    assert response.status_code == 200
    assert not DirectoryAccount.objects.exists()
    # the break-glass account keeps working with its own password
    _client, response = log_in("olivia", "pw-for-tests-1")
    assert response.status_code == 302


def test_local_accounts_sign_in_with_ldap_on_and_off(ldap_on, people, settings, rf):
    request = rf.post(reverse("login"))
    assert authenticate(request, username="leo", password="pw-for-tests-1") == people["leo"]
    assert authenticate(request, username="zhangsan", password="zhangsan-pw-1").username == "zhangsan"
    settings.AUTHENTICATION_BACKENDS = [b for b in settings.AUTHENTICATION_BACKENDS if "ldap" not in b]
    assert authenticate(request, username="zhangsan", password="zhangsan-pw-1") is None
    assert authenticate(request, username="leo", password="pw-for-tests-1") == people["leo"]


def test_the_directory_lists_its_people_with_their_groups(ldap_on):
    entries = {entry.username: entry for entry in directory_entries()}
    assert set(entries) == {"zhangsan", "lisi", "wangwu", "olivia", "zhaoliu"}
    assert entries["zhaoliu"].unit_name == "八一骨科医院"
    assert "taizhang-liaisons" in entries["zhaoliu"].groups
    assert "cn=leaders,ou=groups,dc=example,dc=org" in entries["lisi"].groups


def test_the_dry_run_shows_people_not_signed_in_yet_and_writes_nothing(ldap_on, people, campaign, org):
    client = Client()
    client.force_login(people["olivia"])
    url = reverse("signon:group_rules", args=[campaign.slug])
    response = client.post(url, {"group": "taizhang-liaisons", "role": Role.LIAISON, "do": "dry_run"})
    assert response.status_code == 200
    rows = {row.username: row for row in response.context["rows"]}
    assert rows["zhaoliu"].user is None and rows["zhaoliu"].unit == org["hospital"]
    assert len(rows["zhaoliu"].add) == 1 and rows["zhaoliu"].add[0].endswith("八一骨科医院")
    assert rows["wangwu"].unplaced  # a liaison, but of no unit known here
    assert not GroupRule.objects.exists() and not User.objects.filter(username="zhaoliu").exists()
