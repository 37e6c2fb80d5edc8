"""Every kind of page and file answers with the security headers; the production settings pass check --deploy."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from taizhang.ledger import actions as ledger_actions
from taizhang.people import actions as people_actions
from taizhang.people import ratings
from taizhang.reporting.periods import generate_periods
from taizhang.testing import files

PAGE_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
}


def directives(header: str) -> dict[str, str]:
    parsed = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = " ".join(words[1:])
    return parsed


@pytest.fixture
def world(campaign, people, items):
    generate_periods(campaign)
    demand = people_actions.submit_demand(campaign=campaign, data={"text": "食堂晚餐太早结束"}, photo=files.png())
    people_actions.publish_item(items["oa"], acting_user=people["olivia"])
    entry = ledger_actions.add_progress(
        items["oa"], percent=10, done="启动", acting_user=people["lily"], attachments=[files.pdf()]
    )
    invitation = ratings.open_rating(items["oa"], ballots=1, acting_user=people["olivia"])
    return {
        "demand": demand,
        "attachment": entry.attachments.get(),
        "campaign": campaign,
        "items": items,
        "rating": invitation,
    }


def _office(people) -> Client:
    client = Client()
    client.force_login(people["olivia"])
    return client


# (kind, who asks: None for anonymous, the URL from the world)
PAGES = [
    ("public page", None, lambda w: reverse("people:public_list", args=[w["campaign"].slug])),
    ("public item", None, lambda w: reverse("people:public_item", args=[w["campaign"].slug, w["items"]["oa"].pk])),
    ("problem form", None, lambda w: reverse("people:demand_new", args=[w["campaign"].slug])),
    ("tracking", None, lambda w: reverse("people:track", args=[w["demand"].tracking_code])),
    ("login", None, lambda w: reverse("login")),
    ("admin login", None, lambda w: reverse("admin:login")),
    ("item list", "olivia", lambda w: reverse("ledger:item_list", args=[w["campaign"].slug])),
    ("item page", "olivia", lambda w: reverse("ledger:item_detail", args=[w["campaign"].slug, w["items"]["oa"].pk])),
    ("dashboard", "olivia", lambda w: reverse("dashboards:overview", args=[w["campaign"].slug])),
    ("big screen", "olivia", lambda w: reverse("dashboards:screen", args=[w["campaign"].slug])),
    ("board", "olivia", lambda w: reverse("reporting:board", args=[w["campaign"].slug])),
    ("problems", "olivia", lambda w: reverse("people:demand_list", args=[w["campaign"].slug])),
    ("a 404", "olivia", lambda w: "/c/nope/items/"),
]
FILES = [
    ("data.json", "olivia", lambda w: reverse("dashboards:data", args=[w["campaign"].slug])),
    ("open311 services", None, lambda w: f"/open311/v2/services.json?jurisdiction_id={w['campaign'].slug}"),
    ("open311 xml", None, lambda w: f"/open311/v2/requests.xml?jurisdiction_id={w['campaign'].slug}"),
    (
        "attachment",
        "olivia",
        lambda w: reverse("ledger:attachment_download", args=[w["campaign"].slug, w["attachment"].pk]),
    ),
    ("problem photo", "olivia", lambda w: reverse("people:demand_photo", args=[w["campaign"].slug, w["demand"].pk])),
    ("xlsx export", "olivia", lambda w: reverse("ledger:item_export", args=[w["campaign"].slug])),
    ("rating QR", None, lambda w: reverse("people:rate_qr", args=[w["campaign"].slug, w["rating"].token])),
]


def _get(world, people, who, url):
    client = _office(people) if who else Client()
    return client.get(url(world))


def assert_common_headers(response) -> None:
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize(("kind", "who", "url"), PAGES, ids=[p[0] for p in PAGES])
def test_every_kind_of_page_carries_the_page_policy(world, people, kind, who, url):
    response = _get(world, people, who, url)
    assert response.status_code in (200, 404), kind
    assert response["Content-Type"].startswith("text/html")
    policy = directives(response["Content-Security-Policy"])
    for directive, sources in PAGE_DIRECTIVES.items():
        assert policy[directive] == sources, (kind, directive)
    header = response["Content-Security-Policy"]
    assert "unsafe-eval" not in header and "unsafe-inline" not in policy["script-src"]
    assert "style-src-elem" not in policy  # <style> falls back to style-src 'self'
    assert_common_headers(response)


@pytest.mark.parametrize(("kind", "who", "url"), FILES, ids=[f[0] for f in FILES])
def test_every_file_and_data_response_is_sandboxed(world, people, kind, who, url):
    response = _get(world, people, who, url)
    assert response.status_code == 200, kind
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert_common_headers(response)


def test_the_page_policy_forbids_inline_script_in_every_template():
    """No template may rely on inline script or handlers: the policy would stop them in the browser."""
    import re
    from pathlib import Path

    offenders = []
    pattern = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|javascript:", re.IGNORECASE)
    for path in Path(settings.BASE_DIR, "taizhang").rglob("templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        if "json_script" in text:
            text = text.replace("json_script", "")
        offenders += [f"{path}: {m.group(0)}" for m in pattern.finditer(text)]
    assert not offenders


def test_the_production_settings_pass_the_deploy_check():
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "check-only-not-a-real-secret-key-but-long-enough-0123456789abcdef",
        "ALLOWED_HOSTS": "taizhang.example",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
