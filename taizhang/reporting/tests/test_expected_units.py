"""The office's page of units that report: those owning open items, plus the ones it adds and removes."""

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from taizhang.history.models import HistoryEntry
from taizhang.reporting.models import ExpectedUnit
from taizhang.reporting.queries import expected_unit_ids


def _url(campaign):
    return reverse("reporting:expected_units", args=[campaign.slug])


def test_the_office_adds_a_unit_sees_why_each_reports_and_removes_it_again(login, people, items, org, campaign):
    client = login(people["olivia"])
    page = client.get(_url(campaign)).content.decode()
    assert 'data-unit="集团办公室"' in page and 'data-unit="融通医疗健康公司"' not in page

    response = client.post(_url(campaign), {"unit": org["subsidiary"].pk})
    assert response.status_code == 302
    assert org["subsidiary"].pk in expected_unit_ids(campaign)
    page = client.get(_url(campaign)).content.decode()
    assert 'data-unit="融通医疗健康公司"' in page and "欧阳办" in page  # who added it
    # Adding twice changes nothing.
    client.post(_url(campaign), {"unit": org["subsidiary"].pk})
    assert ExpectedUnit.objects.filter(campaign=campaign, unit=org["subsidiary"]).count() == 1

    remove = reverse("reporting:expected_unit_remove", args=[campaign.slug, org["subsidiary"].pk])
    assert client.post(remove).status_code == 302
    assert org["subsidiary"].pk not in expected_unit_ids(campaign)
    unit_type = ContentType.objects.get_for_model(org["subsidiary"])
    entries = HistoryEntry.objects.filter(content_type=unit_type, object_id=org["subsidiary"].pk, campaign=campaign)
    assert entries.count() == 2  # asked, then no longer asked: both kept


def test_removing_a_unit_that_owns_open_items_leaves_it_expected(login, people, items, org, campaign):
    client = login(people["olivia"])
    client.post(_url(campaign), {"unit": org["hr"].pk})
    client.post(reverse("reporting:expected_unit_remove", args=[campaign.slug, org["hr"].pk]))
    assert org["hr"].pk in expected_unit_ids(campaign)


def test_a_bad_unit_re_shows_the_form_and_adds_nothing(login, people, items, org, campaign):
    response = login(people["olivia"]).post(_url(campaign), {"unit": "999999"})
    assert response.status_code == 400
    assert response.context["form"].errors["unit"]
    assert not ExpectedUnit.objects.exists()


def test_leaders_read_liaisons_and_strangers_are_refused(login, people, items, org, campaign):
    assert login(people["leo"]).get(_url(campaign)).status_code == 200
    assert 'id="expected-form"' not in login(people["leo"]).get(_url(campaign)).content.decode()
    assert login(people["leo"]).post(_url(campaign), {"unit": org["subsidiary"].pk}).status_code == 403
    assert login(people["bob"]).get(_url(campaign)).status_code == 403
    assert login(people["charlie"]).get(_url(campaign)).status_code == 403
    remove = reverse("reporting:expected_unit_remove", args=[campaign.slug, org["hr"].pk])
    assert login(people["bob"]).post(remove).status_code == 403
    assert not ExpectedUnit.objects.exists()
