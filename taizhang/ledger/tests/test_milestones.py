"""Milestones are made on the item form (a small table: date, expected percent) and shown on the item page
against the progress actually reported."""

import datetime

from django.urls import reverse
from django.utils import timezone

from taizhang.history.models import HistoryEntry
from taizhang.history.recording import history_for
from taizhang.ledger import actions
from taizhang.ledger.models import Item, Milestone
from taizhang.ledger.queries import milestone_checks

from .test_stale_edit import form_fields

DAY = datetime.timedelta(days=1)


def edit_url(campaign, item) -> str:
    return reverse("ledger:item_edit", args=[campaign.slug, item.pk])


def with_rows(data: dict, rows: list[tuple[str, str]], *, initial: int = 0) -> dict:
    data = {k: v for k, v in data.items() if not k.startswith("milestones-")}
    data |= {"milestones-TOTAL_FORMS": str(len(rows)), "milestones-INITIAL_FORMS": str(initial)}
    for n, (on, percent) in enumerate(rows):
        data |= {f"milestones-{n}-on": on, f"milestones-{n}-percent": percent}
    return data


def test_the_office_adds_milestones_on_the_item_form_and_the_history_keeps_them(campaign, items, people, login):
    client = login(people["olivia"])
    oa = items["oa"]
    page = client.get(edit_url(campaign, oa))
    assert b'id="milestones-table"' in page.content and b"data-tz-add-milestone" in page.content
    first, second = timezone.localdate() + 10 * DAY, timezone.localdate() + 40 * DAY
    data = with_rows(form_fields(page), [(first.isoformat(), "60"), (second.isoformat(), "90"), ("", "")])
    response = client.post(edit_url(campaign, oa), data)
    assert response.status_code == 302
    assert list(Milestone.objects.filter(item=oa).values_list("on", "percent")) == [(first, 60), (second, 90)]
    entry = history_for(oa).get(action=HistoryEntry.Action.UPDATE)
    assert [(c["field"], c["new"]) for c in entry.changes] == [
        ("milestones", f"{first.isoformat()} 60%、{second.isoformat()} 90%")
    ]
    # The form opens again with the rows, and removing one (its box ticked) deletes it.
    page = client.get(edit_url(campaign, oa))
    data = form_fields(page) | {"milestones-1-DELETE": "on"}
    assert client.post(edit_url(campaign, oa), data).status_code == 302
    assert list(Milestone.objects.filter(item=oa).values_list("percent", flat=True)) == [60]


def test_milestones_that_go_down_or_leave_the_items_time_are_refused_and_nothing_is_saved(
    campaign, items, people, login
):
    client = login(people["olivia"])
    oa = items["oa"]
    data = form_fields(client.get(edit_url(campaign, oa)))
    soon, later = timezone.localdate() + 10 * DAY, timezone.localdate() + 20 * DAY
    going_down = with_rows(data, [(soon.isoformat(), "80"), (later.isoformat(), "40")])
    response = client.post(edit_url(campaign, oa), going_down)
    assert response.status_code == 200
    assert "低于前一个节点" in response.content.decode()  # the reason, in the page's language
    after_due = with_rows(data, [((oa.due + 5 * DAY).isoformat(), "50")])
    assert client.post(edit_url(campaign, oa), after_due).status_code == 200
    half = with_rows(data, [(soon.isoformat(), "")])
    assert client.post(edit_url(campaign, oa), half).status_code == 200
    assert not Milestone.objects.exists()
    assert Item.objects.get(pk=oa.pk).version == oa.version


def test_a_new_item_is_created_with_its_milestones(campaign, org, people, login):
    client = login(people["olivia"])
    url = reverse("ledger:item_create", args=[campaign.slug])
    data = with_rows(form_fields(client.get(url)), [((timezone.localdate() + 5 * DAY).isoformat(), "30")])
    data |= {
        "code": "NEW-9",
        "title": "新增带节点",
        "owner_unit": str(org["hr"].pk),
        "scope": "inside",
        "weight": "1",
        "due": campaign.ends_on.isoformat(),
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(Item.objects.get(code="NEW-9").milestones.values_list("percent", flat=True)) == [30]


def test_the_item_page_shows_each_milestone_against_the_progress_reported_by_then(campaign, org, people, login):
    olivia = people["olivia"]
    today = timezone.localdate()
    item = actions.create_item(
        campaign=campaign,
        data={"code": "M-1", "title": "有节点", "owner_unit": org["hr"], "due": campaign.ends_on},
        milestones=[(today - 20 * DAY, 20), (today - 5 * DAY, 50), (today + 30 * DAY, 70)],
        acting_user=olivia,
    )
    actions.add_progress(
        Item.objects.get(pk=item.pk), percent=25, done="完成招标", as_of=today - 21 * DAY, acting_user=olivia
    )
    actions.add_progress(
        Item.objects.get(pk=item.pk), percent=40, done="开工", as_of=today - 2 * DAY, acting_user=olivia
    )
    checks = milestone_checks(Item.objects.get(pk=item.pk), today)
    assert [(c.expected, c.actual, c.state) for c in checks] == [(20, 25, "met"), (50, 25, "missed"), (70, 40, "ahead")]
    page = login(olivia).get(reverse("ledger:item_detail", args=[campaign.slug, item.pk])).content.decode()
    table = page[page.index('id="milestones"') :]
    table = table[: table.index("</table>")]
    assert table.count("milestone-met") == 1 and table.count("milestone-missed") == 1
    assert table.count("milestone-ahead") == 1
    assert (today - 5 * DAY).isoformat() in table and "50%" in table
