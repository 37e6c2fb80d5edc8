"""特色样板 on items: the office gives the mark with a reason; it shows on the page, the list, the export."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from python_calamine import CalamineWorkbook

from taizhang.history.recording import history_for
from taizhang.ledger import actions

pytestmark = pytest.mark.django_db


def test_the_office_marks_an_item_with_a_reason_and_the_history_says_so(items, people):
    item = items["oa"]
    with pytest.raises(ValidationError):
        actions.mark_model(item, is_model=True, reason="  ", acting_user=people["olivia"])
    for persona in ("lily", "leo"):
        with pytest.raises(PermissionDenied):
            actions.mark_model(item, is_model=True, reason="流程再造", acting_user=people[persona])
    version = item.version
    item = actions.mark_model(item, is_model=True, reason="流程再造，群众少跑腿", acting_user=people["olivia"])
    assert item.is_model and item.model_reason == "流程再造，群众少跑腿"
    assert item.version == version  # an open edit form is not made stale by the mark
    actions.mark_model(item, is_model=True, reason="流程再造，群众少跑腿", acting_user=people["olivia"])
    marks = [e for e in history_for(item) if any(c["field"] == "is_model" for c in e.changes)]
    assert len(marks) == 1 and marks[0].note == "流程再造，群众少跑腿"
    actions.mark_model(item, is_model=False, acting_user=people["olivia"])
    item.refresh_from_db()
    assert not item.is_model and item.model_reason == ""


def test_the_mark_shows_on_the_item_page_the_list_filter_and_the_export(client, items, people, campaign):
    client.force_login(people["olivia"])
    url = reverse("ledger:item_model_mark", args=[campaign.slug, items["oa"].pk])
    assert client.post(url, {"is_model": "1", "reason": ""}).status_code == 302  # refused with a message
    items["oa"].refresh_from_db()
    assert not items["oa"].is_model
    client.post(url, {"is_model": "1", "reason": "一网通办样板"})
    page = client.get(reverse("ledger:item_detail", args=[campaign.slug, items["oa"].pk])).content.decode()
    assert 'id="item-model-badge"' in page and "一网通办样板" in page

    listing = client.get(reverse("ledger:item_list", args=[campaign.slug]), {"model": "on"}).content.decode()
    assert items["oa"].title in listing
    assert all(other.title not in listing for key, other in items.items() if key != "oa")

    export = client.get(reverse("ledger:item_export", args=[campaign.slug]), {"model": "on"})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(export.content)).get_sheet_by_index(0).to_python()
    assert [r[0] for r in rows[2:]] == [items["oa"].code]
    assert rows[2][-1] == "★ 一网通办样板"

    client.force_login(people["lily"])
    page = client.get(reverse("ledger:item_detail", args=[campaign.slug, items["oa"].pk])).content.decode()
    assert 'id="item-model-badge"' in page and 'id="item-model-form"' not in page
    assert client.post(url, {"is_model": "0"}).status_code == 403


def test_an_ongoing_item_says_its_words_once(client, campaign, org, people):
    from taizhang.testing.factories import make_item

    item = make_item(campaign, org["hr"], code="HR-LONG", due=None, due_text="长期坚持")
    client.force_login(people["olivia"])
    page = client.get(reverse("ledger:item_detail", args=[campaign.slug, item.pk])).content.decode()
    assert page.count("长期坚持") == 1
