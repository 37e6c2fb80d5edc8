"""Triage: similar problems and items suggested, items made from problems, links, merges, answers, counts."""

import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from taizhang.ledger.models import Item
from taizhang.people import actions, queries
from taizhang.people.models import Channel, Demand, DemandStatus


def submit(campaign, text, **data):
    return actions.submit_demand(campaign=campaign, data={"text": text, **data})


def test_similarity_ignores_simplified_and_traditional_differences():
    a = queries.ngrams("开展公益义诊活动")
    b = queries.ngrams("開展公益義診活動")
    assert queries.similarity(a, b) == 1.0
    assert queries.similarity(a, queries.ngrams("食堂饭菜太贵")) == 0.0


def test_similar_problems_and_items_are_suggested_best_first(campaign, items):
    demand = submit(campaign, "希望开展公益义诊活动，方便职工看病")
    near = submit(campaign, "建議開展義診活動")
    submit(campaign, "停车位太少")
    suggested = [d for _, d in queries.similar_demands(demand)]
    assert suggested == [near]
    items_found = [i.code for _, i in queries.similar_items(demand)]
    assert items_found[0] == "YL-001"


def test_office_creates_one_item_from_two_problems_and_keeps_the_link(login, people, campaign, org):
    first = submit(campaign, "食堂晚餐太早结束", unit=org["hr"], category=campaign.categories.get(name="关爱员工"))
    second = submit(campaign, "加班员工吃不上晚饭")
    client = login(people["olivia"])
    url = reverse("people:item_from_demands", args=[campaign.slug])
    page = client.get(url, {"d": [first.pk, second.pk]})
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["title"] == "食堂晚餐太早结束" and form.initial["owner_unit"] == org["hr"].pk
    assert "加班员工吃不上晚饭" in form.initial["content"]
    response = client.post(
        url,
        {
            "d": [first.pk, second.pk],
            "code": "RS-010",
            "title": "延长食堂晚餐供应时间",
            "content": form.initial["content"],
            "owner_unit": org["hr"].pk,
            "category": first.category_id,
            "scope": "inside",
            "weight": "1",
        },
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    item = Item.objects.get(code="RS-010")
    assert set(item.demands.all()) == {first, second}
    first.refresh_from_db()
    assert first.status == DemandStatus.IN_LIST


def test_a_bad_item_form_reshows_with_the_problems_kept(login, people, campaign):
    demand = submit(campaign, "食堂晚餐太早结束")
    client = login(people["olivia"])
    response = client.post(reverse("people:item_from_demands", args=[campaign.slug]), {"d": [demand.pk], "code": ""})
    assert response.status_code == 400
    assert response.context["demands"] == [demand]
    assert not Item.objects.exists()


# Mail goes out on commit: these run in real transactions.
@pytest.mark.django_db(transaction=True)
def test_link_merge_and_answer_from_the_triage_page(login, people, campaign, items):
    a = submit(campaign, "OA系统太慢", email="a@example.com")
    b = submit(campaign, "OA系统很慢经常卡")
    c = submit(campaign, "希望公布食堂菜价", email="c@example.com")
    client = login(people["olivia"])
    act = lambda d, what, **data: client.post(reverse("people:demand_act", args=[campaign.slug, d.pk, what]), data)  # noqa: E731
    assert act(a, "link", item=items["oa"].pk).status_code == 302
    assert act(b, "merge", into=a.tracking_code.lower()).status_code == 302
    assert act(c, "answer", reply="菜价已在食堂门口公示").status_code == 302
    a.refresh_from_db(), b.refresh_from_db(), c.refresh_from_db()
    assert list(a.items.all()) == [items["oa"]] and a.status == DemandStatus.IN_LIST
    assert b.duplicate_of == a and b.status == DemandStatus.MERGED
    assert c.status == DemandStatus.ANSWERED
    assert [m.to for m in mail.outbox] == [["c@example.com"]]
    # The merged one follows the item on its status page; the answered one shows the reply.
    assert "HQ-001" in client.get(reverse("people:track", args=[b.tracking_code])).content.decode()
    assert "菜价已在食堂门口公示" in client.get(reverse("people:track", args=[c.tracking_code])).content.decode()


def test_empty_answer_and_foreign_merge_are_refused(people, campaign):
    demand = submit(campaign, "OA系统太慢")
    with pytest.raises(ValidationError):
        actions.answer_demand(demand, reply="  ", acting_user=people["olivia"])
    with pytest.raises(ValidationError):
        actions.merge_demand(demand, into=demand, acting_user=people["olivia"])
    with pytest.raises(PermissionDenied):
        actions.answer_demand(demand, reply="好的", acting_user=people["leo"])
    demand.refresh_from_db()
    assert demand.status == DemandStatus.NEW


def test_counts_by_channel_and_category(login, people, campaign):
    care = campaign.categories.get(name="关爱员工")
    submit(campaign, "食堂问题一二三", category=care)
    submit(campaign, "食堂问题四五六", category=care)
    actions.submit_demand(
        campaign=campaign, data={"text": "走访听到的问题", "channel": Channel.VISIT}, acting_user=people["olivia"]
    )
    counts = queries.counts_by_channel_and_category(campaign)
    assert dict(counts["channels"])[Channel.ONLINE.label] == 2
    assert dict(counts["channels"])[Channel.VISIT.label] == 1
    assert dict(counts["categories"])["关爱员工"] == 2
    assert counts["total"] == 3
    page = login(people["olivia"]).get(reverse("people:demand_list", args=[campaign.slug]))
    assert page.status_code == 200 and Demand.objects.count() == 3


def test_office_links_by_typing_an_item_code_and_a_wrong_code_is_refused(login, people, campaign, items):
    demand = submit(campaign, "福利平台不好用")
    client = login(people["olivia"])
    url = reverse("people:demand_act", args=[campaign.slug, demand.pk, "link"])
    wrong = client.post(url, {"code": "NO-SUCH"}, follow=True)
    assert [str(m) for m in wrong.context["messages"]]
    assert not demand.items.exists()
    client.post(url, {"code": "HQ-003"})
    assert list(demand.items.all()) == [items["welfare"]]


def test_the_problems_words_outweigh_the_units_name_and_the_page_shows_no_scores(campaign, org, login, people):
    """Issue 11: suggestions driven by the unit's name, shown with raw scores ("· 0.29")."""
    from taizhang.testing.factories import make_item

    make_item(campaign, org["hospital"], code="YY-1", title="八一骨科医院停车难")
    make_item(campaign, org["hr"], code="ST-1", title="改善职工食堂饭菜价格")
    demand = submit(campaign, "八一骨科医院的食堂饭菜价格太贵", unit=org["hospital"])
    assert queries.similar_items(demand)[0][1].code == "ST-1"
    page = login(people["olivia"]).get(reverse("people:demand_detail", args=[campaign.slug, demand.pk]))
    section = page.content.decode().split('id="similar-items"')[1].split("</ul>")[0]
    assert "ST-1" in section
    assert not re.search(r"· 0\.\d\d", section)
