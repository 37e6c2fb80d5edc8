"""The client's address behind proxies, and rate limits that hold across processes and restarts."""

import os
import subprocess
import sys
import uuid

import pytest
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.test import Client, RequestFactory
from django.urls import reverse

from taizhang.lib import client
from taizhang.people.models import Demand, PeopleSettings

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def request_from(peer: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client.client_address(request_from("198.51.100.1", "203.0.113.9")) == "198.51.100.1"


def test_behind_a_trusted_proxy_the_rightmost_untrusted_address_is_the_client(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "2001:db8::1"]
    assert client.client_address(request_from("10.0.0.1", "203.0.113.9")) == "203.0.113.9"
    # Two proxies in a row: both are skipped.
    assert client.client_address(request_from("10.0.0.1", "203.0.113.9, 10.1.2.3")) == "203.0.113.9"
    # What the visitor wrote before the proxy's entry proves nothing.
    assert client.client_address(request_from("10.0.0.1", "1.1.1.1, 203.0.113.9")) == "203.0.113.9"
    assert client.client_address(request_from("2001:db8::1", "[2001:db8::99]:4711")) == "2001:db8::99"
    # Junk in the header: the proxy itself, not an address the visitor chose.
    assert client.client_address(request_from("10.0.0.1", "not-an-address")) == "10.0.0.1"
    assert client.client_address(request_from("10.0.0.1", "")) == "10.0.0.1"


def test_a_forwarded_header_from_an_untrusted_peer_is_ignored(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client.client_address(request_from("198.51.100.1", "203.0.113.9")) == "198.51.100.1"
    assert client.client_address(request_from("::ffff:198.51.100.1")) == "198.51.100.1"


def _limit_holds_across(first, second, key):
    hits = [client.hit(key, limit=3, window=3600, cache=first) for _ in range(2)]
    hits += [client.hit(key, limit=3, window=3600, cache=second) for _ in range(2)]
    return hits


def test_a_limit_holds_across_two_database_cache_clients_and_a_restart(db):
    key = f"test:{uuid.uuid4().hex}"
    worker_a, worker_b = DatabaseCache("taizhang_cache", {}), DatabaseCache("taizhang_cache", {})
    assert _limit_holds_across(worker_a, worker_b, key) == [False, False, False, True]
    restarted = DatabaseCache("taizhang_cache", {})
    assert client.hit(key, limit=3, window=3600, cache=restarted) is True


def test_a_limit_holds_across_two_redis_clients_and_a_restart():
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    key = f"test:{uuid.uuid4().hex}"
    worker_a, worker_b = RedisCache(REDIS_URL, {}), RedisCache(REDIS_URL, {})
    try:
        assert _limit_holds_across(worker_a, worker_b, key) == [False, False, False, True]
        assert client.hit(key, limit=3, window=3600, cache=RedisCache(REDIS_URL, {})) is True
    finally:
        worker_a.delete(f"ratelimit:{key}")


def _submit(browser, slug):
    # follow=True: a problem sent is answered by a redirect to its confirmation (200); a refusal stays itself.
    return browser.post(
        reverse("people:demand_new", args=[slug]), {"text": "食堂排队时间太长，希望增加窗口"}, follow=True
    )


def test_behind_a_trusted_proxy_two_visitors_have_separate_limits(settings, campaign):
    PeopleSettings.objects.update_or_create(campaign=campaign, defaults={"submissions_per_hour": 2})
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    first = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1")
    second = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert [_submit(first, campaign.slug).status_code for _ in range(3)] == [200, 200, 429]
    assert _submit(second, campaign.slug).status_code == 200
    assert Demand.objects.count() == 3


def test_an_untrusted_forwarded_header_does_not_buy_a_new_limit(settings, campaign):
    PeopleSettings.objects.update_or_create(campaign=campaign, defaults={"submissions_per_hour": 2})
    settings.TRUSTED_PROXIES = []
    statuses = [
        _submit(Client(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}"), campaign.slug).status_code
        for i in range(3)
    ]
    assert statuses == [200, 200, 429]
    assert Demand.objects.count() == 2


def test_with_redis_url_set_two_processes_share_one_limit_in_redis():
    """Two real processes configured by REDIS_URL alone count against one limit."""
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    key = f"test:{uuid.uuid4().hex}"
    script = (
        "import django; django.setup();"
        "from django.conf import settings; from taizhang.lib import client;"
        "print(settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1],"
        f" [client.hit({key!r}, limit=3, window=60) for _ in range(2)])"
    )
    env = {**os.environ, "REDIS_URL": REDIS_URL, "DJANGO_SETTINGS_MODULE": "taizhang.settings"}
    outputs = [
        subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True).stdout
        for _ in range(2)
    ]
    assert outputs == ["RedisCache [False, False]\n", "RedisCache [False, True]\n"]
    RedisCache(REDIS_URL, {}).delete(f"ratelimit:{key}")


@pytest.mark.django_db(transaction=True)
def test_concurrent_hits_on_the_database_cache_are_all_counted():
    """Eight threads, each with its own database connection, five hits each: forty counted, none lost."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection as main_connection
    from django.db import connections

    if main_connection.vendor == "sqlite":
        pytest.skip("the SQLite test database is in memory with a shared cache, which refuses a second writer")
    key = f"test:{uuid.uuid4().hex}"

    def five_hits(_):
        try:
            cache = DatabaseCache("taizhang_cache", {})
            return [client.hit(key, limit=1000, window=3600, cache=cache) for _ in range(5)]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(five_hits, range(8)))
    assert DatabaseCache("taizhang_cache", {}).get(f"ratelimit:{key}") == 40
