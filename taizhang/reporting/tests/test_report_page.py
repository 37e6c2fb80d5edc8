"""The weekly report page as people trip on it: submitting with items left unchanged asks first and says what
"no change" means; saving a row swaps that row only; one status badge; the progress form's period is a choice."""

import re

from django.utils import translation
from django.utils.translation import gettext

from taizhang.ledger.models import ProgressEntry
from taizhang.reporting.models import UnitReport

from .test_pages import url


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return gettext(message)


def _save(client, campaign, period, unit, item, percent, done, **headers):
    return client.post(
        url(campaign, period, unit, f"items/{item.pk}/progress/"),
        {f"i{item.pk}-percent": str(percent), f"i{item.pk}-done": done},
        headers=headers,
    )


def test_submitting_with_items_unchanged_asks_first_and_says_what_no_change_means(
    login, people, items, org, periods, campaign
):
    client = login(people["lily"])
    period, unit = periods["current_week"], org["office_dept"]
    _save(client, campaign, period, unit, items["oa"], 40, "完成需求调研")
    response = client.post(url(campaign, period, unit, "submit/"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="confirm-submit"' in body and "HQ-002" in re.search(r'id="confirm-left".*?</ul>', body, re.S)[0]
    assert "1 / 2" in body and "无变化" in body  # 本期已填报进展的事项：1 / 2 项
    assert UnitReport.objects.get(period=period, unit=unit).status == UnitReport.Status.DRAFT  # nothing written
    assert client.post(url(campaign, period, unit, "submit/"), {"confirm": "1"}).status_code == 302
    assert UnitReport.objects.get(period=period, unit=unit).status == UnitReport.Status.SUBMITTED


def test_every_item_updated_submits_without_asking(login, people, items, org, periods, campaign):
    client = login(people["lily"])
    period, unit = periods["current_week"], org["office_dept"]
    _save(client, campaign, period, unit, items["oa"], 40, "完成需求调研")
    _save(client, campaign, period, unit, items["flow"], 10, "梳理流程")
    assert client.post(url(campaign, period, unit, "submit/")).status_code == 302
    assert UnitReport.objects.get(period=period, unit=unit).status == UnitReport.Status.SUBMITTED


def test_saving_a_row_with_htmx_answers_with_that_row_only(login, people, items, org, periods, campaign):
    client = login(people["lily"])
    period, unit, item = periods["current_week"], org["office_dept"], items["oa"]
    response = _save(client, campaign, period, unit, item, 45, "完成需求调研", HX_Request="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and "完成需求调研" in body and "45%" in body and "data-saved" in body
    assert f'hx-target="#item-row-{item.pk}"' in body and "HQ-002" not in body
    assert ProgressEntry.objects.get(item=item).percent == 45
    refused = _save(client, campaign, period, unit, item, 150, "超过一百", HX_Request="true")
    assert (
        refused.status_code == 200
        and 'role="alert"' in refused.content.decode()
        and "<html" not in refused.content.decode()
    )
    assert ProgressEntry.objects.filter(item=item).count() == 1


def test_a_returned_report_shows_returned_once_and_a_missed_one_only_missed(
    login, people, items, org, periods, campaign
):
    period = periods["current_week"]
    login(people["bob"]).post(url(campaign, period, org["hr"], "submit/"), {"no_change": "1"})
    login(people["olivia"]).post(url(campaign, period, org["hr"], "return/"), {"reason": "请补充招标金额"})
    body = login(people["bob"]).get(url(campaign, period, org["hr"])).content.decode()
    header = re.search(r'<div class="d-flex flex-wrap align-items-center gap-2 mb-3">.*?</div>', body, re.S)[0]
    assert header.count(zh("returned")) == 1
    assert 'id="summary-form"' not in body  # a weekly report has no monthly summary to ask for
    missed = login(people["olivia"]).get(url(campaign, periods["past_week"], org["office_dept"])).content.decode()
    header = re.search(r'<div class="d-flex flex-wrap align-items-center gap-2 mb-3">.*?</div>', missed, re.S)[0]
    assert zh("missing") == "漏报" and "漏报" in header and zh("not started") not in header


def test_the_items_progress_form_chooses_among_the_open_periods(login, people, items, periods, campaign):
    client = login(people["lily"])
    item = items["oa"]
    page = client.get(f"/c/{campaign.slug}/items/{item.pk}/progress/").content.decode()
    select = re.search(r'<select name="period_label".*?</select>', page, re.S)[0]
    week = periods["current_week"]
    assert f'<option value="{week.label}" selected>{week.name}</option>' in select
    assert 'type="text"' not in select and "2026-W" not in re.sub(r'value="[^"]*"', "", select)
    refused = client.post(
        f"/c/{campaign.slug}/items/{item.pk}/progress/", {"percent": "30", "done": "调研", "period_label": "第10周"}
    )
    assert refused.status_code == 400 and not ProgressEntry.objects.exists()
    client.post(
        f"/c/{campaign.slug}/items/{item.pk}/progress/", {"percent": "30", "done": "调研", "period_label": week.label}
    )
    assert ProgressEntry.objects.get().period_label == week.label
    client.post(f"/c/{campaign.slug}/items/{item.pk}/progress/", {"percent": "40", "done": "上线"})
    assert list(ProgressEntry.objects.values_list("period_label", flat=True)) == [week.label, week.label]
