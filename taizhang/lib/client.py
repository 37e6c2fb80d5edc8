"""Who is asking: the client's address, and counters shared by every process (rate limits).

Behind a reverse proxy every request comes from the proxy's address; the visitor's is in
``X-Forwarded-For``, which anyone can also send. So the header is read only when the direct
peer is one of ``settings.TRUSTED_PROXIES``, and from it the rightmost address that is not a
trusted proxy is taken: everything left of it was written by the visitor and proves nothing.

Counters live in Django's cache (the database cache by default, Redis when ``REDIS_URL`` is
set), so a limit holds across worker processes and survives a restart.
"""

import hashlib
import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def trusted_networks() -> tuple[Network, ...]:
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))


def _parse(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 203.0.113.5:443
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address, networks) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The visitor's address: ``REMOTE_ADDR``, or behind a trusted proxy the rightmost untrusted forwarded one."""
    peer = _parse(request.META.get("REMOTE_ADDR", "") or "")
    if peer is None:
        return ""
    networks = trusted_networks()
    if not networks or not _trusted(peer, networks):
        return str(peer)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for part in reversed(forwarded.split(",")):
        address = _parse(part)
        if address is None:
            # A hop we cannot read: stop there rather than trust what the visitor wrote before it.
            break
        if not _trusted(address, networks):
            return str(address)
    return str(peer)


def address_hash(request: HttpRequest) -> str:
    """The address as a salted hash: enough to count, not enough to find the person."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{client_address(request)}".encode()).hexdigest()


RATE_LIMIT_CACHE = "default"


def hit(key: str, *, limit: int, window: int, cache_alias: str | None = RATE_LIMIT_CACHE, cache=None) -> bool:
    """Count one more event under ``key`` in the shared cache; True when it goes over ``limit`` in ``window`` s.

    Two processes counting at once never lose a hit: ``add`` is atomic on both caches, ``incr`` is
    atomic on Redis, and on the database cache it runs with the row locked (see
    :func:`_locked_incr`). The window starts with the first hit (a fixed window, not a sliding one).
    ``cache`` is for tests that stand in for other processes.
    """
    cache = cache if cache is not None else caches[cache_alias]
    key = f"ratelimit:{key}"
    if cache.add(key, 1, window):
        count = 1
    else:
        try:
            count = _locked_incr(cache, key) if isinstance(cache, DatabaseCache) else cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, window)
            count = 1
    return count > limit


def _locked_incr(cache: DatabaseCache, key: str) -> int:
    """The database cache's ``incr`` is a read and a write: hold the row while doing both.

    PostgreSQL: ``SELECT … FOR UPDATE`` makes a second incrementer wait for the first. SQLite runs
    our transactions as IMMEDIATE (settings), so one writer at a time holds the whole database.
    """
    db = router.db_for_write(cache.cache_model_class)
    connection = connections[db]
    with transaction.atomic(using=db):
        if connection.vendor == "postgresql":
            table = connection.ops.quote_name(cache._table)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT 1 FROM {table} WHERE cache_key = %s FOR UPDATE",
                    [cache.make_and_validate_key(key)],
                )
        return cache.incr(key)
