"""Leaders in the field (实地巡诊): a visit records where, whom and what; each problem raised goes to triage as a
demand (走下去听) or is noted on the item it concerns; contact points show their visits and who has gone unvisited."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from taizhang.orgs.models import ContactPoint
from taizhang.people.models import Channel, Demand, DemandStatus
from taizhang.supervision import actions
from taizhang.supervision.models import Visit
from taizhang.supervision.queries import unvisited_contact_points


def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def point(org, people, campaign):
    return ContactPoint.objects.create(campaign=campaign, leader=people["leo"], unit=org["hospital"])


def visit_data(**extra):
    return {"visited_on": today(), "form": Visit.Form.FORUM, "people_count": 12, **extra}


def test_each_problem_raised_goes_to_triage_as_a_field_visit_demand(people, campaign, point):
    visit = actions.record_visit(
        campaign,
        contact_point=point,
        raised="门诊挂号排队太久\n- 停车位不够\n\n",
        acting_user=people["leo"],
        **visit_data(),
    )
    assert visit.unit == point.unit and visit.leader == people["leo"]
    demands = Demand.objects.order_by("pk")
    assert [d.text for d in demands] == ["门诊挂号排队太久", "停车位不够"]
    assert {(d.channel, d.status, d.unit_id) for d in demands} == {(Channel.VISIT, DemandStatus.NEW, point.unit_id)}
    assert [p.demand for p in visit.problems.all()] == list(demands)


def test_problems_about_an_item_are_noted_on_the_item(people, campaign, point, items):
    visit = actions.record_visit(
        campaign,
        contact_point=point,
        raised="义诊次数太少",
        item=items["clinic"],
        acting_user=people["leo"],
        **visit_data(),
    )
    assert not Demand.objects.exists()
    assert visit.problems.get().item == items["clinic"]


def test_a_double_post_records_one_visit(people, campaign, point):
    first = actions.record_visit(campaign, contact_point=point, token="abc", acting_user=people["leo"], **visit_data())
    again = actions.record_visit(campaign, contact_point=point, token="abc", acting_user=people["leo"], **visit_data())
    assert first == again and Visit.objects.count() == 1


def test_only_leaders_and_the_office_record_and_bad_input_is_refused(people, campaign, point):
    with pytest.raises(PermissionDenied):
        actions.record_visit(campaign, contact_point=point, acting_user=people["lily"], **visit_data())
    with pytest.raises(ValidationError) as error:
        actions.record_visit(
            campaign,
            contact_point=point,
            acting_user=people["leo"],
            **visit_data(visited_on=today() + datetime.timedelta(days=1)),
        )
    assert "visited_on" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        actions.record_visit(
            campaign,
            contact_point=point,
            raised="会丢吗",
            photos=[SimpleUploadedFile("x.png", b"not an image")],
            acting_user=people["leo"],
            **visit_data(),
        )
    assert "photos" in error.value.error_dict
    assert not Visit.objects.exists() and not Demand.objects.exists()


def test_the_contact_point_page_shows_visits_items_and_the_last_visit(login, people, campaign, point, items):
    actions.record_visit(
        campaign,
        contact_point=point,
        acting_user=people["leo"],
        **visit_data(visited_on=today() - datetime.timedelta(days=3)),
    )
    page = login(people["olivia"]).get(f"/c/{campaign.slug}/contact-points/{point.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert (today() - datetime.timedelta(days=3)).isoformat() in text and "YL-001" in text
    assert login(people["bob"]).get(f"/c/{campaign.slug}/contact-points/{point.pk}/").status_code == 403


def test_contact_points_not_visited_in_n_days_are_listed(org, people, campaign, point):
    other = ContactPoint.objects.create(campaign=campaign, leader=people["leo"], unit=org["hr"])
    actions.record_visit(campaign, contact_point=other, acting_user=people["leo"], **visit_data())
    old = today() - datetime.timedelta(days=campaign.visit_gap_days + 1)
    actions.record_visit(campaign, contact_point=point, acting_user=people["leo"], **visit_data(visited_on=old))
    assert [p.pk for p in unvisited_contact_points(campaign)] == [point.pk]
    campaign.visit_gap_days = 365
    campaign.save()
    assert list(unvisited_contact_points(campaign)) == []


def test_the_leaders_dashboard_lists_his_contact_points_not_visited_lately(login, org, people, campaign, point):
    visited = ContactPoint.objects.create(campaign=campaign, leader=people["leo"], unit=org["hr"])
    actions.record_visit(campaign, contact_point=visited, acting_user=people["leo"], **visit_data())
    ContactPoint.objects.create(campaign=campaign, leader=people["olivia"], unit=org["office_dept"])
    page = login(people["leo"]).get(f"/c/{campaign.slug}/dashboard/contacts/").content.decode()
    panel = page[page.index('id="my-unvisited"') :]
    assert f"/contact-points/{point.pk}/" in panel and f"/contact-points/{visited.pk}/" not in panel
    assert org["office_dept"].name not in panel  # another leader's contact point


def test_the_leader_records_a_visit_on_the_short_form(login, people, campaign, point):
    client = login(people["leo"])
    form = client.get(f"/c/{campaign.slug}/visits/new/?contact_point={point.pk}")
    assert form.status_code == 200
    response = client.post(
        f"/c/{campaign.slug}/visits/new/",
        {
            "contact_point": point.pk,
            "visited_on": today().isoformat(),
            "form": Visit.Form.SITE,
            "people_count": 5,
            "raised": "电梯经常故障",
            "token": "t1",
        },
    )
    visit = Visit.objects.get()
    assert response.status_code == 302 and response.url == visit.get_absolute_url()
    assert Demand.objects.get().text == "电梯经常故障"
    assert client.post(f"/c/{campaign.slug}/visits/new/", {"form": "site"}).status_code == 400


def test_removing_a_contact_point_keeps_its_visits(login, people, campaign, point):
    from django.urls import reverse

    visit = actions.record_visit(campaign, contact_point=point, raised="", acting_user=people["leo"], **visit_data())
    response = login(people["olivia"]).post(reverse("campaigns:contact_point_remove", args=[campaign.slug, point.pk]))
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.contact_point is None and visit.unit == point.unit and visit.leader == people["leo"]
