"""The sign-on settings, read from environment variables (imported by taizhang/settings.py; no models here).

LDAP / Active Directory is on when ``LDAP_SERVER_URI`` is set, OIDC when ``OIDC_CLIENT_ID`` is; local accounts stay
on beside them (ModelBackend), for the office's break-glass account. ``OTP_REQUIRED_FOR_OFFICE=1`` makes a TOTP
second factor compulsory for local accounts of the office and superusers (taizhang/signon/otp.py).

Active Directory, for example::

    LDAP_SERVER_URI=ldap://dc1.corp.example  LDAP_BIND_DN=CN=taizhang,OU=Services,DC=corp,DC=example
    LDAP_BIND_PASSWORD=…  LDAP_USER_BASE=OU=Staff,DC=corp,DC=example  LDAP_USERNAME_ATTR=sAMAccountName
    LDAP_GROUP_BASE=OU=Groups,DC=corp,DC=example  LDAP_GROUP_TYPE=nestedActiveDirectory
    LDAP_NAME_ATTR=displayName  LDAP_UNIT_ATTR=department  LDAP_PHONE_ATTR=mobile
"""

from collections.abc import Callable

LDAP_BACKEND = "taizhang.signon.ldap.DirectoryLDAPBackend"
OIDC_BACKEND = "taizhang.signon.oidc.DirectoryOIDCBackend"

GROUP_TYPES = {
    # LDAP_GROUP_TYPE: (django-auth-ldap group type, the filter that finds the groups)
    "groupOfNames": ("GroupOfNamesType", "(objectClass=groupOfNames)"),
    "nestedGroupOfNames": ("NestedGroupOfNamesType", "(objectClass=groupOfNames)"),
    "activeDirectory": ("ActiveDirectoryGroupType", "(objectClass=group)"),
    "nestedActiveDirectory": ("NestedActiveDirectoryGroupType", "(objectClass=group)"),
}


def signon_settings(env: Callable[[str, str], str]) -> dict:
    """The settings for taizhang/settings.py's globals, from ``env(name, default)``."""
    import ldap
    from django_auth_ldap import config

    def flag(name: str) -> bool:
        return env(name, "").strip().lower() in {"1", "true", "yes", "on"}

    backends = []
    values: dict = {"TAIZHANG_LDAP_ENABLED": bool(env("LDAP_SERVER_URI", ""))}
    values["OTP_REQUIRED_FOR_OFFICE"] = flag("OTP_REQUIRED_FOR_OFFICE")
    values["OTP_TOTP_ISSUER"] = env("OTP_TOTP_ISSUER", env("SITE_NAME", "台账"))
    if values["TAIZHANG_LDAP_ENABLED"]:
        backends.append(LDAP_BACKEND)
        username_attr = env("LDAP_USERNAME_ATTR", "uid")
        group_base = env("LDAP_GROUP_BASE", "")
        group_type, group_filter = GROUP_TYPES[env("LDAP_GROUP_TYPE", "groupOfNames")]
        values.update(
            AUTH_LDAP_SERVER_URI=env("LDAP_SERVER_URI", ""),
            AUTH_LDAP_BIND_DN=env("LDAP_BIND_DN", ""),
            AUTH_LDAP_BIND_PASSWORD=env("LDAP_BIND_PASSWORD", ""),
            AUTH_LDAP_START_TLS=flag("LDAP_START_TLS"),
            AUTH_LDAP_CONNECTION_OPTIONS={ldap.OPT_REFERRALS: 0, ldap.OPT_NETWORK_TIMEOUT: 5},
            AUTH_LDAP_USER_SEARCH=config.LDAPSearch(
                env("LDAP_USER_BASE", ""), ldap.SCOPE_SUBTREE, env("LDAP_USER_FILTER", f"({username_attr}=%(user)s)")
            ),
            AUTH_LDAP_GROUP_SEARCH=(
                config.LDAPSearch(group_base, ldap.SCOPE_SUBTREE, group_filter) if group_base else None
            ),
            AUTH_LDAP_GROUP_TYPE=getattr(config, group_type)() if group_base else None,
            AUTH_LDAP_USER_ATTR_MAP={},
            AUTH_LDAP_ALWAYS_UPDATE_USER=False,
            TAIZHANG_LDAP_USER_BASE=env("LDAP_USER_BASE", ""),
            TAIZHANG_LDAP_GROUP_BASE=group_base,
            TAIZHANG_LDAP_PEOPLE_FILTER=env("LDAP_PEOPLE_FILTER", f"(&(objectClass=person)({username_attr}=*))"),
        )
    values["TAIZHANG_LDAP_ATTRS"] = {
        "username": env("LDAP_USERNAME_ATTR", "uid"),
        "name": env("LDAP_NAME_ATTR", "cn"),
        "email": env("LDAP_EMAIL_ATTR", "mail"),
        "phone": env("LDAP_PHONE_ATTR", "telephoneNumber"),
        "unit": env("LDAP_UNIT_ATTR", "ou"),
    }
    values["TAIZHANG_OIDC_ENABLED"] = bool(env("OIDC_CLIENT_ID", ""))
    values["TAIZHANG_OIDC_LABEL"] = env("OIDC_BUTTON_LABEL", "")
    if values["TAIZHANG_OIDC_ENABLED"]:
        backends.append(OIDC_BACKEND)
        values.update(
            OIDC_RP_CLIENT_ID=env("OIDC_CLIENT_ID", ""),
            OIDC_RP_CLIENT_SECRET=env("OIDC_CLIENT_SECRET", ""),
            OIDC_OP_AUTHORIZATION_ENDPOINT=env("OIDC_AUTHORIZATION_ENDPOINT", ""),
            OIDC_OP_TOKEN_ENDPOINT=env("OIDC_TOKEN_ENDPOINT", ""),
            OIDC_OP_USER_ENDPOINT=env("OIDC_USERINFO_ENDPOINT", ""),
            OIDC_OP_JWKS_ENDPOINT=env("OIDC_JWKS_ENDPOINT", ""),
            OIDC_RP_SIGN_ALGO=env("OIDC_SIGN_ALGO", "RS256"),
            OIDC_RP_SCOPES=env("OIDC_SCOPES", "openid profile email"),
            OIDC_USE_PKCE=True,
            OIDC_AUTHENTICATION_CALLBACK_URL="signon:oidc_callback",
        )
    values["TAIZHANG_OIDC_CLAIMS"] = {
        "username": env("OIDC_USERNAME_CLAIM", "preferred_username"),
        "name": env("OIDC_NAME_CLAIM", "name"),
        "phone": env("OIDC_PHONE_CLAIM", "phone_number"),
        "unit": env("OIDC_UNIT_CLAIM", "department"),
        "groups": env("OIDC_GROUPS_CLAIM", "groups"),
    }
    values["SIGNON_BACKENDS"] = backends
    return values
