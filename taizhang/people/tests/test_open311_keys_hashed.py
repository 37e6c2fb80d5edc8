"""Open311 keys are kept as hashes: a key made before the change still opens after it, its text is gone."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from taizhang.people.models import ApiKey, hash_api_key

BEFORE = [("people", "0003_rating_invitations_and_shared_cache")]


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def leaves() -> list:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_a_key_stored_plain_before_the_migration_still_opens_and_is_no_longer_stored(campaign):
    migrate(BEFORE)
    try:
        old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
        OldKey = old.get_model("people", "ApiKey")
        OldKey.objects.create(campaign_id=campaign.pk, name="12345热线", key="plain-key-made-before")
        OldKey.objects.create(campaign_id=campaign.pk, name="旧机器人", key="another-plain-key")
    finally:
        migrate(leaves())
    key = ApiKey.objects.get(name="12345热线")
    assert (key.prefix, key.key_hash) == ("plai", hash_api_key("plain-key-made-before"))
    assert ApiKey.opens(campaign, "plain-key-made-before")
    assert ApiKey.opens(campaign, "another-plain-key")
    assert not ApiKey.opens(campaign, "plain-key-made-before-not")
    columns = [c.name for c in connection.introspection.get_table_description(connection.cursor(), "people_apikey")]
    assert "key" not in columns


@pytest.mark.django_db
def test_a_key_opens_only_its_campaign_while_active(campaign):
    from taizhang.campaigns.models import Campaign

    other_campaign = Campaign.objects.create(
        slug="other", name="别的活动", starts_on=campaign.starts_on, ends_on=campaign.ends_on
    )
    key, secret = ApiKey.issue(campaign, "WeCom bot")
    assert secret not in (key.key_hash, key.prefix) and secret.startswith(key.prefix)
    assert ApiKey.opens(campaign, secret)
    assert not ApiKey.opens(other_campaign, secret)
    key.is_active = False
    key.save()
    assert not ApiKey.opens(campaign, secret)


@pytest.mark.django_db
def test_a_row_made_without_issue_opens_nothing(campaign):
    ApiKey.objects.create(campaign=campaign, name="admin")
    assert not ApiKey.opens(campaign, "")
    assert not ApiKey.objects.filter(key_hash=hash_api_key("")).exists()
