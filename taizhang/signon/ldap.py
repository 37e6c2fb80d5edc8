"""Sign-in against LDAP or Active Directory (django-auth-ldap), and the directory's list of people for the dry run.

django-auth-ldap checks the password by binding as the person; the person is then found or made by
:func:`taizhang.signon.directory.sign_in`, the same road as OIDC's, not by django-auth-ldap's own user code.
"""

import ldap
from django.conf import settings
from django_auth_ldap.backend import LDAPBackend

from .directory import DirectoryEntry, sign_in
from .models import Source


def _first(attrs, name: str) -> str:
    if not name:
        return ""
    values = attrs.get(name) or attrs.get(name.lower()) or []
    return str(values[0]) if values else ""


def _entry(username: str, dn: str, attrs, groups: list[str]) -> DirectoryEntry:
    mapping = settings.TAIZHANG_LDAP_ATTRS
    return DirectoryEntry(
        source=Source.LDAP,
        external_id=dn.lower(),
        username=username,
        name=_first(attrs, mapping["name"]),
        email=_first(attrs, mapping["email"]),
        phone=_first(attrs, mapping["phone"]),
        unit_name=_first(attrs, mapping["unit"]),
        groups=groups,
    )


class DirectoryLDAPBackend(LDAPBackend):
    """LDAP / AD sign-in; the person comes from ``directory.sign_in`` (their unit and their roles with them)."""

    def get_or_build_user(self, username, ldap_user):
        groups = [*ldap_user.group_dns, *ldap_user.group_names] if self.settings.GROUP_TYPE else []
        user = sign_in(_entry(username, ldap_user.dn, ldap_user.attrs, groups))
        if user is None:
            raise ldap_user.AuthenticationFailed("a local account of that name exists")
        return user, False  # saved already: django-auth-ldap neither builds nor populates it


def _connection():
    conn = ldap.initialize(settings.AUTH_LDAP_SERVER_URI)
    conn.set_option(ldap.OPT_REFERRALS, 0)
    conn.set_option(ldap.OPT_NETWORK_TIMEOUT, 5)
    if getattr(settings, "AUTH_LDAP_START_TLS", False):
        conn.start_tls_s()
    conn.simple_bind_s(settings.AUTH_LDAP_BIND_DN, settings.AUTH_LDAP_BIND_PASSWORD)
    return conn


def _decoded(attrs: dict) -> dict:
    return {key.lower(): [value.decode("utf-8", "replace") for value in values] for key, values in attrs.items()}


def _search(conn, base: str, filterstr: str, attrlist: list[str], limit: int):
    try:
        found = conn.search_ext_s(base, ldap.SCOPE_SUBTREE, filterstr, attrlist, sizelimit=limit)
    except ldap.SIZELIMIT_EXCEEDED:
        found = []
    return [(dn, _decoded(attrs)) for dn, attrs in found if dn]


def directory_entries(limit: int = 2000) -> list[DirectoryEntry]:
    """Everyone the directory lists under the user base (at most ``limit``), with their groups, for the dry run."""
    conn = _connection()
    try:
        mapping = settings.TAIZHANG_LDAP_ATTRS
        wanted = [mapping[key] for key in ("username", "name", "email", "phone", "unit") if mapping[key]]
        people = _search(conn, settings.TAIZHANG_LDAP_USER_BASE, settings.TAIZHANG_LDAP_PEOPLE_FILTER, wanted, limit)
        member_of: dict[str, list[str]] = {}
        if settings.TAIZHANG_LDAP_GROUP_BASE:
            groups = _search(
                conn, settings.TAIZHANG_LDAP_GROUP_BASE, "(|(member=*)(uniqueMember=*))", ["cn", "member"], limit
            )
            for group_dn, attrs in groups:
                for member in attrs.get("member", []):
                    member_of.setdefault(member.lower(), []).extend([group_dn.lower(), *attrs.get("cn", [])])
    finally:
        conn.unbind_s()
    entries = []
    for dn, attrs in people:
        username = _first(attrs, mapping["username"])
        if username:
            entries.append(_entry(username, dn, attrs, member_of.get(dn.lower(), [])))
    return entries
