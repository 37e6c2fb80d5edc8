"""Open311 GeoReport v2, driven by the third-party `georeport` client against the live server.

georeport 0.3.1 reads services, service definitions and requests (json and xml) but has no
method to post a request; the other Open311 client on PyPI (`open311` 1.1, 2011) is Python 2
only. So posts go through `requests` (georeport's own HTTP library) exactly as the spec says:
a form-encoded POST to requests.{format} with api_key.
"""

import datetime
import gc
import threading
import time

import pytest
import requests
from georeport import GeoReport

from taizhang.acceptance import actions as acceptance_actions
from taizhang.ledger import actions as ledger_actions
from taizhang.people import actions
from taizhang.people.models import ApiKey, Demand

PHONE = "13912345678"


@pytest.fixture
def api(live_server):
    yield f"{live_server.url}/open311/v2"
    # The live server answers each keep-alive connection in a thread that closes the database connections
    # when the client hangs up. A caught HTTPError keeps its response (and socket) in a reference cycle, so
    # collect it and let those threads end while this test still owns the database.
    gc.collect()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(
        "process_request_thread" in thread.name for thread in threading.enumerate()
    ):
        time.sleep(0.02)


@pytest.fixture
def key(campaign):
    return ApiKey.issue(campaign, "WeCom bot")[1]


@pytest.fixture
def client_json(api, campaign):
    return GeoReport(api, jurisdiction=campaign.slug)


@pytest.fixture
def client_xml(api, campaign):
    return GeoReport(api, jurisdiction=campaign.slug, output_format="xml")


def post(api, fmt="json", **data):
    return requests.post(f"{api}/requests.{fmt}", data=data, timeout=10)


def test_services_are_the_campaigns_categories_in_json_and_xml(client_json, client_xml, campaign):
    names = [c.name for c in campaign.categories.all()]
    assert [s["service_name"] for s in client_json.get_service_list()] == names
    xml = client_xml.get_service_list()
    assert [s["service_name"] for s in xml] == names
    code = xml[0]["service_code"]
    assert client_json.get_service_definition(code) == {"service_code": code, "attributes": []}
    assert client_xml.get_service_definition(code)["service_code"] == code


def test_posting_needs_a_valid_api_key(api, campaign):
    category = campaign.categories.first()
    response = post(api, jurisdiction_id=campaign.slug, service_code=category.pk, description="路灯坏了")
    assert response.status_code == 403
    assert response.json()[0]["code"] == 403 and response.json()[0]["description"]
    wrong = post(api, api_key="nope", jurisdiction_id=campaign.slug, service_code=category.pk, description="路灯坏了")
    assert wrong.status_code == 403
    assert not Demand.objects.exists()


def test_bad_posts_get_400_with_the_spec_error_body(api, campaign, key):
    response = post(api, api_key=key, jurisdiction_id=campaign.slug, service_code="999", description="x")
    assert response.status_code == 400
    xml = post(api, "xml", api_key=key, jurisdiction_id=campaign.slug, service_code=campaign.categories.first().pk)
    assert xml.status_code == 400 and b"<errors><error><code>400</code>" in xml.content


def test_a_posted_request_is_followed_through_to_the_item_and_closing(
    api, campaign, key, client_json, client_xml, people, items
):
    category = campaign.categories.first()
    response = post(
        api,
        api_key=key,
        jurisdiction_id=campaign.slug,
        service_code=category.pk,
        description="OA系统太慢，审批要等很久",
        first_name="小二",
        last_name="王",
        phone=PHONE,
        email="w@example.com",
    )
    assert response.status_code == 201
    request_id = response.json()[0]["service_request_id"]
    demand = Demand.objects.get(pk=request_id)
    assert demand.name == "王 小二" and demand.phone == PHONE

    got = client_json.get_service_request(request_id)
    assert got["status"] == "open" and got["description"] == "OA系统太慢，审批要等很久"
    assert got["service_code"] == str(category.pk)
    assert PHONE not in str(got) and "小二" not in str(got)

    item = items["oa"]
    actions.link_demand(demand, item, acting_user=people["olivia"])
    got = client_xml.get_service_request(request_id)
    assert got["agency_responsible"] == item.owner_unit.name
    assert got["expected_datetime"].startswith(item.due.isoformat())
    assert "HQ-001" in got["status_notes"]

    ledger_actions.add_progress(item, percent=100, done="上线", acting_user=people["lily"])
    item.refresh_from_db()
    acceptance_actions.record_acceptance(
        item, data={"checkers": "验收组", "result": "passed"}, acting_user=people["olivia"]
    )
    actions.rate_item(item, value="satisfied", voter="cookie:x")
    acceptance_actions.close_item(item, acting_user=people["olivia"])
    closed = client_json.get_service_requests(status="closed")
    assert [r["service_request_id"] for r in closed] == [request_id]
    assert client_json.get_service_requests(status="open") == []


def test_request_filters_and_the_90_day_limit(api, campaign, client_json):
    care = campaign.categories.get(name="关爱员工")
    first = actions.submit_demand(campaign=campaign, data={"text": "食堂问题", "category": care})
    second = actions.submit_demand(campaign=campaign, data={"text": "停车问题"})
    old = actions.submit_demand(campaign=campaign, data={"text": "很久以前的问题"})
    Demand.objects.filter(pk=old.pk).update(created_at=datetime.datetime(2020, 1, 5, tzinfo=datetime.UTC))

    recent = {r["service_request_id"] for r in client_json.get_service_requests()}
    assert recent == {str(first.pk), str(second.pk)}
    by_code = client_json.get_service_requests(service_code=str(care.pk))
    assert [r["service_request_id"] for r in by_code] == [str(first.pk)]
    by_ids = client_json.get_service_requests(service_request_id=f"{first.pk},{old.pk}")
    assert {r["service_request_id"] for r in by_ids} == {str(first.pk), str(old.pk)}
    window = client_json.get_service_requests(start_date="2020-01-01T00:00:00Z", end_date="2020-02-01T00:00:00Z")
    assert [r["service_request_id"] for r in window] == [str(old.pk)]

    with pytest.raises(requests.HTTPError) as too_long:
        client_json.get_service_requests(start_date="2020-01-01T00:00:00Z", end_date="2020-06-01T00:00:00Z")
    assert too_long.value.response.status_code == 400
    assert too_long.value.response.json()[0]["code"] == 400
    with pytest.raises(requests.HTTPError) as bad_status:
        client_json.get_service_requests(status="pending")
    assert bad_status.value.response.status_code == 400


def test_unknown_things_are_404(client_json, api):
    with pytest.raises(requests.HTTPError) as missing:
        client_json.get_service_request("999999")
    assert missing.value.response.status_code == 404
    assert missing.value.response.json() == [
        {"code": 404, "description": missing.value.response.json()[0]["description"]}
    ]
    with pytest.raises(requests.HTTPError):
        client_json.get_service_definition("999999")
    assert requests.get(f"{api}/services.json?jurisdiction_id=nope", timeout=10).status_code == 404
