"""The office's page of directory groups → roles, and its dry run (with no directory switched on)."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from taizhang.history.models import HistoryEntry
from taizhang.orgs.models import Role, User
from taizhang.signon.directory import DirectoryEntry, sign_in
from taizhang.signon.models import GroupRule, Source

pytestmark = pytest.mark.django_db


def page(campaign):
    return reverse("signon:group_rules", args=[campaign.slug])


def as_(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_only_the_office_opens_the_page(people, campaign):
    assert as_(people["olivia"]).get(page(campaign)).status_code == 200
    for name in ("lily", "leo", "charlie"):
        assert as_(people[name]).get(page(campaign)).status_code == 403


def test_the_office_saves_a_rule_with_its_history_and_a_twin_is_refused(people, campaign):
    client = as_(people["olivia"])
    response = client.post(page(campaign), {"group": " Leaders ", "role": Role.LEADER, "do": "save"})
    assert response.status_code == 302
    rule = GroupRule.objects.get()
    assert (rule.group, rule.role, rule.created_by) == ("Leaders", Role.LEADER, people["olivia"])
    assert HistoryEntry.objects.filter(object_id=rule.pk, action=HistoryEntry.Action.CREATE).exists()
    twin = client.post(page(campaign), {"group": "leaders", "role": Role.LEADER, "do": "save"})
    assert twin.status_code == 400 and GroupRule.objects.count() == 1
    odd = client.post(page(campaign), {"group": "x", "role": Role.LEADER, "unit": people["lily"].unit.pk, "do": "save"})
    assert odd.status_code == 400


def test_the_dry_run_lists_who_would_gain_and_lose_and_saves_nothing(people, campaign, org):
    GroupRule.objects.create(
        campaign=campaign, group="old-leaders", role=Role.LEADER, created_by=people["olivia"], created_at=timezone.now()
    )
    entry = DirectoryEntry(
        source=Source.OIDC,
        external_id="s-1",
        username="qianba",
        name="钱八",
        unit_name="办公室",
        groups=["old-leaders"],
    )
    assert sign_in(entry).grants.filter(role=Role.LEADER).exists()
    GroupRule.objects.all().delete()
    response = as_(people["olivia"]).post(
        page(campaign), {"group": "old-leaders", "role": Role.LIAISON, "do": "dry_run"}
    )
    assert response.status_code == 200
    (row,) = response.context["rows"]
    assert row.username == "qianba" and row.unit == org["office_dept"]
    assert row.add and row.add[0].endswith("办公室") and row.remove and not row.keep
    assert not GroupRule.objects.exists()
    assert User.objects.get(username="qianba").grants.filter(role=Role.LEADER).exists()
    assert "钱八" in response.content.decode()


def test_removing_a_rule_is_for_the_office_of_its_campaign(people, campaign):
    rule = GroupRule.objects.create(
        campaign=campaign, group="g", role=Role.LEADER, created_by=people["olivia"], created_at=timezone.now()
    )
    url = reverse("signon:group_rule_remove", args=[campaign.slug, rule.pk])
    assert as_(people["leo"]).post(url).status_code == 403
    assert as_(people["olivia"]).post(url).status_code == 302
    assert not GroupRule.objects.exists()
