"""The people's-side settings and the API keys on a page, for the office only, every change in history."""

from taizhang.history.models import HistoryEntry
from taizhang.people.models import ApiKey, PeopleSettings


def test_the_office_changes_the_settings_and_the_history_keeps_it(people, login, campaign):
    client = login(people["olivia"])
    assert client.get(f"/c/{campaign.slug}/problems/settings/").status_code == 200
    assert not PeopleSettings.objects.exists()  # nothing written on a read
    response = client.post(
        f"/c/{campaign.slug}/problems/settings/",
        {"lookback_days": 60, "objection_days": 5, "submissions_per_hour": 3},
    )
    assert response.status_code == 302
    current = PeopleSettings.objects.get(campaign=campaign)
    assert (current.lookback_days, current.objection_days, current.submissions_per_hour) == (60, 5, 3)
    entry = HistoryEntry.objects.get(object_id=current.pk, action=HistoryEntry.Action.UPDATE)
    assert {c["field"] for c in entry.changes} == {"lookback_days", "objection_days", "submissions_per_hour"}
    bad = client.post(f"/c/{campaign.slug}/problems/settings/", {"lookback_days": -1, "objection_days": 5})
    assert bad.status_code == 400


def test_api_keys_are_made_and_deactivated_by_the_office_only(people, login, campaign):
    assert login(people["lily"]).get(f"/c/{campaign.slug}/problems/settings/").status_code == 403
    client = login(people["olivia"])
    response = client.post(f"/c/{campaign.slug}/problems/api-keys/", {"name": "12345热线"})
    assert response.status_code == 200
    key = ApiKey.objects.get(campaign=campaign)
    secret = response.context["secret"]
    assert ApiKey.opens(campaign, secret) and secret != key.key_hash
    assert secret in response.content.decode()  # shown once, on the answer
    assert secret not in client.get(f"/c/{campaign.slug}/problems/settings/").content.decode()
    assert not client.cookies.get("messages")  # not carried in a message cookie either
    client.post(f"/c/{campaign.slug}/problems/api-keys/{key.pk}/active/", {"active": "0"})
    key.refresh_from_db()
    assert not key.is_active
    assert HistoryEntry.objects.filter(object_id=key.pk, action=HistoryEntry.Action.DEACTIVATE).exists()
