"""Pages of acceptance (验收), closing (销号), reopening (复号), look-backs (回头看) and the evidence files."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from taizhang.campaigns.decorators import campaign_view
from taizhang.ledger.models import Item
from taizhang.lib.forms import apply_errors
from taizhang.lib.media import file_response

from . import actions
from .forms import AcceptanceForm, CloseForm, LookBackForm, ReasonForm
from .models import AcceptanceAttachment, LookBack


def _get_item(campaign, pk) -> Item:
    return get_object_or_404(Item.objects.select_related("campaign", "owner_unit"), campaign=campaign, pk=pk)


@campaign_view
def item_accept(request, campaign, access, pk):
    access.require(access.is_office, _("Only the campaign office accepts items."))
    item = _get_item(campaign, pk)
    form = AcceptanceForm(request.POST or None, request.FILES or None, initial={"checked_on": actions.today()})
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_acceptance(
                item,
                data=form.cleaned_data,
                attachments=request.FILES.getlist("attachments"),
                acting_user=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Acceptance recorded."))
            return redirect("ledger:item_detail", slug=campaign.slug, pk=item.pk)
    return render(
        request,
        "acceptance/item_accept.html",
        {"campaign": campaign, "access": access, "item": item, "form": form},
        status=400 if form.errors else 200,
    )


@campaign_view
def item_close(request, campaign, access, pk):
    """销号 in two steps: the page says what closing rests on and what follows; the office confirms it."""
    access.require(access.is_office, _("Only the campaign office closes items."))
    item = _get_item(campaign, pk)
    form = CloseForm(request.POST or None, initial={"confirmed": True})
    if request.method == "POST" and form.is_valid() and form.cleaned_data["confirmed"]:
        try:
            actions.close_item(item, statement=form.cleaned_data["statement"], acting_user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Item %(code)s closed.") % {"code": item.code})
            return redirect("ledger:item_detail", slug=campaign.slug, pk=item.pk)
        return redirect("acceptance:item_close", slug=campaign.slug, pk=item.pk)
    if request.method == "POST":
        # A post that did not come through the confirmation (an old page, a hand-made request) lands on it.
        return redirect("acceptance:item_close", slug=campaign.slug, pk=item.pk)
    context = {"campaign": campaign, "access": access, "item": item, "form": form, **actions.closing_preview(item)}
    return render(request, "acceptance/item_close.html", context)


@require_POST
@campaign_view
def item_reopen(request, campaign, access, pk):
    access.require(access.is_office, _("Only the campaign office reopens items."))
    item = _get_item(campaign, pk)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Give a reason."))
        actions.reopen_item(item, reason=form.cleaned_data["reason"], acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Item %(code)s reopened.") % {"code": item.code})
    return redirect("ledger:item_detail", slug=campaign.slug, pk=item.pk)


@require_POST
@campaign_view
def lookback_record(request, campaign, access, pk):
    access.require(access.is_office, _("Only the campaign office does this."))
    lookback = get_object_or_404(LookBack.objects.select_related("item__campaign"), item__campaign=campaign, pk=pk)
    form = LookBackForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Say whether the result holds and what the look-back found."))
        actions.record_lookback(
            lookback, holds=form.cleaned_data["holds"], result=form.cleaned_data["result"], acting_user=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Look-back recorded."))
    return redirect("ledger:item_detail", slug=campaign.slug, pk=lookback.item_id)


@campaign_view
def evidence_download(request, campaign, access, pk):
    attachment = get_object_or_404(
        AcceptanceAttachment.objects.select_related("acceptance__item__owner_unit"),
        pk=pk,
        acceptance__item__campaign=campaign,
    )
    access.require(
        access.can_read_attachments(attachment.acceptance.item),
        _("Attachments are read by the unit's own liaisons and the campaign office, leaders and inspectors."),
    )
    return file_response(attachment.file, filename=attachment.name)
