"""Shared personas, named by role, over a small org tree.

olivia is the campaign office; lily is the liaison of 办公室 (Office dept);
bob is the liaison of 人力资源部; leo is a leader; charlie has no role at all.
"""

import datetime
import os

import pytest
import time_machine
from django.utils import timezone

from taizhang.orgs.actions import grant_role
from taizhang.orgs.models import Role
from taizhang.testing.factories import make_campaign, make_item, make_unit, make_user

PASSWORD = "pw-for-tests-1"

# Time is an input: every test runs at this moment (Asia/Shanghai), never at the real one.
# CI runs the date-sensitive tests again at a spread of moments through TAIZHANG_TEST_NOW
# (scripts/date_spread.sh); a test that fails at one of them is a bug in the code or the test.
DEFAULT_NOW = "2026-06-17T10:00:00+08:00"


def suite_now() -> datetime.datetime:
    """The moment the suite runs at: ``TAIZHANG_TEST_NOW`` (ISO 8601 with an offset) or a fixed Wednesday."""
    value = os.environ.get("TAIZHANG_TEST_NOW") or DEFAULT_NOW
    moment = datetime.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise pytest.UsageError(f"TAIZHANG_TEST_NOW needs an offset, e.g. 2026-06-17T10:00:00+08:00: {value!r}")
    return moment


_clock: dict = {}


@pytest.fixture(scope="session", autouse=True)
def _frozen_clock():
    """The clock starts at ``suite_now()`` and ticks on from there (code that measures elapsed time still works)."""
    traveller = time_machine.travel(suite_now(), tick=True)
    _clock["coordinates"] = traveller.start()
    yield
    traveller.stop()


@pytest.fixture(scope="module", autouse=True)
def _clock_at_module_start(_frozen_clock):
    """Module-scoped data (the demo's) is built at ``suite_now()`` too."""
    _clock["coordinates"].move_to(suite_now(), tick=True)


@pytest.fixture(autouse=True)
def _clock_at_test_start(_frozen_clock):
    """Each test starts at ``suite_now()``: a deadline moment such as Friday 16:59 stays that moment all suite long."""
    _clock["coordinates"].move_to(suite_now(), tick=True)
    return _clock["coordinates"]


@pytest.fixture(autouse=True)
def _huey_immediate():
    """Background tasks run inline in tests (djhuey reads HUEY_IMMEDIATE only at import, so set it here)."""
    from huey.contrib.djhuey import HUEY

    previous = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = previous


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A request in English leaves English active on the thread (LocaleMiddleware); the next test starts in Chinese."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    # A real hasher costs ~0.75 s a user; tests are not about password strength.
    # PBKDF2 stays second so users made outside the fixture (the demo's, module-scoped) still log in.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_cache(request):
    """Rate limits live in the shared cache, the database's by default: each test starts with none counted.

    Inside a test's transaction the cache's rows roll back with it; a transactional test clears it.
    """
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or (marker and marker.kwargs.get("transaction"))
    if not transactional:
        yield
        return
    from django.core.cache import cache

    request.getfixturevalue("transactional_db")
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def org(db):
    group = make_unit("中国融通集团", kind="group", short_name="集团")
    office_dept = make_unit("集团办公室", parent=group, short_name="办公室", aliases=["总部办公室"])
    hr = make_unit("人力资源部", parent=group, short_name="人力")
    subsidiary = make_unit("融通医疗健康公司", parent=group, kind="subsidiary", short_name="医疗健康")
    hospital = make_unit("八一骨科医院", parent=subsidiary, kind="subunit")
    return {"group": group, "office_dept": office_dept, "hr": hr, "subsidiary": subsidiary, "hospital": hospital}


@pytest.fixture
def campaign(db):
    today = timezone.localdate()
    return make_campaign(starts_on=today - datetime.timedelta(days=90), ends_on=today + datetime.timedelta(days=270))


@pytest.fixture
def people(org, campaign):
    olivia = make_user("olivia", name="欧阳办", unit=org["group"])
    lily = make_user("lily", name="李联络", unit=org["office_dept"])
    bob = make_user("bob", name="包联络", unit=org["hr"])
    leo = make_user("leo", name="刘领导", unit=org["group"])
    charlie = make_user("charlie", name="陈外人")
    grant_role(user=olivia, campaign=campaign, role=Role.OFFICE)
    grant_role(user=lily, campaign=campaign, role=Role.LIAISON, unit=org["office_dept"])
    grant_role(user=bob, campaign=campaign, role=Role.LIAISON, unit=org["hr"])
    grant_role(user=leo, campaign=campaign, role=Role.LEADER)
    return {"olivia": olivia, "lily": lily, "bob": bob, "leo": leo, "charlie": charlie}


@pytest.fixture
def items(org, campaign):
    """Two items per department, one at the hospital."""
    today = timezone.localdate()
    return {
        "oa": make_item(
            campaign,
            org["office_dept"],
            code="HQ-001",
            title="优化OA系统",
            due=today + datetime.timedelta(days=60),
            owner="王明",
        ),
        "flow": make_item(campaign, org["office_dept"], code="HQ-002", title="简化工作流程", due_text="长期坚持"),
        "welfare": make_item(
            campaign,
            org["hr"],
            code="HQ-003",
            title="推进员工福利平台",
            due=today + datetime.timedelta(days=30),
            owner="张华",
        ),
        "dating": make_item(
            campaign, org["hr"], code="HQ-004", title="解决单身员工婚恋问题", due=today - datetime.timedelta(days=12)
        ),
        "clinic": make_item(
            campaign,
            org["hospital"],
            code="YL-001",
            title="開展公益義診活動",
            content="醫療健康公司籌備組",
            due=today + datetime.timedelta(days=100),
        ),
    }


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login
