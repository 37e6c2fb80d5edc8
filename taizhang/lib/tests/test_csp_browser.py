"""The Content-Security-Policy holds in a real browser: injected script and eval are refused, htmx obeys it."""

import pytest
from django.urls import reverse
from playwright.sync_api import Error, expect

from taizhang.testing import browser as fixtures
from taizhang.testing.browser import log_in

browser, page, page_watch = fixtures.browser, fixtures.page, fixtures.page_watch

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_script_slipped_into_a_page_does_not_run_and_eval_is_refused(page, page_watch, campaign, people, items):
    page_watch.allow("Content Security Policy")  # the refusals below are reported, as they should be
    log_in(page, "olivia")
    page.goto(reverse("ledger:item_list", args=[campaign.slug]))

    page.evaluate(
        """() => {
          const box = document.createElement('div');
          box.innerHTML = '<img src="data:," onerror="window.__xss = 1">';
          document.body.appendChild(box);
          const script = document.createElement('script');
          script.textContent = 'window.__xss = 2';
          document.body.appendChild(script);
        }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("typeof window.__xss") == "undefined"
    # Playwright's own evaluate is exempt from the page's policy; a string it hands the page to run is not.
    with pytest.raises(Error, match="unsafe-eval"):
        page.wait_for_function("window.__never === 1", timeout=2_000)
    assert any("Content Security Policy" in e for e in page_watch.errors)


def test_htmx_runs_without_eval_or_a_style_of_its_own(page, page_watch, campaign, people, items):
    log_in(page, "olivia")
    page.goto(reverse("ledger:item_list", args=[campaign.slug]))
    config = page.evaluate("({eval: htmx.config.allowEval, style: htmx.config.includeIndicatorStyles})")
    assert config == {"eval": False, "style": False}
    assert page.evaluate("document.querySelectorAll('style').length") == 0
    # The list still filters through htmx under the policy (a console error would fail the test).
    page.locator("#filter-q").press_sequentially("OA")
    expect(page.locator("#item-table tbody tr[data-code]")).to_have_count(1)


def test_the_public_pages_work_under_the_policy(page, page_watch, campaign, items):
    page.goto(reverse("people:demand_new", args=[campaign.slug]))
    page.fill("textarea[name=text]", "小区路灯坏了很久没人修")
    with page.expect_navigation():
        page.click("form button[type=submit]")
    assert page.locator("text=/[A-Z2-9]{10}/").count() >= 1


def test_the_admin_works_under_the_policy(page, page_watch, campaign, items, people):
    type(people["olivia"]).objects.filter(pk=people["olivia"].pk).update(is_staff=True, is_superuser=True)
    log_in(page, "olivia")
    for url in (
        reverse("admin:index"),
        reverse("admin:ledger_item_changelist"),
        reverse("admin:ledger_item_change", args=[items["oa"].pk]),
        reverse("admin:orgs_unit_add"),
    ):
        response = page.goto(url)
        assert response.status == 200, url
        page.wait_for_load_state("networkidle")
    assert page.evaluate("typeof window.django") == "object"  # the admin's own scripts ran
