"""Chase-up notices: the log, issuing one on an item, the notice with its answer, .docx and PDF."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from taizhang.campaigns.decorators import campaign_view
from taizhang.ledger.models import Item
from taizhang.lib.forms import apply_errors

from . import actions, documents
from .forms import NoticeForm, ResponseForm
from .models import ChaseNotice


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
    return render(
        request,
        "supervision/notice_list.html",
        {"campaign": campaign, "access": access, "notices": notices[:500], "state": state},
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
    response = HttpResponse(
        documents.notice_docx(notice),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f'attachment; filename="chase-notice-{campaign.slug}-{notice.seq:03d}.docx"'
    return response


@campaign_view
def notice_pdf(request, campaign, access, pk):
    notice = _get_notice(campaign, pk)
    response = HttpResponse(documents.notice_pdf(notice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="chase-notice-{campaign.slug}-{notice.seq:03d}.pdf"'
    return response
