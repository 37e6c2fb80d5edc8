"""Inspection pages: the inspector's desk, teams and rounds, inspections with their findings, rectification, lists."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from taizhang.campaigns.decorators import campaign_view
from taizhang.lib.downloads import download_response
from taizhang.lib.forms import apply_errors
from taizhang.lib.media import file_response
from taizhang.lib.paging import IdPaginator
from taizhang.lib.params import choice_param

from . import actions, documents, queries
from .forms import AnswerForm, FindingFilter, FindingForm, InspectionForm, ReturnForm, RoundForm, TeamForm, VerifyForm
from .models import Finding, Inspection, InspectionTeam, RectificationEvidence

FINDING_ROW = ("unit", "item", "inspection__team")
ROW_FIELDS = queries.ROW_FIELDS


def _attachment(content: bytes, filename: str, fallback: str) -> HttpResponse:
    """A readable (Chinese) file name, the old ASCII one as its fallback (lib.downloads)."""
    return download_response(content, filename, fallback=fallback)


def _team(campaign, pk: int) -> InspectionTeam:
    return get_object_or_404(InspectionTeam.objects.select_related("leader", "campaign"), campaign=campaign, pk=pk)


def _finding(campaign, access, pk: int) -> Finding:
    finding = get_object_or_404(
        Finding.objects.select_related("campaign", "unit", "item", "inspection__team", "verified_by"),
        campaign=campaign,
        pk=pk,
    )
    access.require(queries.can_read_finding(access, finding), _("Findings are read by the unit and the overseers."))
    return finding


# The desk ---------------------------------------------------------------------------------------


@campaign_view
def home(request, campaign, access):
    """Each person's inspections: an inspector's rounds, inspections, findings to verify and overdue; a unit's findings."""
    today = timezone.localdate()
    findings = queries.visible_findings(access)
    teams = queries.teams_of(request.user, campaign)
    mine = findings.filter(inspection__team__in=teams) if access.is_inspector and not access.is_office else findings
    context = {
        "campaign": campaign,
        "access": access,
        "today": today,
        "teams": list(teams.prefetch_related("rounds")) if access.is_inspector else [],
        "inspections": Inspection.objects.filter(team__in=teams).select_related("unit", "team")[:50]
        if access.is_inspector
        else Inspection.objects.filter(campaign=campaign).select_related("unit", "team")[:20]
        if access.is_overseer
        else [],
        "to_verify": mine.filter(state=Finding.State.ANSWERED).select_related(*FINDING_ROW)[:50]
        if access.is_overseer
        else [],
        "overdue": queries.overdue(mine, today).select_related(*FINDING_ROW)[:50],
        "own": findings.filter(state__in=queries.OPEN_STATES).select_related(*FINDING_ROW)[:50]
        if access.is_liaison
        else [],
        "can_inspect": access.is_office or (access.is_inspector and teams.exists()),
    }
    return render(request, "inspections/home.html", context)


# Teams ------------------------------------------------------------------------------------------


@campaign_view
def team_list(request, campaign, access):
    access.require(access.is_overseer, _("Inspection teams are for the office and the overseers."))
    teams = InspectionTeam.objects.filter(campaign=campaign).select_related("leader").prefetch_related("members")
    return render(request, "inspections/team_list.html", {"campaign": campaign, "access": access, "teams": teams})


@campaign_view
def team_new(request, campaign, access):
    access.require(actions.can_manage_teams(access), _("Only the campaign office sets up inspection teams."))
    form = TeamForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            team = actions.create_team(campaign, data=form.cleaned_data, acting_user=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Team %(name)s set up.") % {"name": team.name})
            return redirect(team)
    return render(
        request,
        "inspections/team_form.html",
        {"campaign": campaign, "access": access, "form": form},
        status=400 if form.errors else 200,
    )


@campaign_view
def team_detail(request, campaign, access, pk):
    team = _team(campaign, pk)
    access.require(access.is_overseer, _("Inspection teams are for the office and the overseers."))
    form = None
    if actions.can_manage_teams(access):
        initial = {
            "name": team.name,
            "leader": team.leader,
            "members": list(team.members.all()),
            "units": list(team.units.all()),
            "version": team.version,
        }
        form = TeamForm(request.POST or None, campaign=campaign, initial=initial)
    if request.method == "POST":
        access.require(form is not None, _("Only the campaign office sets up inspection teams."))
        if form.is_valid():
            try:
                actions.update_team(
                    team,
                    data=form.cleaned_data,
                    expected_version=form.cleaned_data["version"],
                    acting_user=request.user,
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Team saved."))
                return redirect(team)
    return render(
        request,
        "inspections/team_detail.html",
        {
            "campaign": campaign,
            "access": access,
            "team": team,
            "form": form,
            "rounds": team.rounds.prefetch_related("units"),
            "inspections": team.inspections.select_related("unit").order_by("-starts_on")[:100],
            "round_form": RoundForm() if actions.can_inspect(access, team) else None,
        },
        status=400 if form is not None and form.errors else 200,
    )


@require_POST
@campaign_view
def round_new(request, campaign, access, pk):
    team = _team(campaign, pk)
    access.require(actions.can_inspect(access, team), _("Only the campaign office and the team plan its rounds."))
    form = RoundForm(request.POST)
    if form.is_valid():
        try:
            actions.add_round(team, data=form.cleaned_data, acting_user=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Round planned."))
            return redirect(team)
    for error in form.errors.values():
        messages.error(request, " ".join(error))
    return redirect(team)


@campaign_view
def report_docx(request, campaign, access, pk):
    team = _team(campaign, pk)
    access.require(access.is_overseer, _("Inspection teams are for the office and the overseers."))
    return _attachment(
        documents.report_docx(team),
        _("%(team)s inspection report.docx") % {"team": team.name},
        f"inspection-report-{campaign.slug}-{team.pk}.docx",
    )


@campaign_view
def report_pdf(request, campaign, access, pk):
    team = _team(campaign, pk)
    access.require(access.is_overseer, _("Inspection teams are for the office and the overseers."))
    return _attachment(
        documents.report_pdf(team),
        _("%(team)s inspection report.pdf") % {"team": team.name},
        f"inspection-report-{campaign.slug}-{team.pk}.pdf",
    )


# Inspections ------------------------------------------------------------------------------------


@campaign_view
def inspection_new(request, campaign, access):
    teams = (
        InspectionTeam.objects.filter(campaign=campaign)
        if access.is_office
        else queries.teams_of(request.user, campaign)
        if access.is_inspector
        else InspectionTeam.objects.none()
    )
    access.require(teams.exists(), _("Only the inspectors of a team record inspections."))
    proposing = request.method == "POST" and "propose" in request.POST
    form = InspectionForm(None if proposing else request.POST or None, campaign=campaign, teams=teams)
    sample = []
    if proposing:
        # "Propose a sample": the unit's red and overdue items first, ticked, to check; nothing is written.
        initial = {
            name: request.POST[name]
            for name in ("team", "round", "starts_on", "ends_on", "summary")
            if request.POST.get(name)
        }
        initial["methods"] = request.POST.getlist("methods")
        unit = queries.unit_or_none(request.POST.get("unit"))
        if unit is not None:
            sample = queries.proposed_sample(campaign, unit)
            initial["unit"] = unit.pk
        initial["items"] = [i.pk for i in sample] + [v for v in request.POST.getlist("items") if v.isdigit()]
        form = InspectionForm(campaign=campaign, teams=teams, initial=initial)
        form.fields["token"].initial = request.POST.get("token") or form.fields["token"].initial
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inspection = actions.record_inspection(
                data["team"], data=data, token=data.get("token") or "", acting_user=request.user
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Inspection recorded. Add what it found."))
            return redirect(inspection)
    return render(
        request,
        "inspections/inspection_form.html",
        {"campaign": campaign, "access": access, "form": form, "sample": sample},
        status=400 if form.is_bound and form.errors else 200,
    )


@campaign_view
def inspection_detail(request, campaign, access, pk):
    inspection = get_object_or_404(
        Inspection.objects.select_related("team__leader", "unit", "round", "campaign", "recorded_by"),
        campaign=campaign,
        pk=pk,
    )
    access.require(access.can_read_unit_work(inspection.unit), _("Inspections are read by the unit and the overseers."))
    can_add = actions.can_inspect(access, inspection.team, inspection.unit)
    form = FindingForm(request.POST or None, inspection=inspection) if can_add else None
    if request.method == "POST":
        access.require(can_add, _("Only the team's inspectors record findings of its inspections."))
        if form.is_valid():
            try:
                actions.add_finding(
                    inspection,
                    data=form.cleaned_data,
                    token=form.cleaned_data.get("token") or "",
                    acting_user=request.user,
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Finding recorded; the unit is told to rectify it."))
                return redirect(inspection)
    return render(
        request,
        "inspections/inspection_detail.html",
        {
            "campaign": campaign,
            "access": access,
            "inspection": inspection,
            "items": inspection.items.order_by("code"),
            "findings": inspection.findings.select_related("unit", "item"),
            "today": timezone.localdate(),
            "form": form,
        },
        status=400 if form is not None and form.errors else 200,
    )


# Findings ---------------------------------------------------------------------------------------


@campaign_view
def finding_list(request, campaign, access):
    """The findings a person reads: a unit its own, an inspector his teams' (or all), filtered, paged."""
    today = timezone.localdate()
    findings = queries.visible_findings(access)
    scope = choice_param(request, "scope", ("mine", "all"), "mine" if access.is_inspector else "all")
    if access.is_inspector and scope == "mine" and not access.is_office:
        # The teams as a subquery: one round trip fewer than reading their ids first.
        findings = findings.filter(
            inspection__team__in=queries.teams_of(request.user, campaign).order_by().values("pk")
        )
    filters = FindingFilter(request.GET or None)
    state = choice_param(request, "state", [*Finding.State.values, "overdue"], "")
    severity = choice_param(request, "severity", Finding.Severity.values, "")
    if state == "overdue":
        findings = queries.overdue(findings, today)
    elif state:
        findings = findings.filter(state=state)
    if severity:
        findings = findings.filter(severity=severity)
    rows = findings.select_related("unit", "item").only(*ROW_FIELDS).order_by("deadline", "id")
    page = queries.FindingPaginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "inspections/finding_list.html",
        {
            "campaign": campaign,
            "access": access,
            "page": page,
            "filters": filters,
            "today": today,
            "scope": scope,
            "state": state,
            "severity": severity,
        },
    )


@campaign_view
def finding_detail(request, campaign, access, pk):
    finding = _finding(campaign, access, pk)
    initial = {"version": finding.version}
    answerable = actions.can_answer(access, finding) and finding.state in queries.TO_RECTIFY
    verifiable = actions.can_verify(access, finding) and finding.state == Finding.State.ANSWERED
    return render(
        request,
        "inspections/finding_detail.html",
        _detail_context(
            campaign,
            access,
            finding,
            answer_form=AnswerForm(initial=initial) if answerable else None,
            return_form=ReturnForm(initial=initial) if verifiable else None,
        ),
    )


def _detail_context(campaign, access, finding, *, answer_form=None, return_form=None) -> dict:
    """The finding page: the order, the unit's answers with their evidence, the forms this person may use."""
    return {
        "campaign": campaign,
        "access": access,
        "finding": finding,
        "today": timezone.localdate(),
        "rectifications": finding.rectifications.select_related("answered_by").prefetch_related("evidence"),
        "answer_form": answer_form,
        "return_form": return_form,
        "verify_form": VerifyForm(initial={"version": finding.version}) if return_form is not None else None,
        "history": _history(finding),
    }


def _history(finding):
    from taizhang.history.recording import history_for

    return history_for(finding)[:50]


@require_POST
@campaign_view
def finding_answer(request, campaign, access, pk):
    finding = _finding(campaign, access, pk)
    access.require(actions.can_answer(access, finding), _("Only the unit concerned answers its findings."))
    form = AnswerForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.answer_finding(
                finding,
                measures=form.cleaned_data["measures"],
                done=form.cleaned_data["done"],
                evidence=request.FILES.getlist("evidence"),
                expected_version=form.cleaned_data["version"],
                acting_user=request.user,
            )
        except ValidationError as error:
            return _refused(request, campaign, access, finding, answer_form=form, error=error)
        messages.success(request, _("Answer recorded."))
        return redirect(finding)
    return _refused(request, campaign, access, finding, answer_form=form)


def _refused(request, campaign, access, finding, *, answer_form=None, return_form=None, error=None):
    """The finding page again with the refused form and its messages, nothing written (400)."""
    for form in (answer_form, return_form):
        if error is not None and form is not None:
            apply_errors(form, error)
    context = _detail_context(campaign, access, finding, answer_form=answer_form, return_form=return_form)
    return render(request, "inspections/finding_detail.html", context, status=400)


@require_POST
@campaign_view
def finding_verify(request, campaign, access, pk):
    finding = _finding(campaign, access, pk)
    access.require(actions.can_verify(access, finding), _("Only an inspector of the team verifies its findings."))
    form = VerifyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Reload the page and try again."))
        return redirect(finding)
    try:
        actions.verify_finding(finding, expected_version=form.cleaned_data["version"], acting_user=request.user)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("Rectification verified: the finding is closed (已销号)."))
    return redirect(finding)


@require_POST
@campaign_view
def finding_return(request, campaign, access, pk):
    finding = _finding(campaign, access, pk)
    access.require(actions.can_verify(access, finding), _("Only an inspector of the team verifies its findings."))
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            actions.return_finding(
                finding,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
                acting_user=request.user,
            )
        except ValidationError as error:
            return _refused(request, campaign, access, finding, return_form=form, error=error)
        messages.success(request, _("Returned to the unit for rectification."))
        return redirect(finding)
    return _refused(request, campaign, access, finding, return_form=form)


@campaign_view
def evidence_download(request, campaign, access, pk):
    evidence = get_object_or_404(
        RectificationEvidence.objects.select_related("rectification__finding__unit"),
        pk=pk,
        rectification__finding__campaign=campaign,
    )
    access.require(
        queries.can_read_finding(access, evidence.rectification.finding),
        _("Findings are read by the unit and the overseers."),
    )
    return file_response(evidence.file, filename=evidence.name, inline_images=True)


# The three lists --------------------------------------------------------------------------------


def _list_findings(access):
    return queries.visible_findings(access).select_related(*FINDING_ROW).order_by("unit__path", "deadline", "id")


def _kind(kind: str) -> str:
    if kind not in documents.LISTS:
        raise Http404
    return kind


@campaign_view
def lists(request, campaign, access):
    kind = choice_param(request, "list", documents.LISTS, "problems")
    findings = _list_findings(access)
    page = IdPaginator(findings, 100).get_page(request.GET.get("page"))
    headers, _widths, rows = documents.list_table(page.object_list, kind)
    offset = page.start_index() - 1 if page.object_list else 0
    for row in rows:
        row[0] += offset
    return render(
        request,
        "inspections/lists.html",
        {
            "campaign": campaign,
            "access": access,
            "kind": kind,
            "kinds": [(k, documents.list_title(k)) for k in documents.LISTS],
            "headers": headers,
            "rows": rows,
            "page": page,
        },
    )


@campaign_view
def list_xlsx(request, campaign, access, kind):
    kind = _kind(kind)
    return _attachment(
        documents.list_xlsx(_list_findings(access), kind, campaign),
        f"{campaign.name} {documents.list_name(kind)}.xlsx",
        f"{kind}-{campaign.slug}.xlsx",
    )


@campaign_view
def list_docx(request, campaign, access, kind):
    kind = _kind(kind)
    return _attachment(
        documents.list_docx(_list_findings(access), kind, campaign),
        f"{campaign.name} {documents.list_name(kind)}.docx",
        f"{kind}-{campaign.slug}.docx",
    )
