"""The channels a message goes out on. Each ``send_*`` raises :class:`ChannelError` when it fails.

Group robots take the payloads their platforms document:

- WeCom (企业微信) group robot: ``POST {webhook}`` with ``{"msgtype": "markdown", "markdown": {"content": …}}``;
  the answer is ``{"errcode": 0, "errmsg": "ok"}`` when it worked.
- DingTalk (钉钉) custom robot: ``POST {webhook}&timestamp=…&sign=…`` with
  ``{"msgtype": "markdown", "markdown": {"title": …, "text": …}}``; with a signing secret,
  ``sign = urlencode(base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}")))``, timestamp in ms.
"""

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.mail import send_mail

TIMEOUT_SECONDS = 10


class ChannelError(Exception):
    """A channel refused or could not take a message."""


def send_email(address: str, subject: str, body: str) -> None:
    if not address:
        raise ChannelError("no email address")
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=False)
    except Exception as error:  # any backend failure is the channel's failure
        raise ChannelError(f"email: {error}") from error


def _post_json(url: str, payload: dict) -> dict:
    data = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            answer = response.read()
    except urllib.error.HTTPError as error:
        raise ChannelError(f"HTTP {error.code}") from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise ChannelError(str(getattr(error, "reason", error))) from error
    try:
        result = json.loads(answer or b"{}")
    except ValueError as error:
        raise ChannelError("the robot did not answer in JSON") from error
    if result.get("errcode", 0) != 0:
        raise ChannelError(f"errcode {result.get('errcode')}: {result.get('errmsg', '')}")
    return result


def _check_url(url: str) -> None:
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise ChannelError("a webhook must be an http(s) URL")


def wecom_payload(subject: str, body: str, link: str = "") -> dict:
    content = f"**{subject}**\n{body}"
    if link:
        content += f"\n[{link}]({link})"
    return {"msgtype": "markdown", "markdown": {"content": content}}


def send_wecom(url: str, subject: str, body: str, link: str = "") -> None:
    _check_url(url)
    _post_json(url, wecom_payload(subject, body, link))


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def dingtalk_url(url: str, secret: str = "", timestamp_ms: int | None = None) -> str:
    if not secret:
        return url
    timestamp_ms = timestamp_ms or int(time.time() * 1000)
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"


def dingtalk_payload(subject: str, body: str, link: str = "") -> dict:
    text = f"#### {subject}\n\n{body}"
    if link:
        text += f"\n\n[{link}]({link})"
    return {"msgtype": "markdown", "markdown": {"title": subject, "text": text}}


def send_dingtalk(url: str, subject: str, body: str, link: str = "", secret: str = "") -> None:
    _check_url(url)
    _post_json(dingtalk_url(url, secret), dingtalk_payload(subject, body, link))
