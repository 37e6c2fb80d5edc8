"""Supervision's pages: chase-up notices, the responsibility grid, instructions, leaders' visits, contact points."""

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from taizhang.campaigns.decorators import campaign_view
from taizhang.history.models import HistoryEntry
from taizhang.history.recording import history_for
from taizhang.ledger.models import OPEN_STATUSES, Item
from taizhang.lib.downloads import download_response
from taizhang.lib.forms import apply_errors
from taizhang.lib.media import file_response
from taizhang.lib.params import BadParameter, choice_param, id_param
from taizhang.orgs.models import ContactPoint, Unit
from taizhang.orgs.queries import under

from . import actions, documents, queries
from .forms import (
    AnswerForm,
    AssignmentForm,
    GridFilterForm,
    HolderForm,
    InstructionForm,
    NoticeForm,
    ResponseForm,
    ReviewForm,
    VisitForm,
)
from .models import Assignment, ChaseNotice, Instruction, InstructionEvidence, Responsibility, Visit, VisitPhoto
from .templatetags.supervision import holder_html


def _get_notice(campaign, pk: int) -> ChaseNotice:
    return get_object_or_404(
        ChaseNotice.objects.select_related("item", "unit", "issued_by", "responded_by", "campaign"),
        campaign=campaign,
        pk=pk,
    )


@campaign_view
def notice_list(request, campaign, access):
    """The log of every chase-up notice of the campaign, newest first."""
    notices = ChaseNotice.objects.filter(campaign=campaign).select_related("item", "unit", "issued_by")
    state = request.GET.get("state", "")
    if state == "open":
        notices = notices.filter(responded_at__isnull=True)
    elif state == "answered":
        notices = notices.filter(responded_at__isnull=False)
    # An overdue instruction is chased like an item: it is listed here, and its unit and leader are told.
    overdue = Instruction.objects.filter(
        campaign=campaign, state__in=actions.WAITING, respond_by__lt=timezone.localdate()
    ).select_related("unit", "item", "leader")
    if not access.is_overseer:
        overdue = overdue.filter(under([u.path for u in access.liaison_units]) or Q(pk__in=[]))
    return render(
        request,
        "supervision/notice_list.html",
        {
            "campaign": campaign,
            "access": access,
            "notices": notices[:500],
            "state": state,
            "overdue_instructions": overdue.order_by("respond_by", "pk")[:100],
        },
    )


@campaign_view
def notice_new(request, campaign, access, item_pk):
    item = get_object_or_404(Item.objects.select_related("owner_unit"), campaign=campaign, pk=item_pk)
    access.require(access.is_office, _("Only the campaign office issues chase-up notices."))
    form = NoticeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            notice = actions.issue_notice(item, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Chase-up notice %(number)s issued.") % {"number": notice.number})
            return redirect("supervision:notice_detail", slug=campaign.slug, pk=notice.pk)
    return render(
        request,
        "supervision/notice_form.html",
        {"campaign": campaign, "access": access, "item": item, "form": form},
        status=400 if form.errors else 200,
    )


@campaign_view
def notice_detail(request, campaign, access, pk):
    notice = _get_notice(campaign, pk)
    can_answer = actions.can_answer(access, notice) and not notice.is_answered
    form = ResponseForm(request.POST or None) if can_answer else None
    if request.method == "POST":
        access.require(can_answer, _("Only the responsible unit answers its chase-up notices."))
        if form.is_valid():
            try:
                actions.respond_notice(notice, response=form.cleaned_data["response"], acting_user=request.user)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Response recorded."))
                return redirect("supervision:notice_detail", slug=campaign.slug, pk=notice.pk)
    return render(
        request,
        "supervision/notice_detail.html",
        {
            "campaign": campaign,
            "access": access,
            "notice": notice,
            "rows": documents.notice_rows(notice),
            "form": form,
        },
        status=400 if form is not None and form.errors else 200,
    )


@campaign_view
def notice_docx(request, campaign, access, pk):
    notice = _get_notice(campaign, pk)
    return download_response(
        documents.notice_docx(notice),
        _("Chase-up notice No. %(seq)03d.docx") % {"seq": notice.seq},
        fallback=f"chase-notice-{campaign.slug}-{notice.seq:03d}.docx",
    )


@campaign_view
def notice_pdf(request, campaign, access, pk):
    notice = _get_notice(campaign, pk)
    return download_response(
        documents.notice_pdf(notice),
        _("Chase-up notice No. %(seq)03d.pdf") % {"seq": notice.seq},
        fallback=f"chase-notice-{campaign.slug}-{notice.seq:03d}.pdf",
    )


# The responsibility grid (责任制) ------------------------------------------------------------------

GRID_PAGE = queries.GRID_PAGE_SIZE


def _grid_filter(request):
    form = GridFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    if form.is_bound and form.errors:
        raise BadParameter("under")
    return form, data.get("under"), bool(data.get("gaps"))


def _grid_rows(request, campaign):
    form, root, gaps_only = _grid_filter(request)
    return form, queries.grid(campaign, root=root, gaps_only=gaps_only)


@campaign_view
def responsibility_grid(request, campaign, access):
    """Units × the eight responsibilities, by subtree, a page of units at a time, gaps marked.

    Only the page's units are worked out (their holders from their lines up the tree); the database pages
    the subtree and counts its gaps.
    """
    form, root, gaps_only = _grid_filter(request)
    # The database pages the ids; only the page's units are then worked out (their holders from their lines).
    page = Paginator(queries.grid_ids(campaign, root=root, gaps_only=gaps_only), GRID_PAGE).get_page(
        request.GET.get("page")
    )
    # The subtree's depth once: a page's units and the gap count both read their lines up to it.
    depth = queries.subtree_depth(root)
    page.object_list = queries.grid_rows(
        campaign, queries.grid_units(campaign, ids=list(page.object_list), depth=depth)
    )
    query = request.GET.copy()
    query.pop("page", None)
    assignment_type = ContentType.objects.get_for_model(Assignment)
    return render(
        request,
        "supervision/grid.html",
        {
            "campaign": campaign,
            "access": access,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "kinds": Responsibility.choices,
            "gap_count": page.paginator.count if gaps_only else queries.gap_count(campaign, root=root, depth=depth),
            "history": HistoryEntry.objects.filter(campaign=campaign, content_type=assignment_type).select_related(
                "actor"
            )[:20],
        },
    )


@campaign_view
def responsibility_xlsx(request, campaign, access):
    _form, rows = _grid_rows(request, campaign)
    return download_response(
        documents.grid_xlsx(campaign, rows),
        _("%(campaign)s responsibilities.xlsx") % {"campaign": campaign.name},
        fallback=f"responsibilities-{campaign.slug}.xlsx",
    )


@campaign_view
def responsibility_docx(request, campaign, access):
    _form, rows = _grid_rows(request, campaign)
    return download_response(
        documents.grid_docx(campaign, rows),
        _("%(campaign)s responsibilities.docx") % {"campaign": campaign.name},
        fallback=f"responsibilities-{campaign.slug}.docx",
    )


@campaign_view
def responsibility_new(request, campaign, access):
    access.require(access.is_office, _("Only the campaign office assigns responsibilities."))
    initial = {}
    unit_id = id_param(request, "unit")
    if unit_id is not None:
        initial["unit"] = unit_id
    form = AssignmentForm(request.POST or None, campaign=campaign, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.assign_responsibility(campaign, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Responsibility assigned."))
            return redirect("supervision:responsibility_grid", slug=campaign.slug)
    current = _current_at(campaign, form)
    return render(
        request,
        "supervision/assignment_form.html",
        {"campaign": campaign, "access": access, "form": form, "current": current},
        status=400 if form.errors else 200,
    )


def _current_at(campaign, form):
    """The assignments in force at the unit the form names (to end one), at most a page of them."""
    unit = form.initial.get("unit") if not form.is_bound else None
    if unit is None:
        return []
    return list(
        queries.current(campaign)
        .filter(unit_id=unit)
        .select_related("unit", "key_task", "item", "holder_unit", "holder_user")[:50]
    )


def _holder_initial(assignment: Assignment) -> dict:
    return {
        "holder_title": assignment.holder_title,
        "holder_name": assignment.holder_name,
        "holder_unit": assignment.holder_unit_id,
        "holder_user": assignment.holder_user_id,
        "version": assignment.version,
    }


@campaign_view
def responsibility_edit(request, campaign, access, pk):
    """One assignment's holder, edited in place on the grid (htmx swaps the form into the cell and the
    holder back), or on a page of its own without script. An edit of an older copy is refused (409)."""
    assignment = get_object_or_404(
        Assignment.objects.select_related("campaign", "unit", "holder_unit", "holder_user"),
        campaign=campaign,
        pk=pk,
        ended_at__isnull=True,
    )
    access.require(access.is_office, _("Only the campaign office assigns responsibilities."))
    in_place = bool(request.headers.get("HX-Request"))
    context = {"campaign": campaign, "access": access, "assignment": assignment}
    if request.method == "GET" and choice_param(request, "show", ("form", "holder"), "form") == "holder":
        return HttpResponse(holder_html(campaign.slug, pk, assignment.holder_label, editable=True))
    prefix = f"a{assignment.pk}"  # several cells may be open at once: their fields keep distinct ids
    form = HolderForm(request.POST or None, campaign=campaign, initial=_holder_initial(assignment), prefix=prefix)
    status, stale = 200, ""
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                assignment = actions.edit_assignment(
                    assignment,
                    holder_unit=data.get("holder_unit"),
                    holder_title=data["holder_title"],
                    holder_user=data.get("holder_user"),
                    holder_name=data["holder_name"],
                    expected_version=data["version"],
                    acting_user=request.user,
                )
            except actions.StaleAssignment as error:
                # Shown as it stands now, with its new version: the person decides again on what is there.
                assignment.refresh_from_db()
                form = HolderForm(campaign=campaign, initial=_holder_initial(assignment), prefix=prefix)
                status, stale = 409, " ".join(error.messages)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                if in_place:
                    label = assignment.holder_label
                    return HttpResponse(holder_html(campaign.slug, pk, label, editable=True, saved=True))
                messages.success(request, _("Assignment changed."))
                return redirect("supervision:responsibility_grid", slug=campaign.slug)
    template = "supervision/_assignment_edit.html" if in_place else "supervision/assignment_edit.html"
    return render(request, template, {**context, "form": form, "stale": stale}, status=status)


@require_POST
@campaign_view
def responsibility_end(request, campaign, access, pk):
    assignment = get_object_or_404(Assignment, campaign=campaign, pk=pk)
    access.require(access.is_office, _("Only the campaign office assigns responsibilities."))
    actions.end_assignment(assignment, acting_user=request.user)
    messages.success(request, _("Assignment ended."))
    return redirect("supervision:responsibility_grid", slug=campaign.slug)


# Instructions (批示) -------------------------------------------------------------------------------


def _instructions_for(access, campaign):
    rows = Instruction.objects.filter(campaign=campaign).select_related("unit", "item", "leader", "campaign")
    if access.is_overseer:
        return rows
    return rows.filter(under([u.path for u in access.liaison_units]) or Q(pk__in=[]))


def _get_instruction(access, campaign, pk) -> Instruction:
    instruction = get_object_or_404(_instructions_for(access, campaign), pk=pk)
    return instruction


@campaign_view
def instruction_list(request, campaign, access):
    """Pending and overdue instructions: the leader's own (?mine=1), a unit's (?unit=), by state."""
    rows = _instructions_for(access, campaign)
    state = choice_param(request, "state", [*Instruction.State.values, "waiting", "overdue"], default="")
    today = timezone.localdate()
    if state == "waiting":
        rows = rows.filter(state__in=actions.WAITING)
    elif state == "overdue":
        rows = rows.filter(state__in=actions.WAITING, respond_by__lt=today)
    elif state:
        rows = rows.filter(state=state)
    mine = request.GET.get("mine") == "1"
    if mine:
        rows = rows.filter(leader=request.user)
    unit_id = id_param(request, "unit")
    unit = get_object_or_404(Unit, pk=unit_id) if unit_id is not None else None
    if unit is not None:
        rows = rows.filter(unit__path__startswith=unit.path)
    page = Paginator(rows.order_by("respond_by", "pk"), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "supervision/instruction_list.html",
        {
            "campaign": campaign,
            "access": access,
            "page": page,
            "query": query.urlencode(),
            "state": state,
            "mine": mine,
            "unit": unit,
            "today": today,
            "states": Instruction.State.choices,
        },
    )


@campaign_view
def instruction_new(request, campaign, access):
    access.require(access.is_leader, _("Only leaders give instructions."))
    initial = {}
    item_id = id_param(request, "item")
    if item_id is not None:
        initial["item"] = item_id
    form = InstructionForm(request.POST or None, campaign=campaign, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            instruction = actions.give_instruction(
                campaign,
                text=data["text"],
                item=data.get("item"),
                unit=data.get("unit"),
                respond_by=data["respond_by"],
                acting_user=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Instruction recorded."))
            if instruction.item_id and request.POST.get("back") == "item":
                return redirect("ledger:item_detail", slug=campaign.slug, pk=instruction.item_id)
            return redirect(instruction.get_absolute_url())
    return render(
        request,
        "supervision/instruction_form.html",
        {"campaign": campaign, "access": access, "form": form},
        status=400 if form.errors else 200,
    )


@campaign_view
def instruction_detail(request, campaign, access, pk):
    instruction = _get_instruction(access, campaign, pk)
    can_answer = actions.can_answer_instruction(access, instruction)
    form = AnswerForm(request.POST or None, request.FILES or None) if can_answer else None
    if request.method == "POST":
        access.require(can_answer, _("Only the responsible unit answers its instructions."))
        if form.is_valid():
            try:
                actions.answer_instruction(
                    instruction,
                    text=form.cleaned_data["text"],
                    files=request.FILES.getlist("files"),
                    acting_user=request.user,
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("The answer is recorded."))
                return redirect(instruction.get_absolute_url())
    can_review = actions.can_review_instruction(access, instruction)
    return render(
        request,
        "supervision/instruction_detail.html",
        {
            "campaign": campaign,
            "access": access,
            "instruction": instruction,
            "steps": instruction.steps.select_related("author").prefetch_related("evidence"),
            "form": form,
            "review_form": ReviewForm(initial={"decision": "done"}) if can_review else None,
            "overdue": instruction.is_overdue(timezone.localdate()),
            "history": history_for(instruction)[:50],
        },
        status=400 if form is not None and form.errors else 200,
    )


@require_POST
@campaign_view
def instruction_review(request, campaign, access, pk):
    instruction = _get_instruction(access, campaign, pk)
    access.require(
        access.is_leader or access.is_office, _("Only the leader who gave the instruction reviews its answer.")
    )
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose: carried out, or instruct again."))
        return redirect(instruction.get_absolute_url())
    data = form.cleaned_data
    try:
        actions.review_instruction(
            instruction,
            done=data["decision"] == "done",
            text=data["text"],
            respond_by=data["respond_by"],
            acting_user=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Instruction reviewed."))
    return redirect(instruction.get_absolute_url())


@campaign_view
def instruction_evidence(request, campaign, access, pk):
    evidence = get_object_or_404(
        InstructionEvidence.objects.select_related("step__instruction__unit"),
        step__instruction__campaign=campaign,
        pk=pk,
    )
    access.require(actions.can_read_instruction(access, evidence.step.instruction))
    return file_response(evidence.file, filename=evidence.name, inline_images=True)


# Leaders in the field (实地巡诊) and contact points ------------------------------------------------


def _can_read_visit(access, visit) -> bool:
    return access.is_overseer or access.speaks_for(visit.unit)


@campaign_view
def visit_list(request, campaign, access):
    visits = Visit.objects.filter(campaign=campaign).select_related("leader", "unit", "contact_point")
    if not access.is_overseer:
        visits = visits.filter(under([u.path for u in access.liaison_units]) or Q(pk__in=[]))
    if request.GET.get("mine") == "1":
        visits = visits.filter(leader=request.user)
    page = Paginator(visits, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "supervision/visit_list.html",
        {"campaign": campaign, "access": access, "page": page, "query": query.urlencode()},
    )


@campaign_view
def visit_new(request, campaign, access):
    access.require(access.is_leader or access.is_office, _("Only leaders and the campaign office record visits."))
    leader = request.user if access.is_leader else None
    initial = {}
    point_id = id_param(request, "contact_point")
    if point_id is not None:
        initial["contact_point"] = point_id
    form = VisitForm(request.POST or None, request.FILES or None, campaign=campaign, leader=leader, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visit = actions.record_visit(
                campaign,
                visited_on=data["visited_on"],
                form=data["form"],
                contact_point=data.get("contact_point"),
                unit=data.get("unit"),
                place=data["place"],
                people_count=data["people_count"],
                people_names=data["people_names"],
                raised=data["raised"],
                solved=data["solved"],
                follow_up=data["follow_up"],
                item=data.get("item"),
                photos=request.FILES.getlist("photos"),
                token=data.get("token") or None,
                acting_user=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Visit recorded."))
            return redirect(visit.get_absolute_url())
    return render(
        request,
        "supervision/visit_form.html",
        {"campaign": campaign, "access": access, "form": form},
        status=400 if form.errors else 200,
    )


@campaign_view
def visit_detail(request, campaign, access, pk):
    visit = get_object_or_404(
        Visit.objects.select_related("leader", "unit", "contact_point", "recorded_by"), campaign=campaign, pk=pk
    )
    access.require(_can_read_visit(access, visit))
    return render(
        request,
        "supervision/visit_detail.html",
        {
            "campaign": campaign,
            "access": access,
            "visit": visit,
            "problems": visit.problems.select_related("demand", "item"),
            "photos": visit.photos.all(),
            "history": history_for(visit)[:20],
        },
    )


@campaign_view
def visit_photo(request, campaign, access, pk):
    photo = get_object_or_404(VisitPhoto.objects.select_related("visit__unit"), visit__campaign=campaign, pk=pk)
    access.require(_can_read_visit(access, photo.visit))
    return file_response(photo.file, filename=photo.name, inline_images=True)


@campaign_view
def contact_point_detail(request, campaign, access, pk):
    """A contact point: its visits, its open items, the leader's last visit."""
    point = get_object_or_404(ContactPoint.objects.select_related("leader", "unit"), campaign=campaign, pk=pk)
    access.require(access.is_overseer or access.speaks_for(point.unit))
    visits = Visit.objects.filter(campaign=campaign, unit=point.unit).select_related("leader")
    last = visits.filter(leader=point.leader).first()
    items = (
        Item.objects.filter(campaign=campaign, owner_unit__path__startswith=point.unit.path, status__in=OPEN_STATUSES)
        .select_related("owner_unit")
        .order_by("-light_rank", "due", "code")
    )
    return render(
        request,
        "supervision/contact_point.html",
        {
            "campaign": campaign,
            "access": access,
            "point": point,
            "visits": visits[:20],
            "last_visit": last,
            "items": items[:50],
            "item_count": items.count(),
            "instructions": _instructions_for(access, campaign)
            .filter(unit__path__startswith=point.unit.path, state__in=actions.WAITING)
            .order_by("respond_by")[:20],
            "panels": queries.CONTACT_POINT_PANELS,
        },
    )


@campaign_view
def contact_points_unvisited(request, campaign, access):
    """Contact points no leader has visited (as a contact point) in the campaign's N days, longest first."""
    access.require(access.is_overseer, _("Only the office and the overseers read this list."))
    rows = queries.unvisited_contact_points(campaign, mine=request.GET.get("mine") == "1", user=request.user)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "supervision/unvisited.html",
        {"campaign": campaign, "access": access, "page": page, "query": query.urlencode()},
    )
