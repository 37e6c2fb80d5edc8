"""Problems through the API: recorded by staff, triaged by the office, never with the person's name or phone."""

import json

import pytest

from taizhang.people import actions
from taizhang.people.models import Demand

pytestmark = pytest.mark.django_db


def test_a_leader_records_a_problem_and_the_office_answers_it(people, campaign, token_for):
    created = token_for(people["leo"]).post(
        f"/api/v1/c/{campaign.slug}/problems/", {"text": "食堂排队太久", "channel": "visit"}
    )
    assert created.status_code == 201, created.content
    problem = created.json()
    assert problem["status"] == "new"
    answered = token_for(people["olivia"]).post(
        f"/api/v1/c/{campaign.slug}/problems/{problem['id']}/triage/", {"action": "answer", "reply": "已增加窗口"}
    )
    assert answered.status_code == 200
    assert Demand.objects.get(pk=problem["id"]).status == "answered"


def test_the_office_links_a_problem_to_an_item(people, campaign, items, token_for):
    demand = actions.submit_demand(campaign=campaign, data={"text": "OA太慢"}, acting_user=people["olivia"])
    response = token_for(people["olivia"]).post(
        f"/api/v1/c/{campaign.slug}/problems/{demand.pk}/triage/", {"action": "link", "item": items["oa"].pk}
    )
    assert response.status_code == 200
    assert response.json()["items"] == [items["oa"].pk]


def test_the_list_never_carries_names_or_phones(people, campaign, token_for):
    actions.submit_demand(campaign=campaign, data={"text": "路面积水", "name": "张三", "phone": "13800000000"})
    body = json.dumps(
        token_for(people["olivia"]).get(f"/api/v1/c/{campaign.slug}/problems/").json(), ensure_ascii=False
    )
    assert "路面积水" in body and "张三" not in body and "13800000000" not in body


def test_a_liaison_neither_lists_nor_records_problems(people, campaign, token_for):
    api = token_for(people["lily"])
    assert api.get(f"/api/v1/c/{campaign.slug}/problems/").status_code == 403
    assert api.post(f"/api/v1/c/{campaign.slug}/problems/", {"text": "x"}).status_code == 403
