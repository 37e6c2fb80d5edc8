"""Search-as-you-type pickers: the page carries only the chosen values, the endpoints find the rest."""

import pytest
from django import forms
from django.http import QueryDict
from django.urls import reverse

from taizhang.lib.widgets import PickerField, PickerMultipleField
from taizhang.orgs.models import Unit
from taizhang.testing.factories import make_unit

pytestmark = pytest.mark.django_db


class UnitsForm(forms.Form):
    unit = PickerField(Unit.objects.all(), url="/units/search.json")
    partners = PickerMultipleField(Unit.objects.all(), url="/units/search.json", required=False)


def test_it_renders_only_the_chosen_units_whatever_the_size_of_the_tree(org):
    for n in range(300):
        make_unit(f"第{n}支部", parent=org["hospital"], kind="subunit")
    form = UnitsForm(initial={"unit": org["hr"].pk, "partners": [org["hospital"], org["office_dept"].pk]})
    html = str(form["unit"]) + str(form["partners"])
    assert html.count('type="checkbox"') == 3
    assert "人力资源部" in html and "八一骨科医院" in html and "集团办公室" in html
    assert "第17支部" not in html
    assert 'id="id_unit"' in html and 'data-url="/units/search.json"' in html
    assert len(html) < 2500


def test_it_reads_back_what_was_ticked_and_refuses_what_does_not_exist(org):
    data = QueryDict(mutable=True)
    data.setlist("unit", [str(org["hr"].pk)])
    data.setlist("partners", [str(org["hospital"].pk), str(org["office_dept"].pk)])
    form = UnitsForm(data)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["unit"] == org["hr"]
    assert set(form.cleaned_data["partners"]) == {org["hospital"], org["office_dept"]}

    empty = UnitsForm(QueryDict())
    assert not empty.is_valid() and "unit" in empty.errors and "partners" not in empty.errors
    bogus = UnitsForm(QueryDict("unit=999999"))
    assert not bogus.is_valid() and "unit" in bogus.errors


def test_unit_search_finds_names_short_names_and_aliases_in_either_script(client, people, org):
    client.force_login(people["bob"])
    url = reverse("orgs:unit_search")
    found = client.get(url, {"q": "醫療"}).json()["results"]
    assert [r["id"] for r in found] == [org["subsidiary"].pk]
    assert [r["id"] for r in client.get(url, {"q": "总部办公室"}).json()["results"]] == [org["office_dept"].pk]
    assert client.get(url, {"q": ""}).json() == {"results": []}
    kinds = client.get(url, {"q": "集团", "kind": "group"}).json()["results"]
    assert [r["id"] for r in kinds] == [org["group"].pk]
    org["hr"].is_active = False
    org["hr"].save()
    assert client.get(url, {"q": "人力"}).json() == {"results": []}


def test_item_search_finds_by_code_and_title_and_never_lists_more_than_twenty(client, people, campaign, org):
    from taizhang.testing.factories import make_item

    for n in range(30):
        make_item(campaign, org["hr"], code=f"HR-{n:03d}", title=f"食堂改造{n}")
    client.force_login(people["bob"])
    url = reverse("ledger:item_search", args=[campaign.slug])
    assert len(client.get(url, {"q": "食堂"}).json()["results"]) == 20
    assert [r["text"] for r in client.get(url, {"q": "HR-007"}).json()["results"]] == ["HR-007 食堂改造7"]


def test_people_search_is_for_overseers_and_filters_by_role(client, people, campaign):
    url = reverse("campaigns:people_search", args=[campaign.slug])
    client.force_login(people["bob"])
    assert client.get(url, {"q": "李"}).status_code == 403
    client.force_login(people["leo"])
    assert [r["id"] for r in client.get(url, {"q": "联络"}).json()["results"]] == [people["bob"].pk, people["lily"].pk]
    assert client.get(url, {"q": "陈外人"}).json() == {"results": []}  # no role in the campaign
    assert client.get(url, {"q": "联络", "role": "leader"}).json() == {"results": []}
    client.force_login(people["olivia"])
    assert [r["id"] for r in client.get(url, {"q": "陈外人"}).json()["results"]] == [people["charlie"].pk]
    assert "phone" not in client.get(url, {"q": "李"}).content.decode()
