import hashlib
import io
import secrets

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from taizhang.campaigns.decorators import campaign_view
from taizhang.campaigns.models import Campaign
from taizhang.ledger.forms import ItemForm
from taizhang.ledger.models import Item, ProgressEntry, Status
from taizhang.lib.forms import apply_errors
from taizhang.lib.media import file_response
from taizhang.lib.text import search_key

from . import actions, queries
from .forms import (
    AcceptanceForm,
    AnswerForm,
    CloseForm,
    DemandFilterForm,
    DemandForm,
    LinkForm,
    LookBackForm,
    MergeForm,
    ObjectionForm,
    PublicFilterForm,
    RatingForm,
    ReasonForm,
    StaffDemandForm,
    SurveyUploadForm,
    TrackForm,
)
from .models import AcceptanceAttachment, Demand, LookBack, PeopleSettings, normalise_code
from .survey import SurveyError, import_survey

VOTER_COOKIE = "tz_voter"


def ip_hash(request) -> str:
    """The address as a salted hash: enough to count submissions, not enough to find the person."""
    address = request.META.get("REMOTE_ADDR", "")
    return hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()


def _over_rate_limit(request, campaign) -> bool:
    limit = PeopleSettings.for_campaign(campaign).submissions_per_hour
    key = f"people:submit:{ip_hash(request)}"
    cache.add(key, 0, 3600)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, 3600)
        count = 1
    return count > limit


RATINGS_PER_ADDRESS_PER_HOUR = 30


def _over_rating_limit(request, item) -> bool:
    """A cookie is easy to clear: an address may rate one item only so often (a canteen's Wi-Fi is one address)."""
    key = f"people:rate:{item.pk}:{ip_hash(request)}"
    cache.add(key, 0, 3600)
    try:
        return cache.incr(key) > RATINGS_PER_ADDRESS_PER_HOUR
    except ValueError:
        return False


# The public: submit, follow, rate ---------------------------------------------------


def demand_new(request, slug):
    """The public form: no login, a honeypot, a per-address limit."""
    campaign = get_object_or_404(Campaign, slug=slug, is_active=True)
    form = DemandForm(request.POST or None, request.FILES or None, campaign=campaign)
    status = 200
    if request.method == "POST":
        if request.POST.get("website"):
            # A bot filled the hidden field: look like success, keep nothing.
            return render(request, "people/demand_thanks.html", {"pc": campaign, "demand": None})
        if _over_rate_limit(request, campaign):
            form.add_error(None, _("Too many problems sent from this address. Please try again in an hour."))
            status = 429
        elif form.is_valid():
            try:
                demand = actions.submit_demand(
                    campaign=campaign, data=form.demand_data(), photo=form.cleaned_data.get("photo")
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                return render(request, "people/demand_thanks.html", {"pc": campaign, "demand": demand})
        if form.errors and status == 200:
            status = 400
    return render(request, "people/demand_form.html", {"pc": campaign, "form": form}, status=status)


def track_lookup(request):
    form = TrackForm(request.GET or None)
    if form.is_bound and form.is_valid():
        code = normalise_code(form.cleaned_data["code"])
        if Demand.objects.filter(tracking_code=code).exists():
            return redirect("people:track", code=code)
        form.add_error("code", _("No problem has this tracking code. Check it and try again."))
    return render(request, "people/track_lookup.html", {"form": form}, status=404 if form.errors else 200)


def track(request, code):
    """What the submitter sees by the code: status, reply, the item it became, a request to rate. No personal data."""
    demand = get_object_or_404(
        Demand.objects.select_related("campaign", "category", "duplicate_of"), tracking_code=normalise_code(code)
    )
    rows = []
    for item in queries.demand_items(demand):
        rated = item.ratings.filter(voter=f"demand:{demand.pk}").first()
        rows.append(
            {
                "item": item,
                "accepted": queries.item_accepted(item),
                "can_rate": actions.can_be_rated(item) and rated is None,
                "rated": rated,
                "public_entries": item.progress_entries.only("as_of", "percent", "done")[:10],
            }
        )
    return render(request, "people/track.html", {"demand": demand, "pc": demand.campaign, "rows": rows})


def _voter(request, item: Item) -> tuple[str, Demand | None, str | None]:
    """Who is rating: the submitter of one of the item's problems (by code), or a browser (by signed cookie)."""
    code = normalise_code(request.GET.get("code") or request.POST.get("code") or "")
    if code:
        demand = Demand.objects.filter(tracking_code=code).select_related("duplicate_of").first()
        if demand and item in queries.demand_items(demand):
            return f"demand:{demand.pk}", demand, None
    token = request.get_signed_cookie(VOTER_COOKIE, default=None, salt="people.voter")
    new_token = None
    if not token:
        token = new_token = secrets.token_urlsafe(18)
    return "cookie:" + hashlib.sha256(token.encode()).hexdigest()[:40], None, new_token


def rate(request, slug, pk):
    campaign = get_object_or_404(Campaign, slug=slug)
    item = get_object_or_404(Item.objects.select_related("owner_unit", "campaign"), campaign=campaign, pk=pk)
    voter, demand, new_token = _voter(request, item)
    already = item.ratings.filter(voter=voter).exists()
    form = RatingForm(request.POST or None)
    status = 200
    if request.method == "POST" and demand is None and _over_rating_limit(request, item):
        form.add_error(None, _("Too many ratings from this address. Please try again in an hour."))
        status = 429
    elif request.method == "POST" and form.is_valid():
        try:
            actions.rate_item(
                item,
                value=form.cleaned_data["value"],
                comment=form.cleaned_data["comment"],
                voter=voter,
                demand=demand,
                ip_hash=ip_hash(request),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Thank you for your rating."))
            target = (
                reverse("people:track", args=[demand.tracking_code])
                if demand
                else reverse("people:rate", args=[campaign.slug, item.pk])
            )
            response = redirect(target)
            if new_token:
                _set_voter_cookie(response, new_token)
            return response
    if form.errors and status == 200:
        status = 400
    context = {
        "pc": campaign,
        "item": item,
        "form": form,
        "already": already,
        "can_rate": actions.can_be_rated(item),
        "code": demand.tracking_code if demand else "",
    }
    response = render(request, "people/rate.html", context, status=status)
    if new_token:
        _set_voter_cookie(response, new_token)
    return response


def _set_voter_cookie(response, token: str) -> None:
    response.set_signed_cookie(
        VOTER_COOKIE, token, salt="people.voter", max_age=3 * 365 * 86400, httponly=True, samesite="Lax"
    )


def rate_qr(request, slug, pk):
    """A printable QR code (SVG, no Pillow needed) of the item's rating link."""
    campaign = get_object_or_404(Campaign, slug=slug)
    item = get_object_or_404(Item, campaign=campaign, pk=pk)
    url = request.build_absolute_uri(reverse("people:rate", args=[campaign.slug, item.pk]))
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    buffer = io.BytesIO()
    image.save(buffer)
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


# The public page (公示) -------------------------------------------------------------


def public_list(request, slug):
    campaign = get_object_or_404(Campaign, slug=slug)
    form = PublicFilterForm(request.GET or None, campaign=campaign)
    items = (
        Item.objects.filter(campaign=campaign, publication__isnull=False)
        .exclude(status=Status.WITHDRAWN)
        .select_related("owner_unit", "category", "publication")
        .order_by("code")
    )
    if form.is_bound and form.is_valid():
        if form.cleaned_data.get("category"):
            items = items.filter(category=form.cleaned_data["category"])
        if form.cleaned_data.get("unit"):
            items = items.in_unit(form.cleaned_data["unit"])
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "people/public_list.html",
        {"pc": campaign, "form": form, "page": page, "today": actions.today(), "public": True},
    )


def public_item(request, slug, pk):
    campaign = get_object_or_404(Campaign, slug=slug)
    item = get_object_or_404(
        Item.objects.select_related("owner_unit", "category", "publication").exclude(status=Status.WITHDRAWN),
        campaign=campaign,
        pk=pk,
        publication__isnull=False,
    )
    # Only what was done and when: never who reported it.
    entries = ProgressEntry.objects.filter(item=item).only("as_of", "percent", "done", "created_at")
    open_for_objection = item.publication.objection_open(actions.today())
    form = ObjectionForm(request.POST or None) if open_for_objection else None
    sent = None
    status = 200
    if request.method == "POST":
        if not open_for_objection:
            return render(request, "403.html", status=403)
        if request.POST.get("website"):
            sent = True
        elif _over_rate_limit(request, campaign):
            form.add_error(None, _("Too many problems sent from this address. Please try again in an hour."))
            status = 429
        elif form.is_valid():
            try:
                sent = actions.submit_objection(item, data=form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
        if form.errors and status == 200:
            status = 400
    return render(
        request,
        "people/public_item.html",
        {
            "pc": campaign,
            "item": item,
            "entries": entries,
            "form": form,
            "sent": sent,
            "summary": actions.rating_summary(item),
            "public": True,
        },
        status=status,
    )


# Staff: record, upload, triage ------------------------------------------------------


@campaign_view
def demand_record(request, campaign, access):
    access.require(access.is_office or access.is_leader, _("Only the campaign office and leaders record demands."))
    form = StaffDemandForm(request.POST or None, request.FILES or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            demand = actions.submit_demand(
                campaign=campaign,
                data=form.demand_data(),
                photo=form.cleaned_data.get("photo"),
                acting_user=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Problem %(code)s recorded.") % {"code": demand.tracking_code})
            return redirect("people:demand_record", slug=campaign.slug)
    return render(
        request,
        "people/demand_record.html",
        {"campaign": campaign, "access": access, "form": form},
        status=400 if form.errors else 200,
    )


@campaign_view
def demand_upload(request, campaign, access):
    access.require(access.is_office, _("Only the campaign office uploads surveys."))
    form = SurveyUploadForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            created = import_survey(
                campaign, form.cleaned_data["file"], channel=form.cleaned_data["channel"], acting_user=request.user
            )
        except SurveyError as error:
            errors = error.errors
        else:
            messages.success(request, _("%(n)d problems imported.") % {"n": len(created)})
            return redirect("people:demand_list", slug=campaign.slug)
    return render(
        request,
        "people/demand_upload.html",
        {"campaign": campaign, "access": access, "form": form, "errors": errors},
        status=400 if (errors or form.errors) else 200,
    )


@campaign_view
def demand_list(request, campaign, access):
    access.require(access.is_office, _("Only the campaign office works through the problems."))
    form = DemandFilterForm(request.GET or None)
    demands = Demand.objects.filter(campaign=campaign).select_related("category", "unit")
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data.get("status"):
            demands = demands.filter(status=data["status"])
        if data.get("channel"):
            demands = demands.filter(channel=data["channel"])
        for word in search_key(data.get("q") or "").split():
            demands = demands.filter(search_text__contains=word)
    page = Paginator(demands, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "people/demand_list.html",
        {
            "campaign": campaign,
            "access": access,
            "form": form,
            "page": page,
            "counts": queries.counts_by_channel_and_category(campaign),
            "lookbacks_due": LookBack.objects.filter(
                item__campaign=campaign, done_on__isnull=True, due_on__lte=actions.today()
            ).select_related("item"),
        },
    )


def _get_demand(campaign, pk) -> Demand:
    return get_object_or_404(
        Demand.objects.select_related("category", "unit", "duplicate_of", "recorded_by", "objection_to"),
        campaign=campaign,
        pk=pk,
    )


def _item_initial(demands: list[Demand]) -> dict:
    first = demands[0]
    title = first.text.splitlines()[0][:100]
    return {
        "title": title,
        "content": "\n\n".join(d.text for d in demands),
        "category": first.category_id,
        "owner_unit": first.unit_id,
        "weight": 1,
        "scope": "inside",
    }


@campaign_view
def demand_detail(request, campaign, access, pk):
    access.require(access.is_office, _("Only the campaign office works through the problems."))
    demand = _get_demand(campaign, pk)
    context = {
        "campaign": campaign,
        "access": access,
        "demand": demand,
        "similar_demands": queries.similar_demands(demand),
        "similar_items": queries.similar_items(demand),
        "items": demand.items.select_related("owner_unit"),
        "link_form": LinkForm(campaign=campaign),
        "merge_form": MergeForm(),
        "answer_form": AnswerForm(initial={"reply": demand.reply}),
    }
    return render(request, "people/demand_detail.html", context)


@require_POST
@campaign_view
def demand_act(request, campaign, access, pk, what):
    """Link, merge or answer a demand from the triage page."""
    access.require(access.is_office, _("Only the campaign office works through the problems."))
    demand = _get_demand(campaign, pk)
    try:
        if what == "link":
            form = LinkForm(request.POST, campaign=campaign)
            if not form.is_valid():
                raise ValidationError(form.non_field_errors())
            actions.link_demand(demand, form.cleaned_data["item"], acting_user=request.user)
            messages.success(request, _("Linked to %(code)s.") % {"code": form.cleaned_data["item"].code})
        elif what == "merge":
            form = MergeForm(request.POST)
            code = normalise_code(request.POST.get("into", ""))
            into = Demand.objects.filter(campaign=campaign, tracking_code=code).first()
            if into is None:
                raise ValidationError(_("No problem of this campaign has this tracking code."))
            actions.merge_demand(demand, into=into, acting_user=request.user)
            messages.success(request, _("Merged with %(code)s.") % {"code": into.tracking_code})
        elif what == "answer":
            actions.answer_demand(demand, reply=request.POST.get("reply", ""), acting_user=request.user)
            messages.success(request, _("Answer sent."))
        else:
            return HttpResponse(status=404)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("people:demand_detail", slug=campaign.slug, pk=demand.pk)


@campaign_view
def item_from_demands(request, campaign, access):
    """Create an item from one or several demands (?d=1&d=2), pre-filled, keeping the link."""
    access.require(access.is_office, _("Only the campaign office can add items."))
    ids = request.POST.getlist("d") if request.method == "POST" else request.GET.getlist("d")
    demands = list(
        Demand.objects.filter(campaign=campaign, pk__in=[i for i in ids if str(i).isdigit()]).order_by(
            "created_at", "id"
        )
    )
    if not demands:
        messages.error(request, _("Choose at least one problem."))
        return redirect("people:demand_list", slug=campaign.slug)
    form = ItemForm(request.POST or None, campaign=campaign, initial=_item_initial(demands))
    if request.method == "POST" and form.is_valid():
        try:
            item = actions.create_item_from_demands(
                demands,
                data=form.item_data(),
                partner_units=form.cleaned_data["partner_units"],
                acting_user=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Item %(code)s added.") % {"code": item.code})
            return redirect("ledger:item_detail", slug=campaign.slug, pk=item.pk)
    return render(
        request,
        "people/item_from_demands.html",
        {"campaign": campaign, "access": access, "form": form, "demands": demands},
        status=400 if form.errors else 200,
    )


# Staff: acceptance, closing, publication on an item -------------------------------


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
        "people/item_accept.html",
        {"campaign": campaign, "access": access, "item": item, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
@campaign_view
def item_close(request, campaign, access, pk):
    access.require(access.is_office, _("Only the campaign office closes items."))
    item = _get_item(campaign, pk)
    form = CloseForm(request.POST)
    form.is_valid()
    try:
        actions.close_item(item, statement=form.cleaned_data.get("statement", ""), acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Item %(code)s closed.") % {"code": item.code})
    return redirect("ledger:item_detail", slug=campaign.slug, pk=item.pk)


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
def item_publish(request, campaign, access, pk):
    access.require(access.is_office, _("Only the campaign office publishes items."))
    item = _get_item(campaign, pk)
    try:
        if request.POST.get("unpublish"):
            actions.unpublish_item(item, acting_user=request.user)
        else:
            actions.publish_item(item, acting_user=request.user, for_objection=bool(request.POST.get("objection")))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Publication saved."))
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
        AcceptanceAttachment.objects.select_related("acceptance__item"), pk=pk, acceptance__item__campaign=campaign
    )
    return file_response(attachment.file, filename=attachment.name)


@campaign_view
def demand_photo(request, campaign, access, pk):
    access.require(access.is_office, _("Only the campaign office works through the problems."))
    demand = get_object_or_404(Demand, campaign=campaign, pk=pk)
    if not demand.photo:
        return HttpResponse(status=404)
    return file_response(demand.photo, filename=f"{demand.tracking_code}-photo", inline_images=True)
