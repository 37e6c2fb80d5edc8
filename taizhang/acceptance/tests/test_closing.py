"""Acceptance, ratings, closing (销号) and reopening, look-backs, and telling the people."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from taizhang.acceptance import actions
from taizhang.acceptance.models import Acceptance, LookBack
from taizhang.history.recording import history_for
from taizhang.ledger import actions as ledger_actions
from taizhang.ledger.models import Item, Status
from taizhang.people import actions as people_actions
from taizhang.people.models import Demand, PeopleSettings, PublicItem, Rating
from taizhang.people.queries import RatingSummary


@pytest.fixture
def done_item(people, items):
    item = items["oa"]
    ledger_actions.add_progress(item, percent=100, done="OA改版上线", acting_user=people["lily"])
    item.refresh_from_db()
    return item


def accept(item, who, result=Acceptance.Result.PASSED, **extra):
    data = {"checkers": "欧阳办、刘领导", "result": result, **extra}
    return actions.record_acceptance(item, data=data, acting_user=who)


def rate(item, value, n=1, start=0):
    for i in range(start, start + n):
        people_actions.rate_item(item, value=value, voter=f"cookie:{i}")


@pytest.mark.parametrize(
    ("s", "b", "d", "verdict"),
    [
        (3, 1, 1, "satisfied"),  # 60% satisfied
        (2, 1, 1, "basic"),  # exactly half satisfied is not more than half; 75% with basic
        (1, 2, 1, "basic"),
        (1, 1, 2, "dissatisfied"),  # exactly half with basic is not over half
        (0, 0, 0, ""),
    ],
)
def test_the_rating_rule_more_than_threshold(s, b, d, verdict):
    assert RatingSummary(satisfied=s, basic=b, dissatisfied=d, threshold=50).verdict == verdict


def test_only_the_office_records_acceptance_and_returning_needs_reasons(people, done_item):
    with pytest.raises(PermissionDenied):
        accept(done_item, people["lily"])
    with pytest.raises(ValidationError):
        accept(done_item, people["olivia"], result=Acceptance.Result.RETURNED)
    returned = accept(done_item, people["olivia"], result=Acceptance.Result.RETURNED, reasons="缺少验收材料")
    assert returned.reasons == "缺少验收材料"


def test_acceptance_page_takes_evidence(login, people, done_item, campaign):
    client = login(people["olivia"])
    evidence = SimpleUploadedFile("验收报告.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = client.post(
        reverse("acceptance:item_accept", args=[campaign.slug, done_item.pk]),
        {
            "checked_on": "2026-06-30",
            "checkers": "验收组",
            "result": "passed",
            "statement": "已完成",
            "attachments": [evidence],
        },
    )
    assert response.status_code == 302
    acceptance = done_item.acceptances.get()
    assert acceptance.attachments.get().name == "验收报告.pdf"
    body = client.get(reverse("ledger:item_detail", args=[campaign.slug, done_item.pk])).content.decode()
    assert "验收报告.pdf" in body


def test_an_item_without_demands_closes_after_acceptance_only(people, done_item):
    with pytest.raises(ValidationError):
        actions.close_item(done_item, acting_user=people["olivia"])
    accept(done_item, people["olivia"])
    with pytest.raises(PermissionDenied):
        actions.close_item(done_item, acting_user=people["leo"])
    closed = actions.close_item(done_item, statement="按期完成", acting_user=people["olivia"])
    assert closed.status == Status.CLOSED
    assert Item.objects.get(pk=done_item.pk).status == Status.CLOSED
    assert any("按期完成" in h.note and h.action == "close" for h in history_for(done_item))


# Mail goes out on commit: these run in real transactions.
@pytest.mark.django_db(transaction=True)
def test_an_item_from_demands_closes_only_when_ratings_reach_the_threshold(people, done_item, campaign):
    demand = people_actions.submit_demand(campaign=campaign, data={"text": "OA系统太慢", "email": "p@example.com"})
    people_actions.link_demand(demand, done_item, acting_user=people["olivia"])
    accept(done_item, people["olivia"])
    assert any("p@example.com" in m.to for m in mail.outbox), "the submitter is asked to rate"
    blockers = actions.closing_blockers(done_item)
    assert len(blockers) == 1
    rate(done_item, Rating.Value.SATISFIED, 1)
    rate(done_item, Rating.Value.DISSATISFIED, 1, start=1)
    with pytest.raises(ValidationError):
        actions.close_item(done_item, acting_user=people["olivia"])
    rate(done_item, Rating.Value.BASIC, 1, start=2)
    mail.outbox.clear()
    actions.close_item(done_item, acting_user=people["olivia"])
    assert Item.objects.get(pk=done_item.pk).status == Status.CLOSED
    assert [m.to for m in mail.outbox] == [["p@example.com"]]
    assert demand.tracking_code in mail.outbox[0].body


def test_a_campaign_may_not_require_ratings(people, done_item, campaign):
    campaign.ratings_required = False
    campaign.save()
    demand = people_actions.submit_demand(campaign=campaign, data={"text": "OA系统太慢"})
    people_actions.link_demand(demand, done_item, acting_user=people["olivia"])
    accept(done_item, people["olivia"])
    actions.close_item(done_item, acting_user=people["olivia"])


def test_a_later_returned_acceptance_blocks_closing(people, done_item):
    accept(done_item, people["olivia"])
    accept(done_item, people["olivia"], result=Acceptance.Result.RETURNED, reasons="群众反映仍有问题")
    assert actions.closing_blockers(done_item)


def test_one_rating_per_person_per_item(done_item, people):
    accept(done_item, people["olivia"])
    people_actions.rate_item(done_item, value=Rating.Value.SATISFIED, voter="cookie:a")
    with pytest.raises(ValidationError):
        people_actions.rate_item(done_item, value=Rating.Value.DISSATISFIED, voter="cookie:a")
    assert done_item.ratings.count() == 1


def test_an_unfinished_item_cannot_be_rated(items):
    with pytest.raises(ValidationError):
        people_actions.rate_item(items["flow"], value=Rating.Value.SATISFIED, voter="cookie:a")


# Mail goes out on commit: these run in real transactions.
@pytest.mark.django_db(transaction=True)
def test_a_dissatisfied_rating_with_a_comment_notifies_the_office(people, done_item):
    people["olivia"].email = "office@example.com"
    people["olivia"].save()
    accept(done_item, people["olivia"])
    mail.outbox.clear()
    people_actions.rate_item(done_item, value=Rating.Value.DISSATISFIED, voter="cookie:b")
    assert mail.outbox == []
    people_actions.rate_item(done_item, value=Rating.Value.DISSATISFIED, comment="还是很卡", voter="cookie:c")
    assert [m.to for m in mail.outbox] == [["office@example.com"]]
    assert "还是很卡" in mail.outbox[0].body


def test_reopening_a_closed_item_needs_a_reason_and_derives_its_status(people, done_item):
    accept(done_item, people["olivia"])
    actions.close_item(done_item, acting_user=people["olivia"])
    with pytest.raises(ValidationError):
        actions.reopen_item(done_item, reason=" ", acting_user=people["olivia"])
    item = actions.reopen_item(done_item, reason="群众反映问题复发", acting_user=people["olivia"])
    assert item.status == Status.COMPLETED
    assert Item.objects.get(pk=done_item.pk).status == Status.COMPLETED
    assert not LookBack.objects.filter(item=done_item, done_on__isnull=True).exists()
    with pytest.raises(ValidationError):
        actions.reopen_item(done_item, reason="again", acting_user=people["olivia"])


def test_closing_schedules_a_look_back_and_a_failed_one_reopens(people, done_item, campaign):
    settings = PeopleSettings.for_campaign(campaign)
    settings.lookback_days = 30
    settings.save()
    accept(done_item, people["olivia"])
    actions.close_item(done_item, acting_user=people["olivia"])
    lookback = LookBack.objects.get(item=done_item)
    assert lookback.due_on == actions.today() + datetime.timedelta(days=30)
    actions.record_lookback(lookback, holds=False, result="系统又变慢了", acting_user=people["olivia"])
    assert Item.objects.get(pk=done_item.pk).status == Status.COMPLETED
    lookback.refresh_from_db()
    assert lookback.holds is False and lookback.done_on == actions.today()


def test_close_and_reopen_through_the_item_page(login, people, done_item, campaign):
    client = login(people["olivia"])
    detail = reverse("ledger:item_detail", args=[campaign.slug, done_item.pk])
    blocked = client.post(reverse("acceptance:item_close", args=[campaign.slug, done_item.pk]), follow=True)
    assert blocked.status_code == 200
    assert Item.objects.get(pk=done_item.pk).status == Status.COMPLETED
    accept(done_item, people["olivia"])
    assert 'id="close-link"' in client.get(detail).content.decode()
    close = reverse("acceptance:item_close", args=[campaign.slug, done_item.pk])
    # A post that skipped the confirmation page lands on it and closes nothing.
    assert client.post(close, {"statement": "完成"})["Location"] == close
    assert Item.objects.get(pk=done_item.pk).status == Status.COMPLETED
    assert 'id="close-form"' in client.get(close).content.decode()
    client.post(close, {"statement": "完成", "confirmed": "True"})
    assert Item.objects.get(pk=done_item.pk).status == Status.CLOSED
    client.post(reverse("acceptance:item_reopen", args=[campaign.slug, done_item.pk]), {"reason": "复发"})
    assert Item.objects.get(pk=done_item.pk).status == Status.COMPLETED
    liaison = login(people["lily"])
    assert liaison.post(reverse("acceptance:item_close", args=[campaign.slug, done_item.pk])).status_code == 403


def test_look_backs_due_are_listed_for_the_office(login, people, done_item, campaign):
    accept(done_item, people["olivia"])
    actions.close_item(done_item, acting_user=people["olivia"])
    LookBack.objects.filter(item=done_item).update(due_on=actions.today())
    page = login(people["olivia"]).get(reverse("people:demand_list", args=[campaign.slug])).content.decode()
    due = page[page.index('id="lookbacks-due"') :]
    assert done_item.code in due[: due.index("</div></div>") + 12]


def test_reopening_keeps_the_pending_look_back_as_cancelled(people, done_item):
    accept(done_item, people["olivia"])
    actions.close_item(done_item, acting_user=people["olivia"])
    actions.reopen_item(done_item, reason="复发", acting_user=people["olivia"])
    lookback = LookBack.objects.get(item=done_item)
    assert lookback.done_on == actions.today() and lookback.holds is None and lookback.result


@pytest.mark.parametrize(("who", "sees_close"), [("olivia", True), ("leo", False), ("lily", False)])
def test_the_item_panel_offers_closing_to_the_office_only(login, people, done_item, campaign, who, sees_close):
    accept(done_item, people["olivia"])
    body = login(people[who]).get(reverse("ledger:item_detail", args=[campaign.slug, done_item.pk])).content.decode()
    assert 'id="people-panel"' in body
    assert ('id="close-link"' in body) is sees_close
    assert ('id="publish-form"' in body) is sees_close


def test_an_objection_during_the_window_arrives_as_a_problem_and_holds_closing(client, people, items, campaign):
    item = items["oa"]
    ledger_actions.add_progress(item, percent=100, done="上线", acting_user=people["lily"])
    item.refresh_from_db()
    actions.record_acceptance(
        item, data={"checkers": "验收组", "result": Acceptance.Result.PASSED}, acting_user=people["olivia"]
    )
    publication = people_actions.publish_item(item, acting_user=people["olivia"], for_objection=True)
    assert publication.objection_until == actions.today() + datetime.timedelta(days=7)
    assert any("objection" in b or "异议" in b for b in actions.closing_blockers(item)) or actions.closing_blockers(
        item
    )
    with pytest.raises(ValidationError):
        actions.close_item(item, acting_user=people["olivia"])
    url = reverse("people:public_item", args=[campaign.slug, item.pk])
    response = client.post(url, {"text": "OA系统还是很慢，不同意销号", "phone": "13900000000"})
    assert response.status_code == 200
    objection = Demand.objects.get()
    assert objection.objection_to == item and objection.phone == "13900000000"
    assert "13900000000" not in client.get(url).content.decode()
    # After the window the office may close.
    PublicItem.objects.filter(item=item).update(
        objection_from=actions.today() - datetime.timedelta(days=8),
        objection_until=actions.today() - datetime.timedelta(days=1),
    )
    assert client.post(url, {"text": "晚到的异议内容"}).status_code == 403
    actions.close_item(item, acting_user=people["olivia"])


# The people read acceptance through the reader this app registers ------------------------------


def test_a_passed_acceptance_opens_rating_even_before_the_item_is_complete(people, items):
    from taizhang.people.queries import item_accepted, item_ever_passed_acceptance

    item = items["welfare"]  # in progress, not yet at 100%
    assert not people_actions.can_be_rated(item)
    accept(item, people["olivia"])
    assert item_accepted(item) and item_ever_passed_acceptance(item)
    assert people_actions.can_be_rated(item)
    # A later return for rework hides "accepted" from the submitter but does not take back the call to rate.
    accept(item, people["olivia"], result=Acceptance.Result.RETURNED, reasons="材料不全")
    assert not item_accepted(item) and people_actions.can_be_rated(item)


def test_the_item_page_shows_the_people_and_the_acceptance_panels(login, people, done_item, campaign):
    accept(done_item, people["olivia"], statement="验收合格")
    body = login(people["olivia"]).get(reverse("ledger:item_detail", args=[campaign.slug, done_item.pk])).content
    page = body.decode()
    assert 'id="people-panel"' in page and 'id="acceptance-panel"' in page
    assert "验收与销号" in page and "验收合格" in page
    assert reverse("acceptance:item_close", args=[campaign.slug, done_item.pk]) in page


def test_the_closing_page_says_what_closing_rests_on_and_what_follows(login, people, done_item, campaign):
    demand = people_actions.submit_demand(campaign=campaign, data={"text": "OA系统太慢", "email": "p@example.com"})
    people_actions.link_demand(demand, done_item, acting_user=people["olivia"])
    accept(done_item, people["olivia"])
    rate(done_item, Rating.Value.SATISFIED, 2)
    close = reverse("acceptance:item_close", args=[campaign.slug, done_item.pk])

    page = login(people["olivia"]).get(close).content.decode()

    assert "欧阳办、刘领导" in page[page.index('id="closing-acceptance"') :]
    ratings = page[page.index('id="closing-ratings"') :]
    assert "满意" in ratings[:400] and "2" in ratings[:400]
    assert "未公示" in page or "Not published" in page
    lookback = (actions.today() + datetime.timedelta(days=90)).isoformat()
    consequences = page[page.index('id="closing-consequences"') :]
    assert lookback in consequences and "复号" in consequences
    assert Item.objects.get(pk=done_item.pk).status == Status.COMPLETED, "nothing is written on GET"


def test_the_closing_page_shows_the_blockers_and_no_button(login, people, done_item, campaign):
    page = login(people["olivia"]).get(reverse("acceptance:item_close", args=[campaign.slug, done_item.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'id="closing-blockers"' in body and 'id="close-form"' not in body
