"""The writes on API tokens: made (the secret returned once), revoked, used. Every one in the history."""

import datetime
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.audit.log import record_token_use
from taizhang.history.models import HistoryEntry
from taizhang.history.recording import record
from taizhang.orgs.access import Access

from .models import PREFIX, RESOURCE_NAMES, ApiToken, hash_secret

MAX_DAYS = 366  # a token that never expires is one nobody remembers to revoke


def _new_secret() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def _check(name: str, scope: str, expires_on: datetime.date | None) -> str:
    name = (name or "").strip()[:100]
    if not name:
        raise ValidationError({"name": _("Name the token (what program uses it).")})
    if scope not in ApiToken.Scope.values:
        raise ValidationError({"scope": _("Choose read or read and write.")})
    today = timezone.localdate()
    if expires_on is None:
        raise ValidationError({"expires_on": _("Give the date the token expires.")})
    if not today < expires_on <= today + datetime.timedelta(days=MAX_DAYS):
        raise ValidationError(
            {"expires_on": _("The token must expire after today and within %(days)d days.") % {"days": MAX_DAYS}}
        )
    return name


def _end_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.max, tzinfo=timezone.get_current_timezone())


@transaction.atomic
def create_personal_token(
    *, name: str, scope: str, expires_on: datetime.date | None, acting_user
) -> tuple[ApiToken, str]:
    """A token of one's own: it acts as its person in every campaign they have a role in. Returns (token, secret)."""
    if not acting_user.is_authenticated or getattr(acting_user, "is_system_actor", False):
        raise PermissionDenied(_("Sign in to make a token."))
    name = _check(name, scope, expires_on)
    secret = _new_secret()
    token = ApiToken.objects.create(
        user=acting_user,
        kind=ApiToken.Kind.PERSONAL,
        name=name,
        prefix=secret[: len(PREFIX) + 6],
        key_hash=hash_secret(secret),
        scope=scope,
        expires_at=_end_of(expires_on),
        created_by=acting_user,
    )
    record(token, HistoryEntry.Action.CREATE, actor=acting_user, note=f"{name} ({scope})")
    return token, secret


@transaction.atomic
def create_integration_token(
    campaign,
    *,
    name: str,
    scope: str,
    resources: list[str],
    expires_on: datetime.date | None,
    rate_limit: int,
    acting_user,
) -> tuple[ApiToken, str]:
    """The office's token for another system (an OA, a warehouse): one campaign, the resources named, rate-limited.

    It acts as the office person who made it, so it never reaches beyond them: if they lose the office
    role, the token loses it too.
    """
    if not Access.for_user(acting_user, campaign).is_office:
        raise PermissionDenied(_("Only the campaign office makes integration tokens."))
    name = _check(name, scope, expires_on)
    resources = sorted(set(resources or []))
    if not resources or not set(resources) <= set(RESOURCE_NAMES):
        raise ValidationError({"resources": _("Choose at least one resource the token may use.")})
    if not 1 <= int(rate_limit) <= 6000:
        raise ValidationError({"rate_limit": _("Between 1 and 6,000 requests a minute.")})
    secret = _new_secret()
    token = ApiToken.objects.create(
        user=acting_user,
        kind=ApiToken.Kind.INTEGRATION,
        name=name,
        prefix=secret[: len(PREFIX) + 6],
        key_hash=hash_secret(secret),
        scope=scope,
        campaign=campaign,
        resources=resources,
        rate_limit=int(rate_limit),
        expires_at=_end_of(expires_on),
        created_by=acting_user,
    )
    record(
        token,
        HistoryEntry.Action.CREATE,
        actor=acting_user,
        campaign=campaign,
        note=f"{name} ({scope}: {', '.join(resources)})",
    )
    return token, secret


def can_revoke(token: ApiToken, user) -> bool:
    """One's own token; an integration token also by the campaign's office."""
    if token.user_id == user.pk:
        return True
    return token.campaign_id is not None and Access.for_user(user, token.campaign).is_office


@transaction.atomic
def revoke_token(token: ApiToken, *, acting_user) -> ApiToken:
    """Revoke a token at once; a second click changes nothing."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if not can_revoke(token, acting_user):
        raise PermissionDenied(_("You cannot revoke this token."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(token, HistoryEntry.Action.REVOKE, actor=acting_user, campaign=token.campaign, note=token.name)
    return token


def note_use(token: ApiToken, *, now: datetime.datetime | None = None, request=None) -> None:
    """Stamp the last use and write a token-use row in the audit log, at most once a minute per token: a busy
    integration must not write two rows per request (what it changed is in each object's history)."""
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
        record_token_use(user=token.user, token_name=token.name, scope=token.scope, request=request)
