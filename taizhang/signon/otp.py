"""A second factor (TOTP, django-otp) for local accounts; compulsory for the office and superusers with OTP_REQUIRED_FOR_OFFICE.

Whether a session still owes a code is decided once, at login, and kept in the session: the middleware then
costs no query per request. People who sign in through the directory (LDAP, OIDC) are not asked: their
organisation's sign-in holds its own factors.
"""

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode
from django_otp import DEVICE_ID_SESSION_KEY, user_has_device

from taizhang.orgs.models import Role, RoleGrant

SESSION_KEY = "signon_second_factor"
VERIFY, SET_UP = "verify", "set_up"
LOCAL_BACKENDS = ("django.contrib.auth.backends.ModelBackend",)
# What a session that still owes its code may open: the code's own pages, logging out, the health checks.
OPEN_URL_NAMES = {
    "signon:otp_verify",
    "signon:otp_setup",
    "logout",
    "login",
    "favicon",
    "health_live",
    "health_ready",
    "set_language",
}


def second_factor_required(user) -> bool:
    """The office (of any campaign) and superusers must have a second factor when the setting says so."""
    if not settings.OTP_REQUIRED_FOR_OFFICE:
        return False
    return user.is_superuser or RoleGrant.objects.filter(user=user, role=Role.OFFICE).exists()


def owed(user, backend: str) -> str:
    """What a fresh login still owes: a code (``verify``), a device first (``set_up``), or nothing."""
    if backend not in LOCAL_BACKENDS or getattr(user, "is_system_actor", False):
        return ""
    if user_has_device(user, confirmed=True):
        return VERIFY
    return SET_UP if second_factor_required(user) else ""


@receiver(user_logged_in, dispatch_uid="signon_second_factor")
def _on_login(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    due = owed(user, request.session.get(BACKEND_SESSION_KEY, ""))
    if due and not request.session.get(DEVICE_ID_SESSION_KEY):
        request.session[SESSION_KEY] = due
    else:
        request.session.pop(SESSION_KEY, None)


def settle(request) -> None:
    """The session has given its code: nothing more is owed."""
    request.session.pop(SESSION_KEY, None)


class SecondFactorMiddleware:
    """Sends a session that still owes its code to the code page (or to setting up a device) before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        due = None
        if hasattr(request, "session") and settings.SESSION_COOKIE_NAME in request.COOKIES:
            # Reading the flag must not mark the session as used (that adds "Vary: Cookie" to every page).
            accessed = request.session.accessed
            due = request.session.get(SESSION_KEY)
            request.session.accessed = accessed
        if due and not self._open(request.path_info):
            target = "signon:otp_verify" if due == VERIFY else "signon:otp_setup"
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _open(path: str) -> bool:
        if path.startswith((settings.STATIC_URL, "/api/")):
            return True
        try:
            match = resolve(path)
        except Resolver404:
            return False
        return match.view_name in OPEN_URL_NAMES
