"""Two people edit the same item: the second save, made on an old version, is refused instead of overwriting."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from taizhang.history.models import HistoryEntry
from taizhang.history.recording import history_for
from taizhang.ledger import actions
from taizhang.ledger.models import Item
from taizhang.orgs.actions import grant_role
from taizhang.orgs.models import Role
from taizhang.testing.factories import make_user


@pytest.fixture
def two_offices(campaign, org, people):
    """olivia and oliver both work in the campaign office, each in a browser of their own."""
    oliver = make_user("oliver", name="欧阳二", unit=org["group"])
    grant_role(user=oliver, campaign=campaign, role=Role.OFFICE)
    first, second = Client(), Client()
    first.force_login(people["olivia"])
    second.force_login(oliver)
    return first, second


def form_fields(response) -> dict:
    """The edit form as the browser would send it back, read from the page's HTML."""
    html = response.content.decode()
    form = html[html.rindex("<form", 0, html.index('id="item-form"')) :]
    form = form[: form.index("</form>")]
    data: dict = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) == "csrfmiddlewaretoken":
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data[name.group(1)] = value.group(1) if value else ""
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        data[name] = body.strip("\n")
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.findall(r'<option value="([^"]*)"[^>]*selected', options)
        data[name] = chosen if name == "partner_units" else (chosen[0] if chosen else "")
    return data


def test_the_second_save_on_an_old_version_is_refused_with_409(campaign, items, two_offices):
    first, second = two_offices
    oa = items["oa"]
    url = reverse("ledger:item_edit", args=[campaign.slug, oa.pk])

    first_form = form_fields(first.get(url))
    second_form = form_fields(second.get(url))
    assert first_form["version"] == second_form["version"] == "1"
    assert first_form["title"] == "优化OA系统"

    saved = first.post(url, first_form | {"title": "优化OA系统（第一人）", "owner": "王明明"})
    assert saved.status_code == 302

    refused = second.post(url, second_form | {"title": "优化OA系统（第二人）"})

    assert refused.status_code == 409
    with translation.override("zh-hans"):
        message = str(actions.StaleEdit(oa))
    assert escape(message) in refused.content.decode()
    assert b'id="stale-warning"' in refused.content

    item = Item.objects.get(pk=oa.pk)
    assert (item.title, item.owner, item.version) == ("优化OA系统（第一人）", "王明明", 2)
    updates = history_for(oa).filter(action=HistoryEntry.Action.UPDATE)
    assert updates.count() == 1
    assert updates.get().actor.username == "olivia"
    # The form sent back unchanged fields as they were: only what the first person typed is recorded.
    assert {c["field"] for c in updates.get().changes} == {"title", "owner"}


def test_after_a_refusal_the_current_version_can_be_edited(campaign, items, two_offices):
    first, second = two_offices
    oa = items["oa"]
    url = reverse("ledger:item_edit", args=[campaign.slug, oa.pk])
    stale = form_fields(second.get(url))
    first.post(url, form_fields(first.get(url)) | {"title": "第一人"})
    assert second.post(url, stale | {"title": "第二人"}).status_code == 409

    fresh_form = form_fields(second.get(url))
    assert fresh_form["version"] == "2"
    assert fresh_form["title"] == "第一人"
    assert second.post(url, fresh_form | {"title": "第二人"}).status_code == 302
    assert Item.objects.get(pk=oa.pk).title == "第二人"
    assert history_for(oa).filter(action=HistoryEntry.Action.UPDATE).count() == 2


def test_a_save_without_a_version_is_treated_as_stale(campaign, items, two_offices):
    first, _second = two_offices
    oa = items["oa"]
    url = reverse("ledger:item_edit", args=[campaign.slug, oa.pk])
    data = form_fields(first.get(url)) | {"title": "没有版本号", "version": ""}
    assert first.post(url, data).status_code == 409
    assert Item.objects.get(pk=oa.pk).title == "优化OA系统"


def test_withdrawing_also_moves_the_version_on(campaign, items, people, two_offices):
    first, _second = two_offices
    oa = items["oa"]
    url = reverse("ledger:item_edit", args=[campaign.slug, oa.pk])
    opened = form_fields(first.get(url))
    actions.withdraw_item(oa, reason="重复", acting_user=people["olivia"])
    assert first.post(url, opened | {"title": "撤销后再改"}).status_code == 409


def test_the_action_refuses_an_old_version(campaign, items, people):
    olivia = people["olivia"]
    oa = items["oa"]
    opened_by_first = Item.objects.get(pk=oa.pk)
    opened_by_second = Item.objects.get(pk=oa.pk)

    actions.update_item(
        opened_by_first, data={"title": "第一人"}, expected_version=opened_by_first.version, acting_user=olivia
    )
    with pytest.raises(actions.StaleEdit) as error:
        actions.update_item(
            opened_by_second, data={"title": "第二人"}, expected_version=opened_by_second.version, acting_user=olivia
        )

    assert error.value.item.version == 2
    assert error.value.item.title == "第一人"
    assert Item.objects.get(pk=oa.pk).title == "第一人"
    assert history_for(oa).filter(action=HistoryEntry.Action.UPDATE).count() == 1


def test_the_stale_message_reads_in_the_persons_language(items):
    with translation.override("en"):
        assert str(actions.StaleEdit(items["oa"])).startswith("Someone else changed this item")
    with translation.override("zh-hans"):
        assert "Someone" not in str(actions.StaleEdit(items["oa"]))
