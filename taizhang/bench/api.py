"""API benchmarks (``python -m taizhang.bench api``).

On the dashboards' 100,000-item campaign (``bench100k``), with an integration token of the office:

- a page of 50 items from ``GET /api/v1/c/<slug>/items/`` (token check, the list's query, JSON) against
  the bare SQL of the same rows and joins;
- one item created by ``POST …/items/`` (schema, the ledger's ``create_items``: validation, light,
  history) against one bare INSERT of the same row, and the rate per second;
- 1,000 items by ``POST …/items/bulk/`` against ``executemany`` of the same item and history rows.

What a measure creates is deleted after it, so runs repeat on the same data.
"""

import datetime
import itertools
import json
import time

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from taizhang.api import actions
from taizhang.history.models import HistoryEntry
from taizhang.ledger.models import Item
from taizhang.orgs.models import Role, RoleGrant, Unit, User

_serial = itertools.count(int(time.time()) % 100_000 * 10_000)


def _cleanup(campaign) -> None:
    created = Item.objects.filter(campaign=campaign, code__startswith="API-")
    ids = list(created.values_list("pk", flat=True))
    HistoryEntry.objects.filter(content_type=ContentType.objects.get_for_model(Item), object_id__in=ids).delete()
    Item.partner_units.through.objects.filter(item_id__in=ids).delete()
    created.delete()


def run(report, median_ms) -> None:
    from taizhang.bench import paired_median_ms
    from taizhang.bench.dashboards import _campaign

    campaign = _campaign(timezone.localdate())
    office = User.objects.get(username="office")
    RoleGrant.objects.get_or_create(user=office, campaign=campaign, role=Role.OFFICE, defaults={"unit": None})
    _token, secret = actions.create_integration_token(
        campaign,
        name="bench",
        scope="write",
        resources=["items", "progress"],
        expires_on=timezone.localdate() + datetime.timedelta(days=1),
        rate_limit=6000,
        acting_user=office,
    )
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {secret}")
    url = f"/api/v1/c/{campaign.slug}/items/"
    unit = Unit.objects.filter(is_active=True, depth=1).order_by("path").first()
    category = campaign.categories.first()

    def api_page() -> None:
        response = client.get(url, {"limit": 50})
        assert response.status_code == 200, response.content[:300]

    def bare_page() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT i.*, u.*, c.*, p.* FROM ledger_item i JOIN orgs_unit u ON u.id = i.owner_unit_id "
                "LEFT JOIN campaigns_category c ON c.id = i.category_id LEFT JOIN campaigns_phase p ON p.id = i.phase_id "
                "WHERE i.campaign_id = %s AND i.status <> 'withdrawn' ORDER BY i.code LIMIT 51",
                [campaign.pk],
            )
            cursor.fetchall()

    ours, bare = paired_median_ms(api_page, bare_page)
    report("API list 50 items (of 100,000)", ours, bare)

    cursor_url = client.get(url, {"limit": 50}).json()["next_cursor"]
    ours, bare = paired_median_ms(lambda: client.get(url, {"limit": 50, "cursor": cursor_url}), bare_page)
    report("API list 50 items, second page by cursor", ours, bare)

    def row(code: str) -> dict:
        return {"code": code, "title": f"接口基准事项{code}", "owner_unit": unit.pk, "category": category.pk}

    # One item a request, as an OA system would send them.
    creates = 100
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(creates):
        response = client.post(url, json.dumps(row(f"API-{next(_serial)}")), content_type="application/json")
        assert response.status_code == 201, response.content[:300]
    per_item = (time.perf_counter() - started) * 1000 / creates
    # The test client serves in this process: its CPU time is the server's work, whatever else the machine runs.
    cpu_per_item = (time.process_time() - cpu) * 1000 / creates
    _cleanup(campaign)
    item_columns = ["campaign_id", "code", "title", "owner_unit_id", "category_id", "created_at", "updated_at"]

    def bare_insert(codes: list[str]) -> None:
        now = timezone.now()
        quote = connection.ops.quote_name
        columns = [
            *item_columns,
            "content", "measures", "scope", "lead", "owner", "due_text", "weight", "note", "status", "percent",
            "light", "light_code", "light_n", "is_model", "model_reason", "search_text", "version", "withdrawn_reason",
        ]  # fmt: skip
        sql = (
            f"INSERT INTO ledger_item ({', '.join(quote(c) for c in columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        values = [
            [
                campaign.pk,
                code,
                f"接口基准事项{code}",
                unit.pk,
                category.pk,
                now,
                now,
                "",
                "",
                "inside",
                "",
                "",
                "",
                1,
                "",
                "not_started",
                0,
                "green",
                "",
                0,
                False,
                "",
                code,
                1,
                "",
            ]
            for code in codes
        ]
        history = (
            "INSERT INTO history_historyentry (content_type_id, object_id, campaign_id, action, changes, note, "
            "note_key, note_args, actor_id, at) VALUES (%s, %s, %s, 'create', '[]', '', '', '{}', %s, %s)"
        )
        ct = ContentType.objects.get_for_model(Item).pk
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, values)
            cursor.execute(
                f"SELECT id FROM ledger_item WHERE campaign_id = %s AND code IN ({', '.join(['%s'] * len(codes))})",
                [campaign.pk, *codes],
            )
            ids = [r[0] for r in cursor.fetchall()]
            cursor.executemany(history, [[ct, pk, campaign.pk, office.pk, now] for pk in ids])

    bare_one = median_ms(lambda: bare_insert([f"API-{next(_serial)}"]), repeat=20)
    _cleanup(campaign)
    report("API create one item", per_item, bare_one)
    print(
        f"# API create one item: {1000 / per_item:.0f} items per second (target ≥ 50); "
        f"CPU {cpu_per_item:.1f} ms an item, {1000 / cpu_per_item:.0f} per second on an idle core",
        flush=True,
    )

    def api_bulk() -> None:
        rows = [row(f"API-{next(_serial)}") for _ in range(1000)]
        response = client.post(url + "bulk/", json.dumps({"items": rows}), content_type="application/json")
        assert response.status_code == 201, response.content[:300]

    times_api, times_bare = [], []
    for _ in range(3):
        started = time.perf_counter()
        api_bulk()
        times_api.append((time.perf_counter() - started) * 1000)
        _cleanup(campaign)
        started = time.perf_counter()
        bare_insert([f"API-{next(_serial)}" for _ in range(1000)])
        times_bare.append((time.perf_counter() - started) * 1000)
        _cleanup(campaign)
    report("API bulk create 1,000 items", sorted(times_api)[1], sorted(times_bare)[1])
    _token.revoked_at = timezone.now()
    _token.save(update_fields=["revoked_at"])
