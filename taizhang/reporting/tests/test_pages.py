"""The report pages: liaisons write their own unit's report, the office decides, others are refused."""

from django.utils.translation import gettext as _

from taizhang.ledger.models import ProgressEntry
from taizhang.reporting.models import ReportingPeriod, UnitReport


def url(campaign, period, unit, suffix=""):
    return f"/c/{campaign.slug}/reports/{period.pk}/{unit.pk}/{suffix}"


def test_liaison_sees_its_reports_and_its_items_on_the_report_page(login, people, items, org, periods, campaign):
    client = login(people["lily"])
    home = client.get(f"/c/{campaign.slug}/reports/")
    assert home.status_code == 200
    assert periods["past_week"].name in home.content.decode()
    page = client.get(url(campaign, periods["current_week"], org["office_dept"]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "HQ-001" in body and "HQ-002" in body and "HQ-003" not in body
    assert 'id="submit-no-change"' in body


def test_liaison_records_progress_from_the_report_page_and_submits(login, people, items, org, periods, campaign):
    client = login(people["lily"])
    period = periods["current_week"]
    item = items["oa"]
    response = client.post(
        url(campaign, period, org["office_dept"], f"items/{item.pk}/progress/"),
        {f"i{item.pk}-percent": "40", f"i{item.pk}-done": "完成需求调研"},
    )
    assert response.status_code == 302
    entry = ProgressEntry.objects.get(item=item)
    assert entry.percent == 40 and entry.period_label == period.label and entry.author == people["lily"]
    response = client.post(url(campaign, period, org["office_dept"], "submit/"), {"confirm": "1"})
    assert response.status_code == 302
    report = UnitReport.objects.get(period=period, unit=org["office_dept"])
    assert report.status == UnitReport.Status.SUBMITTED and not report.no_change and not report.is_late


def test_submit_without_anything_new_shows_a_message_and_writes_nothing(login, people, items, org, periods, campaign):
    client = login(people["lily"])
    response = client.post(url(campaign, periods["current_week"], org["office_dept"], "submit/"), follow=True)
    assert response.status_code == 200
    assert not UnitReport.objects.filter(status=UnitReport.Status.SUBMITTED).exists()
    assert _("Nothing new is recorded for this period: record progress on an item, or submit “no change”.") in [
        str(m) for m in response.context["messages"]
    ]


def test_monthly_summary_is_saved_and_submitted(login, people, items, org, periods, campaign):
    client = login(people["bob"])
    period = periods["current_month"]
    data = {"results": "福利平台上线", "practices": "清单化推进", "problems": "预算不足", "suggestions": "统筹资金"}
    assert client.post(url(campaign, period, org["hr"], "summary/"), data).status_code == 302
    assert client.post(url(campaign, period, org["hr"], "submit/")).status_code == 302
    report = UnitReport.objects.get(period=period, unit=org["hr"])
    assert report.status == UnitReport.Status.SUBMITTED and report.problems == "预算不足"
    body = login(people["olivia"]).get(url(campaign, period, org["hr"])).content.decode()
    assert "统筹资金" in body and 'id="accept-report"' in body


def test_liaison_cannot_read_or_write_another_units_report(login, people, items, org, periods, campaign):
    client = login(people["lily"])
    period = periods["current_week"]
    assert client.get(url(campaign, period, org["hr"])).status_code == 403
    assert client.post(url(campaign, period, org["hr"], "submit/"), {"no_change": "1"}).status_code == 403
    item = items["welfare"]
    response = client.post(
        url(campaign, period, org["hr"], f"items/{item.pk}/progress/"),
        {f"i{item.pk}-percent": "90", f"i{item.pk}-done": "冒名"},
    )
    assert response.status_code == 403
    assert not UnitReport.objects.exists() and not ProgressEntry.objects.exists()
    assert login(people["charlie"]).get(url(campaign, period, org["hr"])).status_code == 403


def test_office_returns_with_reason_and_liaison_cannot_decide(login, people, items, org, periods, campaign):
    period = periods["current_week"]
    login(people["bob"]).post(url(campaign, period, org["hr"], "submit/"), {"no_change": "1"})
    assert login(people["bob"]).post(url(campaign, period, org["hr"], "accept/")).status_code == 403
    client = login(people["olivia"])
    assert client.post(url(campaign, period, org["hr"], "return/"), {"reason": ""}).status_code == 302
    assert UnitReport.objects.get().status == UnitReport.Status.SUBMITTED
    client.post(url(campaign, period, org["hr"], "return/"), {"reason": "请说明进展"})
    report = UnitReport.objects.get()
    assert report.status == UnitReport.Status.RETURNED
    body = login(people["bob"]).get(url(campaign, period, org["hr"])).content.decode()
    assert "请说明进展" in body and 'id="submit-report"' in body


def test_accepted_report_page_offers_no_writing_to_the_liaison(login, people, items, org, periods, campaign):
    period = periods["current_week"]
    login(people["bob"]).post(url(campaign, period, org["hr"], "submit/"), {"no_change": "1"})
    login(people["olivia"]).post(url(campaign, period, org["hr"], "accept/"))
    client = login(people["bob"])
    item = items["welfare"]
    body = client.get(url(campaign, period, org["hr"])).content.decode()
    assert 'id="submit-report"' not in body and f"items/{item.pk}/progress/" not in body
    client.post(
        url(campaign, period, org["hr"], f"items/{item.pk}/progress/"),
        {f"i{item.pk}-percent": "90", f"i{item.pk}-done": "锁定后"},
    )
    assert not ProgressEntry.objects.exists()


def test_unknown_period_or_get_on_a_write_is_refused_cleanly(login, people, org, periods, campaign):
    client = login(people["olivia"])
    assert client.get(f"/c/{campaign.slug}/reports/999999/{org['hr'].pk}/").status_code == 404
    assert client.get(url(campaign, periods["current_week"], org["hr"], "accept/")).status_code == 405
    assert client.post(url(campaign, periods["current_week"], org["hr"], "accept/")).status_code == 404


def test_the_reports_page_writes_nothing_on_a_get(org, campaign, people, login):
    assert not ReportingPeriod.objects.filter(campaign=campaign).exists()
    assert login(people["lily"]).get(f"/c/{campaign.slug}/reports/").status_code == 200
    assert not ReportingPeriod.objects.filter(campaign=campaign).exists()
