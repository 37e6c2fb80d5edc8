"""Role grants per campaign: a liaison speaks for a unit, a grant is held once, and giving or taking one is recorded."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from taizhang.history.models import HistoryEntry
from taizhang.history.recording import history_for
from taizhang.orgs.access import Access, can_manage_units
from taizhang.orgs.actions import grant_role, revoke_role
from taizhang.orgs.models import Role, RoleGrant
from taizhang.testing.factories import make_campaign, make_user


@pytest.fixture
def dora(org):
    return make_user("dora", name="邓新人", unit=org["hr"])


def test_a_liaison_must_be_given_a_unit(campaign, dora, people):
    with pytest.raises(ValidationError) as error:
        grant_role(user=dora, campaign=campaign, role=Role.LIAISON, acting_user=people["olivia"])
    assert error.value.messages == ["单位联络员必须指定单位。"]
    assert not RoleGrant.objects.filter(user=dora).exists()
    assert not history_for(dora).exists()


def test_the_database_refuses_a_liaison_without_a_unit(campaign, dora):
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleGrant.objects.create(user=dora, campaign=campaign, role=Role.LIAISON)


def test_granting_a_role_records_it_on_the_grant_and_the_person(campaign, dora, org, people):
    olivia = people["olivia"]
    grant = grant_role(user=dora, campaign=campaign, role=Role.LIAISON, unit=org["hr"], acting_user=olivia)

    [on_grant] = history_for(grant)
    [on_person] = history_for(dora)
    for entry in (on_grant, on_person):
        assert (entry.action, entry.actor, entry.campaign) == (HistoryEntry.Action.GRANT, olivia, campaign)
        assert entry.note == str(grant)
        assert "人力" in entry.note


def test_granting_a_role_again_keeps_one_grant_and_one_record(campaign, dora, org, people):
    first = grant_role(user=dora, campaign=campaign, role=Role.LIAISON, unit=org["hr"], acting_user=people["olivia"])
    again = grant_role(user=dora, campaign=campaign, role=Role.LIAISON, unit=org["hr"], acting_user=people["olivia"])

    assert again == first
    assert RoleGrant.objects.filter(user=dora).count() == 1
    assert history_for(dora).count() == 1


def test_a_liaison_may_speak_for_two_units(campaign, dora, org):
    grant_role(user=dora, campaign=campaign, role=Role.LIAISON, unit=org["hr"])
    grant_role(user=dora, campaign=campaign, role=Role.LIAISON, unit=org["office_dept"])
    access = Access.for_user(dora, campaign)
    assert {u.pk for u in access.liaison_units} == {org["hr"].pk, org["office_dept"].pk}


@pytest.mark.parametrize(("role", "with_unit"), [(Role.LEADER, False), (Role.LIAISON, True)])
def test_a_duplicate_grant_is_refused_by_validation_and_by_the_database(campaign, dora, org, role, with_unit):
    unit = org["hr"] if with_unit else None
    grant_role(user=dora, campaign=campaign, role=role, unit=unit)

    duplicate = RoleGrant(user=dora, campaign=campaign, role=role, unit=unit)
    with pytest.raises(ValidationError):
        duplicate.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    assert RoleGrant.objects.filter(user=dora).count() == 1


def test_the_same_role_in_another_campaign_is_another_grant(campaign, dora):
    other = make_campaign("2022")
    grant_role(user=dora, campaign=campaign, role=Role.LEADER)
    grant_role(user=dora, campaign=other, role=Role.LEADER)
    assert RoleGrant.objects.filter(user=dora).count() == 2


def test_revoking_a_role_is_recorded_on_the_person_and_takes_access_away(campaign, dora, org, people):
    olivia = people["olivia"]
    grant = grant_role(user=dora, campaign=campaign, role=Role.LIAISON, unit=org["hr"], acting_user=olivia)
    assert Access.for_user(dora, campaign).can_view
    label = str(grant)

    revoke_role(grant, acting_user=olivia)

    assert not RoleGrant.objects.filter(user=dora).exists()
    entry = history_for(dora).first()
    assert (entry.action, entry.actor, entry.campaign, entry.note) == (
        HistoryEntry.Action.REVOKE,
        olivia,
        campaign,
        label,
    )
    assert [e.action for e in history_for(dora)] == [HistoryEntry.Action.REVOKE, HistoryEntry.Action.GRANT]
    assert not Access.for_user(dora, campaign).can_view


def test_roles_in_one_campaign_give_nothing_in_another(campaign, people):
    other = make_campaign("2022")
    access = Access.for_user(people["olivia"], other)
    assert not access.can_view
    assert not access.is_office


def test_a_liaison_speaks_for_the_sub_units_of_its_unit_but_not_for_siblings(campaign, dora, org):
    grant_role(user=dora, campaign=campaign, role=Role.LIAISON, unit=org["subsidiary"])
    access = Access.for_user(dora, campaign)
    assert access.speaks_for(org["subsidiary"])
    assert access.speaks_for(org["hospital"])
    assert not access.speaks_for(org["hr"])
    assert not access.speaks_for(org["group"])


def test_a_liaison_of_a_deactivated_unit_speaks_for_nothing(campaign, dora, org, people):
    from taizhang.orgs.actions import set_unit_active

    grant_role(user=dora, campaign=campaign, role=Role.LIAISON, unit=org["hospital"])
    set_unit_active(org["hospital"], active=False, acting_user=people["olivia"], reason="划转")
    access = Access.for_user(dora, campaign)
    assert access.can_view
    assert not access.is_liaison
    assert not access.speaks_for(org["hospital"])


def test_only_an_office_grant_or_a_superuser_manages_the_tree(people):
    assert can_manage_units(people["olivia"])
    for name in ("lily", "bob", "leo", "charlie"):
        assert not can_manage_units(people[name])
    root = make_user("root")
    root.is_superuser = True
    assert can_manage_units(root)
