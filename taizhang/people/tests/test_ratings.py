"""Ratings by the public: only for items put up for rating, through an unguessable link, one code one rating."""

import pytest
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from taizhang.history.recording import history_for
from taizhang.ledger import actions as ledger_actions
from taizhang.people import actions, ratings
from taizhang.people.models import RatingBallot, RatingInvitation
from taizhang.people.views import RATINGS_PER_ADDRESS_PER_HOUR, WRONG_CODES_PER_ADDRESS_PER_HOUR

PHONE = "13912345678"


@pytest.fixture
def done_item(people, items):
    item = items["oa"]
    ledger_actions.add_progress(item, percent=100, done="OA改版上线", acting_user=people["lily"])
    item.refresh_from_db()
    return item


def open_for_rating(item, office, n=5) -> RatingInvitation:
    return ratings.open_rating(item, ballots=n, acting_user=office)


def rate_url(invitation) -> str:
    return reverse("people:rate", args=[invitation.item.campaign.slug, invitation.token])


def codes(invitation) -> list[str]:
    return list(invitation.ballots.order_by("id").values_list("code", flat=True))


def test_an_item_not_put_up_for_rating_has_no_rating_page(client, campaign, items, done_item):
    # The old address by item id is gone, for every item: a guessed pk finds nothing.
    for item in items.values():
        assert client.get(f"/c/{campaign.slug}/rate/{item.pk}/").status_code == 404
        assert client.get(f"/c/{campaign.slug}/rate/{item.pk}/qr.svg").status_code == 404
    assert client.get(reverse("people:rate", args=[campaign.slug, "no-such-token-at-all"])).status_code == 404


def test_a_rating_link_works_only_in_its_campaign_and_while_open(client, people, campaign, done_item):
    invitation = open_for_rating(done_item, people["olivia"])
    page = client.get(rate_url(invitation))
    assert page.status_code == 200
    assert done_item.title in page.content.decode()
    assert client.get(reverse("people:rate", args=["another-campaign", invitation.token])).status_code == 404
    ratings.close_rating(done_item, acting_user=people["olivia"])
    assert client.get(rate_url(invitation)).status_code == 404
    assert client.post(rate_url(invitation), {"value": "satisfied", "ballot": codes(invitation)[0]}).status_code == 404
    assert done_item.ratings.count() == 0


def test_the_office_puts_an_item_up_for_rating_and_prints_slips(login, people, campaign, done_item):
    page_url = reverse("people:item_rating", args=[campaign.slug, done_item.pk])
    assert login(people["lily"]).post(page_url, {"count": 5}).status_code == 403
    assert login(people["leo"]).get(page_url).status_code == 403
    with pytest.raises(PermissionDenied):
        ratings.open_rating(done_item, ballots=5, acting_user=people["lily"])
    office = login(people["olivia"])
    assert office.post(page_url, {"count": 0}).status_code == 400
    assert office.post(page_url, {"count": 7}).status_code == 302
    invitation = RatingInvitation.objects.get(item=done_item)
    assert invitation.ballots.count() == 7 and len(invitation.token) >= 20 and str(done_item.pk) != invitation.token
    body = office.get(page_url).content.decode()
    assert rate_url(invitation) in body
    for code in codes(invitation):
        assert code in body  # one slip per code, each with its QR code
    qr = office.get(
        reverse("people:rate_qr", args=[campaign.slug, invitation.token]) + f"?ballot={codes(invitation)[0]}"
    )
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    item_page = office.get(reverse("ledger:item_detail", args=[campaign.slug, done_item.pk])).content.decode()
    assert page_url in item_page and reverse("people:rate_qr", args=[campaign.slug, invitation.token]) in item_page
    assert "Put up for rating with %(n)d new codes." in [e.note_key for e in history_for(done_item)]


def test_a_code_rates_once(client, people, done_item):
    invitation = open_for_rating(done_item, people["olivia"], n=2)
    first, second = codes(invitation)
    url = rate_url(invitation)
    assert client.post(url, {"value": "satisfied"}).status_code == 400  # no code, no rating
    assert client.post(url, {"value": "satisfied", "ballot": first.lower()}).status_code == 302
    again = Client().post(url, {"value": "dissatisfied", "ballot": first})
    assert again.status_code == 400
    assert "已经使用" in again.content.decode() or "already been used" in again.content.decode()
    assert client.post(url, {"value": "basic", "ballot": second}).status_code == 302
    assert sorted(done_item.ratings.values_list("value", flat=True)) == ["basic", "satisfied"]
    ballot = RatingBallot.objects.get(code=first)
    assert ballot.used_at is not None
    assert done_item.ratings.filter(voter=f"ballot:{ballot.pk}").count() == 1


def test_a_claimed_code_cannot_be_spent_twice_by_the_action(people, done_item):
    invitation = open_for_rating(done_item, people["olivia"], n=1)
    ballot = invitation.ballots.get()
    stale = RatingBallot.objects.select_related("invitation").get(pk=ballot.pk)
    actions.rate_item(done_item, value="satisfied", ballot=ballot)
    with pytest.raises(ValidationError):
        actions.rate_item(done_item, value="satisfied", ballot=stale)  # a second tab holding the same code
    assert done_item.ratings.count() == 1


def test_35_fresh_browsers_store_at_most_the_number_of_valid_codes(people, done_item):
    invitation = open_for_rating(done_item, people["olivia"], n=5)
    valid = codes(invitation)
    url = rate_url(invitation)
    statuses = []
    for i in range(35):
        browser = Client(REMOTE_ADDR=f"198.51.100.{i + 1}")  # fresh cookies and a fresh address each time
        data = {"value": "satisfied"}
        if i % 3 == 0:
            data["ballot"] = valid[i % len(valid)]  # the printed codes, passed around
        elif i % 3 == 1:
            data["ballot"] = f"GUESS{i:03d}"
        statuses.append(browser.post(url, data).status_code)
    assert done_item.ratings.count() == 5
    assert statuses.count(302) == 5
    assert not invitation.ballots.filter(used_at__isnull=True).exists()


def test_one_address_cannot_flood_an_item_even_with_codes(client, people, done_item):
    invitation = open_for_rating(done_item, people["olivia"], n=RATINGS_PER_ADDRESS_PER_HOUR + 1)
    url = rate_url(invitation)
    all_codes = codes(invitation)
    for code in all_codes[:-1]:
        client.cookies.clear()
        assert client.post(url, {"value": "satisfied", "ballot": code}).status_code == 302
    assert client.post(url, {"value": "satisfied", "ballot": all_codes[-1]}).status_code == 429
    assert done_item.ratings.count() == RATINGS_PER_ADDRESS_PER_HOUR


def test_wrong_codes_are_limited_in_the_shared_cache_across_processes_and_restarts(client, people, done_item):
    invitation = open_for_rating(done_item, people["olivia"], n=1)
    url = rate_url(invitation)
    for i in range(WRONG_CODES_PER_ADDRESS_PER_HOUR):
        assert client.post(url, {"value": "satisfied", "ballot": f"WRONG{i:03d}"}).status_code == 400
    assert client.post(url, {"value": "satisfied", "ballot": "WRONGXXX"}).status_code == 429
    # The count is a row in the database cache's table, not a variable in this process.
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM taizhang_cache")
        keys = [row[0] for row in cursor.fetchall()]
    assert any("people:badcode" in key for key in keys)
    # A new cache object (another worker, or the same one after a restart) sees the same count.
    restarted = DatabaseCache("taizhang_cache", {})
    assert isinstance(caches["default"], DatabaseCache)
    badcode_keys = [key for key in keys if "people:badcode" in key]
    assert restarted.get(badcode_keys[0].split(":", 2)[-1]) == WRONG_CODES_PER_ADDRESS_PER_HOUR + 1
    # Another address is counted on its own.
    other = Client(REMOTE_ADDR="203.0.113.9")
    assert other.post(url, {"value": "satisfied", "ballot": codes(invitation)[0]}).status_code == 302


def test_the_submitter_rates_through_the_status_page_by_tracking_code(client, people, campaign, done_item, items):
    demand = actions.submit_demand(campaign=campaign, data={"text": "OA系统太慢", "phone": PHONE})
    actions.link_demand(demand, done_item, acting_user=people["olivia"])
    page = client.get(reverse("people:track", args=[demand.tracking_code])).content.decode()
    url = reverse("people:track_rate", args=[demand.tracking_code, done_item.pk])
    assert url in page
    form = client.get(url)
    assert form.status_code == 200 and PHONE not in form.content.decode()
    assert client.post(url, {"value": "basic"}).status_code == 302
    assert Client().post(url, {"value": "satisfied"}).status_code == 400  # once per submitter, whatever the browser
    rating = done_item.ratings.get()
    assert rating.demand == demand and rating.voter == f"demand:{demand.pk}"
    # The code rates only the items its problem became.
    other = reverse("people:track_rate", args=[demand.tracking_code, items["welfare"].pk])
    assert client.get(other).status_code == 404
    assert client.get(reverse("people:track_rate", args=["NOSUCHCODE", done_item.pk])).status_code == 404


def test_a_published_item_put_up_for_rating_links_to_it_from_the_public_page(client, people, campaign, done_item):
    actions.publish_item(done_item, acting_user=people["olivia"])
    public = reverse("people:public_item", args=[campaign.slug, done_item.pk])
    assert 'id="public-rate-link"' not in client.get(public).content.decode()
    invitation = open_for_rating(done_item, people["olivia"])
    assert rate_url(invitation) in client.get(public).content.decode()
    ratings.close_rating(done_item, acting_user=people["olivia"])
    assert 'id="public-rate-link"' not in client.get(public).content.decode()


@pytest.mark.parametrize("token", ["%00abc", "x" * 300, "%E4%B8%AD%E6%96%87"])
def test_junk_rating_tokens_are_not_found(client, campaign, token):
    assert client.get(f"/c/{campaign.slug}/rate/{token}/").status_code == 404
    assert client.post(f"/c/{campaign.slug}/rate/{token}/", {"value": "satisfied"}).status_code == 404
