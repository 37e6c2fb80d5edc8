from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from taizhang.history.models import HistoryEntry
from taizhang.history.recording import history_for
from taizhang.ledger.models import Item, Light, Status
from taizhang.lib.forms import apply_errors
from taizhang.lib.media import file_response
from taizhang.orgs.models import ContactPoint, Role, Unit, User

from . import actions, providers
from .decorators import campaign_view
from .forms import CampaignRulesForm, PlanSectionForm, StartCampaignForm, structure_formsets
from .models import Campaign, Category, KeyTask, Phase, PlanEvidence, PlanSection


@login_required
def home(request):
    """The campaigns this person has a role in; straight into the campaign when there is one."""
    campaigns = (
        Campaign.objects.all()
        if request.user.is_superuser
        else Campaign.objects.filter(grants__user=request.user).distinct()
    )
    campaigns = list(campaigns)
    if len(campaigns) == 1 and not request.GET.get("all"):
        return redirect("campaigns:campaign_home", slug=campaigns[0].slug)
    return render(
        request, "campaigns/home.html", {"campaigns": campaigns, "can_start": actions.can_start_campaigns(request.user)}
    )


def headline_counts(campaign) -> dict:
    """Totals, by status and light, and the completion rates shown on the campaign home."""
    items = Item.objects.filter(campaign=campaign).exclude(status=Status.WITHDRAWN)
    counts = items.aggregate(
        total=Count("id"),
        **{f"status_{value}": Count("id", filter=Q(status=value)) for value in Status.values},
        **{f"light_{value}": Count("id", filter=Q(light=value)) for value in Light.values},
        done=Count("id", filter=Q(status__in=[Status.COMPLETED, Status.CLOSED])),
        done_on_time=Count(
            "id",
            filter=Q(status__in=[Status.COMPLETED, Status.CLOSED])
            & (Q(due__isnull=True) | Q(completed_on__lte=F("due"))),
        ),
        ongoing=Count("id", filter=Q(due__isnull=True)),
    )
    total = counts["total"] or 0
    counts["completion_rate"] = round(100 * counts["done"] / total, 1) if total else 0
    counts["on_time_rate"] = round(100 * counts["done_on_time"] / counts["done"], 1) if counts["done"] else 0
    counts["statuses"] = [
        (value, label, counts[f"status_{value}"]) for value, label in Status.choices if value != Status.WITHDRAWN
    ]
    counts["lights"] = [
        (value, label, counts[f"light_{value}"]) for value, label in Light.choices if value != Light.NONE
    ]
    return counts


@campaign_view
def campaign_home(request, campaign, access):
    if access.is_liaison and not (access.is_office or access.is_overseer):
        # A liaison's home is about their own unit (the dashboards build it, above the reporting it shows).
        return redirect("dashboards:unit_home", slug=campaign.slug)
    items = Item.objects.filter(campaign=campaign).exclude(status=Status.WITHDRAWN)
    by_category = (
        items.values("category__id", "category__name", "category__order")
        .annotate(
            total=Count("id"),
            done=Count("id", filter=Q(status__in=[Status.COMPLETED, Status.CLOSED])),
            red=Count("id", filter=Q(light=Light.RED)),
        )
        .order_by("category__order")
    )
    # Top-level units under the group, each with its whole subtree rolled up.
    tops = Unit.objects.filter(depth=1, is_active=True).order_by("sort_order", "name")
    unit_rows = []
    per_path = list(
        items.values("owner_unit__path").annotate(
            total=Count("id"),
            done=Count("id", filter=Q(status__in=[Status.COMPLETED, Status.CLOSED])),
            red=Count("id", filter=Q(light=Light.RED)),
            yellow=Count("id", filter=Q(light=Light.YELLOW)),
        )
    )
    for unit in tops:
        row = {"unit": unit, "total": 0, "done": 0, "red": 0, "yellow": 0}
        for entry in per_path:
            if entry["owner_unit__path"].startswith(unit.path):
                for key in ("total", "done", "red", "yellow"):
                    row[key] += entry[key]
        if row["total"]:
            row["rate"] = round(100 * row["done"] / row["total"], 1)
            unit_rows.append(row)
    red_items = items.filter(light=Light.RED).select_related("owner_unit").order_by("due", "code")[:10]
    my_items = None
    if access.liaison_units:
        mine = Q()
        for unit in access.liaison_units:
            mine |= Q(owner_unit__path__startswith=unit.path)
        my_items = (
            items.filter(mine)
            .open()
            .exclude(status=Status.COMPLETED)
            .select_related("owner_unit")
            .order_by(F("due").asc(nulls_last=True), "code")[:10]
        )
    # A leader's contact points (联系点), each with its subtree's figures.
    contact_rows = []
    points = ContactPoint.objects.filter(campaign=campaign, leader=request.user).select_related("unit")
    for point in points.order_by("unit__sort_order", "unit__name"):
        row = {"unit": point.unit, "total": 0, "done": 0, "red": 0, "yellow": 0}
        for entry in per_path:
            if entry["owner_unit__path"].startswith(point.unit.path):
                for key in ("total", "done", "red", "yellow"):
                    row[key] += entry[key]
        contact_rows.append(row)
    context = {
        "campaign": campaign,
        "access": access,
        "contact_rows": contact_rows,
        "counts": headline_counts(campaign),
        "by_category": by_category,
        "unit_rows": unit_rows,
        "red_items": red_items,
        "my_items": my_items,
    }
    return render(request, "campaigns/campaign_home.html", context)


@campaign_view
def campaign_rules(request, campaign, access):
    """The reporting rhythm, light thresholds and closing rules: the office edits them, leaders read them."""
    access.require(
        access.is_office or access.is_leader, _("Only the campaign office and leaders see the campaign rules.")
    )
    if request.method == "POST":
        access.require(access.is_office, _("Only the campaign office can change the campaign rules."))
    form = CampaignRulesForm(request.POST or None, instance=campaign, read_only=not access.is_office)
    stale = False
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_rules(
                campaign,
                data=form.rules_data(),
                fingerprint=form.cleaned_data["fingerprint"],
                acting_user=request.user,
            )
        except actions.StaleRules as error:
            stale = True
            form.add_error(None, str(error))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Campaign rules saved."))
            return redirect("campaigns:rules", slug=campaign.slug)
    context = {
        "campaign": campaign,
        "access": access,
        "form": form,
        "stale": stale,
        "history": history_for(campaign).filter(action=HistoryEntry.Action.UPDATE)[:20],
    }
    status = 409 if stale else 400 if form.errors else 200
    return render(request, "campaigns/rules.html", context, status=status)


@login_required
def campaign_new(request):
    """Stand up a campaign: empty, from the seed's template, or copied from last year's (office only)."""
    if not actions.can_start_campaigns(request.user):
        raise PermissionDenied(_("Only a campaign office can start a new campaign."))
    form = StartCampaignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in StartCampaignForm.Meta.fields}
        start_from = form.cleaned_data["start_from"]
        try:
            campaign = actions.start_campaign(
                data=data,
                acting_user=request.user,
                template=start_from,
                copy_from=form.cleaned_data["copy_from"] if start_from == "copy" else None,
                copy=set(form.cleaned_data["copy"]),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The campaign is set up. Check its structure and rules."))
            return redirect("campaigns:setup", slug=campaign.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "campaigns/campaign_new.html", {"form": form}, status=status)


STRUCTURE = {"categories": Category, "phases": Phase, "key_tasks": KeyTask, "plan_sections": PlanSection}


@campaign_view
def campaign_setup(request, campaign, access):
    """Categories, phases (with dates) and the key-task tree, edited as three lists; leaders read them."""
    access.require(access.is_office or access.is_leader, _("Only the campaign office and leaders see the set-up."))
    if request.method == "POST":
        access.require(access.is_office, _("Only the campaign office can change the campaign's structure."))
    which = request.POST.get("which", "")
    formsets = structure_formsets(campaign, request.POST if request.method == "POST" else None)
    if not access.is_office:  # leaders read the structure: no field looks editable
        for formset in formsets.values():
            for form in formset:
                for field in form.fields.values():
                    field.disabled = True
    error = None
    if request.method == "POST":
        formset = formsets.get(which)
        if formset is None:
            error = _("Choose which list to save.")
        elif formset.is_valid():
            rows = []
            for row in formset.cleaned_data:
                if not row or (not row.get("id") and not row.get("name")):
                    continue
                if which == "key_tasks":
                    parent = row.get("parent")
                    row["parent"] = KeyTask.objects.filter(campaign=campaign, pk=parent).first() if parent else None
                if which == "categories":
                    row["scope"] = row.get("scope") or ""
                rows.append(row)
            try:
                changed = actions.save_structure(campaign, model=STRUCTURE[which], rows=rows, acting_user=request.user)
            except ValidationError as refused:
                error = " ".join(refused.messages)
            else:
                messages.success(request, _("Saved: %(n)d changes.") % {"n": changed})
                return redirect(f"{reverse('campaigns:setup', args=[campaign.slug])}#{which}")
    owners = providers.key_task_owners(campaign)
    for form in formsets["key_tasks"]:
        form.owner = owners.get(form.initial.get("id"))
    context = {
        "campaign": campaign,
        "access": access,
        "formsets": formsets,
        "error": error,
        "which": which,
        "history": history_for(campaign)[:30],
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "campaigns/setup.html", context, status=status)


@campaign_view
def plan(request, campaign, access):
    """The implementation plan: the 六项准备 checklist with evidence, the 六个环节 with their key tasks, the 六个结合."""
    sections = list(PlanSection.objects.filter(campaign=campaign).prefetch_related("evidence", "key_tasks__children"))
    target = None
    if request.method == "POST":
        access.require(access.is_office, _("Only the campaign office keeps the implementation plan."))
        section_id = request.POST.get("section", "")
        target = next((s for s in sections if str(s.pk) == section_id), None)
        if target is None:
            raise Http404
    forms_by_id = {
        section.pk: PlanSectionForm(
            request.POST if section is target else None,
            request.FILES if section is target else None,
            section=section,
        )
        for section in sections
    }
    if target is not None:
        form = forms_by_id[target.pk]
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in actions.PLAN_FIELDS if name in form.fields}
            upload = form.cleaned_data.get("evidence")
            try:
                actions.update_plan_section(
                    target,
                    data=data,
                    files=[upload] if upload else [],
                    key_tasks=list(form.cleaned_data["key_tasks"]) if "key_tasks" in form.fields else None,
                    acting_user=request.user,
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("The plan is saved."))
                return redirect(f"{reverse('campaigns:plan', args=[campaign.slug])}#section-{target.pk}")
    groups = [
        (kind, label, [(s, forms_by_id[s.pk]) for s in sections if s.kind == kind])
        for kind, label in PlanSection.Kind.choices
    ]
    preparations = [s for s in sections if s.kind == PlanSection.Kind.PREPARATION]
    done = sum(1 for s in preparations if s.state == PlanSection.State.DONE)
    placed = {t.pk for s in sections for t in s.key_tasks.all()}
    unplaced = KeyTask.objects.filter(campaign=campaign, parent=None).exclude(pk__in=placed)
    context = {
        "campaign": campaign,
        "access": access,
        "groups": groups,
        "done": done,
        "preparations": len(preparations),
        "unplaced": unplaced,
    }
    return render(request, "campaigns/plan.html", context, status=400 if target is not None else 200)


@campaign_view
def plan_evidence(request, campaign, access, pk):
    """Evidence of the plan goes to people with a role in the campaign only."""
    evidence = get_object_or_404(PlanEvidence, pk=pk, section__campaign=campaign)
    return file_response(evidence.file, filename=evidence.name)


@require_GET
@campaign_view
def people_search(request, campaign, access):
    """The people picker's matches: the office finds anyone, the other overseers the campaign's people.

    ``?role=inspector`` keeps those holding that role in the campaign. Name, user name and unit only:
    phones and mail stay on the pages that may show them.
    """
    if not access.is_overseer:
        raise PermissionDenied(_("Only the office and the overseers look people up."))
    q = request.GET.get("q", "").strip()[:100]
    if not q:
        return JsonResponse({"results": []})
    people = User.objects.filter(is_active=True).filter(Q(name__icontains=q) | Q(username__icontains=q))
    role = request.GET.get("role")
    if role in Role.values:
        people = people.filter(grants__campaign=campaign, grants__role=role)
    elif not access.is_office:
        people = people.filter(grants__campaign=campaign)
    rows = people.distinct().select_related("unit").order_by("name", "username")[:20]
    return JsonResponse(
        {
            "results": [
                {"id": u.pk, "text": " · ".join(filter(None, [u.name or u.username, u.unit and u.unit.name]))}
                for u in rows
            ]
        }
    )
