"""The public page (公示): published items, filters, a timeline without authors, the objection window."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from taizhang.ledger import actions as ledger_actions
from taizhang.people import actions


def codes(response) -> list[str]:
    return [item.code for item in response.context["page"]]


def test_only_published_items_are_listed_and_filters_work(client, people, items, campaign, org):
    for key in ("oa", "welfare", "clinic"):
        actions.publish_item(items[key], acting_user=people["olivia"])
    url = reverse("people:public_list", args=[campaign.slug])
    assert codes(client.get(url)) == ["HQ-001", "HQ-003", "YL-001"]
    assert codes(client.get(url, {"unit": org["subsidiary"].pk})) == ["YL-001"]
    care = campaign.categories.get(name="关爱员工")
    items["welfare"].category = care
    items["welfare"].save()
    assert codes(client.get(url, {"category": care.pk})) == ["HQ-003"]


def test_the_public_timeline_shows_progress_without_who_reported_it(client, people, items, campaign):
    ledger_actions.add_progress(items["oa"], percent=40, done="完成需求调研", acting_user=people["lily"])
    actions.publish_item(items["oa"], acting_user=people["olivia"])
    body = client.get(reverse("people:public_item", args=[campaign.slug, items["oa"].pk])).content.decode()
    assert "完成需求调研" in body
    assert people["lily"].name not in body and "王明" in items["oa"].owner
    assert "lily" not in body


def test_unpublished_items_are_not_shown(client, items, campaign):
    assert client.get(reverse("people:public_item", args=[campaign.slug, items["oa"].pk])).status_code == 404


def test_only_the_office_publishes(people, items):
    with pytest.raises(PermissionDenied):
        actions.publish_item(items["oa"], acting_user=people["lily"])


def test_objections_cannot_be_sent_when_no_window_is_open(people, items):
    actions.publish_item(items["oa"], acting_user=people["olivia"])
    with pytest.raises(ValidationError):
        actions.submit_objection(items["oa"], data={"text": "不同意"})


def test_the_public_filters_have_visible_labels(client, campaign):
    """The walk saw two selects reading 全部 and 全部 on a phone, with nothing saying which is which."""
    import re

    body = client.get(reverse("people:public_list", args=[campaign.slug])).content.decode()
    form = body[body.index('id="public-filters"') : body.index("</form>", body.index('id="public-filters"'))]
    for name in ("category", "unit"):
        select_id = re.search(rf'<select name="{name}"[^>]*id="([^"]+)"', form).group(1)
        assert f'<label class="form-label small mb-0" for="{select_id}">' in form
