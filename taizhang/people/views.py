import io
import string

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from taizhang.campaigns.decorators import campaign_view
from taizhang.campaigns.models import Campaign
from taizhang.history.recording import history_for
from taizhang.ledger.forms import ItemForm
from taizhang.ledger.models import Item, ProgressEntry, Status
from taizhang.lib import client
from taizhang.lib.forms import apply_errors
from taizhang.lib.media import file_response
from taizhang.lib.params import id_list_param
from taizhang.lib.text import search_key

from . import actions, queries, ratings
from .forms import (
    AnswerForm,
    BallotCountForm,
    DemandFilterForm,
    DemandForm,
    LinkForm,
    MergeForm,
    ObjectionForm,
    PublicFilterForm,
    RatingForm,
    StaffDemandForm,
    SurveyUploadForm,
    TrackForm,
)
from .models import Demand, PeopleSettings, RatingBallot, RatingInvitation, normalise_code
from .survey import SurveyError, import_survey

RATINGS_PER_ADDRESS_PER_HOUR = 30
# Wrong ballot codes an address may try on one item in an hour: guessing one of 30^8 codes stays hopeless.
WRONG_CODES_PER_ADDRESS_PER_HOUR = 20


def ip_hash(request) -> str:
    """The address as a salted hash: enough to count submissions, not enough to find the person."""
    return client.address_hash(request)


def _over_rate_limit(request, campaign) -> bool:
    limit = PeopleSettings.for_campaign(campaign).submissions_per_hour
    return client.hit(f"people:submit:{ip_hash(request)}", limit=limit, window=3600)


def _over_rating_limit(request, item) -> bool:
    """An address may rate one item only so often (a canteen's Wi-Fi is one address)."""
    return client.hit(f"people:rate:{item.pk}:{ip_hash(request)}", limit=RATINGS_PER_ADDRESS_PER_HOUR, window=3600)


def _wrong_code(request, item) -> bool:
    key = f"people:badcode:{item.pk}:{ip_hash(request)}"
    return client.hit(key, limit=WRONG_CODES_PER_ADDRESS_PER_HOUR, window=3600)


# The public: submit, follow, rate ---------------------------------------------------


def demand_new(request, slug):
    """The public form: no login, a honeypot, a per-address limit."""
    campaign = get_object_or_404(Campaign, slug=slug, is_active=True)
    sent_key = f"people:sent:{campaign.pk}"
    if request.method == "GET" and request.GET.get("sent") and request.session.get(sent_key):
        # The confirmation after the redirect: a refresh shows it again and sends nothing twice.
        demand = Demand.objects.filter(campaign=campaign, tracking_code=request.session[sent_key]).first()
        return render(request, "people/demand_thanks.html", {"pc": campaign, "demand": demand})
    # Bound on every POST, an empty one too: the rate limit adds its error to the form.
    posted = request.method == "POST"
    form = DemandForm(request.POST if posted else None, request.FILES if posted else None, campaign=campaign)
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
                request.session[sent_key] = demand.tracking_code
                return redirect(f"{reverse('people:demand_new', args=[campaign.slug])}?sent=1")
        if form.errors and status == 200:
            status = 400
    return render(request, "people/demand_form.html", {"pc": campaign, "form": form}, status=status)


# Typing a few letters asks once per pause; a script asking faster than a person types is turned away.
UNIT_SEARCHES_PER_MINUTE = 60


@require_GET
def public_unit_search(request, slug):
    """The public form's unit picker: names of the open campaign's units only, limited per address."""
    campaign = get_object_or_404(Campaign, slug=slug, is_active=True)
    if client.hit(f"people:units:{client.address_hash(request)}", limit=UNIT_SEARCHES_PER_MINUTE, window=60):
        return JsonResponse({"results": [], "error": _("Too many searches. Please wait a minute.")}, status=429)
    q = request.GET.get("q", "")[:100]
    return JsonResponse({"results": queries.public_unit_choices(campaign, q)})


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


TOKEN_CHARACTERS = set(string.ascii_letters + string.digits + "-_")


def _invitation_or_404(slug: str, token: str) -> RatingInvitation:
    """The rating page exists only for an item the office put up for rating, found by its link's token."""
    if len(token) > 40 or not set(token) <= TOKEN_CHARACTERS:
        raise Http404
    return get_object_or_404(
        RatingInvitation.objects.select_related("item__owner_unit", "item__campaign").exclude(
            item__status=Status.WITHDRAWN
        ),
        item__campaign__slug=slug,
        token=token,
        closed_at__isnull=True,
    )


def _rating_page(request, *, campaign, item, form, status, context):
    context = {"pc": campaign, "item": item, "form": form, "can_rate": actions.can_be_rated(item), **context}
    if form.errors and status == 200:
        status = 400
    return render(request, "people/rate.html", context, status=status)


def rate(request, slug, token):
    """Rate with one of the codes handed out with the item's QR code: one code, one rating."""
    invitation = _invitation_or_404(slug, token)
    item, campaign = invitation.item, invitation.item.campaign
    form = RatingForm(request.POST or None, initial={"ballot": request.GET.get("ballot", "")}, with_ballot=True)
    status = 200
    if request.method == "POST":
        if _over_rating_limit(request, item):
            form.add_error(None, _("Too many ratings from this address. Please try again in an hour."))
            status = 429
        elif form.is_valid():
            code = normalise_code(form.cleaned_data["ballot"])
            ballot = RatingBallot.objects.filter(invitation=invitation, code=code).select_related("invitation").first()
            if ballot is None:
                if _wrong_code(request, item):
                    form.add_error(None, _("Too many wrong codes from this address. Please try again in an hour."))
                    status = 429
                else:
                    form.add_error("ballot", _("This code is not valid for this item. Check the slip and try again."))
            else:
                try:
                    actions.rate_item(
                        item,
                        value=form.cleaned_data["value"],
                        comment=form.cleaned_data["comment"],
                        ballot=ballot,
                        ip_hash=ip_hash(request),
                    )
                except ValidationError as error:
                    apply_errors(form, error)
                else:
                    messages.success(request, _("Thank you for your rating."))
                    return redirect("people:rate", slug=campaign.slug, token=invitation.token)
    return _rating_page(request, campaign=campaign, item=item, form=form, status=status, context={})


def track_rate(request, code, pk):
    """The submitter of one of the item's problems rates it by their tracking code (no ballot needed)."""
    demand = get_object_or_404(Demand.objects.select_related("duplicate_of"), tracking_code=normalise_code(code))
    item = next((i for i in queries.demand_items(demand) if i.pk == pk), None)
    if item is None:
        raise Http404
    item = Item.objects.select_related("owner_unit", "campaign").get(pk=item.pk)
    already = item.ratings.filter(voter=f"demand:{demand.pk}").exists()
    form = RatingForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            actions.rate_item(
                item,
                value=form.cleaned_data["value"],
                comment=form.cleaned_data["comment"],
                demand=demand,
                ip_hash=ip_hash(request),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Thank you for your rating."))
            return redirect("people:track", code=demand.tracking_code)
    return _rating_page(
        request, campaign=item.campaign, item=item, form=form, status=status, context={"already": already}
    )


def _qr_svg(url: str) -> HttpResponse:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    buffer = io.BytesIO()
    image.save(buffer)
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


def rate_qr(request, slug, token):
    """A printable QR code (SVG, no Pillow needed) of the item's rating link, with a slip's code when given."""
    invitation = _invitation_or_404(slug, token)
    url = request.build_absolute_uri(reverse("people:rate", args=[slug, invitation.token]))
    ballot = normalise_code(request.GET.get("ballot", ""))[:20]
    if ballot:
        url += f"?ballot={ballot}"
    return _qr_svg(url)


SLIPS_ON_A_PAGE = 500


@campaign_view
def item_rating(request, campaign, access, pk):
    """The office puts an item up for rating, prints the slips (QR + one code each), or closes it."""
    access.require(access.is_office, _("Only the campaign office puts items up for rating."))
    item = get_object_or_404(Item, campaign=campaign, pk=pk)
    form = BallotCountForm(request.POST or None)
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("close"):
                ratings.close_rating(item, acting_user=request.user)
                messages.success(request, _("Rating closed."))
                return redirect("people:item_rating", slug=campaign.slug, pk=item.pk)
            if form.is_valid():
                ratings.open_rating(item, ballots=form.cleaned_data["count"], acting_user=request.user)
                messages.success(request, _("The codes are ready to print."))
                return redirect("people:item_rating", slug=campaign.slug, pk=item.pk)
        except ValidationError as error:
            apply_errors(form, error)
        status = 400
    invitation = ratings.rating_invitation(item)
    unused = invitation.ballots.filter(used_at__isnull=True) if invitation else RatingBallot.objects.none()
    context = {
        "campaign": campaign,
        "access": access,
        "item": item,
        "form": form,
        "invitation": invitation,
        "unused": unused[:SLIPS_ON_A_PAGE],
        "unused_count": unused.count(),
        "used_count": invitation.ballots.filter(used_at__isnull=False).count() if invitation else 0,
        "rate_url": request.build_absolute_uri(reverse("people:rate", args=[campaign.slug, invitation.token]))
        if invitation
        else "",
    }
    return render(request, "people/item_rating.html", context, status=status)


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
            # Published and put up for rating: the page links to the rating (a slip's code is still needed).
            "rating_token": RatingInvitation.objects.filter(item=item, closed_at__isnull=True)
            .values_list("token", flat=True)
            .first(),
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
    ids = id_list_param(request, "d", data=request.POST if request.method == "POST" else request.GET)
    demands = list(Demand.objects.filter(campaign=campaign, pk__in=ids).order_by("created_at", "id"))
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


# Staff: publication on an item (acceptance and closing: taizhang.acceptance.views) -------------------------------


def _get_item(campaign, pk) -> Item:
    return get_object_or_404(Item.objects.select_related("campaign", "owner_unit"), campaign=campaign, pk=pk)


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


@campaign_view
def demand_photo(request, campaign, access, pk):
    access.require(access.is_office, _("Only the campaign office works through the problems."))
    demand = get_object_or_404(Demand, campaign=campaign, pk=pk)
    if not demand.photo:
        return HttpResponse(status=404)
    return file_response(demand.photo, filename=f"{demand.tracking_code}-photo", inline_images=True)


# The people's-side settings and API keys (the office only) ----------------------------


@campaign_view
def people_settings(request, campaign, access):
    """Look-back days, objection window, public submission limit, and the Open311 API keys."""
    from .forms import PeopleSettingsForm

    if not access.is_office:
        raise PermissionDenied(_("Only the campaign office changes these settings."))
    current = PeopleSettings.objects.filter(campaign=campaign).first() or PeopleSettings(campaign=campaign)
    form = PeopleSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        actions.save_people_settings(campaign, data=form.cleaned_data, acting_user=request.user)
        messages.success(request, _("Saved."))
        return redirect("people:settings", slug=campaign.slug)
    return _settings_page(request, campaign, access, form, current, status=400 if request.method == "POST" else 200)


def _settings_page(request, campaign, access, form, current, *, status=200, new_key=None, secret=None):
    from .models import ApiKey

    return render(
        request,
        "people/settings.html",
        {
            "campaign": campaign,
            "access": access,
            "form": form,
            "keys": ApiKey.objects.filter(campaign=campaign).order_by("name"),
            "history": history_for(current) if current.pk else [],
            "new_key": new_key,
            "secret": secret,
        },
        status=status,
    )


@campaign_view
@require_POST
def api_key_new(request, campaign, access):
    """Make a key: the answer shows its secret once (only its hash is kept; not carried in a message cookie)."""
    from .forms import PeopleSettingsForm

    if not access.is_office:
        raise PermissionDenied(_("Only the campaign office manages API keys."))
    try:
        key, secret = actions.create_api_key(campaign, name=request.POST.get("name", ""), acting_user=request.user)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return redirect("people:settings", slug=campaign.slug)
    current = PeopleSettings.objects.filter(campaign=campaign).first() or PeopleSettings(campaign=campaign)
    form = PeopleSettingsForm(instance=current)
    return _settings_page(request, campaign, access, form, current, new_key=key, secret=secret)


@campaign_view
@require_POST
def api_key_active(request, campaign, access, pk):
    from .models import ApiKey

    if not access.is_office:
        raise PermissionDenied(_("Only the campaign office manages API keys."))
    key = get_object_or_404(ApiKey, campaign=campaign, pk=pk)
    actions.set_api_key_active(key, active=request.POST.get("active") == "1", acting_user=request.user)
    messages.success(request, _("Saved."))
    return redirect("people:settings", slug=campaign.slug)
