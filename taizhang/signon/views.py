import base64
import io
import logging

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from taizhang.campaigns.decorators import campaign_view
from taizhang.lib.forms import apply_errors

from . import actions, directory, otp
from .forms import CodeForm, GroupRuleForm
from .models import GroupRule

logger = logging.getLogger(__name__)
DRY_RUN_ROWS = 500


# --- OIDC: mozilla-django-oidc's two views, behind the setting that switches OIDC on
def _oidc_on():
    if not settings.TAIZHANG_OIDC_ENABLED:
        raise Http404(_("Sign-in through the organisation's identity provider is not switched on."))


def oidc_start(request):
    _oidc_on()
    from mozilla_django_oidc.views import OIDCAuthenticationRequestView

    return OIDCAuthenticationRequestView.as_view()(request)


def oidc_callback(request):
    _oidc_on()
    from mozilla_django_oidc.views import OIDCAuthenticationCallbackView

    class Callback(OIDCAuthenticationCallbackView):
        def login_failure(self):
            messages.error(self.request, _("Sign-in through the organisation's account did not succeed."))
            return redirect("login")

    return Callback.as_view()(request)


# --- group → role mapping, per campaign (the office)
def _office(access):
    access.require(access.is_office, _("Only the campaign office maps directory groups to roles."))


def _entries(request) -> list:
    entries = {(e.source, e.external_id): e for e in directory.known_entries()}
    if settings.TAIZHANG_LDAP_ENABLED:
        from .ldap import directory_entries

        try:
            for entry in directory_entries():
                entries.setdefault((entry.source, entry.external_id), entry)
        except Exception:  # the directory down or refusing: the page still shows who signed in before
            logger.warning("the LDAP directory could not be listed for the dry run", exc_info=True)
            messages.warning(
                request, _("The directory could not be read; the dry run shows only people who signed in.")
            )
    return list(entries.values())


@campaign_view
def group_rules(request, campaign, access):
    """The campaign's group rules, a form to add one, and the dry run: who would get which role."""
    _office(access)
    rules = list(GroupRule.objects.filter(campaign=campaign).select_related("unit", "created_by"))
    form = GroupRuleForm(request.POST or None, campaign=campaign)
    trial = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                if request.POST.get("do") == "save":
                    actions.add_rule(campaign=campaign, acting_user=request.user, **data)
                    messages.success(request, _("Group rule saved."))
                    return redirect("signon:group_rules", slug=campaign.slug)
                trial = actions.build_rule(campaign=campaign, acting_user=request.user, **data)
                status = 200
            except ValidationError as error:
                apply_errors(form, error)
    rows = directory.dry_run(campaign, [*rules, *([trial] if trial else [])], _entries(request))
    return render(
        request,
        "signon/group_rules.html",
        {
            "campaign": campaign,
            "access": access,
            "rules": rules,
            "form": form,
            "trial": trial,
            "rows": rows[:DRY_RUN_ROWS],
            "more": max(0, len(rows) - DRY_RUN_ROWS),
            "changing": sum(1 for row in rows if row.changes),
        },
        status=status,
    )


@campaign_view
@require_POST
def group_rule_remove(request, campaign, access, pk):
    _office(access)
    rule = get_object_or_404(GroupRule.objects.select_related("campaign", "unit"), campaign=campaign, pk=pk)
    actions.remove_rule(rule, acting_user=request.user)
    messages.success(request, _("Group rule removed: %(rule)s") % {"rule": rule})
    return redirect("signon:group_rules", slug=campaign.slug)


# --- the second factor (TOTP) of local accounts
def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return ""


@login_required
def otp_verify(request):
    """The code a local account with an authenticator gives after its password."""
    if not user_has_device(request.user, confirmed=True):
        return redirect("signon:otp_setup")
    form = CodeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            device = match_token(request.user, form.cleaned_data["token"])
            if device is not None:
                otp_login(request, device)
                otp.settle(request)
                return redirect(_next(request) or settings.LOGIN_REDIRECT_URL)
            form.add_error("token", _("That code is not right, or too many codes were tried; wait and try again."))
    return render(request, "signon/otp_verify.html", {"form": form, "next": _next(request)}, status=status)


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg") :]  # without the XML declaration, to sit inside the page


@login_required
def otp_setup(request):
    """Set up an authenticator app: scan the code, give one code back; nothing is saved until the code is right."""
    if getattr(request.user, "is_system_actor", False) or not request.user.has_usable_password():
        raise Http404(_("Accounts that sign in through the directory use the organisation's own second factor."))
    has_device = user_has_device(request.user, confirmed=True)
    form = CodeForm(request.POST if request.method == "POST" else None)
    status = 200
    valid = form.is_valid()  # errors are added below only to a form that has been cleaned
    if request.method == "POST" and not has_device:
        status = 400
        key = request.session.get("signon_totp_key", "")
        if not key:
            form.add_error(None, _("The set-up expired; scan the new code below."))
        elif valid:
            try:
                device = actions.add_device(user=request.user, key=key, token=form.cleaned_data["token"])
            except ValidationError as error:
                apply_errors(form, error)
            else:
                request.session.pop("signon_totp_key", None)
                otp_login(request, device)
                otp.settle(request)
                messages.success(request, _("Your authenticator app is set up: you will be asked for a code at login."))
                return redirect(_next(request) or settings.LOGIN_REDIRECT_URL)
    elif request.method == "POST":
        status = 400
        form.add_error(None, _("You already have an authenticator app; remove it first to set up another."))
    context = {"form": form, "has_device": has_device, "next": _next(request)}
    context["required"] = otp.second_factor_required(request.user)
    if not has_device:
        key = request.session.get("signon_totp_key") or random_hex(20)
        request.session["signon_totp_key"] = key  # the session, not the database: nothing is saved on GET
        device = TOTPDevice(user=request.user, key=key)
        context["secret"] = base64.b32encode(device.bin_key).decode()
        context["qr"] = mark_safe(_qr_svg(device.config_url))
    return render(request, "signon/otp_setup.html", context, status=status)


@login_required
@require_POST
def otp_remove(request):
    """Remove one's authenticator, with a current code; refused where the setting requires one."""
    form = CodeForm(request.POST)
    if otp.second_factor_required(request.user):
        messages.error(request, _("Office accounts must keep a second factor."))
    elif not form.is_valid() or match_token(request.user, form.cleaned_data["token"]) is None:
        messages.error(request, _("That code is not right, or too many codes were tried; wait and try again."))
    else:
        actions.remove_devices(user=request.user)
        messages.success(request, _("Your authenticator app was removed."))
    return redirect("signon:otp_setup")
