"""Progress entries and the bulk endpoints: the ledger's add_progress_many and create_items, all or nothing."""

import pytest

from taizhang.api.models import ApiToken
from taizhang.ledger.models import Item, ProgressEntry

pytestmark = pytest.mark.django_db


def test_the_owner_units_liaison_appends_progress_and_the_item_follows(people, items, campaign, token_for):
    api = token_for(people["lily"])
    response = api.post(
        f"/api/v1/c/{campaign.slug}/items/{items['oa'].pk}/progress/", {"percent": 40, "done": "完成需求调研"}
    )
    assert response.status_code == 201, response.content
    item = Item.objects.get(pk=items["oa"].pk)
    assert (item.percent, item.status) == (40, "in_progress")
    listed = api.get(f"/api/v1/c/{campaign.slug}/items/{items['oa'].pk}/progress/").json()["entries"]
    assert [entry["percent"] for entry in listed] == [40]


def test_another_units_liaison_cannot_report_progress(people, items, campaign, token_for):
    response = token_for(people["bob"]).post(
        f"/api/v1/c/{campaign.slug}/items/{items['oa'].pk}/progress/", {"percent": 40, "done": "越权"}
    )
    assert response.status_code == 403
    assert not ProgressEntry.objects.filter(item=items["oa"]).exists()


def test_progress_without_what_was_done_is_422(people, items, campaign, token_for):
    response = token_for(people["lily"]).post(
        f"/api/v1/c/{campaign.slug}/items/{items['oa'].pk}/progress/", {"percent": 40, "done": "   "}
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"


def test_bulk_items_create_all_rows(people, campaign, org, token_for):
    rows = [{"code": f"B-{n:04d}", "title": f"批量{n}", "owner_unit": org["hr"].pk} for n in range(300)]
    response = token_for(people["olivia"]).post(f"/api/v1/c/{campaign.slug}/items/bulk/", {"items": rows})
    assert response.status_code == 201, response.content
    assert response.json()["created"] == 300
    assert Item.objects.filter(campaign=campaign, code__startswith="B-").count() == 300


def test_bulk_items_write_nothing_when_a_row_is_wrong_and_name_each_row(people, items, campaign, org, token_for):
    rows = [
        {"code": "B-1", "title": "好的", "owner_unit": org["hr"].pk},
        {"code": "HQ-001", "title": "编号已有", "owner_unit": org["hr"].pk},
        {"code": "B-3", "title": "单位不存在", "owner_unit": 999999},
        {"code": "B-1", "title": "批内重复", "owner_unit": org["hr"].pk},
    ]
    response = token_for(people["olivia"], language="en").post(
        f"/api/v1/c/{campaign.slug}/items/bulk/", {"items": rows}
    )
    assert response.status_code == 422
    named = {(error["row"], error["field"]) for error in response.json()["errors"]}
    assert named == {(1, "code"), (2, "owner_unit"), (3, "code")}
    assert not Item.objects.filter(code__startswith="B-").exists()


def test_bulk_refuses_more_than_a_thousand_rows(people, campaign, org, token_for):
    rows = [{"code": f"B-{n}", "title": "x", "owner_unit": org["hr"].pk} for n in range(1001)]
    response = token_for(people["olivia"]).post(f"/api/v1/c/{campaign.slug}/items/bulk/", {"items": rows})
    assert response.status_code == 422
    assert not Item.objects.filter(code__startswith="B-").exists()


def test_bulk_progress_is_all_or_nothing_with_per_row_errors(people, items, campaign, token_for):
    api = token_for(people["lily"])
    rows = [
        {"item": items["oa"].pk, "percent": 30, "done": "推进"},
        {"item": items["welfare"].pk, "percent": 30, "done": "别的单位"},
        {"item": 999999, "percent": 30, "done": "没有"},
    ]
    response = api.post(f"/api/v1/c/{campaign.slug}/progress/bulk/", {"entries": rows})
    assert response.status_code == 422
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(1, "item"), (2, "item")]
    assert not ProgressEntry.objects.exists()
    ok = api.post(
        f"/api/v1/c/{campaign.slug}/progress/bulk/", {"entries": [*rows[:1], {**rows[0], "item": items["flow"].pk}]}
    )
    assert ok.status_code == 201
    assert ProgressEntry.objects.count() == 2


def test_a_read_token_cannot_post_progress(people, items, campaign, token_for):
    api = token_for(people["lily"], ApiToken.Scope.READ)
    response = api.post(f"/api/v1/c/{campaign.slug}/items/{items['oa'].pk}/progress/", {"percent": 1, "done": "x"})
    assert response.status_code == 403
