"""Items through /api/v1/: the list as the page filters it, detail, create, update with the version."""

import pytest

from taizhang.api.models import ApiToken
from taizhang.history.models import HistoryEntry
from taizhang.history.recording import history_for
from taizhang.ledger.models import Item

pytestmark = pytest.mark.django_db


def items_url(campaign, *rest):
    return f"/api/v1/c/{campaign.slug}/items/" + "".join(f"{part}/" for part in rest)


def test_it_lists_items_with_the_pages_filters_and_sort(people, items, campaign, org, token_for):
    api = token_for(people["lily"], ApiToken.Scope.READ)
    response = api.get(items_url(campaign), {"unit": org["office_dept"].pk, "sort": "-code"})
    assert response.status_code == 200
    assert [row["code"] for row in response.json()["items"]] == ["HQ-002", "HQ-001"]


def test_search_finds_traditional_text_by_simplified_words(people, items, campaign, token_for):
    response = token_for(people["leo"], ApiToken.Scope.READ).get(items_url(campaign), {"q": "义诊"})
    assert [row["code"] for row in response.json()["items"]] == ["YL-001"]


def test_cursor_pages_walk_every_item_once(people, items, campaign, token_for):
    api = token_for(people["leo"], ApiToken.Scope.READ)
    for sort in ("code", "-due", "due", "light", "-percent", "unit", "-updated"):
        seen, cursor = [], None
        while True:
            query = {"limit": 2, "sort": sort, **({"cursor": cursor} if cursor else {})}
            page = api.get(items_url(campaign), query).json()
            seen += [row["code"] for row in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert sorted(seen) == sorted(i.code for i in items.values()), sort
        assert len(seen) == len(set(seen)), sort


def test_a_forged_cursor_is_a_400_problem(people, items, campaign, token_for):
    response = token_for(people["leo"]).get(items_url(campaign), {"cursor": "abc"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 400


def test_a_bad_filter_value_is_a_400_in_the_requests_language(people, campaign, token_for):
    response = token_for(people["leo"], language="en").get(items_url(campaign), {"category": 99999})
    assert response.status_code == 400
    assert response.json()["title"] == "Bad request"
    response = token_for(people["leo"]).get(items_url(campaign), {"category": 99999})
    assert response.json()["title"] == "请求有误"


def test_a_read_answers_304_when_nothing_changed(people, items, campaign, token_for):
    api = token_for(people["leo"])
    first = api.get(items_url(campaign, items["oa"].pk))
    tag = first["ETag"]
    assert api.get(items_url(campaign, items["oa"].pk), HTTP_IF_NONE_MATCH=tag).status_code == 304
    Item.objects.filter(pk=items["oa"].pk).update(title="改了")
    assert api.get(items_url(campaign, items["oa"].pk), HTTP_IF_NONE_MATCH=tag).status_code == 200


def test_detail_of_another_campaigns_item_is_404(people, campaign, org, token_for):
    from taizhang.testing.factories import make_campaign, make_item

    other = make_campaign("other")
    foreign = make_item(other, org["office_dept"], code="X-1")
    response = token_for(people["olivia"]).get(items_url(campaign, foreign.pk))
    assert response.status_code == 404


def test_no_token_is_401_and_a_stranger_403(people, campaign, token_for):
    from taizhang.api.tests.conftest import ApiClient

    response = ApiClient(None).get(items_url(campaign))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert token_for(people["charlie"]).get(items_url(campaign)).status_code == 403


def test_the_office_creates_an_item_through_the_ledgers_action(people, campaign, org, token_for):
    api = token_for(people["olivia"])
    body = {
        "code": "API-1",
        "title": "接口新增事项",
        "owner_unit": org["hr"].pk,
        "partner_units": [org["office_dept"].pk],
    }
    response = api.post(items_url(campaign), body)
    assert response.status_code == 201, response.content
    item = Item.objects.get(campaign=campaign, code="API-1")
    assert response.json()["partner_units"] == [org["office_dept"].pk]
    assert [h.action for h in history_for(item)] == [HistoryEntry.Action.CREATE]
    assert item.search_text  # searchable, as every item the ledger writes


def test_create_refuses_a_taken_code_with_the_field_named(people, items, campaign, org, token_for):
    response = token_for(people["olivia"]).post(
        items_url(campaign), {"code": "HQ-001", "title": "重复", "owner_unit": org["hr"].pk}
    )
    assert response.status_code == 422
    assert (
        response.json()["errors"] == [{"field": "code", "message": "本活动中已有相同编号的事项。"}]
        or response.json()["errors"][0]["field"] == "code"
    )


def test_a_liaison_cannot_create_items(people, campaign, org, token_for):
    response = token_for(people["lily"]).post(
        items_url(campaign), {"code": "L-1", "title": "x", "owner_unit": org["hr"].pk}
    )
    assert response.status_code == 403
    assert not Item.objects.filter(code="L-1").exists()


def test_a_read_token_cannot_write_even_for_the_office(people, campaign, org, token_for):
    api = token_for(people["olivia"], ApiToken.Scope.READ)
    response = api.post(items_url(campaign), {"code": "R-1", "title": "x", "owner_unit": org["hr"].pk})
    assert response.status_code == 403
    assert not Item.objects.filter(code="R-1").exists()


def test_update_with_the_version_read_saves_and_a_stale_one_is_409(people, items, campaign, token_for):
    api = token_for(people["olivia"])
    url = items_url(campaign, items["oa"].pk)
    version = api.get(url).json()["version"]
    saved = api.patch(url, {"version": version, "title": "优化OA系统（二期）"})
    assert saved.status_code == 200, saved.content
    assert saved.json()["version"] == version + 1
    stale = api.patch(url, {"version": version, "title": "覆盖别人的修改"})
    assert stale.status_code == 409
    assert Item.objects.get(pk=items["oa"].pk).title == "优化OA系统（二期）"


def test_update_takes_the_version_from_if_match(people, items, campaign, token_for):
    api = token_for(people["olivia"])
    url = items_url(campaign, items["oa"].pk)
    assert api.patch(url, {"owner": "李四"}, HTTP_IF_MATCH='"v1"').status_code == 200
    assert api.patch(url, {"owner": "王五"}, HTTP_IF_MATCH='"v1"').status_code == 409
    assert api.patch(url, {"owner": "王五"}).status_code == 400  # no version at all: refused, not guessed


def test_update_keeps_fields_not_sent(people, items, campaign, token_for):
    api = token_for(people["olivia"])
    url = items_url(campaign, items["oa"].pk)
    api.patch(url, {"version": 1, "lead": "赵总"})
    item = Item.objects.get(pk=items["oa"].pk)
    assert (item.lead, item.owner, item.title) == ("赵总", "王明", "优化OA系统")


def test_update_refuses_a_deadline_before_the_start(people, items, campaign, token_for):
    import datetime

    response = token_for(people["olivia"]).patch(
        items_url(campaign, items["oa"].pk),
        {"version": 1, "starts_on": "2026-07-01", "due": (datetime.date(2026, 6, 1)).isoformat()},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "due"
