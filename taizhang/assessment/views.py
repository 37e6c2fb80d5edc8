"""Assessment pages: schemes (the office's editor), runs with their progress, results and ranking, a unit's
breakdown, the facts behind a score, adjustments, objections, penalties, and the downloads."""

from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from taizhang.campaigns.decorators import campaign_view
from taizhang.campaigns.models import Campaign
from taizhang.lib.downloads import download_response
from taizhang.lib.forms import apply_errors
from taizhang.lib.media import check_upload, file_response
from taizhang.lib.params import id_param, int_param

from . import access as rights
from . import actions, outputs, queries, rules
from .forms import (
    AdjustmentForm,
    ImportForm,
    ItemForm,
    ManualScoreForm,
    ObjectionForm,
    PenaltyOwnerForm,
    RunForm,
    SchemeForm,
    SchemeSettingsForm,
    SectionForm,
)
from .models import (
    Adjustment,
    AdjustmentEvidence,
    AssessmentScheme,
    ItemScore,
    ManualScoreEvidence,
    Objection,
    ObjectionEvidence,
    PenaltyAction,
    PenaltyEvidence,
    SchemeItem,
    ScoringRun,
    UnitScore,
)


def _require_results(access):
    access.require(
        rights.can_read_results(access), _("Only the office, leaders, inspectors and assessors read assessments.")
    )


def _scheme(campaign, pk):
    return get_object_or_404(AssessmentScheme, campaign=campaign, pk=pk)


def _run(campaign, pk):
    return get_object_or_404(ScoringRun.objects.select_related("scheme"), campaign=campaign, pk=pk)


def _posted_id(request, name: str) -> int:
    value = id_param(request, name, data=request.POST)
    if value is None:
        raise BadRequest(_("Choose what to act on."))
    return value


def _download(content: bytes, filename: str, fallback: str) -> HttpResponse:
    """A readable (Chinese) file name, the old ASCII one as its fallback (lib.downloads)."""
    return download_response(content, filename, fallback=fallback)


@campaign_view
def home(request, campaign, access):
    """The campaign's schemes and runs; the office creates, imports or copies a scheme here."""
    _require_results(access)
    form = SchemeForm(request.POST if request.method == "POST" else None, prefix="new") if access.is_office else None
    if request.method == "POST":
        access.require(access.is_office, _("Only the campaign office edits assessment schemes."))
        if form.is_valid():
            try:
                scheme = actions.create_scheme(campaign, data=form.cleaned_data, acting_user=request.user)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                return redirect("assessment:scheme_detail", slug=campaign.slug, pk=scheme.pk)
    schemes = AssessmentScheme.objects.filter(campaign=campaign).order_by("unit_kind", "-version")
    runs = ScoringRun.objects.filter(campaign=campaign).select_related("scheme")[:50]
    others = (
        AssessmentScheme.objects.filter(campaign__in=_readable_campaigns(request.user))
        .exclude(campaign=campaign)
        .select_related("campaign")[:50]
        if access.is_office
        else []
    )
    return render(
        request,
        "assessment/home.html",
        {
            "campaign": campaign,
            "access": access,
            "schemes": schemes,
            "runs": runs,
            "form": form,
            "import_form": ImportForm(prefix="import") if access.is_office else None,
            "others": others,
        },
        status=400 if form is not None and form.errors else 200,
    )


def _readable_campaigns(user):
    from taizhang.orgs.models import Role, RoleGrant

    return Campaign.objects.filter(pk__in=RoleGrant.objects.filter(user=user, role=Role.OFFICE).values("campaign"))


@require_POST
@campaign_view
def scheme_import(request, campaign, access):
    access.require(access.is_office, _("Only the campaign office edits assessment schemes."))
    form = ImportForm(request.POST, request.FILES, prefix="import")
    if form.is_valid():
        try:
            checked = check_upload(form.cleaned_data["file"], max_bytes=5 * 1024 * 1024, accept={".xlsx"})
            scheme = outputs.import_scheme(
                campaign,
                data=checked.content,
                filename=checked.name,
                unit_kind=form.cleaned_data["unit_kind"],
                name=form.cleaned_data["name"],
                acting_user=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Scheme imported."))
            return redirect("assessment:scheme_detail", slug=campaign.slug, pk=scheme.pk)
    else:
        messages.error(request, _("Choose the kind of unit, a name and an .xlsx file."))
    return redirect("assessment:home", slug=campaign.slug)


@require_POST
@campaign_view
def scheme_copy(request, campaign, access):
    """Copy a scheme from another campaign (last year's) as this campaign's draft."""
    access.require(access.is_office, _("Only the campaign office edits assessment schemes."))
    source_id = id_param(request, "source", data=request.POST)
    source = AssessmentScheme.objects.filter(pk=source_id).select_related("campaign").first() if source_id else None
    if source is None:
        messages.error(request, _("Choose the scheme to copy."))
        return redirect("assessment:home", slug=campaign.slug)
    try:
        scheme = actions.copy_scheme(source, campaign, acting_user=request.user)
    except PermissionDenied:
        messages.error(request, _("You cannot read that scheme."))
        return redirect("assessment:home", slug=campaign.slug)
    messages.success(request, _("Scheme copied."))
    return redirect("assessment:scheme_detail", slug=campaign.slug, pk=scheme.pk)


@campaign_view
def scheme_detail(request, campaign, access, pk):
    """The scheme editor (office) and, for every overseer, the scheme as it reads."""
    _require_results(access)
    scheme = _scheme(campaign, pk)
    editable = access.is_office and not scheme.is_frozen
    settings_form = (
        SchemeSettingsForm(request.POST or None, instance=scheme, initial={"revision": scheme.revision}, prefix="s")
        if editable
        else None
    )
    if request.method == "POST":
        access.require(access.is_office, _("Only the campaign office edits assessment schemes."))
        if settings_form is None:
            messages.error(
                request, _("This scheme is frozen because scoring has started; make a new version to change it.")
            )
            return redirect("assessment:scheme_detail", slug=campaign.slug, pk=scheme.pk)
        if settings_form.is_valid():
            data = dict(settings_form.cleaned_data)
            revision = data.pop("revision")
            try:
                actions.update_scheme(scheme, data=data, revision=revision, acting_user=request.user)
            except ValidationError as error:
                apply_errors(settings_form, error)
            else:
                messages.success(request, _("Scheme saved."))
                return redirect("assessment:scheme_detail", slug=campaign.slug, pk=scheme.pk)
    sections = _scheme_sections(scheme)
    return render(
        request,
        "assessment/scheme_detail.html",
        {
            "campaign": campaign,
            "access": access,
            "scheme": scheme,
            "sections": sections,
            "editable": editable,
            "settings_form": settings_form,
            "section_form": SectionForm(prefix="sec"),
            "item_form": ItemForm(scheme=scheme, prefix="item") if editable else None,
            "run_form": RunForm(prefix="run") if rights.can_score(access) else None,
            "used": sum(i.points for s in sections for i in s.items.all()),
            "catalogue": [(k, label, rules.is_available(k)) for k, label in rules.Kind.choices],
        },
        status=400 if settings_form is not None and settings_form.errors else 200,
    )


@require_POST
@campaign_view
def section_add(request, campaign, access, pk):
    scheme = _scheme(campaign, pk)
    access.require(access.is_office, _("Only the campaign office edits assessment schemes."))
    form = SectionForm(request.POST, prefix="sec")
    try:
        if not form.is_valid():
            raise ValidationError(_("Give the section a title."))
        actions.add_section(scheme, title=form.cleaned_data["title"], acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("assessment:scheme_detail", slug=campaign.slug, pk=scheme.pk)


@campaign_view
def item_edit(request, campaign, access, pk, item=None):
    """Add an item (``item`` None) or change one: its points, floor, rule and the rule's parameters."""
    scheme = _scheme(campaign, pk)
    access.require(access.is_office, _("Only the campaign office edits assessment schemes."))
    obj = get_object_or_404(SchemeItem.objects.select_related("rule"), scheme=scheme, pk=item) if item else None
    initial = {}
    if obj is not None:
        initial = {
            "section": obj.section_id,
            "kind": obj.rule.kind,
            **{k: getattr(obj, k) for k in actions.ITEM_FIELDS},
            **obj.rule.params,
        }
    form = ItemForm(request.POST if request.method == "POST" else None, scheme=scheme, initial=initial, prefix="item")
    if request.method == "POST" and form.is_valid():
        try:
            if obj is None:
                actions.add_item(form.cleaned_data["section"], data=form.action_data(), acting_user=request.user)
            else:
                actions.update_item(obj, data=form.action_data(), acting_user=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Item saved."))
            return redirect("assessment:scheme_detail", slug=campaign.slug, pk=scheme.pk)
    return render(
        request,
        "assessment/item_form.html",
        {"campaign": campaign, "access": access, "scheme": scheme, "item": obj, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
@campaign_view
def item_remove(request, campaign, access, pk, item):
    scheme = _scheme(campaign, pk)
    obj = get_object_or_404(SchemeItem, scheme=scheme, pk=item)
    try:
        actions.remove_item(obj, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("assessment:scheme_detail", slug=campaign.slug, pk=scheme.pk)


def _scheme_sections(scheme):
    return scheme.sections.prefetch_related("items__rule").order_by("order", "pk")


@require_POST
@campaign_view
def scheme_reorder(request, campaign, access, pk):
    """The editor's drag order and its up and down buttons: one section or item to a place (htmx: the table
    comes back in its new order, the move announced; without script: back to the page)."""
    scheme = _scheme(campaign, pk)
    access.require(access.is_office, _("Only the campaign office edits assessment schemes."))
    what = request.POST.get("what", "")
    if what not in ("section", "item"):
        raise BadRequest(_("Choose a section or an item to move."))
    moved_pk = _posted_id(request, "id")
    position = int_param(request, "position", 0, min_value=0, max_value=1000, data=request.POST)
    section = id_param(request, "section", data=request.POST)
    revision = int_param(request, "revision", None, min_value=0, data=request.POST)
    context = {"campaign": campaign, "scheme": scheme, "editable": access.is_office and not scheme.is_frozen}
    try:
        moved = actions.reorder(
            scheme,
            what=what,
            pk=moved_pk,
            position=position,
            section_id=section,
            revision=revision,
            acting_user=request.user,
        )
    except ValidationError as error:
        if not request.headers.get("HX-Request"):
            messages.error(request, " ".join(error.messages))
            return redirect("assessment:scheme_detail", slug=campaign.slug, pk=scheme.pk)
        scheme.refresh_from_db()
        # htmx swaps only successful answers: the refusal comes as 200 with the fresh order and the message.
        context.update(order_error=" ".join(error.messages))
    else:
        if not request.headers.get("HX-Request"):
            return redirect("assessment:scheme_detail", slug=campaign.slug, pk=scheme.pk)
        scheme.refresh_from_db()
        context.update(
            moved=what,
            moved_pk=moved.pk,
            moved_words=_("Moved to place %(n)s: %(title)s") % {"n": moved.order, "title": moved.title},
        )
    context["sections"] = _scheme_sections(scheme)
    return render(request, "assessment/_scheme_items.html", context)


@require_POST
@campaign_view
def scheme_version(request, campaign, access, pk):
    scheme = _scheme(campaign, pk)
    new = actions.new_version(scheme, acting_user=request.user)
    messages.success(request, _("Version %(n)s made as a draft.") % {"n": new.version})
    return redirect("assessment:scheme_detail", slug=campaign.slug, pk=new.pk)


@campaign_view
def scheme_xlsx(request, campaign, access, pk):
    _require_results(access)
    scheme = _scheme(campaign, pk)
    return _download(
        outputs.scheme_xlsx(scheme),
        _("%(scheme)s assessment scheme v%(version)s.xlsx") % {"scheme": scheme.name, "version": scheme.version},
        f"scheme-{scheme.pk}-v{scheme.version}.xlsx",
    )


@require_POST
@campaign_view
def run_start(request, campaign, access, pk):
    scheme = _scheme(campaign, pk)
    access.require(rights.can_score(access), _("Only assessors and the office run assessments."))
    form = RunForm(request.POST, prefix="run")
    if not form.is_valid():
        messages.error(request, _("Give the range to score (from and to)."))
        return redirect("assessment:scheme_detail", slug=campaign.slug, pk=scheme.pk)
    try:
        run = actions.start_run(scheme, acting_user=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("assessment:scheme_detail", slug=campaign.slug, pk=scheme.pk)
    return redirect("assessment:run_detail", slug=campaign.slug, pk=run.pk)


@campaign_view
def run_detail(request, campaign, access, pk):
    """The run: its progress while computing, then the ranking (chart and table) and the steps to the freeze."""
    _require_results(access)
    run = _run(campaign, pk)
    if request.headers.get("HX-Request"):
        return render(request, "assessment/_run_progress.html", {"campaign": campaign, "run": run})
    scores = outputs.results(run) if run.status == ScoringRun.Status.DONE else []
    pending = Adjustment.objects.filter(item_score__unit_score__run=run, state=Adjustment.State.PROPOSED).count()
    objections = Objection.objects.filter(item_score__unit_score__run=run, state=Objection.State.OPEN).count()
    chart = {"units": [s.unit.display_name for s in scores[:50]], "totals": [float(s.total) for s in scores[:50]]}
    # Movement since the last period: the previous computed run of the same kind of unit.
    previous = (
        ScoringRun.objects.filter(
            campaign=campaign,
            scheme__unit_kind=run.scheme.unit_kind,
            status=ScoringRun.Status.DONE,
            ends_on__lt=run.ends_on,
        )
        .order_by("-ends_on", "-pk")
        .first()
    )
    before = dict(UnitScore.objects.filter(run=previous).values_list("unit_id", "rank")) if previous else {}
    for s in scores:
        s.movement = before[s.unit_id] - s.rank if s.unit_id in before else None
    grades = {}
    for s in scores:
        grades[s.get_grade_display()] = grades.get(s.get_grade_display(), 0) + 1
    return render(
        request,
        "assessment/run_detail.html",
        {
            "campaign": campaign,
            "access": access,
            "run": run,
            "scores": scores,
            "pending": pending,
            "objections": objections,
            "chart": chart,
            "previous": previous,
            "grades": grades,
            "tie_rule": outputs.tie_rule(),
            "can_freeze": access.is_office and not run.is_frozen and run.status == ScoringRun.Status.DONE,
        },
    )


def _unit_score(run, unit_pk):
    return get_object_or_404(UnitScore.objects.select_related("unit"), run=run, unit_id=unit_pk)


@campaign_view
def unit_breakdown(request, campaign, access, pk, unit):
    """One unit's points item by item; each score opens the facts behind it."""
    run = _run(campaign, pk)
    unit_score = _unit_score(run, unit)
    access.require(rights.can_read_unit(access, run, unit_score.unit), _("You cannot read this unit's assessment."))
    scores = outputs.unit_item_scores(unit_score)
    # One reverse for the rows' links (…/scores/<pk>/), not one per row.
    link = reverse("assessment:item_score", args=[campaign.slug, run.pk, 0]).removesuffix("0/")
    hidden = _("Facts behind the points for %(item)s")
    for score in scores:
        score.url = f"{link}{score.pk}/"
        score.hidden_label = hidden % {"item": score.scheme_item.title}
    return render(
        request,
        "assessment/unit_breakdown.html",
        {
            "campaign": campaign,
            "access": access,
            "run": run,
            "unit_score": unit_score,
            "scores": scores,
            "review_open": rights.review_open(run),
        },
    )


@campaign_view
def unit_sheet(request, campaign, access, pk, unit):
    run = _run(campaign, pk)
    unit_score = _unit_score(run, unit)
    access.require(rights.can_read_unit(access, run, unit_score.unit), _("You cannot read this unit's assessment."))
    return _download(
        outputs.unit_sheet_pdf(run, unit_score),
        _("%(unit)s %(run)s score sheet.pdf") % {"unit": unit_score.unit.name, "run": run.label},
        f"score-sheet-{run.pk}-{unit_score.unit_id}.pdf",
    )


FACTS_SHOWN = 100


@campaign_view
def item_score(request, campaign, access, pk, score):
    """The facts behind one score (each linking to its page), and the forms that act on it."""
    run = _run(campaign, pk)
    obj = get_object_or_404(
        ItemScore.objects.select_related("unit_score__unit", "scheme_item__rule", "scheme_item__section", "scored_by"),
        unit_score__run=run,
        pk=score,
    )
    unit = obj.unit_score.unit
    access.require(rights.can_read_unit(access, run, unit), _("You cannot read this unit's assessment."))
    forms = {
        "manual": ManualScoreForm(
            initial={"points": obj.computed, "reason": obj.manual_reason, "version": obj.version}, prefix="m"
        ),
        "adjust": AdjustmentForm(prefix="a"),
        "object": ObjectionForm(prefix="o"),
    }
    status = 200
    if request.method == "POST":
        what = request.POST.get("what", "")
        try:
            if what == "manual":
                form = forms["manual"] = ManualScoreForm(request.POST, request.FILES, prefix="m")
                if form.is_valid():
                    data = dict(form.cleaned_data)
                    data["files"] = data.pop("files") or []
                    actions.score_manual(obj, acting_user=request.user, **data)
                    messages.success(request, _("Score saved."))
            elif what == "adjust":
                form = forms["adjust"] = AdjustmentForm(request.POST, request.FILES, prefix="a")
                if form.is_valid():
                    data = dict(form.cleaned_data)
                    files = data.pop("files") or []
                    actions.propose_adjustment(obj, files=files, acting_user=request.user, **data)
                    messages.success(request, _("Adjustment proposed; it counts once approved."))
            elif what == "object":
                form = forms["object"] = ObjectionForm(request.POST, request.FILES, prefix="o")
                if form.is_valid():
                    data = dict(form.cleaned_data)
                    files = data.pop("files") or []
                    actions.raise_objection(obj, files=files, acting_user=request.user, **data)
                    messages.success(request, _("Objection sent."))
            else:
                raise BadRequest(_("Choose what to do."))
        except ValidationError as error:
            apply_errors(form, error)
        if form is not None and not form.errors:
            return redirect("assessment:item_score", slug=campaign.slug, pk=run.pk, score=obj.pk)
        status = 400
    page = Paginator(queries.facts_of(run, unit.pk, obj.scheme_item_id), FACTS_SHOWN).get_page(request.GET.get("page"))
    rows = [(f.kind_label, outputs.fact_url(campaign, f.kind, f.object_id, unit.pk), f.label, f.points) for f in page]
    is_scorer = rights.can_score(access) and not run.is_frozen
    return render(
        request,
        "assessment/item_score.html",
        {
            "campaign": campaign,
            "access": access,
            "run": run,
            "score": obj,
            "score_files": list(obj.files.order_by("pk")),
            "unit": unit,
            "facts": rows,
            "page": page,
            "forms": forms,
            "is_scorer": is_scorer,
            "is_manual": obj.scheme_item.rule.kind == rules.Kind.MANUAL,
            "can_object": rights.can_object(access, run, unit),
            "adjustments": obj.adjustments.select_related("proposed_by", "decided_by").prefetch_related("files"),
            "objections": obj.objections.select_related("raised_by", "answered_by").prefetch_related("files"),
        },
        status=status,
    )


@campaign_view
def adjustment_file(request, campaign, access, pk, file):
    """A file behind an adjustment: for whoever may read the unit's scores."""
    run = _run(campaign, pk)
    evidence = get_object_or_404(
        AdjustmentEvidence.objects.select_related("adjustment__item_score__unit_score__unit"),
        pk=file,
        adjustment__item_score__unit_score__run=run,
    )
    unit = evidence.adjustment.item_score.unit_score.unit
    access.require(rights.can_read_unit(access, run, unit), _("You cannot read this unit's assessment."))
    return file_response(evidence.file, filename=evidence.name, inline_images=True)


@require_safe
@campaign_view
def score_file(request, campaign, access, pk, file):
    """A file behind a manual score: for whoever may read the unit's scores."""
    run = _run(campaign, pk)
    evidence = get_object_or_404(
        ManualScoreEvidence.objects.select_related("item_score__unit_score__unit"),
        pk=file,
        item_score__unit_score__run=run,
    )
    unit = evidence.item_score.unit_score.unit
    access.require(rights.can_read_unit(access, run, unit), _("You cannot read this unit's assessment."))
    return file_response(evidence.file, filename=evidence.name, inline_images=True)


@campaign_view
def objection_file(request, campaign, access, pk, file):
    """A file a unit sent with its objection: for whoever may read the unit's scores."""
    run = _run(campaign, pk)
    evidence = get_object_or_404(
        ObjectionEvidence.objects.select_related("objection__item_score__unit_score__unit"),
        pk=file,
        objection__item_score__unit_score__run=run,
    )
    unit = evidence.objection.item_score.unit_score.unit
    access.require(rights.can_read_unit(access, run, unit), _("You cannot read this unit's assessment."))
    return file_response(evidence.file, filename=evidence.name, inline_images=True)


@require_safe
@campaign_view
def penalty_file(request, campaign, access, pk, file):
    """A file that shows how a penalty action was carried out: for whoever may read the penalty action."""
    run = _run(campaign, pk)
    evidence = get_object_or_404(PenaltyEvidence.objects.select_related("penalty__unit"), pk=file, penalty__run=run)
    access.require(rights.can_read_penalty(access, evidence.penalty), _("You cannot read this penalty action."))
    return file_response(evidence.file, filename=evidence.name, inline_images=True)


@campaign_view
def adjustment_queue(request, campaign, access, pk):
    """Adjustments waiting for a second person; the office or the head assessor approves or rejects."""
    _require_results(access)
    run = _run(campaign, pk)
    if request.method == "POST":
        access.require(
            rights.can_approve(access, run.scheme), _("Only the office or the head assessor approves adjustments.")
        )
        adjustment = get_object_or_404(
            Adjustment, item_score__unit_score__run=run, pk=_posted_id(request, "adjustment")
        )
        try:
            actions.decide_adjustment(
                adjustment,
                approve=request.POST.get("decision") == "approve",
                note_text=request.POST.get("note", ""),
                acting_user=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Decision recorded."))
        return redirect("assessment:adjustment_queue", slug=campaign.slug, pk=run.pk)
    adjustments = (
        Adjustment.objects.filter(item_score__unit_score__run=run)
        .select_related("item_score__unit_score__unit", "item_score__scheme_item", "proposed_by", "decided_by")
        .prefetch_related("files")
        .order_by("state", "-proposed_at")[:300]
    )
    return render(
        request,
        "assessment/adjustments.html",
        {
            "campaign": campaign,
            "access": access,
            "run": run,
            "adjustments": adjustments,
            "can_decide": rights.can_approve(access, run.scheme) and not run.is_frozen,
        },
    )


@campaign_view
def objection_list(request, campaign, access, pk):
    """The units' objections; assessors answer them."""
    _require_results(access)
    run = _run(campaign, pk)
    if request.method == "POST":
        access.require(rights.can_score(access), _("Only assessors answer objections."))
        objection = get_object_or_404(Objection, item_score__unit_score__run=run, pk=_posted_id(request, "objection"))
        try:
            actions.answer_objection(objection, answer=request.POST.get("answer", ""), acting_user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Answer recorded."))
        return redirect("assessment:objection_list", slug=campaign.slug, pk=run.pk)
    objections = (
        Objection.objects.filter(item_score__unit_score__run=run)
        .select_related("item_score__unit_score__unit", "item_score__scheme_item", "raised_by", "answered_by")
        .prefetch_related("files")
        .order_by("state", "-raised_at")[:300]
    )
    return render(
        request,
        "assessment/objections.html",
        {
            "campaign": campaign,
            "access": access,
            "run": run,
            "objections": objections,
            "can_answer": rights.can_score(access) and not run.is_frozen,
        },
    )


@require_POST
@campaign_view
def run_review(request, campaign, access, pk):
    run = _run(campaign, pk)
    try:
        actions.open_review(run, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Review opened: units see their breakdown and may object."))
    return redirect("assessment:run_detail", slug=campaign.slug, pk=run.pk)


@require_POST
@campaign_view
def run_freeze(request, campaign, access, pk):
    run = _run(campaign, pk)
    try:
        actions.freeze_run(run, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Result frozen (定档)."))
    return redirect("assessment:run_detail", slug=campaign.slug, pk=run.pk)


@campaign_view
def penalty_list(request, campaign, access, pk):
    """Rewards and penalties of a frozen result; the office closes a penalty action."""
    run = _run(campaign, pk)
    if not rights.can_read_results(access) and not access.is_liaison:
        raise PermissionDenied
    penalties = (
        PenaltyAction.objects.filter(run=run).select_related("unit", "closed_by", "owner").prefetch_related("files")
    )
    if not rights.can_read_results(access):
        penalties = [p for p in penalties if rights.can_read_penalty(access, p)]
    if request.method == "POST":
        what = request.POST.get("what")
        if what != "evidence":
            access.require(access.is_office, _("Only the office closes a penalty action."))
        penalty = get_object_or_404(
            PenaltyAction.objects.select_related("unit"), run=run, pk=_posted_id(request, "penalty")
        )
        files = request.FILES.getlist("files")
        try:
            if what == "evidence":
                actions.add_penalty_evidence(penalty, files=files, acting_user=request.user)
                done = _("Evidence added.")
            elif what == "owner":
                form = PenaltyOwnerForm(request.POST, campaign=campaign, prefix=f"owner-{penalty.pk}")
                if not form.is_valid():
                    raise ValidationError(_("Choose the person responsible."))
                actions.assign_penalty(penalty, owner=form.cleaned_data["owner"], acting_user=request.user)
                done = _("Person responsible set; they have been notified.")
            else:
                actions.close_penalty(
                    penalty, closure=request.POST.get("closure", ""), files=files, acting_user=request.user
                )
                done = _("Penalty action closed.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, done)
        return redirect("assessment:penalty_list", slug=campaign.slug, pk=run.pk)
    rows = [
        (
            p,
            [(f.get("label"), outputs.fact_url(campaign, f.get("kind"), f.get("id"), p.unit_id)) for f in p.facts],
            PenaltyOwnerForm(campaign=campaign, prefix=f"owner-{p.pk}", initial={"owner": p.owner})
            if access.is_office and p.state == PenaltyAction.State.OPEN
            else None,
            p.state == PenaltyAction.State.OPEN and rights.can_act_on_penalty(access, p),
        )
        for p in penalties
    ]
    return render(
        request,
        "assessment/penalties.html",
        {
            "campaign": campaign,
            "access": access,
            "run": run,
            "rows": rows,
            "nominations": run.nominations.select_related("unit") if rights.can_read_results(access) else [],
        },
    )


@campaign_view
def circular_docx(request, campaign, access, pk):
    _require_results(access)
    run = _run(campaign, pk)
    return _download(
        outputs.circular_docx(run),
        _("%(run)s assessment circular.docx") % {"run": run.label},
        f"assessment-circular-{run.pk}.docx",
    )


@campaign_view
def circular_pdf(request, campaign, access, pk):
    _require_results(access)
    run = _run(campaign, pk)
    return _download(
        outputs.circular_pdf(run),
        _("%(run)s assessment circular.pdf") % {"run": run.label},
        f"assessment-circular-{run.pk}.pdf",
    )


@campaign_view
def scores_xlsx(request, campaign, access, pk):
    _require_results(access)
    run = _run(campaign, pk)
    return _download(
        outputs.scores_xlsx(run),
        _("%(run)s assessment scores.xlsx") % {"run": run.label},
        f"assessment-scores-{run.pk}.xlsx",
    )


@campaign_view
def year_end_xlsx(request, campaign, access, pk):
    _require_results(access)
    run = _run(campaign, pk)
    return _download(
        outputs.year_end_xlsx(run),
        _("%(run)s year-end assessment.xlsx") % {"run": run.label},
        f"assessment-year-end-{run.pk}.xlsx",
    )


@campaign_view
def nominations_xlsx(request, campaign, access, pk):
    _require_results(access)
    run = _run(campaign, pk)
    return _download(
        outputs.nominations_xlsx(run),
        _("%(run)s nominations.xlsx") % {"run": run.label},
        f"assessment-nominations-{run.pk}.xlsx",
    )
