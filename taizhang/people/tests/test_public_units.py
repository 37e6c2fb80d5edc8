"""The public form's unit picker: the open campaign's units by name, nothing private, limited per address."""

import pytest
from django.urls import reverse

from taizhang.people import views
from taizhang.testing.factories import make_unit

pytestmark = pytest.mark.django_db


def search(client, campaign, q):
    return client.get(reverse("people:public_unit_search", args=[campaign.slug]), {"q": q})


def test_the_public_finds_the_campaigns_units_by_name_and_nothing_else(client, campaign, items, org):
    make_unit("人力资源共享中心", parent=org["group"])  # no items and no liaison in this campaign

    results = search(client, campaign, "人力").json()["results"]

    assert results == [{"id": org["hr"].pk, "text": "人力资源部"}]
    assert search(client, campaign, "").json() == {"results": []}


def test_the_public_form_carries_no_list_of_units_and_takes_only_a_campaign_unit(client, campaign, items, org):
    url = reverse("people:demand_new", args=[campaign.slug])
    page = client.get(url).content.decode()
    assert reverse("people:public_unit_search", args=[campaign.slug]) in page
    assert "八一骨科医院" not in page, "no unit is listed on the page"
    stranger = make_unit("外单位", parent=org["group"])
    data = {"text": "食堂晚餐太早结束，加班员工吃不上饭", "unit": stranger.pk}
    assert client.post(url, data).status_code == 400
    assert client.post(url, {**data, "unit": org["hospital"].pk}).status_code == 302


def test_a_closed_campaign_has_no_public_unit_search(client, campaign, items):
    campaign.is_active = False
    campaign.save()
    assert search(client, campaign, "人力").status_code == 404


def test_a_script_asking_too_fast_is_turned_away(client, campaign, items, monkeypatch):
    monkeypatch.setattr(views, "UNIT_SEARCHES_PER_MINUTE", 3)
    assert [search(client, campaign, "人力").status_code for _ in range(4)] == [200, 200, 200, 429]
