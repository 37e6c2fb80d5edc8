"""The production topology's pieces that run inside the app: health endpoints, the replica router, files
handed to nginx. The whole topology (nginx, two nodes, primary + replica, PgBouncer, Redis) is proven by
``make cluster-smoke`` (scripts/cluster.py), which starts the real processes."""

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import override_settings

from taizhang.lib import dbrouter
from taizhang.lib.media import MediaStorage, file_response

pytestmark = pytest.mark.django_db


def test_it_says_the_node_is_alive_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_it_says_the_node_is_ready_when_the_database_answers(client):
    response = client.get("/healthz/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["primary"]["ok"] is True
    assert "replica" not in body["checks"]  # no replica configured here


@override_settings(REDIS_URL="redis://127.0.0.1:1/0")
def test_it_says_the_node_is_not_ready_when_redis_does_not_answer(client):
    response = client.get("/healthz/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["redis"] == {"ok": False, "error": "ConnectionError", "ms": body["checks"]["redis"]["ms"]}
    assert body["checks"]["primary"]["ok"] is True


def test_health_answers_plain_http_even_when_https_is_enforced(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz/"]
    assert client.get("/healthz/live").status_code == 200
    assert client.get("/accounts/login/").status_code == 301


@pytest.mark.django_db(transaction=True)
def test_reads_go_to_the_replica_only_in_a_request_marked_read_only_and_outside_a_transaction():
    router = dbrouter.ReplicaRouter()
    assert router.db_for_read(None) == "default"  # a task or command never marked
    token = dbrouter._reads_replica.set(True)
    try:
        assert router.db_for_read(None) == dbrouter.REPLICA
        with transaction.atomic():
            assert router.db_for_read(None) == "default"  # a read inside a write stays with it
        assert router.db_for_write(None) == "default"
    finally:
        dbrouter._reads_replica.reset(token)
    assert router.allow_migrate(dbrouter.REPLICA, "ledger") is False
    assert router.allow_migrate("default", "ledger") is True


def test_a_file_is_handed_to_nginx_after_the_check_with_the_same_safe_headers(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    stored = MediaStorage(location=tmp_path).save("evidence/报告.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))

    class Stored:
        name = stored

        def open(self, mode):
            return open(tmp_path / stored, mode)

    with override_settings(MEDIA_X_ACCEL_PREFIX="/protected-media/"):
        response = file_response(Stored(), filename="整改报告")
    assert response["X-Accel-Redirect"] == "/protected-media/" + stored
    assert response.content == b""  # nginx sends the bytes
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert "filename*=utf-8''%e6%95%b4%e6%94%b9%e6%8a%a5%e5%91%8a.pdf" in response["Content-Disposition"].lower()
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")

    direct = file_response(Stored(), filename="整改报告")  # without nginx the app streams the same file
    assert b"".join(direct.streaming_content) == b"%PDF-1.4\n%%EOF\n"
    assert "X-Accel-Redirect" not in direct
