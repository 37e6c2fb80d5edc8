"""The writes on unit reports: start, save the summary, submit (or "no change"), accept, return, reopen.

Each action checks permission, runs in one transaction and records history. Every status change is
recorded as a change of the ``status`` field, with the reason as the note.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from taizhang.history.models import HistoryEntry
from taizhang.history.recording import Note, diff, note, record, snapshot
from taizhang.ledger.actions import add_progress, refresh_lights
from taizhang.ledger.models import Item, ProgressEntry
from taizhang.lib.locks import lock_one, locked
from taizhang.orgs.access import Access
from taizhang.orgs.models import Unit

from .models import ExpectedUnit, ReportingPeriod, UnitReport
from .periods import opens_at

Status = UnitReport.Status


def can_write(access: Access, unit) -> bool:
    """The unit's liaison (a subsidiary's liaison also for the sub-units below it), or the office."""
    return access.is_office or access.speaks_for(unit)


def can_read(access: Access, unit) -> bool:
    return access.can_read_report(unit)


# Lock order (PostgreSQL; SQLite takes one database lock and cannot deadlock):
#   1. the ImportJob row of an uploaded sheet (its claim, a filtered UPDATE),
#   2. UnitReport rows, one at a time (``_locked``),
#   3. Item rows (``ledger.actions.add_progress`` locks the item it writes on; a sheet writes its items in pk order;
#      the light refresh after a submission updates the unit's items).
# Every locked read locks only the row it means, through taizhang.lib.locks: FOR NO KEY UPDATE OF the model's own
# table (no join locks the period, campaign or unit rows; the foreign-key checks other transactions run at commit
# take KEY SHARE on these rows, which FOR UPDATE would block and FOR NO KEY UPDATE does not).
def _lock_report(pk: int) -> UnitReport:
    return lock_one(UnitReport, pk=pk)


def _lock_unit_items(campaign, unit) -> None:
    """Lock the unit's items in one order (leaves first, then by id) before the light refresh updates them.

    The refresh updates the items in groups by their new light, an order that differs between two transactions;
    two submissions of one unit (a weekly and a monthly report, or a late one) would deadlock without this.
    Leaves come first because a progress write locks a leaf and then rolls up to its parent.
    """
    items = locked(Item, campaign=campaign, owner_unit=unit)
    list(items.order_by(Exists(Item.objects.filter(parent=OuterRef("pk"))), "pk").values_list("pk", flat=True))


def _locked(report: UnitReport, acting_user) -> UnitReport:
    current = _lock_report(report.pk)
    current.period = ReportingPeriod.objects.select_related("campaign").get(pk=current.period_id)
    current.unit = Unit.objects.get(pk=current.unit_id)
    current._access = Access.for_user(acting_user, current.period.campaign)
    return current


def _change(
    report: UnitReport, before: dict, *, acting_user, note: "str | Note" = "", action=HistoryEntry.Action.UPDATE
):
    record(
        report,
        action,
        actor=acting_user,
        campaign=report.period.campaign,
        changes=diff(report, before),
        note=note,
    )


@transaction.atomic
def start_report(period: ReportingPeriod, unit, *, acting_user) -> UnitReport:
    """The unit's report for the period, created as a draft the first time someone writes on it."""
    access = Access.for_user(acting_user, period.campaign)
    if not can_write(access, unit):
        raise PermissionDenied(_("Only the unit's liaison can write its report."))
    report, created = UnitReport.objects.get_or_create(period=period, unit=unit)
    if created:
        record(report, HistoryEntry.Action.CREATE, actor=acting_user, campaign=period.campaign)
    return report


@transaction.atomic
def save_summary(report: UnitReport, *, data: dict, acting_user) -> UnitReport:
    """Save the monthly summary (results, practices, problems, suggestions) of a report not yet submitted."""
    report = _locked(report, acting_user)
    if not can_write(report._access, report.unit):
        raise PermissionDenied(_("Only the unit's liaison can write its report."))
    if report.is_locked:
        raise ValidationError(_("This report is submitted or accepted; it can no longer be changed."))
    before = snapshot(report, UnitReport.SUMMARY_FIELDS)
    for name in UnitReport.SUMMARY_FIELDS:
        if name in data:
            setattr(report, name, (data[name] or "").strip())
    report.save()
    changes = diff(report, before)
    if changes:
        record(report, HistoryEntry.Action.UPDATE, actor=acting_user, campaign=report.period.campaign, changes=changes)
    return report


def progress_in_period(report: UnitReport):
    """Progress entries on the unit's items recorded since the period opened (``periods.opens_at``)."""
    start = opens_at(report.period)
    return ProgressEntry.objects.filter(
        item__campaign=report.period.campaign, item__owner_unit=report.unit, created_at__gte=start
    )


@transaction.atomic
def submit_report(
    report: UnitReport, *, acting_user, no_change: bool = False, now: datetime.datetime | None = None
) -> UnitReport:
    """Submit (or resubmit after a return), stamped on time or late against the period's due time.

    Silence is not a report: without "no change", the unit must have recorded progress in the
    period or, for a monthly report, written its summary.
    """
    report = _locked(report, acting_user)
    if not can_write(report._access, report.unit):
        raise PermissionDenied(_("Only the unit's liaison can submit its report."))
    now = now or timezone.now()
    if opens_at(report.period) > now:
        raise ValidationError(_("This period has not started yet."))
    if report.status == Status.SUBMITTED:
        raise ValidationError(_("This report is already submitted."))
    if report.status == Status.ACCEPTED:
        raise ValidationError(_("This report is accepted and locked; ask the campaign office to reopen it."))
    if not no_change:
        has_summary = report.period.is_monthly and report.results.strip()
        if report.period.is_monthly and not report.results.strip():
            raise ValidationError({"results": _("Write the results achieved this month, or submit “no change”.")})
        if not has_summary and not progress_in_period(report).exists():
            raise ValidationError(
                _("Nothing new is recorded for this period: record progress on an item, or submit “no change”.")
            )
    before = snapshot(report, UnitReport.AUDITED_FIELDS)
    resubmission = report.status == Status.RETURNED
    report.status = Status.SUBMITTED
    report.no_change = no_change
    report.submitted_at = now
    report.submitted_by = acting_user
    report.is_late = now > report.period.due_at
    report.save()
    if resubmission and no_change:
        said = note(gettext_noop("Resubmitted. No change this period."))
    elif resubmission:
        said = note(gettext_noop("Resubmitted."))
    else:
        said = note(gettext_noop("No change this period.")) if no_change else ""
    _change(report, before, acting_user=acting_user, note=said, action=HistoryEntry.Action.SUBMIT)
    # Reports missed in a row feed the unit's lights: a report that comes in relights them now.
    _lock_unit_items(report.period.campaign, report.unit)
    refresh_lights(report.period.campaign, unit=report.unit)
    return report


@transaction.atomic
def report_from_sheet(
    period: ReportingPeriod,
    unit,
    rows: list[dict],
    *,
    acting_user,
    submit: bool = True,
    now: datetime.datetime | None = None,
) -> UnitReport:
    """A statistics sheet as the unit's report for the period: write its new progress, then submit the report.

    ``rows`` are the sheet's new entries for the unit's items (item, percent, done, difficulties, next_steps,
    corrects). Items the sheet leaves unchanged are "no change": with nothing recorded in the period at all, the
    report goes in as "no change". ``now`` is the moment of the upload, which makes it on time or late. A returned
    report is resubmitted; a submitted or accepted one takes no new progress (refused with the reason) and, with
    nothing new, is left as it is. ``submit=False`` writes the progress and keeps the report a draft.
    """
    now = now or timezone.now()
    report = start_report(period, unit, acting_user=acting_user)
    report = _locked(report, acting_user)
    names = {"unit": report.unit.name, "period": report.period.name}
    if report.status == Status.ACCEPTED and rows:
        raise ValidationError(
            _("The report of %(unit)s for %(period)s is accepted and locked; ask the campaign office to reopen it.")
            % names
        )
    if report.status == Status.SUBMITTED and rows:
        raise ValidationError(
            _(
                "The report of %(unit)s for %(period)s is already submitted; "
                "ask the campaign office to return it if it must change."
            )
            % names
        )
    if report.is_locked:
        return report  # nothing new for a report already in
    on = min(report.period.ends_on, timezone.localtime(now).date())
    # Items in id order: the lock order of reporting (see ``_lock_report``).
    for row in sorted(rows, key=lambda r: r["item"].pk):
        item = Item.objects.select_related("campaign", "owner_unit").get(pk=row["item"].pk)
        if item.owner_unit_id != report.unit_id:
            raise ValidationError(_("The sheet's key names an item of another unit."))
        add_progress(
            item,
            percent=row["percent"],
            done=row["done"],
            difficulties=row.get("difficulties", ""),
            next_steps=row.get("next_steps", ""),
            period_label=report.period.label,
            as_of=on,
            corrects=row.get("corrects"),
            source=ProgressEntry.Source.SHEET,
            acting_user=acting_user,
        )
    if submit:
        report = submit_report(
            report, acting_user=acting_user, no_change=not progress_in_period(report).exists(), now=now
        )
    return report


def _office_decision(report: UnitReport, acting_user, allowed_from: tuple, message: str) -> UnitReport:
    report = _locked(report, acting_user)
    if not report._access.is_office:
        raise PermissionDenied(_("Only the campaign office can accept, return or reopen reports."))
    if report.status not in allowed_from:
        raise ValidationError(message)
    return report


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    return reason


@transaction.atomic
def accept_report(report: UnitReport, *, acting_user) -> UnitReport:
    """Accept a submitted report; the period is then locked for the unit."""
    report = _office_decision(report, acting_user, (Status.SUBMITTED,), _("Only a submitted report can be accepted."))
    before = snapshot(report, UnitReport.AUDITED_FIELDS)
    report.status = Status.ACCEPTED
    report.decided_at = timezone.now()
    report.decided_by = acting_user
    report.save()
    _change(report, before, acting_user=acting_user, action=HistoryEntry.Action.ACCEPT)
    return report


@transaction.atomic
def return_report(report: UnitReport, *, reason: str, acting_user) -> UnitReport:
    """Send a submitted report back to the unit with a reason; it resubmits."""
    reason = _reason(reason)
    report = _office_decision(report, acting_user, (Status.SUBMITTED,), _("Only a submitted report can be returned."))
    before = snapshot(report, UnitReport.AUDITED_FIELDS)
    report.status = Status.RETURNED
    report.return_reason = reason
    report.decided_at = timezone.now()
    report.decided_by = acting_user
    report.save()
    _change(report, before, acting_user=acting_user, note=reason, action=HistoryEntry.Action.RETURN)
    return report


@transaction.atomic
def reopen_report(report: UnitReport, *, reason: str, acting_user) -> UnitReport:
    """Unlock an accepted report with a reason: it goes back to the unit as returned."""
    reason = _reason(reason)
    report = _office_decision(report, acting_user, (Status.ACCEPTED,), _("Only an accepted report can be reopened."))
    before = snapshot(report, UnitReport.AUDITED_FIELDS)
    report.status = Status.RETURNED
    report.return_reason = reason
    report.decided_at = timezone.now()
    report.decided_by = acting_user
    report.save()
    _change(
        report,
        before,
        acting_user=acting_user,
        note=note(gettext_noop("Reopened: %(reason)s"), reason=reason),
        action=HistoryEntry.Action.REOPEN,
    )
    return report


@transaction.atomic
def add_expected_unit(campaign, unit, *, acting_user) -> ExpectedUnit:
    """The office asks a unit with no open item to report too."""
    if not Access.for_user(acting_user, campaign).is_office:
        raise PermissionDenied(_("Only the campaign office can choose which units report."))
    expected, created = ExpectedUnit.objects.get_or_create(
        campaign=campaign, unit=unit, defaults={"added_by": acting_user}
    )
    if created:
        record(
            unit,
            HistoryEntry.Action.UPDATE,
            actor=acting_user,
            campaign=campaign,
            note=note(gettext_noop("Expected to report.")),
        )
    return expected


@transaction.atomic
def remove_expected_unit(campaign, unit, *, acting_user) -> bool:
    """The office no longer asks the unit to report; a unit owning open items still must. True if removed."""
    if not Access.for_user(acting_user, campaign).is_office:
        raise PermissionDenied(_("Only the campaign office can choose which units report."))
    deleted, _rows = ExpectedUnit.objects.filter(campaign=campaign, unit=unit).delete()
    if deleted:
        record(
            unit,
            HistoryEntry.Action.UPDATE,
            actor=acting_user,
            campaign=campaign,
            note=note(gettext_noop("No longer asked to report.")),
        )
    return bool(deleted)
