"""Browser fixtures: a real Chromium, driven by Playwright, against pytest-django's live server.

Bind the fixtures into a test module by name (non-root conftests may not load plugins;
a bare ``from ... import page`` reads to ruff as an unused import shadowed by the argument)::

    from taizhang.testing import browser as fixtures

    browser, page, page_watch = fixtures.browser, fixtures.page, fixtures.page_watch

Every test gets a fresh zh-CN context. A test fails when the page logs a console
error or throws, and when the page tries to reach anything but the live server:
the app must work on an intranet with no internet at all.
"""

import os
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path(os.environ.get("TAIZHANG_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
PASSWORD = "pw-for-tests-1"


class _SharedChromium:
    """One Playwright and one Chromium, shared by every ``browser`` fixture alive at the time.

    Playwright's sync API cannot be started twice at once, and while it runs it keeps an
    asyncio loop running in the main thread, which breaks ``async_to_sync`` in ordinary
    tests. So the launch lives only as long as a browser test module runs: the last
    fixture to finish closes it.
    """

    def __init__(self) -> None:
        self.users = 0
        self.playwright = None
        self.chromium = None

    def acquire(self):
        if self.chromium is None:
            from playwright.sync_api import sync_playwright

            self.playwright = sync_playwright().start()
            self.chromium = self.playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
        self.users += 1
        return self.chromium

    def release(self) -> None:
        self.users -= 1
        if self.users == 0 and self.chromium is not None:
            self.chromium.close()
            self.playwright.stop()
            self.chromium = self.playwright = None


_shared = _SharedChromium()


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium for the module's tests (about a second to launch).

    Skipped when Chromium is not installed, or failed when ``TAIZHANG_REQUIRE_BROWSER=1`` (CI).
    """
    if not CHROMIUM.exists():
        reason = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("TAIZHANG_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason}; TAIZHANG_REQUIRE_BROWSER=1 demands the browser tests run")
        pytest.skip(reason)
    # Playwright's sync API keeps an event loop running in this thread, which trips
    # Django's guard against ORM calls from async code; the test's own queries are sync.
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    chromium = _shared.acquire()
    try:
        yield chromium
    finally:
        _shared.release()
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


class PageWatch:
    """What went wrong in the page: console errors, uncaught exceptions, requests to the outside."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.outside_requests: list[str] = []
        self._allowed: list[re.Pattern] = []

    def allow(self, pattern: str) -> None:
        """Accept console errors matching ``pattern``, e.g. the browser's note on a deliberate 403."""
        self._allowed.append(re.compile(pattern))

    def watch(self, tab) -> None:
        tab.on("console", lambda msg: msg.type == "error" and self.errors.append(f"console: {msg.text} ({tab.url})"))
        tab.on("pageerror", lambda exc: self.errors.append(f"page error: {exc} ({tab.url})"))

    def unexpected_errors(self) -> list[str]:
        return [e for e in self.errors if not any(p.search(e) for p in self._allowed)]


@pytest.fixture
def page_watch() -> PageWatch:
    return PageWatch()


def _open_tab(browser, live_server, page_watch: PageWatch, **options):
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", accept_downloads=True, service_workers="block", **options
    )
    context.set_default_timeout(15_000)
    # expect() waits 5 s by default; the suites run two workers, each with its own Chromium, on two cores,
    # and an htmx swap can take longer than that there. A failing assertion waits as long as an action.
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)

    def only_the_live_server(route):
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            page_watch.outside_requests.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_live_server)
    # Every tab of the context is watched, including a second one a test opens.
    context.on("page", page_watch.watch)
    return context, context.new_page()


def _wait_for_requests_to_finish(timeout: float = 15.0) -> None:
    """Wait until the live server has answered every request the closed tab had under way.

    The live server answers each connection in a thread of its own, sharing the test's
    database connection. A request still running when the test ends (an htmx poll, a
    download) would hold a read on a table while pytest-django empties it, and SQLite
    refuses that ("database table is locked"). Closing the context closes its connections,
    so the threads end; their names carry their target's name since Python 3.10.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        busy = [t for t in threading.enumerate() if "process_request_thread" in t.name and t.is_alive()]
        if not busy:
            return
        busy[0].join(timeout=0.1)


def _finish(context, page_watch: PageWatch) -> None:
    context.close()
    _wait_for_requests_to_finish()
    outside, errors = page_watch.outside_requests, page_watch.unexpected_errors()
    assert not outside, f"the app tried to load from outside the server: {outside}"
    assert not errors, f"the page logged errors: {errors}"


@pytest.fixture
def page(browser, live_server, page_watch) -> Iterator:
    """A fresh zh-CN desktop page (1280x800) whose relative URLs go to the live server."""
    context, tab = _open_tab(browser, live_server, page_watch, viewport=DESKTOP)
    yield tab
    _finish(context, page_watch)


@pytest.fixture
def phone_page(browser, live_server, page_watch) -> Iterator:
    """The same on a phone: 390x844, touch, the page's own viewport meta honoured."""
    context, tab = _open_tab(
        browser, live_server, page_watch, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    yield tab
    _finish(context, page_watch)


def log_in(tab, username: str, password: str = PASSWORD) -> None:
    """Log in through the real form and wait for the landing page."""
    tab.goto("/accounts/login/")
    tab.fill("#id_username", username)
    tab.fill("#id_password", password)
    with tab.expect_navigation():
        tab.click("#login-form button[type=submit]")
    assert "/accounts/login/" not in tab.url, f"{username} could not log in"


def log_out(tab) -> None:
    """Log out through the menu's button (opening the phone menu first) and wait for the next page."""
    from playwright.sync_api import expect

    toggler = tab.locator("button.navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        # Bootstrap's collapse animates the menu open; a click while it is still sliding can land nowhere.
        expect(tab.locator(".navbar-collapse.show:not(.collapsing)")).to_have_count(1)
    button = tab.locator("form[action='/accounts/logout/'] button")
    expect(button).to_be_visible()
    with tab.expect_navigation(wait_until="commit"):
        button.click()
    tab.wait_for_load_state()


def screenshot(tab, name: str) -> Path:
    """A full-page screenshot in test-artifacts/, for people to look at after the run."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    tab.evaluate("document.fonts.ready.then(() => true)")  # the icon font, not empty boxes
    tab.screenshot(path=str(path), full_page=True)
    return path


def has_horizontal_overflow(tab) -> bool:
    return tab.evaluate("document.scrollingElement.scrollWidth > window.innerWidth + 1")
