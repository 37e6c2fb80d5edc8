from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SignonConfig(AppConfig):
    name = "taizhang.signon"
    verbose_name = _("Sign-on")

    def ready(self):
        from . import otp  # noqa: F401  (decides at login whether the session owes a second factor)
