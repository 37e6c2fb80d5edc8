"""The statistics sheet is the unit's weekly report: on time or late by the upload, drafts, returned and accepted
reports, the office's workbook in one transaction, only open periods, and each upload written once."""

import datetime
import io
import re
import threading

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import close_old_connections, connection
from django.urls import reverse
from django.utils.translation import gettext as _

from taizhang.history.models import HistoryEntry
from taizhang.ledger.actions import refresh_lights
from taizhang.ledger.models import Item, ProgressEntry
from taizhang.notices.models import Message
from taizhang.notices.rhythm import send_chases, send_reminders
from taizhang.reporting import actions as reporting_actions
from taizhang.reporting.models import ReportingPeriod, UnitReport
from taizhang.reporting.periods import generate_periods, open_periods
from taizhang.sheets.models import ImportJob
from taizhang.sheets.statsheet import KEY_SHEET

from .test_statistics_sheet import download, read_back, refill, upload


@pytest.fixture
def week(campaign):
    generate_periods(campaign)
    return open_periods(campaign).first()


def _report(period, unit):
    return UnitReport.objects.filter(period=period, unit=unit).first()


def _board_state(client, campaign, period, unit) -> str:
    body = client.get(reverse("reporting:board", args=[campaign.slug])).content.decode()
    match = re.search(rf'href="[^"]*/{period.pk}/{unit.pk}/"><span [^>]*data-state="(\w+)"', body)
    assert match, "the unit's cell for the period is not on the board"
    return match[1]


def _reported_past_weeks(campaign, unit, before):
    """The unit reported every earlier week on time, so its lights hang on its progress alone."""
    for period in ReportingPeriod.objects.filter(campaign=campaign, kind="weekly", due_at__lt=before.due_at):
        UnitReport.objects.create(
            period=period,
            unit=unit,
            status=UnitReport.Status.SUBMITTED,
            submitted_at=period.due_at - datetime.timedelta(hours=2),
        )


def test_a_sheet_uploaded_before_friday_five_is_the_units_on_time_report_and_stops_the_reminders(
    org, campaign, people, items, login, week, _clock_at_test_start
):
    unit = org["office_dept"]
    _reported_past_weeks(campaign, unit, week)
    refresh_lights(campaign)
    items["oa"].refresh_from_db()
    assert items["oa"].light in ("yellow", "red")  # nothing reported on it for 90 days
    _clock_at_test_start.move_to(week.due_at - datetime.timedelta(minutes=1), tick=False)  # Friday 16:59

    client = login(people["lily"])
    data = refill(download(client, campaign, week), {"HQ-001": [80, "进行中", "系统上线试运行", "", "全面推广"]})
    response = upload(client, campaign, data, week)
    preview = client.get(response["Location"])
    assert [(r["unit"], r["action"], r["late"]) for r in preview.context["plan"].reports] == [(unit, "submit", False)]
    assert [r["action"] for r in preview.context["plan"].rows] == ["report", "no_change"]
    client.post(response["Location"], {"submit": "1"})

    report = _report(week, unit)
    assert (report.status, report.is_late, report.no_change, report.submitted_by) == (
        "submitted",
        False,
        False,
        people["lily"],
    )
    assert HistoryEntry.objects.filter(object_id=report.pk, action=HistoryEntry.Action.SUBMIT).exists()
    entry = ProgressEntry.objects.get()
    assert (entry.item, entry.percent, entry.period_label, entry.source) == (items["oa"], 80, week.label, "sheet")
    items["oa"].refresh_from_db()
    assert items["oa"].light == "green"
    assert HistoryEntry.objects.filter(object_id=items["oa"].pk, action=HistoryEntry.Action.LIGHT).exists()
    assert _board_state(login(people["olivia"]), campaign, week, unit) == "on_time"

    reminders = send_reminders(campaign, now=week.due_at - datetime.timedelta(minutes=1))
    scope = f"period{week.pk}:unit{unit.pk}"
    assert not Message.objects.filter(dedupe_key__contains=scope).exists()
    assert reminders > 0  # 人力资源部 has not reported and is reminded
    send_chases(campaign, now=week.due_at + datetime.timedelta(hours=1))
    assert not Message.objects.filter(dedupe_key__contains=scope).exists()


def test_a_sheet_uploaded_after_the_due_time_is_a_late_report(org, campaign, people, items, login, week):
    last_week = open_periods(campaign)[1]
    client = login(people["lily"])
    data = refill(download(client, campaign, last_week), {"HQ-001": [20, "", "需求调研", "", ""]})
    response = upload(client, campaign, data, last_week)
    assert client.get(response["Location"]).context["plan"].reports[0]["late"] is True
    client.post(response["Location"])
    report = _report(last_week, org["office_dept"])
    assert report.status == "submitted" and report.is_late is True


def test_a_blank_sheet_from_the_liaison_is_a_no_change_report(org, campaign, people, items, login, week):
    client = login(people["lily"])
    response = upload(client, campaign, download(client, campaign, week), week)
    preview = client.get(response["Location"])
    assert preview.context["no_change"] == 2 and preview.context["reports"] == 0
    client.post(response["Location"])
    report = _report(week, org["office_dept"])
    assert report.status == "submitted" and report.no_change is True
    assert not ProgressEntry.objects.exists()


def test_the_same_percent_with_nothing_said_is_no_change_not_an_error(org, campaign, people, items, login, week):
    client = login(people["lily"])
    data = refill(download(client, campaign, week), {"HQ-001": [0, "", "", "", ""], "HQ-002": [10, "", "梳理", "", ""]})
    response = upload(client, campaign, data, week)
    plan = client.get(response["Location"]).context["plan"]
    assert plan.errors == []
    assert [(r["item"].code, r["action"]) for r in plan.rows] == [("HQ-001", "no_change"), ("HQ-002", "report")]


def test_save_as_draft_writes_the_progress_and_leaves_the_report_open(org, campaign, people, items, login, week):
    client = login(people["lily"])
    data = refill(download(client, campaign, week), {"HQ-001": [30, "", "调研", "", ""]})
    response = upload(client, campaign, data, week)
    client.post(response["Location"], {"draft": "1"})
    assert ProgressEntry.objects.count() == 1
    assert _report(week, org["office_dept"]).status == "draft"
    # Later, from the report page, the liaison submits what the sheet wrote.
    report = reporting_actions.submit_report(_report(week, org["office_dept"]), acting_user=people["lily"])
    assert report.status == "submitted" and report.no_change is False


def test_a_returned_report_is_resent_with_a_new_sheet(org, campaign, people, items, login, week):
    client = login(people["lily"])
    sheet = download(client, campaign, week)
    client.post(upload(client, campaign, refill(sheet, {"HQ-001": [30, "", "调研", "", ""]}), week)["Location"])
    reporting_actions.return_report(
        _report(week, org["office_dept"]), reason="请写明进度依据", acting_user=people["olivia"]
    )
    response = upload(client, campaign, refill(sheet, {"HQ-001": [35, "", "调研（附会议纪要）", "", ""]}), week)
    assert response.status_code == 302
    assert client.get(response["Location"]).context["plan"].reports[0]["resubmission"] is True
    client.post(response["Location"])
    report = _report(week, org["office_dept"])
    assert report.status == "submitted"
    latest = ProgressEntry.objects.order_by("-id").first()
    assert latest.percent == 35 and latest.corrects is not None


def test_new_progress_for_a_submitted_or_accepted_report_is_refused_with_the_reason(
    org, campaign, people, items, login, week
):
    client = login(people["lily"])
    sheet = download(client, campaign, week)
    client.post(upload(client, campaign, refill(sheet, {"HQ-001": [30, "", "调研", "", ""]}), week)["Location"])
    again = refill(sheet, {"HQ-001": [50, "", "调研完成", "", ""]})
    response = upload(client, campaign, again, week)
    assert response.status_code == 400
    names = {"unit": "集团办公室", "period": week.name}
    assert response.context["refused"] == (
        _(
            "The report of %(unit)s for %(period)s is already submitted; ask the campaign office to return it if it must change."
        )
        % names
    )
    reporting_actions.accept_report(_report(week, org["office_dept"]), acting_user=people["olivia"])
    response = upload(client, campaign, again, week)
    assert response.status_code == 400
    assert response.context["refused"] == (
        _("The report of %(unit)s for %(period)s is accepted and locked; ask the campaign office to reopen it.") % names
    )
    assert ProgressEntry.objects.count() == 1


def test_a_report_accepted_between_preview_and_confirm_refuses_the_whole_write(
    org, campaign, people, items, login, week
):
    client = login(people["lily"])
    data = refill(download(client, campaign, week), {"HQ-001": [30, "", "调研", "", ""]})
    response = upload(client, campaign, data, week)
    reporting_actions.submit_report(
        reporting_actions.start_report(week, org["office_dept"], acting_user=people["lily"]),
        acting_user=people["lily"],
        no_change=True,
    )
    page = client.post(response["Location"], follow=True)
    assert not ProgressEntry.objects.exists()
    assert ImportJob.objects.get().state == ImportJob.State.PREVIEW
    assert "集团办公室" in " ".join(str(m) for m in page.context["messages"])


def test_the_office_workbook_submits_each_filled_units_report_in_one_transaction(
    org, campaign, people, items, login, week
):
    client = login(people["olivia"])
    data = download(client, campaign, week)
    filled = refill(data, {"HQ-003": [20, "", "平台选型", "", ""], "YL-001": [10, "", "筹备", "", ""]})
    response = upload(client, campaign, filled, week)
    plan = client.get(response["Location"]).context["plan"]
    assert [r["unit"].name for r in plan.reports] == ["人力资源部", "八一骨科医院"]  # 办公室's sheet is blank
    client.post(response["Location"])
    assert _report(week, org["hr"]).status == "submitted"
    assert _report(week, org["hospital"]).status == "submitted"
    assert _report(week, org["office_dept"]) is None
    assert _report(week, org["hr"]).submitted_by == people["olivia"]


def test_one_locked_unit_in_the_office_workbook_writes_nothing_for_any_unit(org, campaign, people, items, login, week):
    client = login(people["olivia"])
    filled = refill(
        download(client, campaign, week), {"HQ-003": [20, "", "平台选型", "", ""], "YL-001": [10, "", "筹备", "", ""]}
    )
    response = upload(client, campaign, filled, week)
    # Between the preview and the confirm the hospital's report comes in by another road.
    hospital = reporting_actions.start_report(week, org["hospital"], acting_user=people["olivia"])
    reporting_actions.submit_report(hospital, acting_user=people["olivia"], no_change=True)
    client.post(response["Location"])
    assert not ProgressEntry.objects.exists()
    assert not UnitReport.objects.filter(unit=org["hr"]).exists()


# Only open periods -------------------------------------------------------------------


def test_a_sheet_for_a_period_that_is_not_open_is_refused_in_chinese(org, campaign, people, items, login, week):
    client = login(people["lily"])
    data = refill(download(client, campaign, week), {"HQ-001": [40, "", "做了", "", ""]})
    for label in ("2030-W10", "junk", "2026-W25\x00", "9" * 500):
        response = client.post(
            reverse("sheets:statistics_upload", args=[campaign.slug, label]),
            {"file": SimpleUploadedFile("统计表.xlsx", data)},
        )
        assert response.status_code == 400
        if "\x00" in label:
            continue  # refused before any view by the input guard (a NUL cannot reach the database)
        assert "不是本活动开放报送的周期" in response.context["refused"], label
    long_closed = ReportingPeriod.objects.filter(campaign=campaign, kind="weekly").order_by("starts_on").first()
    assert long_closed not in list(open_periods(campaign))
    response = upload(client, campaign, data, long_closed)
    assert response.status_code == 400 and long_closed.name in response.context["refused"]
    assert client.get(reverse("sheets:statistics_download", args=[campaign.slug, "2030-W10"])).status_code == 404
    assert client.get(reverse("sheets:statistics_download", args=[campaign.slug, "x\x00"])).status_code == 400
    assert not ProgressEntry.objects.exists() and not ImportJob.objects.exists()


# Written once --------------------------------------------------------------------------


def test_confirming_the_same_upload_twice_writes_once(org, campaign, people, items, login, week):
    client = login(people["lily"])
    data = refill(
        download(client, campaign, week), {"HQ-001": [40, "", "调研", "", ""], "HQ-002": [5, "", "梳理", "", ""]}
    )
    response = upload(client, campaign, data, week)
    client.post(response["Location"])
    second = client.post(response["Location"], follow=True)
    assert _("This sheet was already written.") in [str(m) for m in second.context["messages"]]
    assert ProgressEntry.objects.count() == 2
    assert ImportJob.objects.get().state == ImportJob.State.DONE


def test_a_key_row_repeated_in_one_file_is_refused(org, campaign, people, items, login, week):
    client = login(people["lily"])
    sheets = read_back(refill(download(client, campaign, week), {"HQ-001": [40, "", "调研", "", ""]}))
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        rows = rows + rows if name == KEY_SHEET else rows
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value != "":
                    sheet.write(r, c, value)
    book.close()
    response = upload(client, campaign, buffer.getvalue(), week)
    assert response.status_code == 400
    assert response.context["refused"] == _(
        "The key of sheet “%(name)s” appears twice in the file; download a new sheet."
    ) % {"name": "办公室"}
    assert not ProgressEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the SQLite test database is in memory with a shared cache, which refuses a second writer instead of "
    "waiting; the sequential double confirm above runs everywhere",
)
def test_two_confirms_of_one_upload_at_once_write_once(org, campaign, people, items, week, client):
    from django.test import Client

    client.force_login(people["lily"])
    data = refill(
        download(client, campaign, week), {"HQ-001": [40, "", "调研", "", ""], "HQ-002": [5, "", "梳理", "", ""]}
    )
    location = upload(client, campaign, data, week)["Location"]
    barrier = threading.Barrier(4)
    statuses, errors = [], []

    def confirm():
        try:
            own = Client()
            own.force_login(people["lily"])
            barrier.wait()
            statuses.append(own.post(location).status_code)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=confirm) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == [] and statuses == [302] * 4
    assert ProgressEntry.objects.count() == 2
    assert UnitReport.objects.get(period=week, unit=org["office_dept"]).status == "submitted"
    assert Item.objects.get(code="HQ-001").percent == 40


def test_an_upload_whose_period_was_removed_is_refused_not_a_500(org, campaign, people, items, login, week):
    client = login(people["lily"])
    data = refill(download(client, campaign, week), {"HQ-001": [40, "", "调研", "", ""]})
    location = upload(client, campaign, data, week)["Location"]
    ImportJob.objects.update(period=None)  # what a rhythm change removing the period leaves behind
    for response in (client.get(location, follow=True), client.post(location, follow=True)):
        assert response.status_code == 200
        assert _("The period of this sheet no longer exists; download a new sheet.") in [
            str(m) for m in response.context["messages"]
        ]
    assert not ProgressEntry.objects.exists()
