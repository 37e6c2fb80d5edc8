from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "taizhang.orgs"
    verbose_name = _("Organisation")

    def ready(self):
        from . import lockout  # noqa: F401  (records login locks in history)
