"""A unit's report: draft → submitted (on time / late) → accepted or returned → resubmitted; locks and reopening."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from taizhang.history.recording import history_for
from taizhang.ledger.actions import add_progress
from taizhang.reporting import actions
from taizhang.reporting.models import UnitReport


def _progress(item, user, percent=30):
    return add_progress(item, percent=percent, done="推进中", acting_user=user)


def test_liaison_submits_after_recording_progress_and_is_stamped_on_time(people, items, org, periods):
    period = periods["current_week"]
    report = actions.start_report(period, org["office_dept"], acting_user=people["lily"])
    assert report.status == UnitReport.Status.DRAFT
    _progress(items["oa"], people["lily"])
    report = actions.submit_report(report, acting_user=people["lily"], now=period.due_at - datetime.timedelta(hours=1))
    assert report.status == UnitReport.Status.SUBMITTED
    assert report.is_late is False
    assert report.submitted_by == people["lily"]


def test_submission_after_the_due_time_is_stamped_late(people, items, org, periods):
    period = periods["current_week"]
    report = actions.start_report(period, org["office_dept"], acting_user=people["lily"])
    report = actions.submit_report(
        report, acting_user=people["lily"], no_change=True, now=period.due_at + datetime.timedelta(minutes=1)
    )
    assert report.is_late is True


def test_silence_is_not_a_report_without_progress_or_no_change(people, items, org, periods):
    report = actions.start_report(periods["current_week"], org["office_dept"], acting_user=people["lily"])
    with pytest.raises(ValidationError):
        actions.submit_report(report, acting_user=people["lily"])
    report.refresh_from_db()
    assert report.status == UnitReport.Status.DRAFT
    report = actions.submit_report(report, acting_user=people["lily"], no_change=True)
    assert report.no_change is True and report.status == UnitReport.Status.SUBMITTED


def test_monthly_report_needs_its_results_written(people, items, org, periods):
    report = actions.start_report(periods["current_month"], org["office_dept"], acting_user=people["lily"])
    with pytest.raises(ValidationError) as error:
        actions.submit_report(report, acting_user=people["lily"])
    assert "results" in error.value.error_dict
    actions.save_summary(
        report,
        data={"results": "完成OA升级", "practices": "周调度", "problems": "人手紧", "suggestions": "增加培训"},
        acting_user=people["lily"],
    )
    report = actions.submit_report(report, acting_user=people["lily"])
    assert report.results == "完成OA升级" and report.suggestions == "增加培训"


def test_liaison_cannot_start_or_submit_another_units_report(people, items, org, periods):
    with pytest.raises(PermissionDenied):
        actions.start_report(periods["current_week"], org["hr"], acting_user=people["lily"])
    report = actions.start_report(periods["current_week"], org["hr"], acting_user=people["bob"])
    with pytest.raises(PermissionDenied):
        actions.submit_report(report, acting_user=people["lily"], no_change=True)
    with pytest.raises(PermissionDenied):
        actions.start_report(periods["current_week"], org["hr"], acting_user=people["leo"])


def test_only_the_office_accepts_returns_and_reopens(people, items, org, periods):
    report = actions.start_report(periods["current_week"], org["hr"], acting_user=people["bob"])
    report = actions.submit_report(report, acting_user=people["bob"], no_change=True)
    for user in ("bob", "lily", "leo"):
        with pytest.raises(PermissionDenied):
            actions.accept_report(report, acting_user=people[user])
        with pytest.raises(PermissionDenied):
            actions.return_report(report, reason="不详", acting_user=people[user])
    report.refresh_from_db()
    assert report.status == UnitReport.Status.SUBMITTED


def test_returned_report_is_resubmitted_then_accepted_and_locked_until_reopened(people, items, org, periods):
    olivia, bob = people["olivia"], people["bob"]
    period = periods["current_week"]
    report = actions.submit_report(
        actions.start_report(period, org["hr"], acting_user=bob), acting_user=bob, no_change=True
    )
    with pytest.raises(ValidationError):
        actions.return_report(report, reason="  ", acting_user=olivia)
    report = actions.return_report(report, reason="请补充福利平台进展", acting_user=olivia)
    assert report.status == UnitReport.Status.RETURNED and report.return_reason == "请补充福利平台进展"
    _progress(items["welfare"], bob, 50)
    report = actions.submit_report(report, acting_user=bob)
    assert report.status == UnitReport.Status.SUBMITTED and report.no_change is False
    report = actions.accept_report(report, acting_user=olivia)
    assert report.status == UnitReport.Status.ACCEPTED and report.decided_by == olivia
    with pytest.raises(ValidationError):
        actions.submit_report(report, acting_user=bob, no_change=True)
    with pytest.raises(ValidationError):
        actions.save_summary(report, data={"results": "改"}, acting_user=bob)
    with pytest.raises(ValidationError):
        actions.reopen_report(report, reason="", acting_user=olivia)
    report = actions.reopen_report(report, reason="数据有误", acting_user=olivia)
    assert report.status == UnitReport.Status.RETURNED
    report = actions.submit_report(report, acting_user=bob, no_change=True)
    assert report.status == UnitReport.Status.SUBMITTED
    statuses = [c["new"] for entry in reversed(history_for(report)) for c in entry.changes if c["field"] == "status"]
    assert len(statuses) == 6  # submitted, returned, submitted, accepted, returned (reopened), submitted
    actions_in_order = [entry.action for entry in reversed(history_for(report)) if entry.action != "create"]
    assert actions_in_order[-4:] == ["submit", "accept", "reopen", "submit"]  # each step named in the timeline
    notes = [entry.note for entry in history_for(report)]
    assert any("数据有误" in note for note in notes) and any("请补充福利平台进展" in note for note in notes)


def test_a_decision_on_a_draft_is_refused_with_a_message(people, org, periods):
    report = actions.start_report(periods["current_week"], org["hr"], acting_user=people["bob"])
    with pytest.raises(ValidationError):
        actions.accept_report(report, acting_user=people["olivia"])
    with pytest.raises(ValidationError):
        actions.reopen_report(report, reason="x", acting_user=people["olivia"])


def test_a_period_that_has_not_started_cannot_be_submitted(people, items, org, campaign):
    from taizhang.reporting.models import ReportingPeriod
    from taizhang.reporting.periods import generate_periods

    generate_periods(campaign)
    future = ReportingPeriod.objects.filter(campaign=campaign, kind="weekly").order_by("-starts_on").first()
    report = actions.start_report(future, org["hr"], acting_user=people["bob"])
    with pytest.raises(ValidationError):
        actions.submit_report(report, acting_user=people["bob"], no_change=True)


def test_after_the_friday_deadline_progress_counts_for_the_next_week_which_opens_then(
    people, items, org, periods, _clock_at_test_start
):
    from taizhang.reporting.periods import opens_at

    week = periods["current_week"]
    following = week.__class__.objects.get(
        campaign=week.campaign, kind="weekly", starts_on=week.ends_on + datetime.timedelta(days=1)
    )
    assert opens_at(following) == week.due_at
    _clock_at_test_start.move_to(week.due_at + datetime.timedelta(minutes=30), tick=True)  # Friday 17:30
    _progress(items["oa"], people["lily"], percent=45)
    report = actions.start_report(following, org["office_dept"], acting_user=people["lily"])
    assert actions.progress_in_period(report).count() == 1
    report = actions.submit_report(report, acting_user=people["lily"])
    assert report.status == UnitReport.Status.SUBMITTED and report.is_late is False
    later = week.__class__.objects.get(
        campaign=week.campaign, kind="weekly", starts_on=following.ends_on + datetime.timedelta(days=1)
    )
    with pytest.raises(ValidationError):  # the week after is not open yet
        actions.submit_report(
            actions.start_report(later, org["office_dept"], acting_user=people["lily"]),
            acting_user=people["lily"],
            no_change=True,
        )
