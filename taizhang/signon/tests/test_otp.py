"""A TOTP second factor for local accounts: optional, and required of the office when the setting says so."""

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from taizhang.conftest import PASSWORD

pytestmark = pytest.mark.django_db
HOME = "/c/2021/items/"  # a page every role of the campaign opens


def code_for(key_hex: str) -> str:
    device = TOTPDevice(key=key_hex)
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


def log_in(username: str) -> Client:
    client = Client()
    assert client.post(reverse("login"), {"username": username, "password": PASSWORD}).status_code == 302
    return client


def set_up(client: Client) -> TOTPDevice:
    page = client.get(reverse("signon:otp_setup"))
    assert page.status_code == 200 and "<svg" in page.content.decode()
    key = client.session["signon_totp_key"]
    assert not TOTPDevice.objects.exists()  # nothing saved on GET
    wrong = "000000" if code_for(key) != "000000" else "111111"
    assert client.post(reverse("signon:otp_setup"), {"token": wrong}).status_code == 400
    assert client.post(reverse("signon:otp_setup"), {"token": code_for(key)}).status_code == 302
    return TOTPDevice.objects.get()


def test_without_a_device_or_the_setting_nothing_is_asked(people):
    client = log_in("olivia")
    assert client.get(HOME).status_code == 200


def test_a_local_account_with_a_device_gives_its_code_before_anything_else(people):
    device = set_up(log_in("lily"))
    client = log_in("lily")
    home = client.get(reverse("campaigns:home"))
    assert home.status_code == 302 and home["Location"].startswith(reverse("signon:otp_verify"))
    assert client.get(reverse("ledger:item_list", args=["2021"])).status_code == 302
    assert client.post(reverse("signon:otp_verify"), {"token": "12345x"}).status_code == 400
    response = client.post(reverse("signon:otp_verify"), {"token": code_for(device.key), "next": "/c/2021/items/"})
    assert response.status_code == 302 and response["Location"] == "/c/2021/items/"
    assert client.get(HOME).status_code == 200


def test_the_verify_page_refuses_to_send_people_elsewhere(people, settings):
    device = set_up(log_in("lily"))
    client = log_in("lily")
    response = client.post(
        reverse("signon:otp_verify"), {"token": code_for(device.key), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)


def test_the_office_must_set_up_a_device_when_the_setting_says_so(people, settings):
    settings.OTP_REQUIRED_FOR_OFFICE = True
    client = log_in("olivia")
    home = client.get(reverse("campaigns:home"))
    assert home.status_code == 302 and home["Location"].startswith(reverse("signon:otp_setup"))
    set_up(client)
    assert client.get(HOME).status_code == 200
    # and cannot remove it
    device = TOTPDevice.objects.get()
    client.post(reverse("signon:otp_remove"), {"token": code_for(device.key)})
    assert TOTPDevice.objects.exists()
    # a liaison is not asked
    assert log_in("lily").get(HOME).status_code == 200


def test_a_person_removes_their_device_with_a_current_code(people):
    client = log_in("lily")
    device = set_up(client)
    client.post(reverse("signon:otp_remove"), {"token": "000001"})
    assert TOTPDevice.objects.exists()
    device.refresh_from_db()
    # The wrong code made the device wait (django-otp's throttling); the wait over, the right code removes it.
    device.throttling_failure_count, device.throttling_failure_timestamp = 0, None
    device.save()
    client.post(reverse("signon:otp_remove"), {"token": code_for(device.key)})
    assert not TOTPDevice.objects.exists()
