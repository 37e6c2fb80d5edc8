import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from taizhang.campaigns.decorators import campaign_view
from taizhang.history.recording import note
from taizhang.lib.downloads import download_response
from taizhang.lib.params import date_param, id_param, int_param
from taizhang.lib.unitnames import UnitMatcher
from taizhang.lib.xlsxread import MAX_BYTES, SpreadsheetError, read_workbook
from taizhang.orgs.actions import add_unit_alias
from taizhang.orgs.models import Unit
from taizhang.reporting.periods import open_periods

from . import statsheet, tasks
from .forms import MappingForm, UploadForm
from .ledger_import import FIELD_LABELS, cell_text, find_layout, map_columns, normalise_header
from .models import ImportJob, ImportPreset
from .tasks import refuse_nul


def path_id_or_none(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 12 else None


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
                refuse_nul(workbook)
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
    form = MappingForm(
        request.POST or None,
        headers=headers,
        initial_columns=guessed,
        initial={"generate_codes": bool((job.options or {}).get("generate_codes"))},
    )
    if request.method == "POST" and form.is_valid():
        job.mapping = form.mapping()
        job.options = {**(job.options or {}), "generate_codes": form.cleaned_data["generate_codes"]}
        job.state = ImportJob.State.ANALYSING
        job.heartbeat_at = timezone.now()
        job.save(update_fields=["mapping", "options", "state", "heartbeat_at"])
        name = form.cleaned_data.get("save_preset", "").strip()
        if name:
            # Every header, the ignored ones too (as ""), so the preset decides them all next time.
            by_header = {header: job.mapping.get(str(col), "") for col, header in headers.items()}
            ImportPreset.objects.update_or_create(
                campaign=campaign, name=name[:100], defaults={"mapping": by_header, "created_by": request.user}
            )
        # A ledger of ordinary size is read here, at once; only a large one waits for the background worker.
        tasks.analyse_soon(job.pk, rows=len(sheet.rows), sheet=sheet)
        return redirect("sheets:import_job", campaign.slug, job.pk)
    context = {
        "campaign": campaign,
        "job": job,
        "form": form,
        "presets": presets,
        "preset": preset,
        "hidden": [headers.get(c, "") for c in sorted(hidden) if c in headers],
        "sample": [[cell_text(v) for v in row] for row in sheet.rows[layout.data_start : layout.data_start + 5]]
        if layout
        else [],
        "header_rows": [
            [cell_text(v) for v in row] for row in sheet.rows[max(0, layout.header_row - 1) : layout.header_row + 1]
        ]
        if layout
        else [],
        "columns": column_overview(sheet.rows, layout, headers, guessed) if layout else [],
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
    if job.result.get("error_count"):
        messages.error(request, _("This import cannot be written: fix the file and upload it again."))
        return redirect("sheets:import_job", campaign.slug, job.pk)
    if job.result.get("codes_missing"):
        messages.error(request, _("New items have no code: choose the code column, or generate codes."))
        return redirect("sheets:import_job", campaign.slug, job.pk)
    # Claim, then work: of two confirms at once (a double click), one moves the job on and queues it.
    claimed = ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.PREVIEW).update(
        state=ImportJob.State.WRITING, done_rows=0, heartbeat_at=timezone.now()
    )
    if not claimed:
        messages.info(request, _("This import is already being written or was written."))
        return redirect("sheets:import_job", campaign.slug, job.pk)
    tasks.write_import(job.pk)
    return redirect("sheets:import_job", campaign.slug, job.pk)


def column_overview(rows, layout, headers: dict, guessed: dict) -> list[dict]:
    """Each column: its header as written, the guess, and a few of its values (so a wrong guess shows)."""
    overview = []
    below = rows[layout.data_start : layout.data_start + 200]
    for col, header in sorted(headers.items()):
        values = list(dict.fromkeys(t for t in (cell_text(r[col]) for r in below if col < len(r)) if t))
        field = guessed.get(col)
        overview.append(
            {
                "header": header,
                "field": str(FIELD_LABELS[field]) if field else "",
                "sample": "、".join(v[:30] for v in values[:3]),
            }
        )
    return overview


def _previewed_job(request, campaign, pk):
    """The job, if it is a ledger import waiting for review; else None, with a message saying why."""
    job = _get_job(campaign, pk)
    if job.state != ImportJob.State.PREVIEW or job.kind != ImportJob.Kind.LEDGER:
        messages.info(request, _("This import is no longer waiting for review."))
        return None
    return job


@require_POST
@campaign_view
def import_place_unit(request, campaign, access, pk):
    """The office says which unit a name of the sheet is: the name becomes that unit's alias, the preview
    is read again, and the next import knows the name."""
    _require_office(access)
    job = _previewed_job(request, campaign, pk)
    if job is None:
        return redirect("sheets:import_job", campaign.slug, pk)
    name = request.POST.get("name", "")
    listed = {u["name"]: u for u in job.result.get("unresolved", [])}
    if name not in listed:
        messages.error(request, _("This name is not one the import is asking about."))
        return redirect("sheets:import_job", campaign.slug, job.pk)
    unit = None
    chosen = request.POST.get("unit", "")
    if chosen and chosen != "other":
        unit = Unit.objects.filter(is_active=True, pk=path_id_or_none(chosen)).first()
    elif other := request.POST.get("other", "").strip():
        try:
            unit = UnitMatcher(Unit.objects.filter(is_active=True)).find(other)
        except LookupError:
            messages.error(request, _("“%(name)s” fits several units; write its full name.") % {"name": other})
            return redirect("sheets:import_job", campaign.slug, job.pk)
    if unit is None:
        messages.error(request, _("Choose the unit this name stands for."))
        return redirect("sheets:import_job", campaign.slug, job.pk)
    try:
        add_unit_alias(
            unit,
            alias=name,
            acting_user=request.user,
            note=note(gettext_noop("Learned from the import of %(file)s (#%(job)d)."), file=job.filename, job=job.pk),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("sheets:import_job", campaign.slug, job.pk)
    messages.success(request, _("“%(name)s” is now known as %(unit)s.") % {"name": name, "unit": unit.name})
    tasks.reanalyse(job)
    return redirect("sheets:import_job", campaign.slug, job.pk)


@require_POST
@campaign_view
def import_options(request, campaign, access, pk):
    """The office's choices on the preview: the date of the progress the sheet reports, whether new items
    without a code get one and the code prefix of each owner unit, and the percent each status word stands for."""
    _require_office(access)
    job = _previewed_job(request, campaign, pk)
    if job is None:
        return redirect("sheets:import_job", campaign.slug, pk)
    options = dict(job.options or {})
    as_of = date_param(request, "as_of", None, data=request.POST)  # a bad value: BadParameter, a 400
    if as_of is not None:
        options["as_of"] = as_of.isoformat()
    prefixes = dict(options.get("prefixes") or {})
    for entry in job.result.get("code_prefixes", []):
        value = request.POST.get(f"prefix_{entry['unit']}", "").strip().upper()
        if value and not re.fullmatch(r"[A-Z]{1,10}", value):
            messages.error(request, _("A code prefix is 1 to 10 Latin letters (HQ, YL …)."))
            return redirect("sheets:import_job", campaign.slug, job.pk)
        if value:
            prefixes[str(entry["unit"])] = value
    options["prefixes"] = prefixes
    if job.result.get("codes_needed"):  # the box is on the form only then: unticked means no codes made
        options["generate_codes"] = request.POST.get("generate_codes") == "on"
    percents = dict(options.get("percents") or {})
    for word in job.result.get("status_percents", {}):
        value = int_param(request, f"percent_{word}", None, data=request.POST, min_value=0, max_value=100)
        if value is not None:
            percents[word] = value
    options["percents"] = percents
    ImportJob.objects.filter(pk=job.pk).update(options=options)
    job.options = options
    tasks.reanalyse(job)
    return redirect("sheets:import_job", campaign.slug, job.pk)


@require_POST
@campaign_view
def import_retry(request, campaign, access, pk):
    """A failed import (its worker died, or the file could not be read) starts again from reading the file."""
    _require_office(access)
    job = _get_job(campaign, pk)
    if not tasks.retry_job(job):
        messages.info(request, _("Only a failed import can be retried."))
    return redirect("sheets:import_job", campaign.slug, job.pk)


# The statistics sheet ------------------------------------------------------------


def _require_reporter(access) -> None:
    if not (access.is_office or access.is_liaison):
        raise PermissionDenied(_("Only the campaign office and unit liaisons use statistics sheets."))


def _home_context(campaign, access, period, **extra) -> dict:
    return {
        "campaign": campaign,
        "access": access,
        "periods": list(open_periods(campaign)),
        "period": period,
        "form": UploadForm(),
        "units": access.liaison_units,
        **extra,
    }


@campaign_view
def statistics_home(request, campaign, access):
    _require_reporter(access)
    periods = open_periods(campaign)
    period = periods.filter(label=request.GET.get("period", "")).first() or periods.first()
    return render(request, "sheets/statistics_home.html", _home_context(campaign, access, period))


def _sheet_units(campaign, access):
    if access.is_office:
        return statsheet.office_units(campaign), False, _("all units")
    return access.liaison_units, True, "、".join(u.name for u in access.liaison_units)


@campaign_view
def statistics_download(request, campaign, access, period):
    _require_reporter(access)
    try:
        period = statsheet.open_period(campaign, period)
    except statsheet.SheetRefused as error:
        raise Http404(str(error)) from error
    units, subtree, name = _sheet_units(campaign, access)
    access.require(all(access.can_download_sheet(unit) for unit in units))
    data = statsheet.build_statistics_workbook(campaign, units, period, subtree=subtree)
    filename = _("%(unit)s %(period)s statistics sheet.xlsx") % {"unit": name, "period": period.short_name}
    return download_response(data, filename, fallback=f"{campaign.slug}-statistics-{period.label}.xlsx")


def _statistics_plan(job, campaign, access):
    with job.file.open("rb") as handle:
        data = handle.read()
    workbook = read_workbook(data, job.filename)
    return statsheet.read_statistics_upload(workbook, campaign, access, job.period, uploaded_at=job.created_at)


@require_POST
@campaign_view
def statistics_upload(request, campaign, access, period):
    _require_reporter(access)
    label = period
    period = None
    form = UploadForm(request.POST, request.FILES)
    refused = None
    try:
        period = statsheet.open_period(campaign, label)
    except statsheet.SheetRefused as error:
        refused = str(error)
    if refused is None and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read() if upload.size <= MAX_BYTES else b""
        try:
            if not data:
                raise SpreadsheetError(_("The file is too large."))
            workbook = read_workbook(data, upload.name)
            refuse_nul(workbook)
            statsheet.read_statistics_upload(workbook, campaign, access, period)
        except (SpreadsheetError, statsheet.SheetRefused) as error:
            refused = str(error)
        else:
            upload.seek(0)
            job = ImportJob.objects.create(
                campaign=campaign,
                kind=ImportJob.Kind.STATISTICS,
                period=period,
                file=upload,
                filename=upload.name[:200],
                state=ImportJob.State.PREVIEW,
                created_by=request.user,
            )
            return redirect("sheets:statistics_preview", campaign.slug, job.pk)
    context = _home_context(campaign, access, period or open_periods(campaign).first(), refused=refused)
    context["form"] = form
    return render(request, "sheets/statistics_home.html", context, status=400)


@campaign_view
def statistics_preview(request, campaign, access, pk):
    _require_reporter(access)
    job = get_object_or_404(
        ImportJob.objects.select_related("period__campaign"),
        campaign=campaign,
        pk=pk,
        kind=ImportJob.Kind.STATISTICS,
        created_by=request.user,
    )
    if job.period is None:
        messages.error(request, _("The period of this sheet no longer exists; download a new sheet."))
        return redirect("sheets:statistics_home", campaign.slug)
    if request.method == "POST" and job.state != ImportJob.State.PREVIEW:
        messages.info(request, _("This sheet was already written."))
        return redirect("sheets:statistics_home", campaign.slug)
    try:
        plan = _statistics_plan(job, campaign, access)
    except (SpreadsheetError, statsheet.SheetRefused) as error:
        messages.error(request, str(error))
        return redirect("sheets:statistics_home", campaign.slug)
    if request.method == "POST":
        if plan.errors:
            messages.error(request, _("The sheet has errors; nothing was written."))
            return redirect("sheets:statistics_preview", campaign.slug, job.pk)
        submit = "draft" not in request.POST
        try:
            outcome = statsheet.confirm_upload(job, plan, acting_user=request.user, submit=submit)
        except statsheet.AlreadyWritten:
            messages.info(request, _("This sheet was already written."))
            return redirect("sheets:statistics_home", campaign.slug)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            return redirect("sheets:statistics_preview", campaign.slug, job.pk)
        messages.success(request, _("%(written)d progress entries written; %(unchanged)d unchanged.") % outcome)
        if outcome["submitted"]:
            messages.success(
                request,
                _("Report submitted on time: %(units)s.") % {"units": "、".join(outcome["submitted"])},
            )
        if outcome["late"]:
            messages.warning(
                request, _("Report submitted, after the due time: %(units)s.") % {"units": "、".join(outcome["late"])}
            )
        if not submit:
            messages.info(request, _("Saved as a draft: the report is not submitted yet."))
        return redirect("sheets:statistics_home", campaign.slug)
    context = {
        "campaign": campaign,
        "job": job,
        "plan": plan,
        "reports": plan.count("report"),
        "unchanged": plan.count("unchanged"),
        "no_change": plan.count("no_change"),
    }
    return render(request, "sheets/statistics_preview.html", context, status=200)
