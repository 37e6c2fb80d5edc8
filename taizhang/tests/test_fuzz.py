"""Junk in every URL: no response is ever a 500.

Every URL pattern of ``test_authorization_matrix.TABLE`` is asked with junk in each path part and in the
query (unicode digits, numbers of 23 and 5,000 digits, negatives, NUL, 100,000 characters, impossible
dates, words, nothing), as GET by the roles the matrix lets see it, and the forms it lets post are posted
with junk in every field. A bounded sample runs in CI; the whole set with ``TAIZHANG_FUZZ_EXAMPLES=all``
(``make fuzz``: about 34,000 requests, some 40 minutes). ``TAIZHANG_FUZZ_SEED`` picks another sample; a failure names the seed, the URL and the error.
"""

import os
import random
import re
import time
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.urls.resolvers import RoutePattern

from .test_authorization_matrix import TABLE, url_for
from .test_authorization_matrix import media_root as media_root
from .test_authorization_matrix import world as world
from .world import ROLES, build_kwargs, walk_urlconf

pytestmark = pytest.mark.django_db

JUNK = (
    "²",
    "١٢",
    "１２",
    "9" * 23,
    "9" * 5000,
    "-1",
    "0",
    "\x00",
    "1\x00",
    "x" * 100_000,
    "2026-02-30",
    "2026-13-01T25:61:00Z",
    "abc",
    "",
    " ",
    "1e9",
    "2026-W99",
    "../../etc/passwd",
    "%",
    "<script>alert(1)</script>",
)
# Parameters the views read from the query (filters, scopes, pages, Open311); forms on the page add theirs.
QUERY_NAMES = (
    "unit",
    "refresh",
    "page",
    "parent",
    "preset",
    "period",
    "d",
    "q",
    "status",
    "state",
    "kind",
    "start",
    "end",
    "light",
    "inactive",
    "code",
    "category",
    "phase",
    "due",
    "channel",
    "next",
    "service_request_id",
    "service_code",
    "start_date",
    "end_date",
    "jurisdiction_id",
    "api_key",
)
DEFAULT_EXAMPLES = 250
PLACEHOLDER = "FUZZPLACEHOLDER"
_FIELD = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')


@dataclass(frozen=True)
class Case:
    name: str
    role: str
    method: str
    where: str  # a path part, "query", "query:<name>" or "form"
    junk: str

    def describe(self, url: str) -> str:
        shown = self.junk if len(self.junk) <= 30 else f"{self.junk[:12]}…({len(self.junk)} chars)"
        return f"{self.method} {url[:160]} as {self.role}, {self.where}={shown!r}"


@pytest.fixture(autouse=True)
def _module_media(_test_settings, settings, media_root):
    settings.MEDIA_ROOT = media_root


def reachable(outcomes: str) -> list[str]:
    """Roles that get a page: at most three kinds (the public, a liaison, the office) to keep the set finite."""
    roles = [role for role, got in zip(ROLES, outcomes.split(), strict=True) if got in ("200", "400")]
    preferred = [r for r in ("anon", "owner", "office") if r in roles]
    return preferred or roles[:1]


def path_with(name: str, spec: str, world, part: str, junk: str) -> str:
    """The URL of ``name`` with one path part replaced by ``junk`` (quoted as a browser would)."""
    patterns = dict(walk_urlconf())
    kwargs = build_kwargs(" ".join(p for p in spec.split() if not p.startswith("?")), world)
    pattern = patterns[name].pattern
    if isinstance(pattern, RoutePattern):
        route = str(pattern)
        for key, value in kwargs.items():
            route = re.sub(rf"<(?:\w+:)?{key}>", quote(junk, safe="") if key == part else str(value), route)
        return "/" + route
    url = reverse(name, kwargs={**kwargs, part: PLACEHOLDER})
    return url.replace(PLACEHOLDER, quote(junk, safe=""))


def all_cases() -> list[Case]:
    cases = []
    patterns = dict(walk_urlconf())
    for name, (spec, get_line, post_line) in sorted(TABLE.items()):
        if name not in patterns:
            continue
        parts = [p.split("=", 1)[0] for p in spec.split() if not p.startswith("?")]
        for n, role in enumerate(reachable(get_line)):
            for junk in JUNK:
                cases.extend(Case(name, role, "GET", part, junk) for part in parts)
                cases.append(Case(name, role, "GET", "query", junk))
                if n == 0 and len(junk) < 1000:  # one name at a time: for the first role only
                    cases.extend(Case(name, role, "GET", f"query:{q}", junk) for q in QUERY_NAMES)
        posters = [r for r, got in zip(ROLES, post_line.split(), strict=True) if got in ("200", "201", "400", "R")]
        if posters:
            role = "office" if "office" in posters else posters[0]
            cases.extend(Case(name, role, "POST", "form", junk) for junk in JUNK)
    return cases


def chosen_cases() -> tuple[list[Case], str]:
    """All cases, or a seeded sample spread over the URLs (each URL gets its share, the rest at random)."""
    cases = all_cases()
    wanted = os.environ.get("TAIZHANG_FUZZ_EXAMPLES", str(DEFAULT_EXAMPLES))
    seed = os.environ.get("TAIZHANG_FUZZ_SEED", "16")
    if wanted == "all":
        return cases, f"all {len(cases)} cases"
    chooser = random.Random(seed)
    by_url: dict[str, list[Case]] = {}
    for case in cases:
        by_url.setdefault(case.name, []).append(case)
    share = max(1, int(wanted) // len(by_url))
    sample = [case for group in by_url.values() for case in chooser.sample(group, min(share, len(group)))]
    return sample, f"{len(sample)} of {len(cases)} cases, TAIZHANG_FUZZ_SEED={seed}"


def form_fields(client: Client, url: str, query: dict) -> list[str]:
    response = client.get(url, query)
    page = response.status_code == 200 and not response.streaming and "html" in response.get("Content-Type", "")
    names = set(_FIELD.findall(response.content.decode("utf-8", "replace"))) if page else set()
    return sorted(names - {"csrfmiddlewaretoken"}) or ["text", "title", "percent", "name"]


def run(case: Case, world, clients: dict[str, Client]) -> tuple[str, int | str]:
    spec = TABLE[case.name][0]
    client = clients[case.role]
    url, query = url_for(case.name, spec, world)
    if case.where == "query":
        query = {**query, **dict.fromkeys(QUERY_NAMES, case.junk)}
    elif case.where.startswith("query:"):
        query = {**query, case.where.split(":", 1)[1]: case.junk}
    elif case.where not in ("form",):
        url = path_with(case.name, spec, world, case.where, case.junk)
    data = None
    if case.method == "POST":
        data = dict.fromkeys(form_fields(client, url, query), case.junk)
    cache.clear()
    try:
        with transaction.atomic():
            if case.method == "GET":
                response = client.get(url, query)
            else:
                response = client.post(
                    url + ("?" + "&".join(f"{k}={quote(str(v))}" for k, v in query.items()) if query else ""), data
                )
            transaction.set_rollback(True)
    except Exception as error:
        return url, f"{type(error).__name__}: {str(error)[:200]}"
    return url, response.status_code


def test_junk_in_any_url_never_answers_500(world):
    cases, what = chosen_cases()
    clients = {"anon": Client()}
    for role in ROLES[1:]:
        clients[role] = Client()
        clients[role].force_login(world.users[role])
    started = time.monotonic()
    failures = []
    for case in cases:
        url, got = run(case, world, clients)
        if not isinstance(got, int) or got >= 500:
            failures.append(f"{case.describe(url)}: {got}")
        if case.name == "logout" and case.role != "anon":  # logged out: log in again for the next cases
            clients[case.role].force_login(world.users[case.role])
    elapsed = time.monotonic() - started
    print(f"fuzz: {what} in {elapsed:.1f} s")
    assert not failures, f"{len(failures)} responses ≥ 500 ({what}):\n" + "\n".join(failures[:60])


@pytest.mark.parametrize("field", ["categories", "key_tasks", "items"])
def test_junk_record_numbers_in_the_case_form_are_a_form_error_not_a_500(field, world):
    """The case form's lists of records (the item picker names no input on the page, so the sample cannot find it)."""
    client = Client(raise_request_exception=False)
    client.force_login(world.users["office"])
    url = reverse("bulletins:practice_new", args=[world.campaign.slug])
    for junk in ("9" * 23, "²", "١٢", "-1", "abc"):
        with transaction.atomic():
            response = client.post(url, {"title": "标题", "unit": world.own.objects["unit"].pk, field: junk})
            transaction.set_rollback(True)
        assert response.status_code == 200, (field, junk, response.status_code)
