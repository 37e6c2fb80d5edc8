from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from taizhang.campaigns.decorators import campaign_view
from taizhang.history.recording import history_for
from taizhang.lib.downloads import download_response
from taizhang.lib.forms import apply_errors
from taizhang.lib.media import file_response
from taizhang.lib.paging import IdPaginator

from . import actions
from .export import export_items
from .forms import (
    CommentForm,
    ItemFilterForm,
    ItemForm,
    ProgressForm,
    WithdrawForm,
    milestone_formset,
    milestone_points,
    milestones_ok,
)
from .listing import MATCH_FIELDS, explain_matches, headers, list_rows, page_numbers, rows_html
from .models import Comment, Item, ProgressAttachment
from .queries import filtered_items, item_choices, milestone_checks


def _get_item(campaign, pk: int) -> Item:
    return get_object_or_404(
        Item.objects.select_related("campaign", "owner_unit", "category", "phase", "key_task", "parent", "merged_into"),
        campaign=campaign,
        pk=pk,
    )


# The list's columns: label, sort key (none: it does not sort), shown on a phone (the progress stays).
LIST_COLUMNS = [
    (gettext_lazy("Light"), "light", True),
    (gettext_lazy("Code"), "code", False),  # on a phone under the title, so 进展 stays on the screen
    (gettext_lazy("Title"), "", True),
    (gettext_lazy("Responsible unit"), "unit", False),
    (gettext_lazy("Category"), "", False),
    (gettext_lazy("Person responsible"), "", False),
    (gettext_lazy("Deadline"), "due", True),
    (gettext_lazy("Progress"), "percent", True),
    (gettext_lazy("Status"), "", True),  # kept at every width and at 200 % zoom (WCAG 1.4.10)
]


@campaign_view
def item_list(request, campaign, access):
    form = ItemFilterForm(request.GET or None, campaign=campaign)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    items = list_rows(filtered_items(campaign, data), data.get("q", ""))
    page = IdPaginator(items, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    sort = data.get("sort") or "code"
    if data.get("q"):
        explain_matches(page, data["q"], {name: Item._meta.get_field(name).verbose_name for name in MATCH_FIELDS})
    context = {
        "campaign": campaign,
        "access": access,
        "form": form,
        "page": page,
        "query": query.urlencode(),
        # The page's other parameters, for the "go to page" box.
        "kept": [(k, v) for k, values in query.lists() for v in values],
        "sort": sort,
        "headers": headers(LIST_COLUMNS, query=query, sort=sort),
        "page_numbers": page_numbers(page),
        "item_url": reverse("ledger:item_list", args=[campaign.slug]),  # rows link to item_url + pk
    }
    context["rows"] = rows_html(page, context["item_url"])
    template = (
        "ledger/_item_results.html"
        if request.headers.get("HX-Request") and not request.headers.get("HX-Boosted")
        else "ledger/item_list.html"
    )
    return render(request, template, context)


@campaign_view
def item_export(request, campaign, access):
    access.require(access.can_export())
    form = ItemFilterForm(request.GET or None, campaign=campaign)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    content = export_items(campaign, filtered_items(campaign, data))
    today = timezone.localdate()
    return download_response(
        content,
        _("Item list %(date)s.xlsx") % {"date": f"{today:%Y-%m-%d}"},
        fallback=f"{campaign.slug}-items-{today:%Y%m%d}.xlsx",
    )


@campaign_view
def item_detail(request, campaign, access, pk):
    item = _get_item(campaign, pk)
    entries = item.progress_entries.select_related("author", "corrects").prefetch_related("attachments")
    context = {
        "campaign": campaign,
        "access": access,
        "item": item,
        "entries": entries,
        # Instruction comments of old live on as supervision's Instructions (migrated), shown in their panel.
        "comments": item.comments.filter(kind=Comment.Kind.COMMENT).select_related("author"),
        "history": history_for(item)[:200],
        "children": item.children.select_related("owner_unit").order_by("code"),
        "partners": item.partner_units.all(),
        "milestones": milestone_checks(item, timezone.localdate()),
        "progress_form": ProgressForm(initial={"percent": item.percent}, campaign=campaign)
        if access.can_report_progress(item)
        else None,
        "comment_form": CommentForm() if access.can_comment(item) else None,
        "can_read_attachments": access.can_read_attachments(item),
    }
    return render(request, "ledger/item_detail.html", context)


@campaign_view
def item_create(request, campaign, access):
    access.require(access.is_office, _("Only the campaign office can add items."))
    form = ItemForm(request.POST or None, campaign=campaign)
    milestones = milestone_formset(request.POST or None)
    if request.method == "POST" and form.is_valid() & milestones_ok(milestones):
        try:
            item = actions.create_item(
                campaign=campaign,
                data=form.item_data(),
                partner_units=form.cleaned_data["partner_units"],
                milestones=milestone_points(milestones),
                acting_user=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Item %(code)s added.") % {"code": item.code})
            return redirect("ledger:item_detail", slug=campaign.slug, pk=item.pk)
    return render(
        request,
        "ledger/item_form.html",
        {"campaign": campaign, "access": access, "form": form, "milestones": milestones, "item": None},
    )


@campaign_view
def item_edit(request, campaign, access, pk):
    item = _get_item(campaign, pk)
    access.require(access.can_edit_item(item), _("Only the campaign office can edit items."))
    form = ItemForm(request.POST or None, instance=item, campaign=campaign)
    milestones = milestone_formset(request.POST or None, item=item)
    stale = False
    if request.method == "POST" and form.is_valid() & milestones_ok(milestones):
        try:
            item = actions.update_item(
                item,
                data=form.item_data(),
                partner_units=form.cleaned_data["partner_units"],
                milestones=milestone_points(milestones),
                expected_version=form.cleaned_data.get("version") or 0,
                acting_user=request.user,
            )
        except actions.StaleEdit as error:
            stale = True
            form.add_error(None, str(error))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Item %(code)s saved.") % {"code": item.code})
            return redirect("ledger:item_detail", slug=campaign.slug, pk=item.pk)
    status = 409 if stale else 200
    return render(
        request,
        "ledger/item_form.html",
        {"campaign": campaign, "access": access, "form": form, "milestones": milestones, "item": item, "stale": stale},
        status=status,
    )


@campaign_view
def item_progress(request, campaign, access, pk):
    item = _get_item(campaign, pk)
    access.require(access.can_report_progress(item), _("You can report progress only on your own unit's open items."))
    form = ProgressForm(
        request.POST or None, request.FILES or None, initial={"percent": item.percent}, campaign=campaign
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_progress(
                item,
                acting_user=request.user,
                attachments=request.FILES.getlist("attachments"),
                **{
                    name: form.cleaned_data[name]
                    for name in ("percent", "done", "difficulties", "next_steps", "period_label")
                },
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Progress recorded."))
            return redirect("ledger:item_detail", slug=campaign.slug, pk=item.pk)
    return render(
        request,
        "ledger/progress_form.html",
        {"campaign": campaign, "access": access, "item": item, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
@campaign_view
def item_comment(request, campaign, access, pk):
    item = _get_item(campaign, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write something first."))
        return redirect("ledger:item_detail", slug=campaign.slug, pk=item.pk)
    # Instructions (批示) are given on the item page's instruction form (supervision), not as comments.
    try:
        actions.add_comment(item, body=form.cleaned_data["body"], acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Comment added."))
    return redirect("ledger:item_detail", slug=campaign.slug, pk=item.pk)


@campaign_view
def item_withdraw(request, campaign, access, pk):
    item = _get_item(campaign, pk)
    if not access.is_office:
        raise PermissionDenied(_("Only the campaign office can withdraw or merge items."))
    form = WithdrawForm(request.POST or None, item=item)
    if request.method == "POST" and form.is_valid():
        try:
            actions.withdraw_item(
                item,
                reason=form.cleaned_data["reason"],
                merged_into=form.cleaned_data["merged_into"],
                acting_user=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Item %(code)s withdrawn.") % {"code": item.code})
            return redirect("ledger:item_detail", slug=campaign.slug, pk=item.pk)
    return render(
        request, "ledger/withdraw_form.html", {"campaign": campaign, "access": access, "item": item, "form": form}
    )


@require_POST
@campaign_view
def item_model_mark(request, campaign, access, pk):
    """The office gives (with a reason) or takes away an item's 特色样板 mark."""
    item = _get_item(campaign, pk)
    if not access.is_office:
        raise PermissionDenied(_("Only the campaign office marks model projects."))
    is_model = request.POST.get("is_model") == "1"
    try:
        actions.mark_model(item, is_model=is_model, reason=request.POST.get("reason", ""), acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Marked as a model project.") if is_model else _("The model mark is removed."))
    return redirect("ledger:item_detail", slug=campaign.slug, pk=item.pk)


@campaign_view
def attachment_download(request, campaign, access, pk):
    """Attachments are served only to people with a role in the item's campaign."""
    attachment = get_object_or_404(
        ProgressAttachment.objects.select_related("entry__item__owner_unit"), pk=pk, entry__item__campaign=campaign
    )
    access.require(
        access.can_read_attachments(attachment.entry.item),
        _("Attachments are read by the unit's own liaisons and the campaign office, leaders and inspectors."),
    )
    return file_response(attachment.file, filename=attachment.name)


@require_GET
@campaign_view
def item_search(request, campaign, access):
    """The item picker's matches: code or title, simplified or traditional (every role reads the ledger)."""
    q = request.GET.get("q", "").strip()[:100]
    if not q:
        return JsonResponse({"results": []})
    return JsonResponse({"results": item_choices(campaign, q)})
