"""People and roles of a campaign on pages (the office only): users, role grants, contact points, an import.

The writes are :mod:`taizhang.orgs.accounts`; the pages live here because they are a campaign's
(campaigns is above orgs). A liaison, a leader or anyone else is refused every one of them.
"""

import datetime

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from taizhang.lib.forms import apply_errors
from taizhang.lib.paging import IdPaginator
from taizhang.lib.xlsxread import SpreadsheetError, read_workbook
from taizhang.orgs import accounts
from taizhang.orgs.models import ContactPoint, RoleGrant, User

from .decorators import campaign_view
from .forms import ContactPointForm, GrantForm, UserCreateForm, UsersUploadForm


def _office(access) -> None:
    if not access.is_office:
        raise PermissionDenied(_("Only the campaign office manages people and roles."))


@campaign_view
def people_list(request, campaign, access):
    """Everyone with a role in the campaign (or, searched, anyone), 50 a page, with their grants here."""
    _office(access)
    q = request.GET.get("q", "").strip()[:100]
    people = User.objects.filter(is_active=True).exclude(username__startswith="system:")
    if q:
        people = people.filter(Q(name__icontains=q) | Q(username__icontains=q) | Q(phone__icontains=q))
    else:
        people = people.filter(grants__campaign=campaign).distinct()
    people = people.select_related("unit").prefetch_related(
        Prefetch("grants", queryset=RoleGrant.objects.filter(campaign=campaign).select_related("unit"), to_attr="here")
    )
    page = IdPaginator(people.order_by("name", "username"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "campaigns/people_list.html",
        {
            "campaign": campaign,
            "access": access,
            "page": page,
            "q": q,
            "grant_form": GrantForm(campaign=campaign),
            "without_password": accounts.needs_first_sign_in(campaign).count(),
        },
    )


@campaign_view
def person_new(request, campaign, access):
    _office(access)
    form = UserCreateForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            user = accounts.create_user(
                campaign=campaign,
                data=form.user_data(),
                password=form.cleaned_data["password"],
                role=form.cleaned_data["role"],
                role_unit=form.cleaned_data["role_unit"],
                acting_user=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("%(name)s added.") % {"name": user.display_name})
            return redirect("campaigns:people", slug=campaign.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "campaigns/person_form.html", {"campaign": campaign, "form": form}, status=status)


@campaign_view
def people_import(request, campaign, access):
    """Upload users (姓名 | 单位 | 手机 | 角色 | 邮箱): all rows or none, every problem listed."""
    _office(access)
    form = UsersUploadForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            workbook = read_workbook(upload.read(), upload.name)
            rows = workbook.sheets[0].rows if workbook.sheets else []
            plan = accounts.import_users(rows, campaign=campaign, acting_user=request.user)
        except SpreadsheetError as error:
            errors = [str(error)]
        except ValidationError as error:
            errors = error.messages
        else:
            made = sum(1 for row in plan.rows if row.existing is None)
            messages.success(
                request,
                _("Users imported: %(created)d added, %(known)d already known.")
                % {"created": made, "known": len(plan.rows) - made},
            )
            return redirect("campaigns:people", slug=campaign.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "campaigns/people_import.html",
        {"campaign": campaign, "form": form, "errors": errors[:200], "more": max(0, len(errors) - 200)},
        status=status,
    )


@campaign_view
@require_POST
def people_grant(request, campaign, access):
    _office(access)
    form = GrantForm(request.POST, campaign=campaign)
    if form.is_valid():
        try:
            made = accounts.grant_roles(
                campaign=campaign,
                users=form.cleaned_data["users"],
                role=form.cleaned_data["role"],
                units=list(form.cleaned_data["units"]),
                acting_user=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("%(n)d roles granted.") % {"n": made})
            return redirect("campaigns:people", slug=campaign.slug)
    return render(
        request,
        "campaigns/people_list.html",
        {"campaign": campaign, "access": access, "page": None, "q": "", "grant_form": form},
        status=400,
    )


@campaign_view
@require_POST
def grant_revoke(request, campaign, access, pk):
    _office(access)
    grant = get_object_or_404(RoleGrant.objects.select_related("user", "unit", "campaign"), campaign=campaign, pk=pk)
    accounts.revoke_grant(grant, acting_user=request.user)
    messages.success(request, _("Role revoked: %(grant)s") % {"grant": grant})
    return redirect("campaigns:people", slug=campaign.slug)


@campaign_view
def contact_points(request, campaign, access):
    """Leaders and the units they look after (联系点), and a form to add more."""
    _office(access)
    form = ContactPointForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        made = accounts.add_contact_points(
            campaign=campaign,
            leader=form.cleaned_data["leader"],
            units=list(form.cleaned_data["units"]),
            note_text=form.cleaned_data["note"],
            acting_user=request.user,
        )
        messages.success(request, _("%(n)d contact points added.") % {"n": made})
        return redirect("campaigns:contact_points", slug=campaign.slug)
    points = ContactPoint.objects.filter(campaign=campaign).select_related("leader", "unit")
    page = IdPaginator(points.order_by("leader__name", "unit__path"), 100).get_page(request.GET.get("page"))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "campaigns/contact_points.html",
        {"campaign": campaign, "access": access, "form": form, "page": page},
        status=status,
    )


@campaign_view
@require_POST
def contact_point_remove(request, campaign, access, pk):
    _office(access)
    point = get_object_or_404(
        ContactPoint.objects.select_related("leader", "unit", "campaign"), campaign=campaign, pk=pk
    )
    accounts.remove_contact_point(point, acting_user=request.user)
    messages.success(request, _("Contact point removed."))
    return redirect("campaigns:contact_points", slug=campaign.slug)


def _qr_svg(url: str) -> str:
    """The link as a QR code, inline on the sheet (a phone's camera opens it); markup made here, not typed."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=6)
    return mark_safe(image.to_string(encoding="unicode"))


@never_cache
@campaign_view
@require_POST
def sign_in_links(request, campaign, access):
    """A printable sheet of one-time first sign-in links: for the people named (``users``), or for everyone
    of the campaign imported without a password. The links are on this answer only (the database keeps
    their hashes); printing the sheet again issues new ones and the old ones stop working."""
    _office(access)
    chosen = accounts.needs_first_sign_in(campaign)
    ids = [value for value in request.POST.getlist("users") if value.isdigit()][:1000]
    if request.POST.getlist("users"):
        chosen = chosen.filter(pk__in=ids)
    people = list(chosen.select_related("unit")[: accounts.IMPORT_MAX_ROWS])
    if not people:
        messages.info(request, _("Everyone named here can already sign in."))
        return redirect("campaigns:people", slug=campaign.slug)
    try:
        issued = accounts.issue_sign_in_links(campaign=campaign, users=people, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("campaigns:people", slug=campaign.slug)
    rows = [
        {"person": user, "link": link, "qr": _qr_svg(link)}
        for user, link in ((u, request.build_absolute_uri(reverse("orgs:first_sign_in", args=[t]))) for u, t in issued)
    ]
    expires = timezone.localtime(timezone.now()) + datetime.timedelta(days=accounts.SIGN_IN_LINK_DAYS)
    return render(request, "campaigns/sign_in_sheet.html", {"campaign": campaign, "rows": rows, "expires": expires})
