"""Login lockouts (django-axes): who is locked out now, the office's unlock, and both in history.

axes counts failed logins per account and per address (``AXES_LOCKOUT_PARAMETERS``) and keeps
every attempt (``AccessAttempt``) and every login (``AccessLog``). Here each lock and each unlock
also becomes a history entry, on the person's account when the name is one of ours, otherwise
on the attempt row, so the audit reads them next to role grants and deactivations.
"""

import datetime
import ipaddress
from dataclasses import dataclass

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.dispatch import receiver
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from taizhang.history.models import HistoryEntry
from taizhang.history.recording import note, record

from .access import can_manage_units


@dataclass
class Lockout:
    """One locked account or address: what is locked, how many failures, until when."""

    kind: str  # "username" or "ip_address"
    value: str
    failures: int
    last_attempt: datetime.datetime
    until: datetime.datetime


def cooloff() -> datetime.timedelta:
    return settings.AXES_COOLOFF_TIME


def lockout_response(request, original_response=None, credentials=None):
    """The page a locked-out login sees, in the person's language (429)."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": max(1, int(cooloff().total_seconds() // 60)),
    }
    return render(request, "registration/locked_out.html", context, status=429)


def _subject(username: str | None, ip_address: str | None):
    user = get_user_model().objects.filter(username=username).first() if username else None
    if user is not None:
        return user
    attempts = AccessAttempt.objects.filter(ip_address=ip_address) if ip_address else AccessAttempt.objects.none()
    if username:
        attempts = AccessAttempt.objects.filter(username=username)
    return attempts.order_by("-attempt_time").first()


@receiver(user_locked_out)
def record_lock(sender, request=None, username=None, ip_address=None, **kwargs):
    """A lock is written once: axes signals again for every try while locked; those are in AccessAttempt."""
    subject = _subject(username, ip_address)
    if subject is None:
        return
    since = timezone.now() - cooloff()
    entries = HistoryEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk, at__gte=since
    )
    last = entries.filter(action__in=[HistoryEntry.Action.LOCK, HistoryEntry.Action.UNLOCK]).order_by("-at").first()
    if last is not None and last.action == HistoryEntry.Action.LOCK:
        return
    record(
        subject,
        HistoryEntry.Action.LOCK,
        note=note(
            gettext_noop("Login locked after %(n)d failed attempts (account %(username)s, address %(ip)s)."),
            n=settings.AXES_FAILURE_LIMIT,
            username=username or "-",
            ip=ip_address or "-",
        ),
    )


def current_lockouts(*, now: datetime.datetime | None = None) -> list[Lockout]:
    """Accounts and addresses whose failures in the cool-off window reach the limit, newest first."""
    now = now or timezone.now()
    since = now - cooloff()
    recent = AccessAttempt.objects.filter(attempt_time__gte=since)
    found = []
    for kind in ("username", "ip_address"):
        rows = (
            recent.exclude(**{f"{kind}__isnull": True})
            .values(kind)
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
            .order_by()
        )
        for row in rows:
            found.append(Lockout(kind, row[kind], row["failures"], row["last"], row["last"] + cooloff()))
    found.sort(key=lambda lockout: lockout.last_attempt, reverse=True)
    return found


@transaction.atomic
def unlock(*, kind: str, value: str, acting_user) -> int:
    """The office lifts a lockout before the cool-off ends; the failures are forgotten, the unlock is in history."""
    if not can_manage_units(acting_user):
        raise PermissionDenied(_("Only the campaign office unlocks logins."))
    if kind not in ("username", "ip_address") or not value or "\x00" in value:
        raise ValidationError(_("Choose an account or an address to unlock."))
    if kind == "ip_address":
        try:
            value = str(ipaddress.ip_address(value))
        except ValueError:
            raise ValidationError(_("Choose an account or an address to unlock.")) from None
    subject = _subject(value if kind == "username" else None, value if kind == "ip_address" else None)
    if kind == "username":
        removed = AxesProxyHandler.reset_attempts(username=value)
    else:
        removed = AxesProxyHandler.reset_attempts(ip_address=value)
    if not removed:
        raise ValidationError(_("This login is not locked (any more)."))
    if subject is not None and subject.pk is not None and not isinstance(subject, AccessAttempt):
        target = subject
    else:
        # The attempt rows are gone: the unlock is recorded on the acting person's account.
        target = acting_user
    record(
        target,
        HistoryEntry.Action.UNLOCK,
        actor=acting_user,
        note=note(gettext_noop("Login unlocked: %(what)s."), what=value),
    )
    return removed
