"""The API's authorization matrix, generated from its OpenAPI document: every operation × role × token scope.

Each operation (method and path of ``/api/v1/openapi.json``) has ONE row in ``API_TABLE``: its path arguments
(``item_id=item``: an object of ``world._side``), then the status for each role of ``world.ROLES`` with a
**read** token, then with a **read-and-write** token. The anonymous column sends no token (401). Writes send
the valid body of ``BODIES`` (a body the schema refuses would be refused before anyone's rights are asked).
An operation without a row fails ``test_every_operation_has_a_row``, which prints the row as observed (check
each outcome against the policy before pasting it: this table is the policy).

Generated beside it, for every operation: an integration token of the office lacking the operation's resource
(``x-taizhang-resource`` in the document) is refused; one for another campaign is refused; and the objects of
campaign "other" asked about under campaign 2021's address are reached by nobody.
"""

import datetime
import json

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.utils import timezone

from taizhang.api import actions
from taizhang.api.models import RESOURCE_NAMES

from .world import ROLE_NAMES, ROLES, build_world

pytestmark = pytest.mark.django_db

# fmt: off
# (method, path): (arguments, read token: anon owner other leader inspector assessor office stranger, write token: the same)
API_TABLE = {
    ("GET", "/api/v1/campaigns/"): ("", "401 200 200 200 200 200 200 200", "401 200 200 200 200 200 200 200"),
    ("GET", "/api/v1/c/{slug}/"): ("", "401 200 200 200 200 200 200 403", "401 200 200 200 200 200 200 403"),
    ("GET", "/api/v1/c/{slug}/units/"): ("", "401 200 200 200 200 200 200 403", "401 200 200 200 200 200 200 403"),
    ("GET", "/api/v1/c/{slug}/units/{unit_id}/"): ("unit_id=unit", "401 200 200 200 200 200 200 403", "401 200 200 200 200 200 200 403"),
    ("GET", "/api/v1/c/{slug}/scores/"): ("", "401 403 403 200 200 200 200 403", "401 403 403 200 200 200 200 403"),
    ("GET", "/api/v1/c/{slug}/scores/{run_id}/"): ("run_id=run", "401 403 403 200 200 200 200 403", "401 403 403 200 200 200 200 403"),
    ("GET", "/api/v1/c/{slug}/scores/{run_id}/units/{unit_id}/"): ("run_id=run unit_id=unit", "401 200 403 200 200 200 200 403", "401 200 403 200 200 200 200 403"),
    ("GET", "/api/v1/c/{slug}/items/"): ("", "401 200 200 200 200 200 200 403", "401 200 200 200 200 200 200 403"),
    ("POST", "/api/v1/c/{slug}/items/"): ("", "401 403 403 403 403 403 403 403", "401 403 403 403 403 403 201 403"),
    ("POST", "/api/v1/c/{slug}/items/bulk/"): ("", "401 403 403 403 403 403 403 403", "401 403 403 403 403 403 201 403"),
    ("GET", "/api/v1/c/{slug}/items/{item_id}/"): ("item_id=item", "401 200 200 200 200 200 200 403", "401 200 200 200 200 200 200 403"),
    ("PATCH", "/api/v1/c/{slug}/items/{item_id}/"): ("item_id=item", "401 403 403 403 403 403 403 403", "401 403 403 403 403 403 200 403"),
    ("GET", "/api/v1/c/{slug}/items/{item_id}/progress/"): ("item_id=item", "401 200 200 200 200 200 200 403", "401 200 200 200 200 200 200 403"),
    ("POST", "/api/v1/c/{slug}/items/{item_id}/progress/"): ("item_id=item", "401 403 403 403 403 403 403 403", "401 201 403 403 403 403 201 403"),
    ("POST", "/api/v1/c/{slug}/progress/bulk/"): ("", "401 403 403 403 403 403 403 403", "401 201 422 422 422 422 201 403"),
    ("GET", "/api/v1/c/{slug}/periods/"): ("", "401 200 200 200 200 200 200 403", "401 200 200 200 200 200 200 403"),
    ("GET", "/api/v1/c/{slug}/reports/{period_id}/{unit_id}/"): ("period_id=period unit_id=unit", "401 200 403 200 200 200 200 403", "401 200 403 200 200 200 200 403"),
    ("POST", "/api/v1/c/{slug}/reports/{period_id}/{unit_id}/submit/"): ("period_id=period unit_id=unit", "401 403 403 403 403 403 403 403", "401 200 403 403 403 403 200 403"),
    ("GET", "/api/v1/c/{slug}/problems/"): ("", "401 403 403 403 403 403 200 403", "401 403 403 403 403 403 200 403"),
    ("POST", "/api/v1/c/{slug}/problems/"): ("", "401 403 403 403 403 403 403 403", "401 403 403 201 403 403 201 403"),
    ("POST", "/api/v1/c/{slug}/problems/{problem_id}/triage/"): ("problem_id=demand", "401 403 403 403 403 403 403 403", "401 403 403 403 403 403 200 403"),
    ("GET", "/api/v1/c/{slug}/findings/"): ("", "401 200 200 200 200 200 200 403", "401 200 200 200 200 200 200 403"),
    ("GET", "/api/v1/c/{slug}/findings/{finding_id}/"): ("finding_id=finding", "401 200 403 200 200 200 200 403", "401 200 403 200 200 200 200 403"),
    ("GET", "/api/v1/c/{slug}/bulletins/"): ("", "401 200 200 200 200 200 200 403", "401 200 200 200 200 200 200 403"),
    ("GET", "/api/v1/c/{slug}/bulletins/{bulletin_id}/"): ("bulletin_id=bulletin", "401 200 200 200 200 200 200 403", "401 200 200 200 200 200 200 403"),
}
# fmt: on

# A valid body for each write, built from the world (the objects of the campaign asked about).
BODIES = {
    ("POST", "/api/v1/c/{slug}/items/"): lambda o: {"code": "M-1", "title": "矩阵事项", "owner_unit": o["unit"].pk},
    ("POST", "/api/v1/c/{slug}/items/bulk/"): lambda o: {
        "items": [{"code": "M-2", "title": "矩阵事项", "owner_unit": o["unit"].pk}]
    },
    ("PATCH", "/api/v1/c/{slug}/items/{item_id}/"): lambda o: {"version": o["item"].version, "title": "矩阵改名"},
    ("POST", "/api/v1/c/{slug}/items/{item_id}/progress/"): lambda o: {"percent": 20, "done": "矩阵进展"},
    ("POST", "/api/v1/c/{slug}/progress/bulk/"): lambda o: {
        "entries": [{"item": o["item"].pk, "percent": 20, "done": "矩阵进展"}]
    },
    ("POST", "/api/v1/c/{slug}/reports/{period_id}/{unit_id}/submit/"): lambda o: {"no_change": True},
    ("POST", "/api/v1/c/{slug}/problems/"): lambda o: {"text": "路灯坏了", "channel": "visit"},
    ("POST", "/api/v1/c/{slug}/problems/{problem_id}/triage/"): lambda o: {"action": "answer", "reply": "已修复"},
}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.test import override_settings

    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("api-matrix-media")),
        transaction.atomic(),
    ):
        built = build_world()
        expires = timezone.localdate() + datetime.timedelta(days=30)
        built.tokens = {
            (role, scope): actions.create_personal_token(
                name="矩阵", scope=scope, expires_on=expires, acting_user=built.users[role]
            )[1]
            for role in ROLES[1:]
            for scope in ("read", "write")
        }
        built.expires = expires
        yield built
        transaction.set_rollback(True)


def operations() -> list[tuple[str, str, dict]]:
    from taizhang.api.api import api

    document = api.get_openapi_schema()
    return [
        (method.upper(), path, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]


def send(secret: str | None, method: str, path: str, spec: str, world, *, side: str = "own") -> str:
    chosen = world.foreign.objects if side == "foreign" else world.own.objects
    url = path.replace("{slug}", world.campaign.slug)
    for part in spec.split():
        name, kind = part.split("=", 1)
        url = url.replace("{" + name + "}", str(chosen[kind].pk))
    body = BODIES.get((method, path))
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}
    cache.clear()  # rate limits count per token: every request is a first one
    try:
        with transaction.atomic():
            client = Client()
            if method == "GET":
                response = client.get(url, **headers)
            else:
                data = json.dumps(body(world.own.objects) if body else {})
                response = client.generic(method, url, data, content_type="application/json", **headers)
            transaction.set_rollback(True)
    except Exception as error:
        return f"500({type(error).__name__}: {error})"[:200]
    return str(response.status_code)


def observed(method: str, path: str, spec: str, world) -> tuple[list[str], list[str]]:
    lines = []
    for scope in ("read", "write"):
        lines.append(
            [send(None if role == "anon" else world.tokens[(role, scope)], method, path, spec, world) for role in ROLES]
        )
    return lines[0], lines[1]


def test_every_operation_has_a_row(world):
    found = {(method, path): operation for method, path, operation in operations()}
    missing = [key for key in found if key not in API_TABLE]
    lines = []
    for method, path in missing:
        spec = " ".join(
            f"{name}=?"
            for name in ("item_id", "period_id", "run_id", "unit_id", "problem_id", "finding_id", "bulletin_id")
            if "{" + name + "}" in path
        )
        if "=?" in spec:
            lines.append(f'    ("{method}", "{path}"): ("{spec}", "read outcomes", "write outcomes"),')
            continue
        read, write = observed(method, path, spec, world)
        lines.append(f'    ("{method}", "{path}"): ("{spec}", "{" ".join(read)}", "{" ".join(write)}"),')
    assert not missing, "API operations without a row in API_TABLE (check each outcome):\n" + "\n".join(lines)
    assert [key for key in API_TABLE if key not in found] == [], "rows for operations that no longer exist"
    for key, operation in found.items():
        assert operation.get("x-taizhang-resource") in RESOURCE_NAMES, key
        assert operation.get("x-taizhang-write") is (key[0] != "GET"), key


@pytest.mark.parametrize("key", sorted(API_TABLE), ids=lambda key: " ".join(key))
def test_each_role_and_scope_gets_what_the_table_says(key, world):
    method, path = key
    spec, read_line, write_line = API_TABLE[key]
    read, write = observed(method, path, spec, world)
    wrong = [
        f"{scope} token, {ROLE_NAMES[role]}: expected {want}, got {got}"
        for scope, wants, gots in (("read", read_line.split(), read), ("write", write_line.split(), write))
        for role, want, got in zip(ROLES, wants, gots, strict=True)
        if want != got
    ]
    assert not wrong, (
        f"{method} {path}:\n  " + "\n  ".join(wrong) + f'\n  observed: "{" ".join(read)}", "{" ".join(write)}"'
    )


@pytest.mark.parametrize("key", sorted(API_TABLE), ids=lambda key: " ".join(key))
def test_an_integration_token_reaches_only_its_resources_and_campaign(key, world):
    method, path = key
    resource = next(op["x-taizhang-resource"] for m, p, op in operations() if (m, p) == key)
    office = world.users["office"]
    _token, without = actions.create_integration_token(
        world.campaign,
        name="缺资源",
        scope="write",
        resources=[name for name in RESOURCE_NAMES if name != resource],
        expires_on=world.expires,
        rate_limit=100,
        acting_user=office,
    )
    _token, complete = actions.create_integration_token(
        world.campaign,
        name="全部资源",
        scope="write",
        resources=list(RESOURCE_NAMES),
        expires_on=world.expires,
        rate_limit=100,
        acting_user=office,
    )
    spec = API_TABLE[key][0]
    assert send(without, method, path, spec, world) == "403"
    expected_office = API_TABLE[key][2].split()[ROLES.index("office")]
    assert send(complete, method, path, spec, world) == expected_office  # with the resource: as the office
    _token, foreign = actions.create_integration_token(
        world.foreign.campaign,
        name="别的活动",
        scope="write",
        resources=list(RESOURCE_NAMES),
        expires_on=world.expires,
        rate_limit=100,
        acting_user=world.users["stranger"],
    )
    if "{slug}" in path:
        assert send(foreign, method, path, spec, world) == "403"
    else:  # not a campaign's address: the token sees its own campaign only
        assert [c["slug"] for c in json.loads(answer(foreign, method, path, world).content)] == ["other"]


def answer(secret: str, method: str, path: str, world):
    cache.clear()
    return Client().generic(method, path, HTTP_AUTHORIZATION=f"Bearer {secret}")


def campaign_objects(spec: str) -> bool:
    """Whether the spec names an object of one campaign (units are shared by every campaign)."""
    return any(part.split("=", 1)[1] != "unit" for part in spec.split())


@pytest.mark.parametrize(
    "key", sorted(key for key, row in API_TABLE.items() if campaign_objects(row[0])), ids=lambda key: " ".join(key)
)
def test_objects_of_another_campaign_are_not_reached_through_this_campaign(key, world):
    method, path = key
    spec = API_TABLE[key][0]
    leaks = {
        role: got
        for role in ROLES[1:]
        if (got := send(world.tokens[(role, "write")], method, path, spec, world, side="foreign"))[0] in "25"
    }
    assert not leaks, f"{method} {path} with campaign other's objects: {leaks}"
