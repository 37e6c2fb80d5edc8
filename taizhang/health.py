"""Health endpoints for load balancers and the cluster script: liveness and readiness of one app node.

``/healthz/live`` says the process answers (no database touched). ``/healthz/ready`` checks what a request
needs: the primary answers, the replica (if configured) answers and lags less than
``DB_REPLICA_MAX_LAG_SECONDS``, Redis (if configured) answers; 503 with the failing checks otherwise, so a
balancer routes around the node. Both are anonymous, take no parameters, write nothing and say nothing secret.
"""

import time

from django.conf import settings
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from taizhang.lib.dbrouter import REPLICA, replica_configured


@never_cache
@require_safe
def live(request):
    return JsonResponse({"status": "ok"})


def _check_primary() -> dict:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"ok": True}


def _check_replica() -> dict:
    """The replica answers, is a replica, and streams from the primary with a replay lag within bounds.

    The lag is the primary's own measure (``pg_stat_replication.replay_lag``, empty when caught up); a
    replica that answers but no longer streams would serve an ever older copy, so it is not ready either.
    """
    replica = connections[REPLICA]
    with replica.cursor() as cursor:
        if replica.vendor != "postgresql":
            cursor.execute("SELECT 1")
            return {"ok": True, "lag_seconds": 0.0}
        cursor.execute("SELECT pg_is_in_recovery()")
        (in_recovery,) = cursor.fetchone()
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT count(*), COALESCE(EXTRACT(EPOCH FROM max(replay_lag)), 0) FROM pg_stat_replication "
            "WHERE state = 'streaming'"
        )
        streaming, lag = cursor.fetchone()
    lag = float(lag or 0)
    ok = bool(in_recovery) and streaming > 0 and lag <= settings.DB_REPLICA_MAX_LAG_SECONDS
    return {"ok": ok, "lag_seconds": round(lag, 3), "streaming": streaming > 0}


def _check_redis() -> dict:
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
    client.ping()
    return {"ok": True}


@never_cache
@require_safe
def ready(request):
    checks = {"primary": _check_primary}
    if replica_configured():
        checks["replica"] = _check_replica
    if settings.REDIS_URL:
        checks["redis"] = _check_redis
    results = {}
    for name, check in checks.items():
        started = time.perf_counter()
        try:
            results[name] = check()
        except Exception as exc:  # any failure of a dependency makes the node not ready; say which kind
            results[name] = {"ok": False, "error": type(exc).__name__}
        results[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    ok = all(result["ok"] for result in results.values())
    return JsonResponse({"status": "ok" if ok else "unavailable", "checks": results}, status=200 if ok else 503)
