"""Login throttling: an account and an address lock after repeated wrong passwords; the office unlocks."""

import datetime

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from taizhang.conftest import PASSWORD
from taizhang.history.models import HistoryEntry
from taizhang.history.recording import history_for

LOGIN = "/accounts/login/"


def try_login(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def limit(settings):
    return settings.AXES_FAILURE_LIMIT


def test_thirty_wrong_passwords_then_the_right_one_does_not_log_in(people, limit):
    client = Client(REMOTE_ADDR="198.51.100.7")
    statuses = [try_login(client, "lily", f"wrong-{i}").status_code for i in range(30)]
    assert statuses[: limit - 1] == [200] * (limit - 1)  # the form again, "wrong password"
    assert set(statuses[limit - 1 :]) == {429}
    right = try_login(client, "lily", PASSWORD)
    assert right.status_code == 429 and not logged_in(client)
    body = right.content.decode()
    assert "登录失败次数过多" in body
    assert AccessAttempt.objects.filter(username="lily").exists()


def test_an_account_locks_whatever_address_the_guesses_come_from(people, limit):
    for i in range(limit):
        try_login(Client(REMOTE_ADDR=f"203.0.113.{i + 1}"), "bob", "wrong")
    fresh = Client(REMOTE_ADDR="192.0.2.200")
    assert try_login(fresh, "bob", PASSWORD).status_code == 429 and not logged_in(fresh)
    # Another account from that fresh address is not affected.
    assert try_login(fresh, "lily", PASSWORD).status_code == 302


def test_an_address_locks_whatever_accounts_it_tries(people, limit):
    spraying = Client(REMOTE_ADDR="198.51.100.66")
    for i in range(limit):
        try_login(spraying, f"guess{i}", "123456")
    assert try_login(spraying, "lily", PASSWORD).status_code == 429
    elsewhere = Client(REMOTE_ADDR="198.51.100.67")
    assert try_login(elsewhere, "lily", PASSWORD).status_code == 302


def test_the_lock_lifts_after_the_cool_off(people, limit, settings, _clock_at_test_start):
    client = Client(REMOTE_ADDR="198.51.100.8")
    for _ in range(limit):
        try_login(client, "lily", "wrong")
    assert try_login(client, "lily", PASSWORD).status_code == 429
    _clock_at_test_start.shift(settings.AXES_COOLOFF_TIME + datetime.timedelta(minutes=1))
    assert try_login(client, "lily", PASSWORD).status_code == 302
    assert AccessLog.objects.filter(username="lily").exists()


def test_a_lock_is_one_history_entry_and_the_office_unlocks_on_a_page(people, limit, login):
    for _ in range(limit + 3):
        try_login(Client(REMOTE_ADDR="198.51.100.9"), "lily", "wrong")
    locks = [e for e in history_for(people["lily"]) if e.action == HistoryEntry.Action.LOCK]
    assert len(locks) == 1 and "198.51.100.9" in locks[0].note

    page = reverse("orgs:lockouts")
    assert login(people["bob"]).get(page).status_code == 403  # force_login still works past axes
    assert login(people["leo"]).post(page, {"kind": "username", "value": "lily"}).status_code == 403
    office = login(people["olivia"])
    listing = office.get(page).content.decode()
    assert "lily" in listing and "198.51.100.9" in listing
    assert office.post(page, {"kind": "username", "value": "nobody"}).status_code == 400
    assert office.post(page, {"kind": "username", "value": "lily"}).status_code == 302
    unlocks = [e for e in history_for(people["lily"]) if e.action == HistoryEntry.Action.UNLOCK]
    assert len(unlocks) == 1 and unlocks[0].actor == people["olivia"]
    client = Client(REMOTE_ADDR="192.0.2.10")
    assert try_login(client, "lily", PASSWORD).status_code == 302 and logged_in(client)


def test_behind_a_trusted_proxy_each_visitor_has_their_own_address_counter(people, limit, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    attacker = Client(**proxy, HTTP_X_FORWARDED_FOR="198.51.100.50")
    for i in range(limit):
        try_login(attacker, f"guess{i}", "wrong")
    assert AccessAttempt.objects.filter(ip_address="198.51.100.50").count() == limit
    colleague = Client(**proxy, HTTP_X_FORWARDED_FOR="198.51.100.51")
    assert try_login(colleague, "lily", PASSWORD).status_code == 302
    # Writing another address into the header does not escape the lock: the proxy appends the real one.
    spoofing = Client(**proxy, HTTP_X_FORWARDED_FOR="192.0.2.1, 198.51.100.50")
    assert try_login(spoofing, "bob", PASSWORD).status_code == 429


def test_local_passwords_need_ten_characters_with_a_chinese_message(people):
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as error:
            validate_password("Tz-9short", user=people["lily"])
        message = " ".join(error.value.messages)
    assert "10" in message and "密码" in message, message
    validate_password("a-longer-Passphrase-7", user=people["lily"])


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "ip_address", "value": "not-an-ip"},
        {"kind": "username", "value": "a\x00b"},
        {"kind": "x", "value": "y"},
    ],
)
def test_junk_on_the_unlock_page_is_a_clear_refusal(login, people, data):
    response = login(people["olivia"]).post(reverse("orgs:lockouts"), data)
    assert response.status_code == 400


def test_a_nul_byte_in_the_login_form_is_refused_not_a_500(people):
    response = Client(REMOTE_ADDR="198.51.100.99").post(LOGIN, {"username": "li\x00ly", "password": "x\x00"})
    assert response.status_code in (200, 429)


def test_a_new_user_agent_for_every_guess_does_not_escape_the_count(people, limit):
    for i in range(limit):
        Client(REMOTE_ADDR=f"203.0.113.{i + 1}", HTTP_USER_AGENT=f"bot/{i}").post(
            LOGIN, {"username": "bob", "password": "wrong"}
        )
    assert try_login(Client(REMOTE_ADDR="192.0.2.77"), "bob", PASSWORD).status_code == 429


def test_the_office_unlocks_an_address_and_the_unlock_is_in_history(people, limit, login):
    spraying = Client(REMOTE_ADDR="198.51.100.70")
    for i in range(limit):
        try_login(spraying, f"guess{i}", "wrong")
    assert try_login(spraying, "lily", PASSWORD).status_code == 429
    office = login(people["olivia"])
    assert office.post(reverse("orgs:lockouts"), {"kind": "ip_address", "value": "198.51.100.70"}).status_code == 302
    assert try_login(spraying, "lily", PASSWORD).status_code == 302
    unlock = HistoryEntry.objects.get(action=HistoryEntry.Action.UNLOCK)
    assert unlock.actor == people["olivia"] and "198.51.100.70" in unlock.note
