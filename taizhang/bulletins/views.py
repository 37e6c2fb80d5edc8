"""Pages for cases and bulletins: thin, every write through actions.py; the public pages show published work only."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from taizhang.campaigns.decorators import campaign_view
from taizhang.campaigns.models import Campaign
from taizhang.history.recording import history_for
from taizhang.lib.downloads import download_response
from taizhang.lib.forms import apply_errors
from taizhang.orgs.models import Role, RoleGrant, Unit
from taizhang.reporting.models import UnitReport

from . import actions, outputs, queries, richtext
from .forms import (
    BulletinForm,
    CommentForm,
    ErratumForm,
    LibraryFilterForm,
    ModelMarkForm,
    PhotoForm,
    PracticeForm,
    ReasonForm,
    SignatoryForm,
)
from .models import Bulletin, Practice, PracticePhoto, Signatory

PAGE = 30


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


def _practice(campaign, access, pk: int) -> Practice:
    practice = get_object_or_404(Practice.objects.select_related("unit", "campaign"), campaign=campaign, pk=pk)
    if not actions.can_read_case(access, practice):
        raise Http404  # an outsider's case does not exist for them
    return practice


def _bulletin(campaign, access, pk: int) -> Bulletin:
    bulletin = get_object_or_404(Bulletin.objects.select_related("campaign", "signed_by"), campaign=campaign, pk=pk)
    if not bulletin.is_published and not (access.is_office or access.is_leader):
        raise Http404
    return bulletin


# Cases -------------------------------------------------------------------------------------------


def _filters(form) -> dict:
    if not form.is_bound:
        return {}
    form.is_valid()  # a junk parameter drops out alone; the valid ones still filter
    data = form.cleaned_data
    return {k: data.get(k) for k in ("q", "unit", "category", "key_task", "model", "year", "status") if data.get(k)}


@campaign_view
def practice_list(request, campaign, access):
    """The case library: search, filters, the model badge, readings."""
    form = LibraryFilterForm(request.GET or None, campaign=campaign)
    cases = queries.library(campaign, access, **_filters(form))
    page = queries.LibraryPaginator(cases, PAGE).get_page(request.GET.get("page"))
    reports = []
    if access.is_office:
        reports = (
            UnitReport.objects.filter(period__campaign=campaign, period__kind="monthly")
            .exclude(practices="")
            .select_related("period", "unit")
            .order_by("-period__starts_on", "unit__path")[:20]
        )
    return render(
        request,
        "bulletins/practice_list.html",
        {"campaign": campaign, "access": access, "form": form, "page": page, "reports": reports},
    )


def _picker_url(campaign) -> str:
    return reverse("bulletins:item_search", args=[campaign.slug])


@campaign_view
def practice_new(request, campaign, access):
    if not (access.is_office or access.is_liaison):
        raise PermissionDenied(_("Only a unit's liaison or the office writes cases."))
    initial = {"unit": access.liaison_units[0].pk} if access.liaison_units else {}
    form = PracticeForm(
        request.POST or None, campaign=campaign, access=access, picker_url=_picker_url(campaign), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            practice = actions.create_practice(campaign, data=form.cleaned_data, acting_user=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The case is saved as a draft. Add photos, then submit it."))
            return redirect("bulletins:practice_detail", campaign.slug, practice.pk)
    return render(request, "bulletins/practice_form.html", {"campaign": campaign, "form": form, "practice": None})


@campaign_view
def practice_edit(request, campaign, access, pk):
    practice = _practice(campaign, access, pk)
    if not actions.can_edit_case(access, practice):
        raise PermissionDenied(_("This case cannot be changed now."))
    form = PracticeForm(
        request.POST or None,
        campaign=campaign,
        access=access,
        picker_url=_picker_url(campaign),
        initial=PracticeForm.initial_for(practice),
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_practice(practice, data=form.cleaned_data, acting_user=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("bulletins:practice_detail", campaign.slug, practice.pk)
    return render(request, "bulletins/practice_form.html", {"campaign": campaign, "form": form, "practice": practice})


@campaign_view
def practice_detail(request, campaign, access, pk):
    practice = _practice(campaign, access, pk)
    candidates = Practice.objects.filter(campaign=campaign).visible_to(access)
    return render(
        request,
        "bulletins/practice_detail.html",
        {
            "campaign": campaign,
            "access": access,
            "practice": practice,
            "content": outputs.case_content(practice),
            "photos": practice.photos.all(),
            "can_edit": actions.can_edit_case(access, practice),
            "can_submit": practice.is_editable and actions.can_write_case(access, practice.unit),
            "photo_form": PhotoForm(),
            "comment_form": CommentForm(),
            "mark_form": ModelMarkForm(initial={"reason": practice.model_reason}),
            "similar": queries.similar_cases(practice, candidates),
            "history": history_for(practice)[:50],
            "bulletins": practice.bulletins.filter(status=Bulletin.Status.PUBLISHED),
        },
    )


@require_POST
@campaign_view
def practice_photo_add(request, campaign, access, pk):
    practice = _practice(campaign, access, pk)
    if not actions.can_edit_case(access, practice):  # refused before the form: a reader cannot post here
        raise PermissionDenied(_("Only the unit can add photos to a case it can still edit."))
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a photo to upload."))
    else:
        try:
            actions.add_photo(
                practice,
                upload=form.cleaned_data["photo"],
                caption=form.cleaned_data["caption"],
                acting_user=request.user,
            )
        except ValidationError as error:
            messages.error(request, _errors(error))
        else:
            messages.success(request, _("Photo added."))
    return redirect("bulletins:practice_detail", campaign.slug, practice.pk)


@require_POST
@campaign_view
def practice_act(request, campaign, access, pk, what):
    practice = _practice(campaign, access, pk)
    post = request.POST
    try:
        if what == "submit":
            actions.submit_practice(practice, acting_user=request.user)
            messages.success(request, _("Submitted to the campaign office."))
        elif what == "return":
            actions.return_practice(practice, comment=post.get("comment", ""), acting_user=request.user)
            messages.success(request, _("Returned to the unit."))
        elif what == "accept":
            actions.accept_practice(practice, acting_user=request.user)
            messages.success(request, _("Accepted."))
        elif what == "publish":
            actions.publish_practice(practice, acting_user=request.user)
            messages.success(request, _("Published."))
        elif what == "mark":
            actions.mark_model(practice, is_model=True, reason=post.get("reason", ""), acting_user=request.user)
            messages.success(request, _("Marked as a model project."))
        elif what == "unmark":
            actions.mark_model(practice, is_model=False, acting_user=request.user)
            messages.success(request, _("The model mark is removed."))
        else:
            raise Http404
    except ValidationError as error:
        messages.error(request, _errors(error))
    return redirect("bulletins:practice_detail", campaign.slug, practice.pk)


def _count_reading(request, practice) -> None:
    """One reading per browser session and case."""
    seen = request.session.get("practices_read", [])
    if practice.pk not in seen:
        actions.record_reading(practice)
        request.session["practices_read"] = [*seen[-200:], practice.pk]


@require_POST
@campaign_view
def practice_read(request, campaign, access, pk):
    _count_reading(request, _practice(campaign, access, pk))
    return HttpResponse(status=204)


@require_POST
@campaign_view
def practice_from_report(request, campaign, access, report):
    report = get_object_or_404(UnitReport, period__campaign=campaign, pk=report)
    try:
        practice = actions.practice_from_report(report, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, _errors(error))
        return redirect("bulletins:practice_list", campaign.slug)
    return redirect("bulletins:practice_edit", campaign.slug, practice.pk)


@require_POST
@campaign_view
def practice_from_activity(request, campaign, access, activity):
    """A held study activity becomes a draft case of its unit (the office or the unit's own liaison)."""
    from taizhang.study.models import Activity

    activity = get_object_or_404(
        Activity.objects.select_related("kind", "unit", "key_task"), campaign=campaign, pk=activity
    )
    try:
        practice = actions.practice_from_activity(activity, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, _errors(error))
        return redirect("study:activity_detail", campaign.slug, activity.pk)
    return redirect("bulletins:practice_edit", campaign.slug, practice.pk)


def _photo_response(photo: PracticePhoto) -> FileResponse:
    response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
    response["Content-Disposition"] = content_disposition_header(False, photo.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


@require_GET
@campaign_view
def photo(request, campaign, access, pk, photo):
    practice = _practice(campaign, access, pk)
    return _photo_response(get_object_or_404(PracticePhoto, practice=practice, pk=photo))


@require_GET
@campaign_view
def item_search(request, campaign, access):
    """The item picker's endpoint: at most 20 matches for what was typed."""
    q = (request.GET.get("q") or "")[:100]
    if not q.strip():
        return JsonResponse({"results": []})
    return JsonResponse({"results": queries.item_choices(campaign, access, q)})


# Bulletins ---------------------------------------------------------------------------------------


@campaign_view
def bulletin_list(request, campaign, access):
    bulletins = Bulletin.objects.filter(campaign=campaign).annotate(cases=Count("entries"))
    if not (access.is_office or access.is_leader):
        bulletins = bulletins.filter(status=Bulletin.Status.PUBLISHED)
    context = {"campaign": campaign, "access": access, "bulletins": bulletins.order_by("-year", "-number")[:200]}
    if access.is_office:
        context["signatories"] = Signatory.objects.filter(campaign=campaign).select_related("user")
        context["signatory_form"] = SignatoryForm(campaign=campaign)
    return render(request, "bulletins/bulletin_list.html", context)


@require_POST
@campaign_view
def signatory_add(request, campaign, access):
    """Name the office head who signs off the issues (签发人)."""
    if not access.is_office:
        raise PermissionDenied(_("Only the campaign office names who signs off."))
    form = SignatoryForm(request.POST, campaign=campaign)
    if form.is_valid():
        try:
            actions.add_signatory(campaign, form.cleaned_data["user"], acting_user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Saved."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("bulletins:bulletin_list", campaign.slug)


@require_POST
@campaign_view
def signatory_remove(request, campaign, access, pk):
    if not access.is_office:
        raise PermissionDenied(_("Only the campaign office names who signs off."))
    signatory = get_object_or_404(Signatory.objects.select_related("user", "campaign"), campaign=campaign, pk=pk)
    actions.remove_signatory(signatory, acting_user=request.user)
    messages.success(request, _("Saved."))
    return redirect("bulletins:bulletin_list", campaign.slug)


@campaign_view
def bulletin_new(request, campaign, access):
    if not access.is_office:
        raise PermissionDenied(_("Only the campaign office edits bulletins."))
    today = timezone.localdate()
    last = Bulletin.objects.filter(campaign=campaign).order_by("-created_at").first()
    initial = {"issued_on": today, "period_starts": today - datetime.timedelta(days=6), "period_ends": today}
    if last:
        initial.update(
            masthead=last.masthead,
            publisher=last.publisher,
            editor=last.editor,
            proofreaders="、".join(last.proofreaders),
        )
    form = BulletinForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            bulletin = actions.create_bulletin(campaign, data=form.cleaned_data, acting_user=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect("bulletins:bulletin_detail", campaign.slug, bulletin.pk)
    return render(request, "bulletins/bulletin_form.html", {"campaign": campaign, "form": form, "bulletin": None})


@campaign_view
def bulletin_edit(request, campaign, access, pk):
    bulletin = _bulletin(campaign, access, pk)
    if not access.is_office or not bulletin.is_editable:
        raise PermissionDenied(_("This issue cannot be changed now."))
    form = BulletinForm(request.POST or None, initial=BulletinForm.initial_for(bulletin))
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_bulletin(bulletin, data=form.cleaned_data, acting_user=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect("bulletins:bulletin_detail", campaign.slug, bulletin.pk)
    return render(request, "bulletins/bulletin_form.html", {"campaign": campaign, "form": form, "bulletin": bulletin})


def _receipts(bulletin):
    """Per unit with a liaison: read (by whom, when) or not yet."""
    read = {r.unit_id: r for r in bulletin.receipts.select_related("user")}
    unit_ids = set(
        RoleGrant.objects.filter(campaign=bulletin.campaign, role=Role.LIAISON).values_list("unit_id", flat=True)
    )
    units = Unit.objects.filter(pk__in=unit_ids).order_by("path")
    return [(unit, read.get(unit.pk)) for unit in units]


@campaign_view
def bulletin_detail(request, campaign, access, pk):
    bulletin = _bulletin(campaign, access, pk)
    context = {
        "campaign": campaign,
        "access": access,
        "content": outputs.issue_content(bulletin),
        "history": history_for(bulletin)[:50],
        "reason_form": ReasonForm(),
        "erratum_form": ErratumForm(),
        "has_content": actions.has_content(bulletin),
    }
    if access.is_office and bulletin.is_editable:
        named = list(Signatory.objects.filter(campaign=campaign).select_related("user"))
        context["signatories"] = named
        context["can_sign"] = not named or any(s.user_id == request.user.pk for s in named)
        chosen = {e.practice_id for e in bulletin.entries.all()}
        context["available"] = (
            Practice.objects.filter(campaign=campaign, status__in=(Practice.Status.ACCEPTED, Practice.Status.PUBLISHED))
            .exclude(pk__in=chosen)
            .select_related("unit")
            .order_by("-is_model", "-created_at")[:100]
        )
    if bulletin.is_published:
        receipts = _receipts(bulletin)
        context["receipts"] = receipts if (access.is_office or access.is_leader) else None
        context["receipts_read"] = sum(1 for _unit, r in receipts if r)
        context["unread_units"] = [u for u in access.liaison_units if not bulletin.receipts.filter(unit=u).exists()]
    return render(request, "bulletins/bulletin_detail.html", context)


@require_POST
@campaign_view
def bulletin_cases(request, campaign, access, pk):
    bulletin = _bulletin(campaign, access, pk)
    ids = [i for i in request.POST.getlist("practice") if i.isdigit()]
    if request.POST.get("add", "").isdigit():
        ids.append(request.POST["add"])
    remove = request.POST.get("remove", "")
    ids = [i for i in ids if i != remove]
    move = request.POST.get("up", "")
    if move in ids and ids.index(move) > 0:
        n = ids.index(move)
        ids[n - 1], ids[n] = ids[n], ids[n - 1]
    try:
        actions.set_cases(bulletin, practice_ids=[int(i) for i in ids], acting_user=request.user)
    except ValidationError as error:
        messages.error(request, _errors(error))
    return redirect("bulletins:bulletin_detail", campaign.slug, bulletin.pk)


@require_POST
@campaign_view
def bulletin_act(request, campaign, access, pk, what):
    bulletin = _bulletin(campaign, access, pk)
    target = bulletin
    try:
        if what == "sign-off":
            actions.sign_off(bulletin, acting_user=request.user)
            messages.success(request, _("Signed off. It can now be published."))
        elif what == "withdraw":
            actions.withdraw_sign_off(bulletin, reason=request.POST.get("reason", ""), acting_user=request.user)
            messages.success(request, _("Back in preparation."))
        elif what == "publish":
            actions.publish_bulletin(bulletin, acting_user=request.user)
            messages.success(request, _("Published: the units are told."))
        elif what == "erratum":
            target = actions.issue_erratum(bulletin, text=request.POST.get("text", ""), acting_user=request.user)
            messages.success(request, _("An erratum issue is in preparation."))
        elif what == "read":
            actions.confirm_read(bulletin, acting_user=request.user)
            messages.success(request, _("Thank you: your unit's reading is recorded."))
        else:
            raise Http404
    except ValidationError as error:
        messages.error(request, _errors(error))
    return redirect("bulletins:bulletin_detail", campaign.slug, target.pk)


def _download(data: bytes | str, name: str, content_type: str) -> HttpResponse:
    response = download_response(data, name, fallback=f"bulletin.{name.rpartition('.')[2]}")
    response["Content-Type"] = content_type
    return response


@require_GET
@campaign_view
def bulletin_download(request, campaign, access, pk, fmt):
    bulletin = _bulletin(campaign, access, pk)
    return _render_format(bulletin, fmt)


def _render_format(bulletin, fmt: str) -> HttpResponse:
    if fmt == "pdf":
        return _download(outputs.bulletin_pdf(bulletin), outputs.filename(bulletin, "pdf"), "application/pdf")
    if fmt == "docx":
        return _download(
            outputs.bulletin_docx(bulletin),
            outputs.filename(bulletin, "docx"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
    if fmt == "wechat":
        return _download(
            outputs.bulletin_wechat(bulletin), outputs.filename(bulletin, "html"), "text/html; charset=utf-8"
        )
    raise Http404


# The public site ---------------------------------------------------------------------------------


def _public_campaign(slug) -> Campaign:
    return get_object_or_404(Campaign, slug=slug)


def public_bulletins(request, slug):
    """Published issues by year, and the published cases."""
    campaign = _public_campaign(slug)
    years: dict[int, list] = {}
    for bulletin in Bulletin.objects.filter(campaign=campaign, status=Bulletin.Status.PUBLISHED).order_by(
        "-year", "-number"
    ):
        years.setdefault(bulletin.year, []).append(bulletin)
    cases = Practice.objects.filter(campaign=campaign).published().select_related("unit").order_by("-published_at")
    return render(
        request,
        "bulletins/public_index.html",
        {"pc": campaign, "years": sorted(years.items(), reverse=True), "cases": cases[:50], "public": True},
    )


def _public_bulletin(slug, year, number) -> Bulletin:
    campaign = _public_campaign(slug)
    return get_object_or_404(
        Bulletin.objects.select_related("campaign", "signed_by"),
        campaign=campaign,
        year=year,
        number=number,
        status=Bulletin.Status.PUBLISHED,
    )


def public_bulletin(request, slug, year, number):
    bulletin = _public_bulletin(slug, year, number)
    return render(
        request,
        "bulletins/public_bulletin.html",
        {"pc": bulletin.campaign, "content": outputs.issue_content(bulletin, images="public"), "public": True},
    )


@require_GET
def public_bulletin_pdf(request, slug, year, number):
    return _render_format(_public_bulletin(slug, year, number), "pdf")


def _public_practice(slug, pk) -> Practice:
    campaign = _public_campaign(slug)
    return get_object_or_404(
        Practice.objects.select_related("unit", "campaign"), campaign=campaign, pk=pk, status=Practice.Status.PUBLISHED
    )


def public_practice(request, slug, pk):
    practice = _public_practice(slug, pk)
    return render(
        request,
        "bulletins/public_practice.html",
        {"pc": practice.campaign, "content": outputs.case_content(practice, images="public"), "public": True},
    )


@require_POST
def public_practice_read(request, slug, pk):
    _count_reading(request, _public_practice(slug, pk))
    return HttpResponse(status=204)


@require_GET
def public_photo(request, slug, pk, photo):
    practice = _public_practice(slug, pk)
    return _photo_response(get_object_or_404(PracticePhoto, practice=practice, pk=photo))


@require_GET
def public_feed(request, slug):
    """Atom: the published issues and cases, newest first."""
    campaign = _public_campaign(slug)
    link = request.build_absolute_uri(reverse("bulletins:public_bulletins", args=[slug]))
    feed = Atom1Feed(
        title=_("%(campaign)s: bulletins and good practice") % {"campaign": campaign.name},
        link=link,
        description="",
        language="zh-hans",
        feed_url=request.build_absolute_uri(),
    )
    entries = []
    for bulletin in Bulletin.objects.filter(campaign=campaign, status=Bulletin.Status.PUBLISHED).order_by(
        "-published_at"
    )[:30]:
        url = reverse("bulletins:public_bulletin", args=[slug, bulletin.year, bulletin.number])
        titles = "；".join(e.practice.title for e in bulletin.entries_in_order())
        entries.append(
            (bulletin.published_at, f"{bulletin.masthead} {bulletin.issue_label}", url, titles, f"b{bulletin.pk}")
        )
    for practice in (
        Practice.objects.filter(campaign=campaign).published().select_related("unit").order_by("-published_at")[:30]
    ):
        url = reverse("bulletins:public_practice", args=[slug, practice.pk])
        text = practice.summary or richtext.plain_text(practice.body)[:300]
        entries.append((practice.published_at, practice.title, url, text, f"p{practice.pk}"))
    for published, title, url, text, key in sorted(entries, key=lambda e: e[0], reverse=True):
        absolute = request.build_absolute_uri(url)
        feed.add_item(
            title=title,
            link=absolute,
            description=text,
            pubdate=published,
            updateddate=published,
            unique_id=f"{absolute}#{key}",
        )
    return HttpResponse(feed.writeString("utf-8"), content_type="application/atom+xml; charset=utf-8")
