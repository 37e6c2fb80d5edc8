import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from taizhang.campaigns.decorators import campaign_view
from taizhang.lib.params import id_param
from taizhang.lib.xlsxread import MAX_BYTES, SpreadsheetError, read_workbook

from . import statsheet, tasks
from .actions import apply_statistics_sheet
from .forms import MappingForm, UploadForm
from .ledger_import import find_layout, map_columns, normalise_header
from .models import ImportJob, ImportPreset


def _require_office(access) -> None:
    if not access.is_office:
        raise PermissionDenied(_("Only the campaign office can import a ledger."))


def _get_job(campaign, pk: int) -> ImportJob:
    return get_object_or_404(ImportJob.objects.select_related("campaign"), campaign=campaign, pk=pk)


@campaign_view
def import_start(request, campaign, access):
    _require_office(access)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            form.add_error("file", _("The file is too large."))
        else:
            data = upload.read()
            try:
                workbook = read_workbook(data, upload.name)
            except SpreadsheetError as error:
                form.add_error("file", str(error))
            else:
                upload.seek(0)
                job = ImportJob.objects.create(
                    campaign=campaign, file=upload, filename=upload.name[:200], created_by=request.user
                )
                sheet = next(
                    (s for s in workbook.sheets if find_layout(s.rows, s.hidden_columns) is not None),
                    workbook.sheets[0] if workbook.sheets else None,
                )
                if sheet is not None:
                    ImportJob.objects.filter(pk=job.pk).update(sheet_name=sheet.name[:100])
                return redirect("sheets:import_mapping", campaign.slug, job.pk)
    jobs = ImportJob.objects.filter(campaign=campaign)[:10]
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(
        request, "sheets/import_start.html", {"campaign": campaign, "form": form, "jobs": jobs}, status=status
    )


@campaign_view
def import_mapping(request, campaign, access, pk):
    _require_office(access)
    job = _get_job(campaign, pk)
    try:
        sheet = tasks.job_sheet(job)
    except SpreadsheetError as error:
        messages.error(request, str(error))
        return redirect("sheets:import_start", campaign.slug)
    layout = find_layout(sheet.rows, sheet.hidden_columns)
    headers = layout.headers if layout else {c: str(v) for c, v in enumerate(sheet.rows[0] if sheet.rows else [])}
    presets = ImportPreset.objects.filter(campaign=campaign)
    preset = presets.filter(pk=id_param(request, "preset", 0)).first()
    if preset is None and "preset" not in request.GET:
        # The next file of the same shape: the newest preset that names every header it maps.
        written = {normalise_header(h) for h in (layout.headers.values() if layout else [])}
        preset = next(
            (
                p
                for p in presets.order_by("-created_at")
                if p.mapping and {normalise_header(h) for h in p.mapping} <= written
            ),
            None,
        )
    hidden = sheet.hidden_columns
    guessed = map_columns(headers, hidden, preset.mapping if preset else None)
    form = MappingForm(request.POST or None, headers=headers, initial_columns=guessed)
    if request.method == "POST" and form.is_valid():
        job.mapping = form.mapping()
        job.state = ImportJob.State.ANALYSING
        job.save(update_fields=["mapping", "state"])
        name = form.cleaned_data.get("save_preset", "").strip()
        if name:
            # Every header, the ignored ones too (as ""), so the preset decides them all next time.
            by_header = {header: job.mapping.get(str(col), "") for col, header in headers.items()}
            ImportPreset.objects.update_or_create(
                campaign=campaign, name=name[:100], defaults={"mapping": by_header, "created_by": request.user}
            )
        tasks.analyse_import(job.pk)
        return redirect("sheets:import_job", campaign.slug, job.pk)
    context = {
        "campaign": campaign,
        "job": job,
        "form": form,
        "presets": presets,
        "preset": preset,
        "hidden": [headers.get(c, "") for c in sorted(hidden) if c in headers],
        "sample": sheet.rows[layout.data_start : layout.data_start + 5] if layout else [],
        "header_row": layout.header_row + 1 if layout else None,
    }
    return render(request, "sheets/import_mapping.html", context, status=400 if form.is_bound else 200)


@campaign_view
def import_job(request, campaign, access, pk):
    """The job's page: a progress bar while it runs (polled with htmx), then the preview or the outcome."""
    _require_office(access)
    job = _get_job(campaign, pk)
    context = {"campaign": campaign, "job": job, "result": job.result}
    if request.headers.get("HX-Request"):
        response = render(request, "sheets/_job_status.html", context)
        if not job.running:
            response["HX-Refresh"] = "true"
        return response
    return render(request, "sheets/import_job.html", context)


@require_POST
@campaign_view
def import_confirm(request, campaign, access, pk):
    _require_office(access)
    job = _get_job(campaign, pk)
    if job.state != ImportJob.State.PREVIEW or job.result.get("error_count"):
        messages.error(request, _("This import cannot be written: fix the file and upload it again."))
        return redirect("sheets:import_job", campaign.slug, job.pk)
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.WRITING, done_rows=0)
    tasks.write_import(job.pk)
    return redirect("sheets:import_job", campaign.slug, job.pk)


# The statistics sheet ------------------------------------------------------------


def _require_reporter(access) -> None:
    if not (access.is_office or access.is_liaison):
        raise PermissionDenied(_("Only the campaign office and unit liaisons use statistics sheets."))


def _period_or_404(key: str):
    period = statsheet.period_from_key(key)
    if period is None:
        raise Http404(_("No such period."))
    return period


def _recent_periods(campaign, count: int = 6):
    today = timezone.localdate()
    periods = []
    for weeks in range(count):
        period = statsheet.period_for(today - datetime.timedelta(weeks=weeks))
        if period.ends >= campaign.starts_on:
            periods.append(period)
    return periods


@campaign_view
def statistics_home(request, campaign, access):
    _require_reporter(access)
    periods = _recent_periods(campaign)
    period = statsheet.period_from_key(request.GET.get("period", "")) or statsheet.period_for(timezone.localdate())
    context = {
        "campaign": campaign,
        "access": access,
        "periods": periods,
        "period": period,
        "form": UploadForm(),
        "units": access.liaison_units,
    }
    return render(request, "sheets/statistics_home.html", context)


@campaign_view
def statistics_download(request, campaign, access, period):
    _require_reporter(access)
    period = _period_or_404(period)
    if access.is_office:
        units, subtree, name = statsheet.office_units(campaign), False, _("all units")
    else:
        units, subtree, name = access.liaison_units, True, "、".join(u.display_name for u in access.liaison_units)
    access.require(all(access.can_download_sheet(unit) for unit in units))
    data = statsheet.build_statistics_workbook(campaign, units, period, subtree=subtree)
    filename = f"{period.label} 统计表 {name}.xlsx"
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _statistics_plan(job, campaign, access, data: bytes | None = None):
    if data is None:
        with job.file.open("rb") as handle:
            data = handle.read()
    workbook = read_workbook(data, job.filename if job else "sheet.xlsx")
    period = _period_or_404(job.period_key)
    return statsheet.read_statistics_upload(workbook, campaign, access, period)


@require_POST
@campaign_view
def statistics_upload(request, campaign, access, period):
    _require_reporter(access)
    period = _period_or_404(period)
    form = UploadForm(request.POST, request.FILES)
    refused = None
    if form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read() if upload.size <= MAX_BYTES else b""
        try:
            if not data:
                raise SpreadsheetError(_("The file is too large."))
            workbook = read_workbook(data, upload.name)
            statsheet.read_statistics_upload(workbook, campaign, access, period)
        except (SpreadsheetError, statsheet.SheetRefused) as error:
            refused = str(error)
        else:
            upload.seek(0)
            job = ImportJob.objects.create(
                campaign=campaign,
                kind=ImportJob.Kind.STATISTICS,
                period_key=period.key,
                file=upload,
                filename=upload.name[:200],
                state=ImportJob.State.PREVIEW,
                created_by=request.user,
            )
            return redirect("sheets:statistics_preview", campaign.slug, job.pk)
    context = {
        "campaign": campaign,
        "access": access,
        "periods": _recent_periods(campaign),
        "period": period,
        "form": form,
        "refused": refused,
        "units": access.liaison_units,
    }
    return render(request, "sheets/statistics_home.html", context, status=400)


@campaign_view
def statistics_preview(request, campaign, access, pk):
    _require_reporter(access)
    job = get_object_or_404(
        ImportJob, campaign=campaign, pk=pk, kind=ImportJob.Kind.STATISTICS, created_by=request.user
    )
    try:
        plan = _statistics_plan(job, campaign, access)
    except (SpreadsheetError, statsheet.SheetRefused) as error:
        messages.error(request, str(error))
        return redirect("sheets:statistics_home", campaign.slug)
    if request.method == "POST":
        if job.state != ImportJob.State.PREVIEW:
            messages.info(request, _("This sheet was already written."))
        elif plan.errors:
            messages.error(request, _("The sheet has errors; nothing was written."))
        else:
            try:
                outcome = apply_statistics_sheet(campaign, plan, acting_user=request.user)
            except (ValidationError, PermissionDenied) as error:
                messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
                return redirect("sheets:statistics_preview", campaign.slug, job.pk)
            ImportJob.objects.filter(pk=job.pk).update(
                state=ImportJob.State.DONE, result=outcome, finished_at=timezone.now()
            )
            messages.success(
                request,
                _("%(written)d progress entries written; %(unchanged)d unchanged.") % outcome,
            )
            return redirect("sheets:statistics_home", campaign.slug)
        return redirect("sheets:statistics_preview", campaign.slug, job.pk)
    context = {
        "campaign": campaign,
        "job": job,
        "plan": plan,
        "reports": plan.count("report"),
        "unchanged": plan.count("unchanged"),
    }
    return render(request, "sheets/statistics_preview.html", context, status=200)
