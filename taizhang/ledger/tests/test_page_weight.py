"""Pages that stay light whatever the ledger's size: items and units are chosen by typing, never listed.

At 100,000 items and 2,000 units a select of every item (上级事项, 合并到) or unit (负责单位, 配合单位, the
list's unit filter) made the new-item form 7 MB and every list page 143 KB heavier (issue 11).
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from taizhang.ledger import actions
from taizhang.testing.factories import make_item, make_unit


@pytest.fixture
def many(campaign, org):
    """Sixty more units and sixty more items than the few on the page."""
    units = [make_unit(f"基层单位{n:02d}", parent=org["subsidiary"]) for n in range(60)]
    items = [make_item(campaign, units[n], code=f"X-{n:03d}", title=f"实事第{n}号") for n in range(60)]
    return units, items


def _form(html: str, marker: str) -> str:
    start = html.rindex("<form", 0, html.index(marker))
    return html[start : html.index("</form>", start)]


def test_the_new_item_form_lists_no_items_and_no_units(campaign, org, people, login, many):
    _units, _items = many
    html = login(people["olivia"]).get(reverse("ledger:item_create", args=[campaign.slug])).content.decode()
    form = _form(html, 'id="item-form"')
    assert "实事第" not in form and "基层单位" not in form
    for name in ("owner_unit", "partner_units", "parent"):
        assert f'data-name="{name}"' in form
    assert f'data-url="{reverse("ledger:item_search", args=[campaign.slug])}"' in form
    assert form.count("<option") < 40  # categories, phases, key tasks, scope: the small fixed lists


def test_the_edit_form_shows_only_the_chosen_parent_and_units_and_saves_them(campaign, org, people, login, many):
    units, items = many
    child = items[1]
    actions.update_item(
        child,
        data={"parent": items[0]},
        partner_units=[units[5], units[7]],
        expected_version=child.version,
        acting_user=people["olivia"],
    )
    client = login(people["olivia"])
    url = reverse("ledger:item_edit", args=[campaign.slug, child.pk])
    form = _form(client.get(url).content.decode(), 'id="item-form"')
    assert f'name="parent" value="{items[0].pk}" checked' in form and "实事第0号" in form
    assert f'name="owner_unit" value="{units[1].pk}" checked' in form
    assert "基层单位05" in form and "基层单位07" in form and "基层单位01" in form
    assert "实事第2号" not in form and "基层单位09" not in form
    child.refresh_from_db()
    data = {
        "version": child.version,
        "code": child.code,
        "title": child.title,
        "owner_unit": units[2].pk,
        "partner_units": [units[3].pk],
        "parent": items[4].pk,
        "scope": child.scope,
        "weight": "1",
        "due": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
    }
    assert client.post(url, data).status_code == 302
    child.refresh_from_db()
    assert (child.owner_unit, child.parent, list(child.partner_units.all())) == (units[2], items[4], [units[3]])


def test_the_withdraw_form_picks_the_item_to_merge_into_by_typing(campaign, people, login, many):
    _units, items = many
    url = reverse("ledger:item_withdraw", args=[campaign.slug, items[0].pk])
    html = login(people["olivia"]).get(url).content.decode()
    form = _form(html, 'id="withdraw-form"')
    assert 'data-name="merged_into"' in form and "实事第1号" not in form
    response = login(people["olivia"]).post(url, {"reason": "重复", "merged_into": items[1].pk})
    assert response.status_code == 302
    items[0].refresh_from_db()
    assert items[0].merged_into == items[1]
