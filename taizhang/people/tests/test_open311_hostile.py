"""Open311 against a hostile client (issue 16, finding 6 and the Open311 part of 7).

The XML is read back with expat, a strict XML 1.0 parser: one character XML cannot carry makes it refuse
the whole document. Posts with a valid key meet the public form's own limits.
"""

import datetime
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from taizhang.people import actions
from taizhang.people.models import ApiKey, Demand
from taizhang.people.open311 import xml_text

# No NUL: PostgreSQL cannot store it (the gate refuses it at the door; xml_text drops it too).
CONTROL = "".join(chr(c) for c in range(1, 32) if chr(c) not in "\t\n\r") + "\ufffe\uffff"


@pytest.fixture
def key(campaign):
    return ApiKey.issue(campaign, "WeCom bot")[1]


def _get(client, path, **query):
    return client.get(f"/open311/v2/{path}", query)


def test_control_characters_in_a_problem_leave_requests_xml_well_formed(client, campaign):
    text = f"食堂\x01的饭菜\x0b太咸{CONTROL}了\t第二行\n第三行"
    demand = actions.submit_demand(campaign=campaign, data={"text": text})
    response = _get(client, "requests.xml", jurisdiction_id=campaign.slug)
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)  # expat: raises ParseError on a single \x01
    (description,) = [r.findtext("description") for r in root if r.findtext("service_request_id") == str(demand.pk)]
    assert description == "食堂的饭菜太咸了\t第二行\n第三行"
    detail = _get(client, f"requests/{demand.pk}.xml", jurisdiction_id=campaign.slug)
    ElementTree.fromstring(detail.content)
    assert "\x01" in _get(client, f"requests/{demand.pk}.json", jurisdiction_id=campaign.slug).json()[0]["description"]


def test_xml_text_drops_only_what_xml_cannot_carry():
    assert xml_text("a\x00b\x08c\x1fd\ufffee") == "abcde"
    assert xml_text("表\t格\n行\r") == "表\t格\n行\r"
    assert xml_text("😀 emoji stay") == "😀 emoji stay"


def _post(client, campaign, key, **data):
    category = campaign.categories.first()
    form = {"jurisdiction_id": campaign.slug, "api_key": key, "service_code": str(category.pk), **data}
    return client.post("/open311/v2/requests.json", form)


def test_a_key_holder_meets_the_public_forms_length_limit(client, campaign, key):
    assert _post(client, campaign, key, description="字" * 4000).status_code == 201
    too_long = _post(client, campaign, key, description="字" * 4001)
    assert too_long.status_code == 400
    assert "4000" in too_long.json()[0]["description"]
    huge = _post(client, campaign, key, description="字" * (4_900_000 // 3))
    assert huge.status_code == 400
    assert Demand.objects.count() == 1


def test_a_key_holder_meets_the_public_forms_other_checks(client, campaign, key):
    short = _post(client, campaign, key, description="太咸")
    assert short.status_code == 400 and short.json()[0]["code"] == 400
    assert _post(client, campaign, key, description="食堂的饭菜太咸了", phone="call me").status_code == 400
    assert _post(client, campaign, key, description="食堂的饭菜太咸了", email="not-an-email").status_code == 400
    assert _post(client, campaign, key, description="食堂的饭菜太咸了", last_name="王" * 101).status_code == 400
    assert Demand.objects.count() == 0
    ok = _post(client, campaign, key, description="食堂的饭菜太咸了", phone="139 1234 5678", last_name="王")
    assert ok.status_code == 201
    demand = Demand.objects.get()
    assert (demand.text, demand.phone, demand.name) == ("食堂的饭菜太咸了", "139 1234 5678", "王")


@pytest.mark.parametrize("junk", ["²", "١٢", "9" * 23, "9" * 5000, "abc", "-1", "0"])
def test_junk_service_codes_are_refused_without_a_500(client, campaign, key, junk):
    assert _get(client, f"services/{junk}.json", jurisdiction_id=campaign.slug).status_code == 404
    assert _get(client, "requests.json", jurisdiction_id=campaign.slug, service_code=junk).status_code == 400
    posted = _post(client, campaign, key, description="食堂的饭菜太咸了", service_code=junk)
    assert posted.status_code == 400


@pytest.mark.parametrize("junk", ["²", "١٢", "9" * 23, "9" * 5000, "abc", "1,²"])
def test_junk_request_ids_are_refused_without_a_500(client, campaign, junk):
    assert _get(client, f"requests/{junk}.xml", jurisdiction_id=campaign.slug).status_code == 404
    response = _get(client, "requests.xml", jurisdiction_id=campaign.slug, service_request_id=junk)
    assert response.status_code == 400
    assert ElementTree.fromstring(response.content).tag == "errors"


@pytest.mark.parametrize(
    "start",
    ["2026-02-30", "2026-02-30T00:00:00Z", "2026-13-01", "2026-06-01T25:00:00Z", "0001-01-01", "9999-12-31T23:59:59Z"],
)
def test_impossible_dates_are_a_400(client, campaign, start):
    response = _get(client, "requests.json", jurisdiction_id=campaign.slug, start_date=start)
    assert response.status_code == 400
    assert "start_date" in response.json()[0]["description"]
    assert _get(client, "requests.json", jurisdiction_id=campaign.slug, end_date=start).status_code == 400


def test_a_real_date_window_still_answers(client, campaign):
    actions.submit_demand(campaign=campaign, data={"text": "食堂的饭菜太咸了"})
    today = timezone.localdate()
    start = (today - datetime.timedelta(days=1)).isoformat()
    response = _get(client, "requests.json", jurisdiction_id=campaign.slug, start_date=start)
    assert response.status_code == 200 and len(response.json()) == 1
