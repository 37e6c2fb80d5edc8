"""Meetings: the list, a meeting's page, its agenda (built in one click, then edited), minutes and decisions."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from taizhang.campaigns.decorators import campaign_view
from taizhang.history.recording import history_for
from taizhang.lib.downloads import download_response
from taizhang.lib.forms import apply_errors
from taizhang.lib.params import choice_param, id_param, int_param
from taizhang.orgs.models import Unit

from . import actions, documents
from .agenda import agenda_figures
from .forms import AgendaFormSet, DecisionForm, DoneForm, MeetingForm, MinutesForm, ProgressForm, meeting_initial
from .lights import decision_light
from .models import Decision, Meeting
from .queries import visible_decisions, visible_meetings

PAGE = 50


def _get_meeting(campaign, access, pk: int) -> Meeting:
    meeting = get_object_or_404(
        Meeting.objects.select_related("campaign", "chair", "period", "approved_by"), campaign=campaign, pk=pk
    )
    access.require(actions.can_read_meeting(access, meeting), _("This meeting is not about your unit."))
    return meeting


def _get_decision(campaign, access, pk: int) -> Decision:
    decision = get_object_or_404(
        Decision.objects.select_related("campaign", "meeting", "owner_unit"), campaign=campaign, pk=pk
    )
    access.require(actions.can_read_decision(access, decision), _("This decision is not your unit's."))
    return decision


def _posted(request):
    """The form's data on POST (an empty POST too: it binds the form, and its errors show), else None."""
    return request.POST if request.method == "POST" else None


def _version(request) -> int | None:
    return int_param(request, "version", data=request.POST, min_value=0)


def _done(request, message: str, target: str, campaign, pk: int):
    messages.success(request, message)
    return redirect(target, slug=campaign.slug, pk=pk)


@campaign_view
def meeting_list(request, campaign, access):
    kind = choice_param(request, "kind", Meeting.Kind.values, default="")
    meetings = visible_meetings(campaign, access).select_related("chair")
    if kind:
        meetings = meetings.filter(kind=kind)
    page = Paginator(meetings.order_by("-starts_at", "-pk"), PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "campaign": campaign,
            "access": access,
            "page": page,
            "kind": kind,
            "kinds": Meeting.Kind.choices,
            "query": urlencode({"kind": kind}) if kind else "",
            "can_write": actions.can_write_meeting(access),
        },
    )


@campaign_view
def meeting_new(request, campaign, access):
    access.require(actions.can_write_meeting(access), _("Only the campaign office records meetings."))
    form = MeetingForm(_posted(request), campaign=campaign)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        attendees = data.pop("attendees")
        try:
            meeting = actions.create_meeting(campaign, data=data, attendees=attendees, acting_user=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return _done(request, _("Meeting created."), "meetings:meeting_detail", campaign, meeting.pk)
    return render(
        request,
        "meetings/meeting_form.html",
        {"campaign": campaign, "access": access, "form": form},
        status=400 if form.errors else 200,
    )


@campaign_view
def meeting_edit(request, campaign, access, pk):
    meeting = _get_meeting(campaign, access, pk)
    access.require(actions.can_write_meeting(access), _("Only the campaign office records meetings."))
    form = MeetingForm(_posted(request), campaign=campaign, initial=meeting_initial(meeting))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        attendees = data.pop("attendees")
        try:
            actions.update_meeting(
                meeting, data=data, attendees=attendees, expected_version=_version(request), acting_user=request.user
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return _done(request, _("Meeting saved."), "meetings:meeting_detail", campaign, meeting.pk)
    return render(
        request,
        "meetings/meeting_form.html",
        {"campaign": campaign, "access": access, "form": form, "meeting": meeting},
        status=400 if form.errors else 200,
    )


@campaign_view
def meeting_detail(request, campaign, access, pk):
    meeting = _get_meeting(campaign, access, pk)
    today = timezone.localdate()
    # The whole table, as the minutes circulate it; a liaison opens only its own unit's decisions.
    decisions = [
        (d, decision_light(d, today), actions.can_read_decision(access, d))
        for d in meeting.decisions.select_related("owner_unit", "campaign", "meeting").order_by("seq")
    ]
    can_write = actions.can_write_meeting(access)
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "campaign": campaign,
            "access": access,
            "meeting": meeting,
            "points": meeting.points.order_by("order", "id"),
            "attendees": meeting.attendees.order_by("name", "username"),
            "decisions": decisions,
            "can_write": can_write,
            "can_approve": actions.can_approve(access, meeting) and meeting.state == Meeting.State.HELD,
            "decision_form": DecisionForm() if can_write and meeting.state == Meeting.State.HELD else None,
            "history": history_for(meeting)[:50] if access.is_overseer else [],
        },
    )


def _transition(request, campaign, access, pk, action, message):
    meeting = _get_meeting(campaign, access, pk)
    try:
        action(meeting, expected_version=_version(request), acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, message)
    return redirect("meetings:meeting_detail", slug=campaign.slug, pk=meeting.pk)


@require_POST
@campaign_view
def meeting_held(request, campaign, access, pk):
    access.require(actions.can_write_meeting(access), _("Only the campaign office records meetings."))
    return _transition(request, campaign, access, pk, actions.mark_held, _("The meeting is recorded as held."))


@require_POST
@campaign_view
def meeting_approve(request, campaign, access, pk):
    meeting = _get_meeting(campaign, access, pk)
    access.require(
        actions.can_approve(access, meeting), _("Only the chair of the meeting or the office approves its minutes.")
    )
    return _transition(request, campaign, access, pk, actions.approve_minutes, _("The minutes are approved."))


@campaign_view
def agenda_build(request, campaign, access, pk):
    """The builder: what the ledger proposes (GET), and the one click that puts it on the agenda (POST)."""
    meeting = _get_meeting(campaign, access, pk)
    access.require(actions.can_write_meeting(access), _("Only the campaign office builds agendas."))
    if request.method == "POST":
        try:
            points = actions.build_agenda(meeting, expected_version=_version(request), acting_user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("meetings:agenda_build", slug=campaign.slug, pk=meeting.pk)
        messages.success(
            request, _("Agenda built from the ledger: %(n)d points. Edit them below.") % {"n": len(points)}
        )
        return redirect("meetings:agenda_edit", slug=campaign.slug, pk=meeting.pk)
    return render(
        request,
        "meetings/agenda_build.html",
        {"campaign": campaign, "access": access, "meeting": meeting, "figures": agenda_figures(meeting)},
    )


@campaign_view
def agenda_edit(request, campaign, access, pk):
    meeting = _get_meeting(campaign, access, pk)
    access.require(actions.can_write_meeting(access), _("Only the campaign office edits agendas."))
    initial = [{"id": p.pk, "title": p.title, "body": p.body} for p in meeting.points.order_by("order", "id")]
    formset = AgendaFormSet(_posted(request), initial=initial, prefix="points")
    status = 200
    if request.method == "POST":
        if formset.is_valid():
            points = [
                f.cleaned_data
                for f in formset.forms
                if f.cleaned_data and not f.cleaned_data.get("remove") and (f.cleaned_data.get("title") or "").strip()
            ]
            try:
                actions.save_agenda(
                    meeting, points=points, expected_version=_version(request), acting_user=request.user
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                status = 400
            else:
                return _done(request, _("Agenda saved."), "meetings:meeting_detail", campaign, meeting.pk)
        else:
            status = 400
    return render(
        request,
        "meetings/agenda_edit.html",
        {"campaign": campaign, "access": access, "meeting": meeting, "formset": formset},
        status=status,
    )


@campaign_view
def minutes_edit(request, campaign, access, pk):
    meeting = _get_meeting(campaign, access, pk)
    access.require(actions.can_write_meeting(access), _("Only the campaign office writes minutes."))
    form = MinutesForm(_posted(request), initial={"minutes": meeting.minutes})
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_minutes(
                meeting,
                minutes=form.cleaned_data["minutes"],
                expected_version=_version(request),
                acting_user=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return _done(request, _("Minutes saved."), "meetings:meeting_detail", campaign, meeting.pk)
    return render(
        request,
        "meetings/minutes_form.html",
        {"campaign": campaign, "access": access, "meeting": meeting, "form": form},
        status=400 if form.errors else 200,
    )


@campaign_view
def decision_new(request, campaign, access, pk):
    meeting = _get_meeting(campaign, access, pk)
    access.require(actions.can_write_meeting(access), _("Only the campaign office records decisions."))
    form = DecisionForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            decision = actions.add_decision(
                meeting, expected_version=_version(request), acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Decision %(n)d recorded.") % {"n": decision.seq})
            return redirect("meetings:meeting_detail", slug=campaign.slug, pk=meeting.pk)
    return render(
        request,
        "meetings/decision_form.html",
        {"campaign": campaign, "access": access, "meeting": meeting, "form": form},
        status=400 if form.errors else 200,
    )


def _file(content: bytes, filename: str, fallback: str) -> HttpResponse:
    """A readable (Chinese) file name, the old ASCII one as its fallback (lib.downloads)."""
    return download_response(content, filename, fallback=fallback)


def _pack_reader(access) -> bool:
    return access.is_overseer


@campaign_view
def pack_docx(request, campaign, access, pk):
    meeting = _get_meeting(campaign, access, pk)
    access.require(_pack_reader(access), _("The meeting pack is for the office and the leaders."))
    return _file(
        documents.pack_docx(meeting),
        _("%(meeting)s meeting pack.docx") % {"meeting": meeting.title},
        f"meeting-{meeting.pk}-pack.docx",
    )


@campaign_view
def pack_pdf(request, campaign, access, pk):
    meeting = _get_meeting(campaign, access, pk)
    access.require(_pack_reader(access), _("The meeting pack is for the office and the leaders."))
    return _file(
        documents.pack_pdf(meeting),
        _("%(meeting)s meeting pack.pdf") % {"meeting": meeting.title},
        f"meeting-{meeting.pk}-pack.pdf",
    )


@campaign_view
def minutes_docx(request, campaign, access, pk):
    meeting = _get_meeting(campaign, access, pk)
    return _file(
        documents.minutes_docx(meeting),
        _("%(meeting)s minutes.docx") % {"meeting": meeting.title},
        f"meeting-{meeting.pk}-minutes.docx",
    )


@campaign_view
def minutes_pdf(request, campaign, access, pk):
    meeting = _get_meeting(campaign, access, pk)
    return _file(
        documents.minutes_pdf(meeting),
        _("%(meeting)s minutes.pdf") % {"meeting": meeting.title},
        f"meeting-{meeting.pk}-minutes.pdf",
    )


# Decisions ----------------------------------------------------------------------------------------


@campaign_view
def decision_list(request, campaign, access):
    """Decisions by unit (``?unit=``, its subtree), the overdue ones (``?overdue=1``), open or all."""
    today = timezone.localdate()
    decisions = visible_decisions(campaign, access)
    unit = None
    unit_id = id_param(request, "unit")
    if unit_id is not None:
        unit = get_object_or_404(Unit, pk=unit_id)
        decisions = decisions.filter(owner_unit__path__startswith=unit.path)
    overdue = choice_param(request, "overdue", ["1"], default="") == "1"
    state = choice_param(request, "state", ["open", "all"], default="open")
    if overdue:
        decisions = decisions.overdue(today)
    elif state == "open":
        decisions = decisions.unfinished()
    decisions = decisions.select_related("owner_unit", "meeting", "campaign").order_by("deadline", "pk")
    page = Paginator(decisions, PAGE).get_page(request.GET.get("page"))
    query = {k: v for k, v in {"unit": unit_id or "", "overdue": "1" if overdue else "", "state": state}.items() if v}
    return render(
        request,
        "meetings/decision_list.html",
        {
            "campaign": campaign,
            "access": access,
            "page": page,
            "rows": [(d, decision_light(d, today)) for d in page.object_list],
            "unit": unit,
            "overdue": overdue,
            "state": state,
            "query": urlencode(query),
        },
    )


@campaign_view
def decision_detail(request, campaign, access, pk):
    """A decision: its light, progress notes, history; its unit's liaisons report progress here (POST)."""
    decision = _get_decision(campaign, access, pk)
    can_update = actions.can_update_decision(access, decision)
    form = ProgressForm(_posted(request)) if can_update else None
    if request.method == "POST":
        access.require(can_update, _("Only the responsible unit and the office report progress on this decision."))
        if form.is_valid():
            try:
                actions.add_progress(
                    decision, expected_version=_version(request), acting_user=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                return _done(request, _("Progress recorded."), "meetings:decision_detail", campaign, decision.pk)
    return render(
        request,
        "meetings/decision_detail.html",
        {
            "campaign": campaign,
            "access": access,
            "decision": decision,
            "verdict": decision_light(decision),
            "progress": decision.progress.select_related("author")[:100],
            "form": form,
            "done_form": DoneForm(prefix="done") if can_update else None,
            "can_close": access.is_office and decision.status == Decision.Status.DONE,
            "history": history_for(decision)[:50],
        },
        status=400 if form is not None and form.errors else 200,
    )


@campaign_view
def decision_edit(request, campaign, access, pk):
    decision = _get_decision(campaign, access, pk)
    access.require(access.is_office, _("Only the campaign office records decisions."))
    initial = {"text": decision.text, "owner_unit": decision.owner_unit, "deadline": decision.deadline}
    form = DecisionForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_decision(
                decision, expected_version=_version(request), acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return _done(request, _("Decision saved."), "meetings:decision_detail", campaign, decision.pk)
    return render(
        request,
        "meetings/decision_form.html",
        {"campaign": campaign, "access": access, "meeting": decision.meeting, "decision": decision, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
@campaign_view
def decision_done(request, campaign, access, pk):
    decision = _get_decision(campaign, access, pk)
    access.require(
        actions.can_update_decision(access, decision) or decision.is_finished,
        _("Only the responsible unit and the office mark this decision done."),
    )
    form = DoneForm(request.POST, prefix="done")
    text = form.cleaned_data["text"] if form.is_valid() else ""
    try:
        actions.mark_done(decision, text=text, expected_version=_version(request), acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The decision is marked done."))
    return redirect("meetings:decision_detail", slug=campaign.slug, pk=decision.pk)


@require_POST
@campaign_view
def decision_close(request, campaign, access, pk):
    decision = _get_decision(campaign, access, pk)
    access.require(access.is_office, _("Only the campaign office closes decisions."))
    try:
        actions.close_decision(decision, expected_version=_version(request), acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The decision is closed."))
    return redirect("meetings:decision_detail", slug=campaign.slug, pk=decision.pk)
