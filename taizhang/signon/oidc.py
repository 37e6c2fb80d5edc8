"""Sign-in through the organisation's OpenID provider (mozilla-django-oidc), or a WeCom / DingTalk OIDC bridge.

mozilla-django-oidc runs the code flow and checks the ID token's signature and nonce; the person is then found or
made by :func:`taizhang.signon.directory.sign_in`, the same road as LDAP's.
"""

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from .directory import DirectoryEntry, sign_in
from .models import Source


def _text(value) -> str:
    if isinstance(value, (list, tuple)):
        value = value[0] if value else ""
    return str(value or "").strip()


def entry_from_claims(claims: dict) -> DirectoryEntry:
    names = settings.TAIZHANG_OIDC_CLAIMS
    groups = claims.get(names["groups"]) or []
    if isinstance(groups, str):
        groups = [groups]
    subject = _text(claims.get("sub"))
    return DirectoryEntry(
        source=Source.OIDC,
        external_id=subject,
        username=_text(claims.get(names["username"])) or subject,
        name=_text(claims.get(names["name"])),
        email=_text(claims.get("email")),
        phone=_text(claims.get(names["phone"])),
        unit_name=_text(claims.get(names["unit"])),
        groups=[str(group) for group in groups if isinstance(group, (str, int))],
    )


class DirectoryOIDCBackend(OIDCAuthenticationBackend):
    """OIDC sign-in; the person comes from ``directory.sign_in`` (their unit and their roles with them)."""

    def verify_claims(self, claims):
        return bool(_text(claims.get("sub")))

    def get_or_create_user(self, access_token, id_token, payload):
        claims = {**payload, **self.get_userinfo(access_token, id_token, payload)}
        if _text(claims.get("sub")) != _text(payload.get("sub")):
            raise SuspiciousOperation("userinfo is about another subject than the ID token")
        if not self.verify_claims(claims):
            raise SuspiciousOperation("no subject in the claims")
        return sign_in(entry_from_claims(claims))
