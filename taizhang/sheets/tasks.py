"""Background work of the spreadsheet area: reading and writing large imports (Huey).

A job is analysed (read, understood, compared) and its plan summarised for the
preview; after the office confirms, the file is read again and written in one
transaction. Progress is stored on the ImportJob row so the page can be left
and come back to.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from taizhang.lib.xlsxread import SpreadsheetError, read_workbook

from .actions import apply_ledger_plan
from .ledger_import import Plan, build_plan, find_layout
from .models import ImportJob

PREVIEW_ROWS = 500


def job_sheet(job: ImportJob):
    """The job's sheet: the one chosen, else the first with a recognisable header."""
    with job.file.open("rb") as handle:
        workbook = read_workbook(handle.read(), job.filename)
    sheets = [s for s in workbook.sheets if not s.hidden] or workbook.sheets
    if not sheets:
        raise SpreadsheetError(_("The file has no sheet."))
    for sheet in sheets:
        if sheet.name == job.sheet_name:
            return sheet
    return next((s for s in sheets if find_layout(s.rows, s.hidden_columns) is not None), sheets[0])


def _progress(job: ImportJob):
    def report(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(done_rows=done, total_rows=total)

    return report


def job_plan(job: ImportJob, *, progress=None) -> Plan:
    sheet = job_sheet(job)
    columns = {int(c): f for c, f in job.mapping.items()} if job.mapping else None
    return build_plan(sheet.rows, job.campaign, hidden=sheet.hidden_columns, columns=columns, progress=progress)


def summarise(plan: Plan) -> dict:
    shown = [r for r in plan.rows if r["action"] != "unchanged"][:PREVIEW_ROWS]
    return {
        "created": plan.count("create"),
        "updated": plan.count("update"),
        "unchanged": plan.count("unchanged"),
        "skipped": plan.skipped[:PREVIEW_ROWS],
        "skipped_count": len(plan.skipped),
        "errors": plan.errors[:PREVIEW_ROWS],
        "error_count": len(plan.errors),
        "new_categories": plan.new_categories,
        "rows": [
            {
                "row": r["row"],
                "action": r["action"],
                "code": r["code"],
                "title": r["title"],
                "owner_unit": r["owner_unit"].name if r["owner_unit"] else "",
                "due": r["due"].isoformat() if r["due"] else "",
                "due_text": r["due_text"],
                "category": r["category"],
                "changes": r["changes"],
            }
            for r in shown
        ],
    }


def analyse_job(job_id: int) -> None:
    job = ImportJob.objects.select_related("campaign").get(pk=job_id)
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.ANALYSING, done_rows=0)
    try:
        plan = job_plan(job, progress=_progress(job))
    except SpreadsheetError as error:
        ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.FAILED, message=str(error))
        return
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJob.State.PREVIEW, result=summarise(plan), total_rows=len(plan.rows), done_rows=len(plan.rows)
    )


def write_job(job_id: int) -> None:
    job = ImportJob.objects.select_related("campaign", "created_by").get(pk=job_id)
    try:
        plan = job_plan(job)
        ImportJob.objects.filter(pk=job.pk).update(
            state=ImportJob.State.WRITING, done_rows=0, total_rows=len(plan.rows)
        )
        with transaction.atomic():
            outcome = apply_ledger_plan(job.campaign, plan, acting_user=job.created_by)
    except (SpreadsheetError, ValidationError, PermissionDenied) as error:
        message = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.FAILED, message=message)
        return
    result = dict(job.result, outcome=outcome)
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJob.State.DONE, result=result, done_rows=len(plan.rows), finished_at=timezone.now()
    )


@db_task()
def analyse_import(job_id: int) -> None:
    analyse_job(job_id)


@db_task()
def write_import(job_id: int) -> None:
    write_job(job_id)
