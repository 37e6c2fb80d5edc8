"""Writing the audit log: one function, ``record_event``, and the request it happens in.

The middleware keeps the current request in a context variable, so an event written deep in an
action (a role granted) still says who asked and from which address, without every action
taking the request as an argument.
"""

import contextvars

from django.http import HttpRequest
from django.utils import timezone

from taizhang.lib.client import client_address

from .models import AuditEvent

_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar("audit_request", default=None)


def current_request() -> HttpRequest | None:
    return _request.get()


def record_event(
    kind: str,
    what: str,
    *,
    actor=None,
    username: str = "",
    campaign=None,
    detail: dict | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Append one event; who and from where default to the current request's."""
    request = request or current_request()
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = user
    if actor is not None and getattr(actor, "is_system_actor", False):
        username, actor = username or actor.get_username(), None  # the named system actor has no account row
    if actor is not None and not username:
        username = actor.get_username()
    return AuditEvent.objects.create(
        kind=kind,
        what=what[:300],
        actor=actor if actor is not None and actor.pk else None,
        username=username[:150],
        address=client_address(request) if request is not None else "",
        campaign=campaign,
        detail=detail or {},
        at=timezone.now(),
    )


def record_token_use(*, user, token_name: str, scope: str = "", request: HttpRequest | None = None) -> AuditEvent:
    """An API token was used (called by the API for each authenticated request)."""
    return record_event(
        AuditEvent.Kind.TOKEN,
        token_name,
        actor=user,
        detail={"scope": scope, "path": request.path if request is not None else ""},
        request=request,
    )


class AuditMiddleware:
    """Keeps the request for the events written while it runs; records every attachment it sends (a download)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            response = self.get_response(request)
            disposition = response.get("Content-Disposition", "")
            if disposition.startswith("attachment") and response.status_code == 200:
                record_event(
                    AuditEvent.Kind.DOWNLOAD,
                    request.path,
                    detail={
                        "file": disposition.partition("filename")[2].lstrip("*=").strip('"')[:200],
                        "query": request.META.get("QUERY_STRING", "")[:500],
                    },
                    request=request,
                )
            return response
        finally:
            _request.reset(token)
