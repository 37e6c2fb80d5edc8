"""XSS proof: every text people can type, filled with script, shown on every page that shows it, in a real browser.

Each payload sets ``window.__xss`` if it ever runs (a <script>, an event handler on an injected tag, a
``</script>`` that would break out of the JSON a page embeds). The pages are opened twice: once under our
Content-Security-Policy (any violation is a console error, which fails the test), and once with the
policy bypassed, which proves the escaping alone holds. A dialog or a request to ``/x`` (the injected
``<img src=x>``) would fail the test too. Chart tooltips with category, phase and unit names are drawn,
and the HTML behind the PDF documents and the Word files is checked for the escaped payload.
"""

import datetime
import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from taizhang.acceptance import actions as acceptance_actions
from taizhang.campaigns.models import Category, Phase
from taizhang.ledger import actions as ledger_actions
from taizhang.ledger.models import Item
from taizhang.lib import documents
from taizhang.orgs.models import ContactPoint, Unit, User
from taizhang.people import actions as people_actions
from taizhang.people import ratings
from taizhang.reporting import actions as reporting_actions
from taizhang.reporting import digest
from taizhang.reporting.models import ReportingPeriod
from taizhang.reporting.periods import generate_periods
from taizhang.supervision import actions as chase_actions
from taizhang.supervision import documents as chase_documents
from taizhang.testing import browser as fixtures
from taizhang.testing import files
from taizhang.testing.browser import log_in

browser, page_watch = fixtures.browser, fixtures.page_watch

pytestmark = pytest.mark.browser

# Fits every text field (the shortest here take 100 characters). Each part sets a different flag.
P = "<script>window.__xss=1</script>\"><img src=x onerror=window.__xss=2>'<svg onload=window.__xss=3>"
SHORT = '"><img src=x onerror=window.__xss=4>'  # for the 40-character item code
URL = "javascript:window.__xss=5//"
FILE = '"><img src=x onerror=window.__xss=6>'  # a file name cannot hold a slash
assert len(P) <= 100


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(campaign, org, people, items):
    """One campaign where every field a person fills holds the payload, written through the actions."""
    Unit.objects.filter(pk=org["hr"].pk).update(name=P, short_name=P)
    for model in (Category, Phase):  # names are unique within a campaign
        for n, row in enumerate(model.objects.filter(campaign=campaign)):
            model.objects.filter(pk=row.pk).update(name=f"{P}{n}")
    type(campaign).objects.filter(pk=campaign.pk).update(name=P)
    User.objects.filter(pk__in=[people["bob"].pk, people["leo"].pk]).update(name=P)
    ContactPoint.objects.create(campaign=campaign, leader=people["leo"], unit=org["hr"], note=P)
    Item.objects.filter(pk=items["dating"].pk).update(
        code="C-" + SHORT,
        title=P,
        content=P + URL,
        measures=P,
        lead=P,
        owner=P,
        category=Category.objects.filter(campaign=campaign).first(),
        phase=Phase.objects.filter(campaign=campaign).first(),
    )
    item = Item.objects.get(pk=items["dating"].pk)
    bob, olivia, leo = (User.objects.get(pk=people[k].pk) for k in ("bob", "olivia", "leo"))
    generate_periods(campaign)

    ledger_actions.add_progress(
        item,
        percent=40,
        done=P,
        difficulties=P,
        next_steps=P,
        acting_user=bob,
        attachments=[files.pdf(FILE + ".pdf"), files.png(FILE + ".png")],
    )
    ledger_actions.add_comment(item, body=P + URL, acting_user=leo)
    instruction = chase_actions.give_instruction(campaign, text=P, item=item, acting_user=leo)
    chase_actions.answer_instruction(instruction, text=P, acting_user=bob)
    ledger_actions.refresh_lights(campaign)
    item.refresh_from_db()

    demand = people_actions.submit_demand(campaign=campaign, data={"text": P + URL, "name": P}, photo=files.png())
    staff = people_actions.submit_demand(
        campaign=campaign,
        data={"text": P, "channel": "visit", "place": P, "collected_by": P, "name": P},
        acting_user=olivia,
    )
    people_actions.link_demand(demand, item, acting_user=olivia)
    people_actions.answer_demand(staff, reply=P, acting_user=olivia)

    notice = chase_actions.issue_notice(
        item,
        required_by=timezone.localdate() + datetime.timedelta(days=3),
        contact=P,
        requirements=P,
        acting_user=olivia,
    )
    chase_actions.respond_notice(notice, response=P, acting_user=bob)

    acceptance_actions.record_acceptance(
        item,
        data={"result": "passed", "checkers": P, "statement": P, "reasons": ""},
        attachments=[files.jpeg(FILE + ".jpg")],
        acting_user=olivia,
    )
    invitation = ratings.open_rating(item, ballots=1, acting_user=olivia)
    people_actions.rate_item(item, value="dissatisfied", comment=P, voter="cookie:xss")
    people_actions.publish_item(item, acting_user=olivia)
    ledger_actions.withdraw_item(items["flow"], reason=P, acting_user=olivia)

    month = ReportingPeriod.objects.filter(campaign=campaign, kind=ReportingPeriod.Kind.MONTHLY).order_by("starts_on")
    month = month.filter(starts_on__lte=timezone.localdate()).last()
    report = reporting_actions.start_report(month, org["hr"], acting_user=bob)
    reporting_actions.save_summary(
        report, data={"results": P, "practices": P, "problems": P, "suggestions": P}, acting_user=bob
    )
    return {
        "campaign": campaign,
        "item": item,
        "demand": demand,
        "staff": staff,
        "notice": notice,
        "month": month,
        "invitation": invitation,
    }


def _pages(w) -> list[tuple[str, str | None]]:
    """(URL, who opens it: a username, or None for anonymous)."""
    slug, item = w["campaign"].slug, w["item"]
    report = reverse("reporting:report_detail", args=[slug, w["month"].pk, item.owner_unit_id])
    return [
        (reverse("campaigns:home"), "olivia"),
        (reverse("campaigns:campaign_home", args=[slug]), "olivia"),
        (reverse("ledger:item_list", args=[slug]), "olivia"),
        (reverse("ledger:item_list", args=[slug]) + "?q=%3Cscript%3E", "olivia"),
        (reverse("ledger:item_detail", args=[slug, item.pk]), "olivia"),
        (reverse("ledger:item_edit", args=[slug, item.pk]), "olivia"),
        (reverse("ledger:item_progress", args=[slug, item.pk]), "bob"),
        (reverse("dashboards:overview", args=[slug]), "olivia"),
        (reverse("dashboards:overview", args=[slug]) + f"?unit={item.owner_unit_id}", "olivia"),
        (reverse("dashboards:contacts", args=[slug]), "leo"),
        (reverse("dashboards:screen", args=[slug]), "olivia"),
        (reverse("reporting:board", args=[slug]), "olivia"),
        (reverse("reporting:report_home", args=[slug]), "bob"),
        (report, "bob"),
        (reverse("reporting:expected_units", args=[slug]), "olivia"),
        (reverse("people:demand_list", args=[slug]), "olivia"),
        (reverse("people:demand_detail", args=[slug, w["demand"].pk]), "olivia"),
        (reverse("people:demand_detail", args=[slug, w["staff"].pk]), "olivia"),
        (reverse("supervision:notice_list", args=[slug]), "olivia"),
        (reverse("supervision:notice_detail", args=[slug, w["notice"].pk]), "bob"),
        (reverse("notices:inbox"), "bob"),
        (reverse("orgs:unit_tree"), "olivia"),
        (reverse("sheets:statistics_home", args=[slug]), "bob"),
        (reverse("people:public_list", args=[slug]), None),
        (reverse("people:public_item", args=[slug, item.pk]), None),
        (reverse("people:track", args=[w["demand"].tracking_code]), None),
        (reverse("people:track", args=[w["staff"].tracking_code]), None),
        (reverse("people:rate", args=[slug, w["invitation"].token]), None),
        (reverse("people:demand_new", args=[slug]), None),
    ]


TOOLTIPS = {  # chart: the data points whose tooltips show people's words
    "category": [{"type": "showTip", "seriesIndex": 0, "dataIndex": 0}],
    "phase": [{"type": "showTip", "seriesIndex": 0, "dataIndex": 0}],
    "contacts": [{"type": "showTip", "seriesIndex": 0, "dataIndex": 0}],
}


def _tab(browser, live_server, page_watch, *, bypass_csp: bool):
    """A tab like the ``page`` fixture's (only the live server reachable), with or without our policy."""
    return fixtures._open_tab(browser, live_server, page_watch, viewport=fixtures.DESKTOP, bypass_csp=bypass_csp)


def _visit_all(browser, live_server, page_watch, w, *, bypass_csp: bool) -> list[str]:
    """Open every page as the person who sees it; the problems found, as sentences."""
    found, dialogs, strays = [], [], []
    contexts: dict = {}

    def tab_for(who):
        if who not in contexts:
            context, tab = _tab(browser, live_server, page_watch, bypass_csp=bypass_csp)
            tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            tab.on("request", lambda r: r.url.rstrip("/").endswith("/x") and strays.append(r.url))
            if who:
                log_in(tab, who)
            contexts[who] = (context, tab)
        return contexts[who][1]

    try:
        for url, who in _pages(w):
            tab = tab_for(who)
            response = tab.goto(url)
            assert response.status == 200, f"{url} as {who}: {response.status}"
            tab.wait_for_load_state("networkidle")
            for chart, actions in TOOLTIPS.items():
                if tab.evaluate(f"!!(window.tzCharts && window.tzCharts.{chart})"):
                    for action in actions:
                        tab.evaluate(f"a => window.tzCharts.{chart}.dispatchAction(a)", action)
                    tab.wait_for_timeout(150)
            if tab.evaluate("typeof window.__xss") != "undefined":
                found.append(f"script ran on {url} (as {who}): __xss={tab.evaluate('window.__xss')}")
            links = tab.evaluate(
                "Array.from(document.querySelectorAll('a[href],form[action],iframe[src]'))"
                ".map(e => e.getAttribute('href') || e.getAttribute('action') || e.getAttribute('src'))"
                ".filter(h => /^\\s*javascript:/i.test(h))"
            )
            if links:
                found.append(f"javascript: link on {url}: {links}")
            shown = tab.evaluate("document.body.innerText")
            if "window.__xss" not in shown and url.endswith(("/items/", "/public/")):
                found.append(f"the payload is not shown as text on {url}")
    finally:
        for context, _unused in contexts.values():
            context.close()
        fixtures._wait_for_requests_to_finish()
    found += [f"a dialog opened: {m}" for m in dialogs] + [f"an injected image loaded: {u}" for u in strays]
    return found


def test_no_payload_runs_on_any_page_under_the_content_security_policy(browser, live_server, page_watch, world):
    found = _visit_all(browser, live_server, page_watch, world, bypass_csp=False)
    assert not found
    assert not page_watch.unexpected_errors(), page_watch.unexpected_errors()  # a CSP violation is one


def test_no_payload_runs_on_any_page_even_without_the_policy(browser, live_server, page_watch, world):
    """The escaping alone holds: the policy is the second wall, not the only one."""
    found = _visit_all(browser, live_server, page_watch, world, bypass_csp=True)
    assert not found
    assert not page_watch.unexpected_errors(), page_watch.unexpected_errors()


def test_chart_tooltips_show_names_as_text(browser, live_server, page_watch, world):
    context, tab = _tab(browser, live_server, page_watch, bypass_csp=True)
    try:
        log_in(tab, "olivia")
        tab.goto(reverse("dashboards:overview", args=[world["campaign"].slug]))
        tab.wait_for_function("window.tzCharts && window.tzCharts.category")
        tab.evaluate("window.tzCharts.category.dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: 0})")
        tooltip = tab.locator("#chart-category div").filter(has_text="window.__xss").last
        tooltip.wait_for(state="attached")
        assert "<script>window.__xss=1</script>" in tooltip.inner_text()
        assert tab.evaluate("typeof window.__xss") == "undefined"
    finally:
        context.close()
        fixtures._wait_for_requests_to_finish()
    assert not page_watch.unexpected_errors()


# The documents ------------------------------------------------------------------------


ESCAPED = "&lt;script&gt;window.__xss=1&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=window.__xss=2&gt;"


@pytest.fixture
def pdf_markup(monkeypatch):
    """The HTML each PDF is printed from (the real renderer runs; the markup is kept to read)."""
    kept = []
    real = documents.pdf_markup

    def keep(template_name, context):
        markup = real(template_name, context)
        kept.append(markup)
        return markup

    monkeypatch.setattr(documents, "pdf_markup", keep)
    return kept


def _assert_escaped(markup: str) -> None:
    assert ESCAPED in markup or ESCAPED.replace("&quot;", "&#x27;") in markup or "&lt;script&gt;" in markup
    assert "<script" not in markup.lower()
    assert not re.search(r"<img[^>]*onerror", markup, re.IGNORECASE)
    assert "<svg onload" not in markup.lower()


def test_the_chase_notice_pdf_and_docx_carry_the_payload_as_text(world, pdf_markup):
    notice = world["notice"]
    assert chase_documents.notice_pdf(notice).startswith(b"%PDF")
    assert pdf_markup and "&lt;script&gt;window.__xss=1&lt;/script&gt;" in pdf_markup[-1]
    _assert_escaped(pdf_markup[-1])
    with zipfile.ZipFile(io.BytesIO(chase_documents.notice_docx(notice))) as docx:
        body = docx.read("word/document.xml").decode()
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in body and "<script" not in body


def test_the_monthly_digest_and_quarterly_pack_carry_the_payload_as_text(world, pdf_markup):
    month = world["month"]
    data = digest.monthly_digest(month)
    assert digest.monthly_digest_pdf(data).startswith(b"%PDF")
    _assert_escaped(pdf_markup[-1])
    assert "&lt;script&gt;" in pdf_markup[-1]
    with zipfile.ZipFile(io.BytesIO(digest.monthly_digest_docx(data))) as docx:
        body = docx.read("word/document.xml").decode()
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in body and "<script" not in body

    quarter = ReportingPeriod.objects.filter(campaign=month.campaign, kind=ReportingPeriod.Kind.QUARTERLY).first()
    pack = digest.quarterly_pack(quarter)
    assert digest.quarterly_pack_pdf(pack).startswith(b"%PDF")
    _assert_escaped(pdf_markup[-1])
    assert digest.quarterly_pack_docx(pack)[:2] == b"PK"


def test_a_file_name_with_markup_is_kept_as_text_and_served_under_a_safe_name(client, world, people):
    attachment = world["item"].progress_entries.first().attachments.get(name__endswith=".pdf")
    assert attachment.name == FILE + ".pdf"
    client.force_login(people["olivia"])
    response = client.get(reverse("ledger:attachment_download", args=[world["campaign"].slug, attachment.pk]))
    assert response["Content-Disposition"].startswith("attachment;")
    assert "<img" not in response["Content-Disposition"].split("filename*=")[0]
    upload = SimpleUploadedFile(FILE + ".html", b"<script>window.__xss=7</script>")
    with pytest.raises(Exception):  # noqa: B017 - the gate's ValidationError, in whatever words
        ledger_actions.add_progress(
            world["item"], percent=50, done="x", acting_user=User.objects.get(username="bob"), attachments=[upload]
        )
