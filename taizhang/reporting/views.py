import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from taizhang.campaigns.decorators import campaign_view
from taizhang.history.recording import history_for
from taizhang.ledger import actions as ledger_actions
from taizhang.ledger.models import Item
from taizhang.lib.downloads import download_response
from taizhang.lib.media import file_response
from taizhang.lib.params import id_param, int_param
from taizhang.orgs.models import Unit
from taizhang.orgs.queries import in_tree_order

from . import actions
from .documents import can_generate, request_document
from .export import cell_labels, export_board
from .forms import BoardFilterForm, ExpectedUnitForm, ItemProgressForm, ReasonForm, SummaryForm
from .models import ExpectedUnit, GeneratedDocument, ReportingPeriod, UnitReport
from .queries import Cell, board, cell_state, default_range, expected_unit_ids

BOARD_PAGE = 50


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


def _period_and_unit(campaign, access, period_pk: int, unit_pk: int):
    period = get_object_or_404(ReportingPeriod, campaign=campaign, pk=period_pk)
    unit = get_object_or_404(Unit, pk=unit_pk)
    if not actions.can_read(access, unit):
        raise PermissionDenied(_("You can see only your own unit's reports."))
    return period, unit


def _report_url(campaign, period, unit):
    return redirect("reporting:report_detail", slug=campaign.slug, period=period.pk, unit=unit.pk)


@campaign_view
def report_home(request, campaign, access):
    """A liaison's reports, period by period; the office's queue of submitted reports."""
    # Nothing is written on a GET: periods come from the nightly task and from the actions that change the rhythm.
    now = timezone.now()
    expected = expected_unit_ids(campaign)
    periods = list(
        ReportingPeriod.objects.filter(campaign=campaign)
        .filter(  # opened: started, or a week whose report opened at the previous deadline (periods.opens_at)
            Q(starts_on__lte=timezone.localdate())
            | Q(kind=ReportingPeriod.Kind.WEEKLY, due_at__lte=now + datetime.timedelta(weeks=1))
        )
        .order_by("-due_at")[:20]
    )
    units = []
    for unit in access.liaison_units:
        reports = {r.period_id: r for r in UnitReport.objects.filter(unit=unit, period__in=periods)}
        rows = [
            (period, reports.get(period.pk), cell_state(reports.get(period.pk), period, unit.pk in expected, now))
            for period in periods
        ]
        units.append((unit, rows))
    latest = _latest_periods(campaign, periods, expected) if access.is_overseer else []
    waiting = []
    if access.is_office:
        waiting = (
            UnitReport.objects.filter(period__campaign=campaign, status=UnitReport.Status.SUBMITTED)
            .select_related("period", "unit")
            .order_by("submitted_at")[:200]
        )
    return render(
        request,
        "reporting/report_home.html",
        {"campaign": campaign, "access": access, "units": units, "waiting": waiting, "latest": latest},
    )


def _latest_periods(campaign, periods, expected: set[int], count: int = 6) -> list[dict]:
    """For the overseers: the latest periods due, each with how many expected units reported (one query)."""
    now = timezone.now()
    due = [p for p in periods if p.due_at <= now][:count]
    tallies: dict[int, dict[str, int]] = {p.pk: {} for p in due}
    rows = (
        UnitReport.objects.filter(period__in=due, unit_id__in=expected, submitted_at__isnull=False)
        .values_list("period_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for period_id, status, n in rows:
        tallies[period_id][status] = n
    result = []
    for period in due:
        counts = tallies[period.pk]
        reported = sum(counts.values())
        result.append(
            {
                "period": period,
                "expected": len(expected),
                "reported": reported,
                "accepted": counts.get(UnitReport.Status.ACCEPTED, 0),
                "returned": counts.get(UnitReport.Status.RETURNED, 0),
                "missing": max(len(expected) - reported, 0),
            }
        )
    return result


def _entries_in_period(period, unit, report=None) -> dict[int, list]:
    """The progress recorded on the unit's items in the period, item by item."""
    entries: dict[int, list] = {}
    report = report or UnitReport(period=period, unit=unit)
    for entry in actions.progress_in_period(report).select_related("author").order_by("created_at"):
        entries.setdefault(entry.item_id, []).append(entry)
    return entries


def _open_items(campaign, unit):
    return Item.objects.filter(campaign=campaign, owner_unit=unit).open().select_related("category").order_by("code")


def _progress_form(item, data=None) -> ItemProgressForm:
    return ItemProgressForm(data, prefix=f"i{item.pk}", initial={"percent": item.percent})


def _status_badge(report, state: str) -> str:
    """The report's status beside its state, only where it says more: "漏报", never "漏报 · 未启动" or "已退回 已退回"."""
    if report is None:
        return ""
    if report.is_reported or (report.status == UnitReport.Status.DRAFT and state == Cell.DRAFT):
        return report.get_status_display()
    return ""


@campaign_view
def report_detail(request, campaign, access, period, unit):
    period, unit = _period_and_unit(campaign, access, period, unit)
    report = UnitReport.objects.filter(period=period, unit=unit).select_related("submitted_by", "decided_by").first()
    can_write = actions.can_write(access, unit) and not (report and report.is_locked)
    entries = _entries_in_period(period, unit, report)
    rows = [(item, entries.get(item.pk, []), _progress_form(item)) for item in _open_items(campaign, unit)]
    state = cell_state(report, period, unit.pk in expected_unit_ids(campaign), timezone.now())
    context = {
        "campaign": campaign,
        "access": access,
        "period": period,
        "unit": unit,
        "report": report,
        "rows": rows,
        "can_write": can_write,
        "summary_form": SummaryForm(instance=report) if period.is_monthly else None,
        "reason_form": ReasonForm(),
        "state": state,
        "status_badge": _status_badge(report, state),
        "history": history_for(report)[:100] if report else [],
    }
    return render(request, "reporting/report_detail.html", context)


def _row_response(request, campaign, period, unit, item, *, form=None, saved: str = "", error: str = ""):
    """One item's row of the report page, for htmx to swap in place: the page keeps its place."""
    item.refresh_from_db()
    entries = _entries_in_period(period, unit).get(item.pk, [])
    context = {
        "campaign": campaign,
        "period": period,
        "unit": unit,
        "item": item,
        "entries": entries,
        "form": form or _progress_form(item),
        "can_write": True,
        "saved": saved,
        "error": error,
        "open": bool(form),
    }
    return render(request, "reporting/_report_row.html", context)


@require_POST
@campaign_view
def report_progress(request, campaign, access, period, unit, item):
    period, unit = _period_and_unit(campaign, access, period, unit)
    item = get_object_or_404(Item, campaign=campaign, owner_unit=unit, pk=item)
    report = UnitReport.objects.filter(period=period, unit=unit).first()
    if report and report.is_locked:
        messages.error(request, _("This report is submitted or accepted; it can no longer be changed."))
        return _report_url(campaign, period, unit)
    if not actions.can_write(access, unit):
        raise PermissionDenied(_("Only the unit's liaison can write its report."))
    form = ItemProgressForm(request.POST, prefix=f"i{item.pk}")
    swap = bool(request.headers.get("HX-Request"))
    if not form.is_valid():
        if swap:
            return _row_response(request, campaign, period, unit, item, form=form)
        messages.error(request, item.code + ": " + " ".join(e for errors in form.errors.values() for e in errors))
        return _report_url(campaign, period, unit)
    try:
        with transaction.atomic():  # no empty draft left behind when the progress is refused
            actions.start_report(period, unit, acting_user=request.user)
            ledger_actions.add_progress(item, acting_user=request.user, period_label=period.label, **form.cleaned_data)
    except ValidationError as error:
        if swap:
            return _row_response(request, campaign, period, unit, item, form=form, error=_errors(error))
        messages.error(request, _errors(error))
    else:
        saved = _("Progress on %(code)s recorded.") % {"code": item.code}
        if swap:
            return _row_response(request, campaign, period, unit, item, saved=saved)
        messages.success(request, saved)
    return _report_url(campaign, period, unit)


@require_POST
@campaign_view
def report_summary(request, campaign, access, period, unit):
    period, unit = _period_and_unit(campaign, access, period, unit)
    form = SummaryForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the summary."))
        return _report_url(campaign, period, unit)
    try:
        report = actions.start_report(period, unit, acting_user=request.user)
        actions.save_summary(report, data=form.cleaned_data, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("Summary saved."))
    return _report_url(campaign, period, unit)


@require_POST
@campaign_view
def report_submit(request, campaign, access, period, unit):
    period, unit = _period_and_unit(campaign, access, period, unit)
    no_change = request.POST.get("no_change") == "1"
    if not no_change and request.POST.get("confirm") != "1":
        confirmation = _confirmation(request, campaign, access, period, unit)
        if confirmation is not None:
            return confirmation
    try:
        if period.is_monthly and not no_change and any(name in request.POST for name in UnitReport.SUMMARY_FIELDS):
            form = SummaryForm(request.POST)
            if form.is_valid():
                actions.save_summary(
                    actions.start_report(period, unit, acting_user=request.user),
                    data=form.cleaned_data,
                    acting_user=request.user,
                )
        report = actions.start_report(period, unit, acting_user=request.user)
        report = actions.submit_report(report, acting_user=request.user, no_change=no_change)
    except ValidationError as error:
        messages.error(request, _errors(error))
        return _report_url(campaign, period, unit)
    if report.is_late:
        messages.warning(request, _("Report submitted, after the due time."))
    else:
        messages.success(request, _("Report submitted on time."))
    return _report_url(campaign, period, unit)


def _confirmation(request, campaign, access, period, unit):
    """Before a report goes in with some items not updated: say how many, and what "no change" means for them.

    Nothing is written; the page posts the same submission again, confirmed. ``None`` when there is nothing to ask:
    every item updated, or none (a weekly report is refused with the reason; a monthly one is its summary).
    """
    if not actions.can_write(access, unit):
        return None  # the action refuses with the reason
    report = UnitReport.objects.filter(period=period, unit=unit).first()
    if report is not None and report.is_locked:
        return None
    items = list(_open_items(campaign, unit))
    updated = _entries_in_period(period, unit, report).keys()
    left = [item for item in items if item.pk not in updated]
    if not left or len(left) == len(items):
        return None
    context = {
        "campaign": campaign,
        "access": access,
        "period": period,
        "unit": unit,
        "report": report,
        "updated": len(items) - len(left),
        "total": len(items),
        "left": left,
        "summary": {name: request.POST[name] for name in UnitReport.SUMMARY_FIELDS if name in request.POST},
    }
    return render(request, "reporting/report_confirm.html", context)


def _decision(request, campaign, access, period, unit, action, success: str, with_reason: bool):
    period, unit = _period_and_unit(campaign, access, period, unit)
    report = get_object_or_404(UnitReport, period=period, unit=unit)
    kwargs = {"acting_user": request.user}
    if with_reason:
        kwargs["reason"] = request.POST.get("reason", "")
    try:
        action(report, **kwargs)
    except ValidationError as error:
        messages.error(request, _errors(error))
        response = _report_url(campaign, period, unit)
        return response
    messages.success(request, success)
    return _report_url(campaign, period, unit)


@require_POST
@campaign_view
def report_accept(request, campaign, access, period, unit):
    return _decision(request, campaign, access, period, unit, actions.accept_report, _("Report accepted."), False)


@require_POST
@campaign_view
def report_return(request, campaign, access, period, unit):
    return _decision(request, campaign, access, period, unit, actions.return_report, _("Report returned."), True)


@require_POST
@campaign_view
def report_reopen(request, campaign, access, period, unit):
    return _decision(request, campaign, access, period, unit, actions.reopen_report, _("Report reopened."), True)


def _render_rows(campaign, data: dict) -> None:
    """The board's header and rows as ready HTML: 50 rows × 52 weeks is too many template nodes for a fast page."""
    labels = cell_labels()
    badges = {
        state: format_html('<span class="badge {}" data-state="{}">{}</span>', css, state, labels[state])
        for state, css in (
            (Cell.ON_TIME, "text-bg-success"),
            (Cell.LATE, "text-bg-warning"),
            (Cell.MISSING, "text-bg-danger"),
            (Cell.RETURNED, "text-bg-info"),
            (Cell.DRAFT, "text-bg-light border"),
            (Cell.PENDING, "text-bg-light border"),
        )
    }
    badges[Cell.NOT_EXPECTED] = format_html('<span class="text-muted" data-state="{}">—</span>', Cell.NOT_EXPECTED)
    base = reverse("reporting:report_home", args=[campaign.slug])
    data["periods_html"] = mark_safe(
        "".join(
            format_html(
                '<th scope="col" class="text-nowrap" title="{}">{}</th>',
                period.name,
                period.short_name,
            )
            for period in data["periods"]
        )
    )
    parts = []
    for row in data["rows"]:
        parts.append(
            format_html(
                '<tr data-unit="{}"><th scope="row" class="text-nowrap" style="padding-left: {}em">{}</th>'
                '<td class="text-end" data-rate="reporting">{}</td><td class="text-end" data-rate="on-time">{}</td>',
                row.unit.name,
                row.unit.depth,
                row.unit.name,
                _percent(row.total.reporting_rate),
                _percent(row.total.on_time_rate),
            )
        )
        for period, report, state in row.cells:
            if row.expected or report is not None:
                parts.append(f'<td><a href="{base}{period.pk}/{row.unit.pk}/">{badges[state]}</a></td>')
            else:
                parts.append(f"<td>{badges[state]}</td>")
        parts.append("</tr>")
    data["rows_html"] = mark_safe("".join(parts))  # built from format_html pieces and integers


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate}%"


def _board_args(request, campaign):
    form = BoardFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    kind = data.get("kind") or ReportingPeriod.Kind.WEEKLY
    start, end = data.get("start"), data.get("end")
    if not start and not end:
        start, end = default_range(campaign, kind, timezone.now())
        if not form.is_bound:
            form = BoardFilterForm(initial={"kind": kind, "start": start, "end": end})
    return form, {"kind": kind, "start": start, "end": end, "root": data.get("unit")}


@campaign_view
def completeness_board(request, campaign, access):
    if not access.is_overseer:
        raise PermissionDenied(_("Only the campaign office and the overseers see the completeness board."))
    form, args = _board_args(request, campaign)
    page = int_param(request, "page", 1, min_value=1)
    data = board(campaign, offset=(page - 1) * BOARD_PAGE, limit=BOARD_PAGE, **args)
    pages = (data["row_count"] + BOARD_PAGE - 1) // BOARD_PAGE
    if page > pages > 0:  # past the last page (an old link, fewer units now): show the last one
        page = pages
        data = board(campaign, offset=(page - 1) * BOARD_PAGE, limit=BOARD_PAGE, **args)
    _render_rows(campaign, data)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reporting/board.html",
        {
            "campaign": campaign,
            "access": access,
            "form": form,
            "board": data,
            "args": args,
            "page": page,
            "pages": pages,
            "previous_page": page - 1 if page > 1 else None,
            "next_page": page + 1 if page < pages else None,
            "query": query.urlencode(),
        },
    )


@campaign_view
def completeness_export(request, campaign, access):
    if not access.is_overseer:
        raise PermissionDenied(_("Only the campaign office and the overseers see the completeness board."))
    _form, args = _board_args(request, campaign)
    content = export_board(campaign, board(campaign, offset=0, limit=10**6, **args))
    today = timezone.localdate()
    return download_response(
        content,
        _("Reporting completeness %(date)s.xlsx") % {"date": f"{today:%Y-%m-%d}"},
        fallback=f"{campaign.slug}-completeness-{today:%Y%m%d}.xlsx",
    )


# Which units report ---------------------------------------------------------------------


@campaign_view
def expected_units(request, campaign, access):
    """Who must report: units owning open items (by themselves) and those the office added."""
    access.require(access.is_office or access.is_leader, _("Only the campaign office and leaders see who reports."))
    form = ExpectedUnitForm(request.POST or None)
    status = 200
    if request.method == "POST":
        access.require(access.is_office, _("Only the campaign office can choose which units report."))
        if form.is_valid():
            unit = form.cleaned_data["unit"]
            actions.add_expected_unit(campaign, unit, acting_user=request.user)
            messages.success(request, _("%(unit)s is asked to report.") % {"unit": unit})
            return redirect("reporting:expected_units", slug=campaign.slug)
        status = 400
    open_items = dict(
        Item.objects.filter(campaign=campaign).open().values_list("owner_unit").annotate(n=Count("*")).order_by()
    )
    added = {e.unit_id: e for e in ExpectedUnit.objects.filter(campaign=campaign).select_related("added_by")}
    units = in_tree_order(Unit.objects.filter(pk__in=open_items.keys() | added.keys()))
    rows = [
        {
            "unit": unit,
            "open_items": open_items.get(unit.pk, 0),
            "added": added.get(unit.pk),
            "expected": unit.is_active and (unit.pk in open_items or unit.pk in added),
        }
        for unit in units
    ]
    context = {"campaign": campaign, "access": access, "form": form, "rows": rows}
    return render(request, "reporting/expected_units.html", context, status=status)


@require_POST
@campaign_view
def expected_unit_remove(request, campaign, access, unit):
    access.require(access.is_office, _("Only the campaign office can choose which units report."))
    unit = get_object_or_404(Unit, pk=unit)
    if actions.remove_expected_unit(campaign, unit, acting_user=request.user):
        messages.success(request, _("%(unit)s is no longer asked to report.") % {"unit": unit})
    return redirect("reporting:expected_units", slug=campaign.slug)


# Documents ------------------------------------------------------------------------------


def _require_documents(access) -> None:
    if not can_generate(access):
        raise PermissionDenied(_("Only the campaign office and leaders generate documents."))


@campaign_view
def document_home(request, campaign, access):
    _require_documents(access)
    if request.method == "POST":
        period = get_object_or_404(
            ReportingPeriod, campaign=campaign, pk=id_param(request, "period", 0, data=request.POST)
        )
        try:
            document = request_document(
                period,
                kind=request.POST.get("kind", ""),
                format=request.POST.get("format", ""),
                acting_user=request.user,
            )
        except ValidationError as error:
            messages.error(request, _errors(error))
            return redirect("reporting:document_home", slug=campaign.slug)
        return redirect("reporting:document_detail", slug=campaign.slug, pk=document.pk)
    periods = ReportingPeriod.objects.filter(
        campaign=campaign,
        kind__in=[ReportingPeriod.Kind.MONTHLY, ReportingPeriod.Kind.QUARTERLY],
        starts_on__lte=timezone.localdate(),
    ).order_by("-starts_on")
    recent = GeneratedDocument.objects.filter(campaign=campaign).select_related("period", "requested_by")[:30]
    return render(
        request,
        "reporting/document_home.html",
        {"campaign": campaign, "access": access, "periods": periods, "recent": recent, "kinds": GeneratedDocument.Kind},
    )


@campaign_view
def document_detail(request, campaign, access, pk):
    """The progress page; htmx polls the progress bar until the file is ready."""
    _require_documents(access)
    document = get_object_or_404(GeneratedDocument.objects.select_related("period"), campaign=campaign, pk=pk)
    template = (
        "reporting/_document_progress.html" if request.headers.get("HX-Request") else "reporting/document_detail.html"
    )
    return render(request, template, {"campaign": campaign, "access": access, "document": document})


@campaign_view
def document_download(request, campaign, access, pk):
    _require_documents(access)
    document = get_object_or_404(
        GeneratedDocument.objects.select_related("period", "campaign"),
        campaign=campaign,
        pk=pk,
        status=GeneratedDocument.Status.DONE,
    )
    return file_response(document.file, filename=document.filename, fallback=document.ascii_filename)
