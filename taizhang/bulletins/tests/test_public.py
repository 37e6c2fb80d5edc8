import pytest
from django.urls import reverse
from lxml import etree

from taizhang.bulletins import actions
from taizhang.bulletins.models import Practice

from .conftest import png_upload

pytestmark = pytest.mark.django_db

CASE_STATES = ["draft", "submitted", "returned", "accepted", "published"]
ISSUE_STATES = ["draft", "signed", "published"]


@pytest.fixture
def case_in(make_case, people):
    def _make(state):
        practice = make_case(f"状态{state}的案例", status="draft")
        actions.add_photo(practice, upload=png_upload(), acting_user=people["lily"])
        if state == "draft":
            return practice
        actions.submit_practice(practice, acting_user=people["lily"])
        if state == "returned":
            return actions.return_practice(practice, comment="改", acting_user=people["olivia"])
        if state == "submitted":
            return practice
        actions.accept_practice(practice, acting_user=people["olivia"])
        if state == "accepted":
            return practice
        return actions.publish_practice(practice, acting_user=people["olivia"])

    return _make


@pytest.mark.parametrize("state", CASE_STATES)
def test_anonymous_reaches_a_case_only_when_published(client, campaign, case_in, state):
    practice = case_in(state)
    photo = practice.photos.get()
    urls = [
        reverse("bulletins:public_practice", args=[campaign.slug, practice.pk]),
        reverse("bulletins:public_photo", args=[campaign.slug, practice.pk, photo.pk]),
    ]
    expected = 200 if state == "published" else 404
    for url in urls:
        assert client.get(url).status_code == expected, url
    assert client.post(reverse("bulletins:public_practice_read", args=[campaign.slug, practice.pk])).status_code == (
        204 if state == "published" else 404
    )
    # The app's own pages want a login, whatever the state.
    for name, args in (("practice_detail", [practice.pk]), ("photo", [practice.pk, photo.pk])):
        response = client.get(reverse(f"bulletins:{name}", args=[campaign.slug, *args]))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    index = client.get(reverse("bulletins:public_bulletins", args=[campaign.slug])).content.decode()
    feed = client.get(reverse("bulletins:public_feed", args=[campaign.slug])).content.decode()
    assert (practice.title in index) == (state == "published")
    assert (practice.title in feed) == (state == "published")


@pytest.mark.parametrize("state", ISSUE_STATES)
def test_anonymous_reaches_an_issue_only_when_published(client, campaign, make_issue, state):
    bulletin = make_issue(status=state)
    args = [campaign.slug, bulletin.year, bulletin.number]
    expected = 200 if state == "published" else 404
    assert client.get(reverse("bulletins:public_bulletin", args=args)).status_code == expected
    assert client.get(reverse("bulletins:public_bulletin_pdf", args=args)).status_code == expected
    for name in ("bulletin_detail", "bulletin_download"):
        extra = ["pdf"] if name == "bulletin_download" else []
        response = client.get(reverse(f"bulletins:{name}", args=[campaign.slug, bulletin.pk, *extra]))
        assert response.status_code == 302
    index = client.get(reverse("bulletins:public_bulletins", args=[campaign.slug])).content.decode()
    assert (bulletin.issue_label in index) == (state == "published")


def test_public_issue_page_shows_cases_with_public_photo_urls(client, campaign, make_case, people, make_issue):
    practice = make_case("公开案例")
    photo = actions.add_photo(practice, upload=png_upload(), acting_user=people["lily"])
    actions.submit_practice(practice, acting_user=people["lily"])
    practice = actions.accept_practice(practice, acting_user=people["olivia"])
    bulletin = make_issue(status="published", cases=[practice])
    html = client.get(
        reverse("bulletins:public_bulletin", args=[campaign.slug, bulletin.year, bulletin.number])
    ).content.decode()
    assert "公开案例" in html and "李校对、赵校对" in html
    assert reverse("bulletins:public_photo", args=[campaign.slug, practice.pk, photo.pk]) in html
    assert reverse("bulletins:photo", args=[campaign.slug, practice.pk, photo.pk]) not in html
    # Publishing the issue published its case.
    assert client.get(reverse("bulletins:public_practice", args=[campaign.slug, practice.pk])).status_code == 200


def test_the_feed_is_atom_with_issues_and_cases(client, campaign, make_issue):
    bulletin = make_issue(status="published")
    response = client.get(reverse("bulletins:public_feed", args=[campaign.slug]))
    assert response["Content-Type"].startswith("application/atom+xml")
    root = etree.fromstring(response.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [t.text for t in root.findall("a:entry/a:title", ns)]
    assert f"信息简报 {bulletin.issue_label}" in titles
    assert any("食堂" in t for t in titles)
    links = [link.get("href") for link in root.findall("a:entry/a:link", ns)]
    assert any(f"/public/bulletins/{bulletin.year}/{bulletin.number}/" in h for h in links)


def test_the_public_page_links_to_bulletins_and_the_index_to_the_feed(client, campaign):
    page = client.get(reverse("people:public_list", args=[campaign.slug])).content.decode()
    assert reverse("bulletins:public_bulletins", args=[campaign.slug]) in page
    index = client.get(reverse("bulletins:public_bulletins", args=[campaign.slug])).content.decode()
    assert reverse("bulletins:public_feed", args=[campaign.slug]) in index


def test_public_reading_counts(client, campaign, make_case):
    practice = make_case(status="published")
    client.post(reverse("bulletins:public_practice_read", args=[campaign.slug, practice.pk]))
    assert Practice.objects.get(pk=practice.pk).read_count == 1


def test_unknown_campaign_and_junk_numbers_are_404(client, campaign):
    assert client.get("/c/nope/public/bulletins/").status_code == 404
    assert client.get(f"/c/{campaign.slug}/public/bulletins/2026/999/").status_code == 404
    assert client.get(f"/c/{campaign.slug}/public/practices/99999999999999999999/").status_code == 404
