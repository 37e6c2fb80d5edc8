"""Every page passes WCAG 2.1 A and AA in a real browser (axe-core), for every role that may open it.

``PAGES`` has ONE line per URL name of the URLconf, like the authorization matrix (whose rows give each URL's
arguments and who gets a page): ``"page"`` runs axe on it on a desktop as every role whose matrix GET is 200,
``"page phone"`` on a phone too (the pages people open on a phone), ``"page form"`` also submits its form empty
and runs axe on the page of errors; ``"skip: reason"`` for what is no HTML page (a download, JSON, a POST-only
action). A URL name without a line fails ``test_every_url_has_a_line`` with the line to add.

axe-core is a pinned npm development dependency (package.json; ``npm ci`` puts it in node_modules/): only this
test injects it, nothing serves it. Any critical or serious violation fails the build. One world is built for
the whole walk (not per page), so the module stays within a few minutes on two cores.
"""

import datetime
import json
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from taizhang.testing import browser as fixtures

from .test_authorization_matrix import TABLE as MATRIX
from .test_authorization_matrix import url_for
from .world import ROLES, build_world, walk_urlconf

browser, page, page_watch = fixtures.browser, fixtures.page, fixtures.page_watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"critical", "serious"}

# fmt: off
# name: "page" | "page phone" | "page form" (words combine) | "skip: why it is no HTML page"
PAGES = {
    # --- accounts
    "favicon": "skip: an icon",
    "health_live": "skip: JSON for load balancers",
    "health_ready": "skip: JSON for load balancers",
    "login": "page phone form",
    "logout": "skip: POST only",
    # --- orgs
    "orgs:lockouts": "page",
    # --- audit
    "audit:event_list": "page",
    "audit:event_export": "skip: xlsx",
    "audit:person_data": "page form",
    "orgs:unit_tree": "page",
    "orgs:unit_create": "page form",
    "orgs:unit_detail": "page",
    "orgs:unit_edit": "page",
    "orgs:unit_set_active": "skip: POST only",
    "orgs:first_sign_in": "page phone form",
    # --- campaigns
    "campaigns:home": "skip: a redirect",
    "campaigns:campaign_home": "page phone",
    "campaigns:campaign_new": "page form",
    "campaigns:setup": "page phone",
    "campaigns:sign_in_links": "skip: POST only (the sheet is the POST's answer; its browser test checks it)",
    "campaigns:plan": "page",
    "campaigns:plan_evidence": "skip: a download",
    "campaigns:rules": "page",
    # --- study
    "study:home": "page",
    "study:activity_new": "page form",
    "study:activity_detail": "page",
    "study:activity_edit": "page",
    "study:activity_attendance": "page",
    "study:activity_qr": "skip: an SVG image",
    "study:activity_photos": "skip: POST only",
    "study:activity_photo": "skip: an image",
    "study:activity_photo_remove": "skip: POST only",
    "study:participation": "page",
    "study:activity_plan": "page",
    "study:roster": "page",
    "study:roster_import": "page",
    "study:member_new": "page form",
    "study:member_edit": "page",
    "study:member_record": "page",
    "study:material_list": "page",
    "study:material_new": "page",
    "study:material_detail": "page",
    "study:material_file": "skip: a download",
    "study:activity_kinds": "page",
    "study:group_list": "page",
    "study:group_new": "page form",
    "study:group_search": "skip: JSON for the picker",
    "study:group_detail": "page phone",
    "study:group_edit": "page",
    "study:group_member_remove": "skip: POST only",
    "study:group_export": "skip: xlsx",
    "study:group_member_search": "skip: JSON for the picker",
    "study:sign_in": "page phone",
    "study:read": "page phone",
    "study:reading": "page phone",
    "study:reading_file": "skip: a download",
    # --- ledger
    "ledger:item_list": "page phone",
    "ledger:item_export": "skip: xlsx",
    "ledger:item_create": "page form",
    "ledger:item_detail": "page phone",
    "ledger:item_edit": "page",
    "ledger:item_progress": "page phone form",
    "ledger:item_comment": "skip: POST only",
    "ledger:item_withdraw": "page",
    "ledger:attachment_download": "skip: a download",
    # --- sheets
    "sheets:import_start": "page",
    "sheets:import_mapping": "page",
    "sheets:import_job": "page",
    "sheets:import_retry": "skip: POST only",
    "sheets:import_confirm": "skip: POST only",
    "sheets:statistics_home": "page",
    "sheets:statistics_download": "skip: xlsx",
    "sheets:statistics_upload": "skip: POST only",
    "sheets:statistics_preview": "skip: a redirect for the uploader, 404 for the others",
    # --- reporting
    "reporting:report_home": "page phone",
    "reporting:board": "page",
    "reporting:board_export": "skip: xlsx",
    "reporting:expected_units": "page",
    "reporting:expected_unit_remove": "skip: POST only",
    "reporting:document_home": "page",
    "reporting:document_detail": "page",
    "reporting:document_download": "skip: a download",
    "reporting:report_detail": "page phone",
    "reporting:report_progress": "skip: POST only",
    "reporting:report_summary": "skip: POST only",
    "reporting:report_submit": "skip: POST only",
    "reporting:report_accept": "skip: POST only",
    "reporting:report_return": "skip: POST only",
    "reporting:report_reopen": "skip: POST only",
    # --- notices
    "notices:inbox": "page phone",
    "notices:bell": "skip: an htmx fragment of base.html (checked on every page)",
    "notices:mark_all_read": "skip: POST only",
    "notices:mark_read": "skip: POST only",
    "notices:preferences": "page",
    "notices:send_log": "page",
    # --- dashboards
    "dashboards:overview": "page phone",
    "dashboards:mine": "skip: a redirect",
    "dashboards:unit_home": "page phone",
    "dashboards:contacts": "page phone",
    "dashboards:screen": "page",
    "dashboards:data": "skip: JSON",
    # --- supervision
    "supervision:notice_list": "page",
    "supervision:notice_new": "page form",
    "supervision:notice_detail": "page",
    "supervision:notice_docx": "skip: docx",
    "supervision:notice_pdf": "skip: PDF",
    # --- people
    "people:demand_new": "page phone form",
    "people:public_unit_search": "skip: JSON",
    "people:track_lookup": "page phone form",
    "people:track": "page phone",
    "people:rate": "page phone form",
    "people:rate_qr": "skip: an image",
    "people:track_rate": "skip: 404 (the demand is not one of the item's)",
    "people:item_rating": "page",
    "people:public_list": "page phone",
    "people:public_item": "page phone",
    "people:demand_list": "page",
    "people:demand_record": "page form",
    "people:demand_upload": "page",
    "people:item_from_demands": "page",
    "people:demand_detail": "page",
    "people:demand_photo": "skip: an image",
    "people:demand_act": "skip: POST only",
    "people:item_publish": "skip: POST only",
    "people:open311_services": "skip: JSON",
    "people:open311_service": "skip: JSON",
    "people:open311_requests": "skip: JSON",
    "people:open311_request": "skip: JSON",
    # --- acceptance
    "acceptance:item_accept": "page form",
    "acceptance:item_close": "page",
    "acceptance:item_reopen": "skip: POST only",
    "acceptance:lookback_record": "skip: POST only",
    "acceptance:evidence_download": "skip: a download",
    # --- bulletins
    "bulletins:practice_list": "page",
    "bulletins:practice_new": "page form",
    "bulletins:item_search": "skip: JSON",
    "bulletins:practice_from_activity": "skip: POST only",
    "bulletins:practice_from_report": "skip: POST only",
    "bulletins:practice_detail": "page",
    "bulletins:practice_edit": "page",
    "bulletins:practice_photo_add": "skip: POST only",
    "bulletins:photo": "skip: an image",
    "bulletins:practice_read": "skip: POST only",
    "bulletins:practice_act": "skip: POST only",
    "bulletins:bulletin_list": "page",
    "bulletins:bulletin_new": "page",
    "bulletins:bulletin_detail": "page",
    "bulletins:bulletin_edit": "page",
    "bulletins:bulletin_cases": "skip: POST only",
    "bulletins:bulletin_download": "skip: PDF",
    "bulletins:bulletin_act": "skip: POST only",
    "bulletins:public_bulletins": "page phone",
    "bulletins:public_bulletin": "page phone",
    "bulletins:public_bulletin_pdf": "skip: PDF",
    "bulletins:public_practice": "page phone",
    "bulletins:public_practice_read": "skip: POST only",
    "bulletins:public_photo": "skip: an image",
    "bulletins:public_feed": "skip: a feed (XML)",
    # --- added at the merge of session 4: supervision, inspections, meetings, assessment, people pages
    "orgs:unit_search": "skip: application/json",
    "ledger:item_search": "skip: application/json",
    "ledger:item_model_mark": "skip: POST only",
    "sheets:import_place_unit": "skip: POST only",
    "sheets:import_options": "skip: POST only",
    "notices:robots": "page",
    "notices:robot_active": "skip: no role gets a page",
    "dashboards:key_tasks": "page phone",
    "dashboards:key_task": "page",
    "dashboards:key_task_owner": "page phone",
    "dashboards:key_task_edit": "skip: no role gets a page",
    "dashboards:key_task_progress": "skip: no role gets a page",
    "supervision:responsibility_grid": "page",
    "supervision:responsibility_xlsx": "skip: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "supervision:responsibility_docx": "skip: application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "supervision:responsibility_new": "page",
    "supervision:responsibility_edit": "page",
    "supervision:responsibility_end": "skip: POST only",
    "supervision:instruction_list": "page",
    "supervision:instruction_new": "page",
    "supervision:instruction_detail": "page phone",
    "supervision:instruction_review": "skip: POST only",
    "supervision:instruction_evidence": "skip: image/png",
    "supervision:visit_list": "page",
    "supervision:visit_new": "page phone form",
    "supervision:visit_detail": "page",
    "supervision:visit_photo": "skip: image/png",
    "supervision:contact_points_unvisited": "page",
    "supervision:contact_point_detail": "page",
    "meetings:meeting_list": "page",
    "meetings:meeting_new": "page form",
    "meetings:meeting_detail": "page",
    "meetings:meeting_edit": "page",
    "meetings:meeting_held": "skip: POST only",
    "meetings:meeting_approve": "skip: POST only",
    "meetings:agenda_build": "page",
    "meetings:agenda_edit": "page",
    "meetings:minutes_edit": "page",
    "meetings:decision_new": "page",
    "meetings:pack_docx": "skip: application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "meetings:pack_pdf": "skip: application/pdf",
    "meetings:minutes_docx": "skip: application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "meetings:minutes_pdf": "skip: application/pdf",
    "meetings:decision_list": "page",
    "meetings:decision_detail": "page phone",
    "meetings:decision_edit": "page",
    "meetings:decision_done": "skip: POST only",
    "meetings:decision_close": "skip: POST only",
    "people:settings": "page",
    "people:api_key_new": "skip: no role gets a page",
    "people:api_key_active": "skip: no role gets a page",
    "study:activity_model": "skip: no role gets a page",
    "study:attendance_upload": "page",
    "bulletins:signatory_add": "skip: POST only",
    "bulletins:signatory_remove": "skip: POST only",
    "inspections:home": "page",
    "inspections:team_list": "page",
    "inspections:team_new": "page",
    "inspections:team_detail": "page",
    "inspections:round_new": "skip: POST only",
    "inspections:report_docx": "skip: application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "inspections:report_pdf": "skip: application/pdf",
    "inspections:inspection_new": "page phone form",
    "inspections:inspection_detail": "page",
    "inspections:finding_list": "page",
    "inspections:finding_detail": "page phone",
    "inspections:finding_answer": "skip: POST only",
    "inspections:finding_verify": "skip: POST only",
    "inspections:finding_return": "skip: POST only",
    "inspections:evidence_download": "skip: image/png",
    "inspections:lists": "page",
    "inspections:list_xlsx": "skip: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "inspections:list_docx": "skip: application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "assessment:home": "page",
    "assessment:scheme_import": "skip: POST only",
    "assessment:scheme_copy": "skip: POST only",
    "assessment:scheme_detail": "page",
    "assessment:section_add": "skip: POST only",
    "assessment:item_add": "page",
    "assessment:item_edit": "page",
    "assessment:item_remove": "skip: POST only",
    "assessment:scheme_reorder": "skip: POST only",
    "assessment:scheme_version": "skip: POST only",
    "assessment:scheme_xlsx": "skip: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "assessment:run_start": "skip: POST only",
    "assessment:run_detail": "page",
    "assessment:unit_breakdown": "page phone",
    "assessment:unit_sheet": "skip: application/pdf",
    "assessment:item_score": "page",
    "assessment:adjustment_file": "skip: application/pdf",
    "assessment:score_file": "skip: application/pdf",
    "assessment:objection_file": "skip: application/pdf",
    "assessment:penalty_file": "skip: application/pdf",
    "assessment:adjustment_queue": "page",
    "assessment:objection_list": "page",
    "assessment:run_review": "skip: POST only",
    "assessment:run_freeze": "skip: POST only",
    "assessment:penalty_list": "page",
    "assessment:circular_docx": "skip: application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "assessment:circular_pdf": "skip: application/pdf",
    "assessment:scores_xlsx": "skip: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "assessment:year_end_xlsx": "skip: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "assessment:nominations_xlsx": "skip: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "campaigns:people_search": "skip: application/json",
    "campaigns:people": "page",
    "signon:group_rules": "page form",
    "signon:group_rule_remove": "skip: POST only",
    "signon:oidc_start": "skip: a redirect to the identity provider (off in the tests)",
    "signon:oidc_callback": "skip: the identity provider's redirect back (off in the tests)",
    "signon:otp_setup": "page form",
    "signon:otp_verify": "skip: a redirect to setting up without a device",
    "signon:otp_remove": "skip: POST only",
    "campaigns:person_new": "page form",
    "campaigns:people_import": "page",
    "campaigns:people_grant": "skip: no role gets a page",
    "campaigns:grant_revoke": "skip: no role gets a page",
    "campaigns:contact_points": "page",
    "campaigns:contact_point_remove": "skip: no role gets a page",
    # --- api: the token pages (the API's docs page is Swagger UI, served by django-ninja from our static files)
    "api:personal_tokens": "page phone form",
    "api:token_revoke": "skip: POST only",
    "api:integration_tokens": "page form",
}
# fmt: on

# Who is walked through a page on a desktop: of the roles the matrix lets in, the first two of WALKED (the
# public, the office, a liaison of the owner unit, a leader); the other roles see the same templates with fewer
# buttons, so they walk the pages of EVERY_ROLE (their landing pages). A phone walk takes the first one.
WALKED = ("anon", "office", "owner", "leader")
EVERY_ROLE = {"dashboards:overview", "ledger:item_list", "ledger:item_detail", "orgs:unit_tree", "notices:inbox"}


def axe_source() -> str:
    if not AXE.exists():
        reason = f"axe-core is not installed at {AXE} (npm ci)"
        if os.environ.get("TAIZHANG_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason}; TAIZHANG_REQUIRE_BROWSER=1 demands the accessibility tests run")
        pytest.skip(reason)
    return AXE.read_text()


def run_axe(tab, source: str) -> list[dict]:
    """The critical and serious WCAG 2.1 A/AA violations on the page as it is now."""
    if not tab.evaluate("typeof window.axe === 'object'"):
        tab.evaluate(source)  # Playwright's evaluate is exempt from the page's Content-Security-Policy
    result = tab.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))})))",
        AXE_TAGS,
    )
    return [v for v in result if v["impact"] in FAILING_IMPACTS]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"    [{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])})")
        for node in v["nodes"][:3]:
            lines.append(f"        {node['target']}: {(node['summary'] or '').splitlines()[-1][:160]}")
    return "\n".join(lines)


def words(name: str) -> set[str]:
    return set() if PAGES[name].startswith("skip") else set(PAGES[name].split())


def roles_with_a_page(name: str) -> list[str]:
    get = MATRIX[name][1].split()
    return [role for role, outcome in zip(ROLES, get, strict=True) if outcome == "200"]


def visits(name: str) -> list[tuple[str, str]]:
    """(viewport, role) pairs to check ``name`` as."""
    roles = roles_with_a_page(name)
    first = [role for role in WALKED if role in roles]
    # TAIZHANG_A11Y_EVERY_ROLE=1 (make a11y-full): every page as every role that gets it, the full proof
    # behind the bounded walk CI runs.
    every = name in EVERY_ROLE or os.environ.get("TAIZHANG_A11Y_EVERY_ROLE") == "1"
    pairs = [("desktop", role) for role in (roles if every else first[:2])]
    if "phone" in words(name):
        pairs += [("phone", role) for role in first[:1]]
    return pairs


def suggested_line(name: str, world) -> str:
    """What a new URL name's line should probably say, from what the server answers."""
    if name not in MATRIX:
        return "(first add its row to test_authorization_matrix.py TABLE)"
    roles = roles_with_a_page(name)
    if not roles:
        return "skip: POST only" if set(MATRIX[name][1].split()) == {"405"} else "skip: no role gets a page"
    client = Client()
    if roles[0] != "anon":
        client.force_login(world.users[roles[0]])
    url, query = url_for(name, MATRIX[name][0], world)
    kind = client.get(url, query).headers.get("Content-Type", "")
    return "page" if kind.startswith("text/html") else f"skip: {kind.split(';')[0]}"


def _more_items(world) -> None:
    """A little of the demo's variety in the world's campaign: items of every light, progress, a finished one."""
    from taizhang.ledger.models import ProgressEntry
    from taizhang.testing.factories import make_item

    campaign, unit = world.campaign, world.own.objects["unit"]
    today = datetime.date.fromisoformat(str(world.own.objects["item"].due))
    for n, (days, percent) in enumerate(((-10, 30), (3, 60), (40, 80), (60, 100), (90, 0)), start=2):
        item = make_item(
            campaign, unit, code=f"HQ-{n:03}", title=f"便民服务事项{n}", due=today + datetime.timedelta(days)
        )
        if percent:
            ProgressEntry.objects.create(
                item=item,
                as_of=today,
                percent=percent,
                done="按计划推进",
                author=world.users["owner"],
                created_at=timezone.now(),
            )


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    built = build_world()
    _more_items(built)
    return built


def test_every_url_has_a_line(world):
    """A new URL cannot skip the accessibility walk: its name must be in PAGES (and no line may name a gone URL)."""
    urls = dict(walk_urlconf())
    missing = [name for name in urls if name not in PAGES]
    lines = [f'    "{name}": "{suggested_line(name, world)}",' for name in missing]
    assert not missing, (
        'URL names without a line in taizhang/tests/test_accessibility.py PAGES. Add these lines ("page" is '
        'checked by axe as every role with a page; add "phone" for a page people open on a phone, "form" for '
        'one whose failed submit shows errors; "skip: reason" for what is no HTML page):\n' + "\n".join(lines)
    )
    assert [name for name in PAGES if name not in urls] == [], "lines for URLs that no longer exist"
    wrong = [name for name, line in PAGES.items() if not line.startswith("skip: ") and not roles_with_a_page(name)]
    assert not wrong, f"pages no role may open (the matrix says so): mark them skip: {wrong}"


def _context(browser, live_server, page_watch, viewport: str, world, role: str):
    options = (
        {"viewport": fixtures.PHONE, "is_mobile": True, "has_touch": True}
        if viewport == "phone"
        else {"viewport": fixtures.DESKTOP}
    )
    context, tab = fixtures._open_tab(browser, live_server, page_watch, **options)
    if role != "anon":
        client = Client()
        client.force_login(world.users[role])
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    return context, tab


def submit_empty(tab) -> bool:
    """Submit the page's main form as it is, the browser's own checks off: the server's errors are shown."""
    find = """() => [...document.querySelectorAll('main form')].find(f =>
        (f.method || '').toLowerCase() === 'post' && !f.hasAttribute('hx-post') && f.querySelector('[type=submit]'))"""
    if not tab.evaluate(f"() => !!({find})()"):
        return False
    with tab.expect_navigation(wait_until="load"):
        tab.evaluate(
            f"""() => {{
              const form = ({find})();
              form.noValidate = true;
              form.querySelectorAll('input[type=text], input:not([type]), textarea').forEach(i => {{ i.value = ''; }});
              form.requestSubmit(form.querySelector('[type=submit]'));
            }}"""
        )
    return True


def test_every_page_has_no_critical_or_serious_axe_violation(browser, live_server, page_watch, world):
    from django.core.cache import cache

    source = axe_source()
    page_watch.allow("status of 400")  # the failed submits of the forms, on purpose
    failures, checked = [], 0
    only = os.environ.get("TAIZHANG_A11Y_ONLY")  # a developer's shortcut: "name,name" walks just those
    pages = [name for name in PAGES if words(name) and (not only or name in only.split(","))]
    by_visit: dict[tuple[str, str], list[str]] = {}
    for name in pages:
        for visit in visits(name):
            by_visit.setdefault(visit, []).append(name)
    report = os.environ.get("TAIZHANG_A11Y_REPORT")
    progress = open(report + ".log", "w") if report else None  # noqa: SIM115 (closed below)
    for (viewport, role), names in by_visit.items():
        context, tab = _context(browser, live_server, page_watch, viewport, world, role)
        try:
            for name in names:
                cache.clear()  # rate limits count per address
                if progress:
                    print(f"{viewport} {role} {name}", file=progress, flush=True)
                url, query = url_for(name, MATRIX[name][0], world)
                if query:
                    url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
                response = tab.goto(url)
                if response.status != 200:
                    failures.append(f"  {name} as {role}: HTTP {response.status} ({url})")
                    continue
                kind = response.headers.get("content-type", "")
                if not kind.startswith("text/html"):
                    failures.append(f'  {name} is no HTML page ({kind}): its line should say "skip: …"')
                    continue
                states = [("", run_axe(tab, source))]
                last_role = role == [r for v, r in visits(name) if v == "desktop"][-1]
                if "form" in words(name) and viewport == "desktop" and last_role and submit_empty(tab):
                    states.append((" after a failed submit", run_axe(tab, source)))
                for state, violations in states:
                    checked += 1
                    if violations:
                        failures.append(f"  {name}{state} as {role} on a {viewport} ({url}):\n{describe(violations)}")
                        if progress:
                            print(failures[-1], file=progress, flush=True)
        finally:
            fixtures._finish(context, page_watch)
    if report:
        progress.close()
        Path(report).write_text(json.dumps({"checked": checked, "failures": failures}, ensure_ascii=False, indent=1))
    assert checked >= len(pages)
    assert not failures, f"{len(failures)} of {checked} page states fail WCAG 2.1 AA (axe):\n" + "\n".join(failures)


def test_the_list_names_a_page_for_every_role():
    """Every role is walked: each one opens at least one page of the list."""
    walked = {role for name in PAGES if words(name) for _, role in visits(name)}
    assert walked == set(ROLES)


# --- By keyboard alone: every stop has a visible focus ring, focus never falls back to the page -------------

STOP = """(args) => {
  const [wanted, forbidden] = args;
  const a = document.activeElement;
  const s = getComputedStyle(a);
  return {
    match: !!a && a.matches(wanted),
    lost: !a || a === document.body || a === document.documentElement,
    forbidden: !!forbidden && a.matches(forbidden),
    // A date field's year, month and day are focused inside the browser's own control (which then marks the
    // segment itself; the field does not match :focus): only the page's own focus styles are checked.
    ring: (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || !a.matches(':focus'),
    what: a ? a.outerHTML.slice(0, 140) + ' outline=' + s.outlineStyle + ' ' + s.outlineWidth + ' ' + a.matches(':focus') : '',
  };
}"""


def tab_to(tab, wanted: str, *, limit: int = 80, forbidden: str = "[name=website]", key: str = "Tab") -> None:
    """Press Tab until the focused element matches ``wanted``; every stop on the way shows its focus."""
    for _ in range(limit):
        tab.keyboard.press(key)
        stop = tab.evaluate(STOP, [wanted, forbidden])
        assert not stop["lost"], "focus fell back to the page"
        assert not stop["forbidden"], f"focus reached what no keyboard user may: {stop['what']}"
        assert stop["ring"], f"no visible focus ring on {stop['what']}"
        if stop["match"]:
            return
    raise AssertionError(f"{wanted} not reached in {limit} Tab stops")


def focused(tab, selector: str) -> bool:
    return tab.evaluate("(sel) => document.activeElement.matches(sel)", selector)


def _desktop(browser, live_server, page_watch, world, role):
    return _context(browser, live_server, page_watch, "desktop", world, role)


def test_the_item_list_by_keyboard_skip_link_filters_and_pages(browser, live_server, page_watch, world):
    from taizhang.testing.factories import make_item

    for n in range(60):  # more than one page of 50
        make_item(world.campaign, world.own.objects["unit"], code=f"KB-{n:03}", title=f"键盘事项{n}")
    context, tab = _desktop(browser, live_server, page_watch, world, "office")
    try:
        tab.goto(reverse("ledger:item_list", args=[world.campaign.slug]))
        tab.keyboard.press("Tab")
        assert focused(tab, ".tz-skip-link"), "the first Tab stop is the skip link"
        tab.keyboard.press("Enter")
        assert focused(tab, "main"), "the skip link puts focus at the start of the content"
        tab_to(tab, "#filter-q")
        tab.keyboard.type("键盘事项1")
        expect(tab.locator("#tz-live")).to_contain_text("11")  # 键盘事项1 and 键盘事项10…19: announced
        assert focused(tab, "#filter-q"), "typing in the search box keeps focus there"
        tab.fill("#filter-q", "")
        tab.keyboard.press("Enter")
        expect(tab.locator("#results .pagination")).to_be_visible()
        tab_to(tab, "#results .pagination a.page-link[href*='page=2']", limit=400)
        tab.keyboard.press("Enter")
        expect(tab).to_have_url(re.compile(r"[?&]page=2\b"))
        expect(tab.locator("#results [data-tz-heading]")).to_be_focused()
        tab.keyboard.press("Tab")
        assert tab.evaluate("document.getElementById('results').contains(document.activeElement)"), (
            "the next Tab after paging stays in the results, not 36 stops above the table"
        )
    finally:
        fixtures._finish(context, page_watch)


def test_adding_progress_by_keyboard_with_an_error_summary_first(browser, live_server, page_watch, world):
    item = world.own.objects["item"]
    page_watch.allow("status of 400")  # the failed submit, on purpose
    context, tab = _desktop(browser, live_server, page_watch, world, "owner")
    try:
        tab.goto(reverse("ledger:item_progress", args=[world.campaign.slug, item.pk]))
        # The browser's own checks off, as in a browser without them: the server's errors are what is tested.
        tab.evaluate("document.getElementById('progress-form').noValidate = true")
        tab_to(tab, "#id_percent")
        tab.keyboard.type("45")
        tab_to(tab, "#progress-form button[type=submit]")
        with tab.expect_navigation():
            tab.keyboard.press("Enter")
        expect(tab.locator("[data-tz-error-summary]")).to_be_focused()
        link = tab.locator("[data-tz-error-summary] a").first
        described = tab.evaluate(
            "() => [...document.querySelectorAll('[aria-describedby]')].flatMap(e => "
            "e.getAttribute('aria-describedby').split(' ').filter(Boolean)).filter(id => !document.getElementById(id))"
        )
        assert described == [], f"aria-describedby names ids that do not exist: {described}"
        tab.keyboard.press("Tab")
        tab.keyboard.press("Enter")  # the summary's first link: focus goes to the field
        target = link.get_attribute("href").lstrip("#")
        assert tab.evaluate("document.activeElement.id") == target
        tab.fill("#id_percent", "")
        tab.focus("#id_percent")
        tab.keyboard.type("45")
        tab_to(tab, "#id_done")
        tab.keyboard.type("已完成系统选型")
        tab_to(tab, "#progress-form button[type=submit]")
        with tab.expect_navigation():
            tab.keyboard.press("Enter")
        expect(tab.locator("body")).to_contain_text("已完成系统选型")
    finally:
        fixtures._finish(context, page_watch)


def test_the_weekly_report_by_keyboard(browser, live_server, page_watch, world):
    from taizhang.reporting.models import UnitReport

    period, unit = world.own.objects["period"], world.own.objects["unit"]
    context, tab = _desktop(browser, live_server, page_watch, world, "owner")
    try:
        tab.goto(reverse("reporting:report_detail", args=[world.campaign.slug, period.pk, unit.pk]))
        tab_to(tab, "details summary")
        tab.keyboard.press("Enter")
        tab_to(tab, "details[open] input[name$=percent]")
        tab.keyboard.type("60")
        tab_to(tab, "details[open] textarea[name$=done]")
        tab.keyboard.type("本周完成需求调研")
        tab_to(tab, "details[open] button[type=submit]")
        tab.keyboard.press("Enter")  # saving swaps that row in place (htmx), no reload
        expect(tab.locator("[data-saved]").first).to_be_visible()
        tab_to(tab, "#submit-report", limit=150)
        with tab.expect_navigation():
            tab.keyboard.press("Enter")
        if tab.locator("#confirm-submit").count():  # some items left unchanged: the page asks first
            tab_to(tab, "#confirm-submit", limit=150)
            with tab.expect_navigation():
                tab.keyboard.press("Enter")
        report = UnitReport.objects.get(period=period, unit=unit)
        assert report.status != UnitReport.Status.DRAFT, report.status
    finally:
        fixtures._finish(context, page_watch)


def test_the_problem_form_by_keyboard_with_larger_text(browser, live_server, page_watch, world):
    context, tab = _context(browser, live_server, page_watch, "phone", world, "anon")
    try:
        tab.goto(reverse("people:demand_new", args=[world.campaign.slug]))
        tab_to(tab, "[data-tz-large-text]")
        tab.keyboard.press("Enter")
        assert tab.evaluate("document.documentElement.classList.contains('tz-large-text')")
        tab_to(tab, "textarea[name=text]")
        tab.keyboard.type("小区门口的路灯坏了一个月")
        tab_to(tab, "main form button[type=submit]")
        small = tab.evaluate(
            "() => [...document.querySelectorAll('main .btn, main .form-control, main .form-select')]"
            ".filter(e => e.offsetParent && e.getBoundingClientRect().height < 44).map(e => e.outerHTML.slice(0, 80))"
        )
        assert small == [], f"tap targets under 44 px on the public form: {small}"
        with tab.expect_navigation():
            tab.keyboard.press("Enter")
        expect(tab.locator("body")).to_contain_text(re.compile(r"[A-Z2-9]{10}"))
    finally:
        fixtures._finish(context, page_watch)


def test_acceptance_by_keyboard(browser, live_server, page_watch, world):
    from taizhang.testing.factories import make_item

    item = make_item(world.campaign, world.own.objects["unit"], code="HQ-900", title="待验收事项")
    page_watch.allow("status of 400")  # a date typed wrong is sent back with its message, not a failure here
    context, tab = _desktop(browser, live_server, page_watch, world, "office")
    try:
        tab.goto(reverse("acceptance:item_accept", args=[world.campaign.slug, item.pk]))
        tab_to(tab, "#id_checked_on")
        # A date from the keyboard: ArrowUp sets the year, month and day in turn (2026-01-01), ArrowRight moves on.
        for key in ("ArrowUp", "ArrowRight", "ArrowUp", "ArrowRight", "ArrowUp"):
            tab.keyboard.press(key)
        tab_to(tab, "#id_checkers")
        tab.keyboard.type("王明、李华")
        tab_to(tab, "input[name=result]")
        tab.keyboard.press("Space")  # the first result, checked from the keyboard
        tab_to(tab, "#acceptance-form button[type=submit]")
        with tab.expect_navigation():
            tab.keyboard.press("Enter")
        summary = tab.locator("[data-tz-error-summary]")
        assert summary.count() == 0, summary.inner_text()
        assert item.acceptances.exists()
    finally:
        fixtures._finish(context, page_watch)


# --- At 200 % zoom: a 1280 px window at 200 % lays the page out at 640 CSS pixels ----------------------------

ZOOMED = (
    "ledger:item_list",
    "ledger:item_detail",
    "ledger:item_progress",
    "dashboards:overview",
    "reporting:report_detail",
    "reporting:board",
    "people:demand_new",
    "people:demand_list",
    "campaigns:campaign_home",
    "acceptance:item_accept",
)


def test_at_200_percent_zoom_no_page_scrolls_sideways(browser, live_server, page_watch, world):
    context, tab = fixtures._open_tab(
        browser, live_server, page_watch, viewport={"width": 640, "height": 400}, device_scale_factor=2
    )
    client = Client()
    client.force_login(world.users["office"])
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    try:
        sideways = []
        for name in ZOOMED:
            url, _ = url_for(name, MATRIX[name][0], world)
            assert tab.goto(url).status == 200, name
            if fixtures.has_horizontal_overflow(tab):
                sideways.append(name)
            if name == "ledger:item_list":
                status = tab.locator("#item-table thead th").last
                expect(status).to_be_visible()
                assert status.inner_text().strip() in ("状态", "Status")
        assert sideways == [], f"pages that scroll sideways at 200 %: {sideways}"
        # At 320 CSS pixels (400 % zoom, or a small phone) the file inputs stay inside the screen too.
        tab.set_viewport_size({"width": 320, "height": 640})
        tab.goto(reverse("ledger:item_progress", args=[world.campaign.slug, world.own.objects["item"].pk]))
        assert not fixtures.has_horizontal_overflow(tab), "the progress form scrolls sideways at 320 px"
    finally:
        fixtures._finish(context, page_watch)
