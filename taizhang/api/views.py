"""The pages where people make and revoke API tokens: one's own, and the office's for other systems."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from taizhang.campaigns.decorators import campaign_view
from taizhang.lib.forms import apply_errors

from . import actions
from .forms import IntegrationTokenForm, PersonalTokenForm
from .models import ApiToken


def _default_expiry() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=90)


@login_required
def personal_tokens(request):
    """One's own tokens: make one (the secret is shown once, on the answer), see when each was last used."""
    if getattr(request.user, "is_system_actor", False):
        raise PermissionDenied
    form = PersonalTokenForm(request.POST or None, initial={"expires_on": _default_expiry()})
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, secret = actions.create_personal_token(
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_on=form.cleaned_data["expires_on"],
                acting_user=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            form = PersonalTokenForm(initial={"expires_on": _default_expiry()})
    tokens = ApiToken.objects.filter(user=request.user, kind=ApiToken.Kind.PERSONAL)
    return render(
        request,
        "api/personal_tokens.html",
        {"form": form, "tokens": tokens, "secret": secret, "now": timezone.now()},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken.objects.select_related("campaign"), pk=pk)
    if not actions.can_revoke(token, request.user):
        raise PermissionDenied(_("You cannot revoke this token."))
    actions.revoke_token(token, acting_user=request.user)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    if token.kind == ApiToken.Kind.INTEGRATION:
        return redirect("api:integration_tokens", slug=token.campaign.slug)
    return redirect("api:personal_tokens")


@campaign_view
def integration_tokens(request, campaign, access):
    """The office's tokens for other systems (an OA, a data warehouse): campaign, resources, limit, last use."""
    access.require(access.is_office, _("Only the campaign office makes integration tokens."))
    form = IntegrationTokenForm(request.POST or None, initial={"expires_on": _default_expiry()})
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, secret = actions.create_integration_token(
                campaign,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                resources=form.cleaned_data["resources"],
                expires_on=form.cleaned_data["expires_on"],
                rate_limit=form.cleaned_data["rate_limit"],
                acting_user=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            form = IntegrationTokenForm(initial={"expires_on": _default_expiry()})
    tokens = ApiToken.objects.filter(campaign=campaign, kind=ApiToken.Kind.INTEGRATION).select_related("user")
    return render(
        request,
        "api/integration_tokens.html",
        {
            "campaign": campaign,
            "access": access,
            "form": form,
            "tokens": tokens,
            "secret": secret,
            "now": timezone.now(),
        },
        status=400 if form.is_bound and form.errors else 200,
    )
