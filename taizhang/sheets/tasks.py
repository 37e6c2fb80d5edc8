"""Background work of the spreadsheet area: reading and writing large imports (Huey).

A job is analysed (read, understood, compared) and its plan summarised for the
preview; after the office confirms, the file is read again and written in one
transaction. Progress is stored on the ImportJob row so the page can be left
and come back to. Every step beats the job's heartbeat; a periodic check marks
jobs whose worker died (silent too long) as failed, and the office retries them.
"""

import datetime
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from taizhang.lib.xlsxread import SpreadsheetError, read_workbook

from .actions import apply_ledger_plan
from .ledger_import import Plan, build_plan, find_layout
from .models import ImportJob

PREVIEW_ROWS = 500
# A worker that has not beaten the heartbeat for this long is taken for dead. Analysis beats on every batch of
# rows; writing runs in one transaction (its progress invisible until the commit), so it gets longer.
STALE_AFTER = {
    "analysing": datetime.timedelta(minutes=10),
    "writing": datetime.timedelta(minutes=30),
}

logger = logging.getLogger(__name__)


def refuse_nul(workbook) -> None:
    """A NUL character cannot be stored (PostgreSQL refuses it in text) and is never meant: refuse the file."""
    for sheet in workbook.sheets:
        for number, row in enumerate(sheet.rows, start=1):
            if any(isinstance(value, str) and "\x00" in value for value in row):
                raise SpreadsheetError(
                    _(
                        "Sheet %(sheet)s, row %(row)d contains a NUL character, which a spreadsheet never "
                        "holds; save the file again from Excel or WPS (as xlsx or UTF-8 csv) and upload it."
                    )
                    % {"sheet": sheet.name, "row": number}
                )


def job_sheet(job: ImportJob):
    """The job's sheet: the one chosen, else the first with a recognisable header."""
    with job.file.open("rb") as handle:
        workbook = read_workbook(handle.read(), job.filename)
    refuse_nul(workbook)
    sheets = [s for s in workbook.sheets if not s.hidden] or workbook.sheets
    if not sheets:
        raise SpreadsheetError(_("The file has no sheet."))
    for sheet in sheets:
        if sheet.name == job.sheet_name:
            return sheet
    return next((s for s in sheets if find_layout(s.rows, s.hidden_columns) is not None), sheets[0])


def _progress(job: ImportJob):
    def report(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(done_rows=done, total_rows=total, heartbeat_at=timezone.now())

    return report


def job_plan(job: ImportJob, *, progress=None, sheet=None) -> Plan:
    """The job's plan; ``sheet``, when given, is the job's sheet already read (the request that just read it)."""
    sheet = sheet if sheet is not None else job_sheet(job)
    columns = {int(c): f for c, f in job.mapping.items()} if job.mapping else None
    options = {"uploaded_on": timezone.localtime(job.created_at).date().isoformat(), **(job.options or {})}
    return build_plan(
        sheet.rows,
        job.campaign,
        hidden=sheet.hidden_columns,
        columns=columns,
        progress=progress,
        options=options,
    )


def summarise(plan: Plan) -> dict:
    shown = [r for r in plan.rows if r["action"] != "unchanged"][:PREVIEW_ROWS]
    names = {r["owner_unit"].pk: r["owner_unit"].name for r in plan.rows if r["owner_unit"] is not None}
    return {
        "created": plan.count("create"),
        "updated": plan.count("update"),
        "unchanged": plan.count("unchanged"),
        "skipped": plan.skipped[:PREVIEW_ROWS],
        "skipped_count": len(plan.skipped),
        "errors": plan.errors[:PREVIEW_ROWS],
        "error_count": len(plan.errors) + len(plan.unresolved),
        "unresolved": plan.unresolved_list()[:PREVIEW_ROWS],
        "new_categories": plan.new_categories,
        "code_prefixes": [
            {"unit": pk, "name": names.get(pk, ""), "prefix": prefix} for pk, prefix in plan.code_prefixes.items()
        ],
        "codes_needed": plan.codes_needed,
        "codes_missing": plan.codes_missing,
        "status_percents": plan.status_percents,
        "as_of": plan.as_of.isoformat() if plan.as_of else "",
        "as_of_from": plan.as_of_from,
        "progress_count": sum(1 for r in plan.rows if r.get("new_progress")),
        "rows": [
            {
                "row": r["row"],
                "action": r["action"],
                "code": r["code"],
                "generated_code": bool(r.get("generated_code")),
                "title": r["title"],
                "owner_unit": r["owner_unit"].name if r["owner_unit"] else "",
                "partner_units": "、".join(u.name for u in r["partner_units"][:20])
                + ("…" if len(r["partner_units"]) > 20 else ""),
                "lead": r["lead"],
                "progress": (
                    f"{r['new_progress']['percent']}% {r['new_progress']['done']}"[:200]
                    if r.get("new_progress")
                    else ""
                ),
                "due": r["due"].isoformat() if r["due"] else "",
                "due_text": r["due_text"],
                "category": r["category"],
                "changes": r["changes"],
            }
            for r in shown
        ],
    }


def _fail(job: ImportJob, message: str, *, state: str | None = None) -> None:
    jobs = ImportJob.objects.filter(pk=job.pk)
    if state is not None:
        jobs = jobs.filter(state=state)
    jobs.update(state=ImportJob.State.FAILED, message=message, heartbeat_at=timezone.now())


def _unexpected(job: ImportJob, step: str) -> None:
    logger.exception("import job %s failed while %s", job.pk, step)
    _fail(job, _("The import stopped on an unexpected error; nothing was written. Retry it, or ask for help."))


def analyse_job(job_id: int, *, sheet=None) -> None:
    job = ImportJob.objects.select_related("campaign").get(pk=job_id)
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJob.State.ANALYSING, done_rows=0, heartbeat_at=timezone.now()
    )
    try:
        plan = job_plan(job, progress=_progress(job), sheet=sheet)
    except SpreadsheetError as error:
        _fail(job, str(error))
        return
    except Exception:
        _unexpected(job, "analysing")
        return
    ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.ANALYSING).update(
        state=ImportJob.State.PREVIEW,
        result=summarise(plan),
        total_rows=len(plan.rows),
        done_rows=len(plan.rows),
        heartbeat_at=timezone.now(),
    )


class _Abandoned(Exception):
    """The job was marked failed (taken for dead) while this worker was still writing: roll the writes back."""


def write_job(job_id: int) -> None:
    job = ImportJob.objects.select_related("campaign", "created_by").get(pk=job_id)
    try:
        plan = job_plan(job)
        ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.WRITING).update(
            done_rows=0, total_rows=len(plan.rows), heartbeat_at=timezone.now()
        )
        with transaction.atomic():
            outcome = apply_ledger_plan(job.campaign, plan, acting_user=job.created_by)
            result = dict(job.result, outcome=outcome)
            # Done only if still ours: a job already marked failed keeps nothing of this late run.
            finished = ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.WRITING).update(
                state=ImportJob.State.DONE, result=result, done_rows=len(plan.rows), finished_at=timezone.now()
            )
            if not finished:
                raise _Abandoned
    except (SpreadsheetError, ValidationError, PermissionDenied) as error:
        message = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        _fail(job, message)
    except _Abandoned:
        logger.warning("import job %s was marked failed while writing; its writes were rolled back", job.pk)
    except Exception:
        _unexpected(job, "writing")


STUCK_REASON = gettext_noop(
    "The background worker stopped while this import was %(step)s (no sign of it since %(since)s); "
    "nothing was written. Retry it."
)


def fail_stuck_jobs(*, now: datetime.datetime | None = None) -> int:
    """Mark jobs whose worker died as failed, with the reason; returns how many. Safe to run at any moment."""
    now = now or timezone.now()
    failed = 0
    for state, limit in STALE_AFTER.items():
        cutoff = now - limit
        stuck = ImportJob.objects.filter(state=state, kind=ImportJob.Kind.LEDGER).filter(
            Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
        )
        for job in stuck.only("pk", "state", "heartbeat_at", "created_at"):
            since = timezone.localtime(job.heartbeat_at or job.created_at).strftime("%Y-%m-%d %H:%M")
            message = _(STUCK_REASON) % {"step": ImportJob.State(state).label, "since": since}
            # Filtered on the state it was found in: a job that moved on meanwhile is left alone.
            failed += ImportJob.objects.filter(pk=job.pk, state=state, heartbeat_at=job.heartbeat_at).update(
                state=ImportJob.State.FAILED, message=message, heartbeat_at=now
            )
    return failed


def retry_job(job: ImportJob) -> bool:
    """A failed ledger import starts again from reading the file (the ledger may have changed since).

    Claimed with a filtered UPDATE (committed before the task is queued): two retries at once queue one analysis.
    """
    claimed = ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.FAILED, kind=ImportJob.Kind.LEDGER).update(
        state=ImportJob.State.ANALYSING, message="", done_rows=0, total_rows=0, heartbeat_at=timezone.now()
    )
    if claimed:
        analyse_import(job.pk)
    return bool(claimed)


# A sheet of up to this many rows is analysed in the request that asks for it (a 600-row ledger in well under
# a second): the preview never waits for the background worker to pick the job up. Larger ones are queued.
INLINE_ROWS = 5000


def analyse_soon(job_id: int, *, rows: int, sheet=None) -> None:
    """Analyse a job the caller has claimed (moved to ANALYSING): here and now if small, else in the background."""
    if rows <= INLINE_ROWS:
        analyse_job(job_id, sheet=sheet)
    else:
        analyse_import(job_id)


def reanalyse(job: ImportJob) -> bool:
    """Read a previewed job again (a unit name placed, an option changed); claimed from PREVIEW first."""
    claimed = ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.PREVIEW).update(
        state=ImportJob.State.ANALYSING, heartbeat_at=timezone.now()
    )
    if claimed:
        analyse_soon(job.pk, rows=job.total_rows + job.result.get("skipped_count", 0))
    return bool(claimed)


@db_periodic_task(crontab(minute="*/5"))
def check_stuck_imports() -> int:
    """Every five minutes: imports whose worker died are marked failed, so the office can retry them."""
    return fail_stuck_jobs()


@db_task()
def analyse_import(job_id: int) -> None:
    analyse_job(job_id)


@db_task()
def write_import(job_id: int) -> None:
    write_job(job_id)
