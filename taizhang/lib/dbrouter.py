"""Reads of read-only requests go to a streaming replica; everything else stays on the primary.

Only when ``DATABASE_REPLICA_URL`` is set (the production topology, ``make cluster``). The decision is made per
request by :class:`ReplicaMiddleware` and held in a context variable, so a thread or a Huey task that never
passed through it (imports, reminders, nightly lights) reads the primary:

- a GET or HEAD reads the replica, unless the person wrote in the last ``DB_READ_YOUR_WRITES_SECONDS`` (a cookie
  set after any unsafe request pins them to the primary, so the page after a save shows the save);
- any other method reads and writes the primary, so an action's read-then-write never sees a lagging copy;
- inside a transaction on the primary, reads stay there too (a GET that writes would be a bug, but it must not
  read stale rows either);
- when the replica does not answer, reads fall back to the primary and the replica is retried after a pause.
"""

import contextvars
import logging
import time

from django.conf import settings
from django.db import connections, transaction
from django.db.utils import DatabaseError

log = logging.getLogger(__name__)

REPLICA = "replica"
PIN_COOKIE = "tz_primary"
_reads_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("taizhang_reads_replica", default=False)
_replica_down_until = 0.0
_replica_checked_at = 0.0
_CHECK_EVERY_SECONDS = 1.0


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    """``db_for_read`` answers the replica only inside a request the middleware marked read-only."""

    def db_for_read(self, model, **hints):
        if _reads_replica.get() and not transaction.get_connection("default").in_atomic_block:
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies of it

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


def _replica_answers() -> bool:
    """Whether the replica answers a query: asked at most once a second per process (through PgBouncer a
    connection opens even when the server behind it is gone, so only a query tells), remembered as down for
    ``DB_REPLICA_RETRY_SECONDS`` when it does not."""
    global _replica_checked_at
    now = time.monotonic()
    if now < _replica_down_until:
        return False
    if now - _replica_checked_at < _CHECK_EVERY_SECONDS:
        return True
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT 1")
        _replica_checked_at = now
        return True
    except DatabaseError:
        log.warning("read replica unavailable; reading from the primary for %ss", settings.DB_REPLICA_RETRY_SECONDS)
        mark_replica_failed()
        return False


def mark_replica_failed() -> None:
    """The replica failed (its check, or a query mid-request): the next requests read the primary for a while."""
    global _replica_down_until
    _replica_down_until = time.monotonic() + settings.DB_REPLICA_RETRY_SECONDS
    connections[REPLICA].close()


class ReplicaMiddleware:
    """Marks safe requests of people who did not just write as replica readers; pins writers to the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        safe = request.method in ("GET", "HEAD", "OPTIONS")
        use_replica = replica_configured() and safe and PIN_COOKIE not in request.COOKIES and _replica_answers()
        token = _reads_replica.set(use_replica)
        try:
            response = self.get_response(request)
        finally:
            _reads_replica.reset(token)
        if replica_configured():
            # Which copy served the reads: in the access log and for the cluster's own checks.
            response["X-Taizhang-Reads"] = "replica" if use_replica else "primary"
        if replica_configured() and not safe:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.DB_READ_YOUR_WRITES_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def process_exception(self, request, exception):
        if _reads_replica.get() and isinstance(exception, DatabaseError):
            mark_replica_failed()
        return None
