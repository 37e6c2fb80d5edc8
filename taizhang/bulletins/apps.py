from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BulletinsConfig(AppConfig):
    name = "taizhang.bulletins"
    verbose_name = _("Bulletins and good practice")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .evidence import register_evidence

        register_evidence()  # its evidence in the campaign's chain (taizhang/audit/chain.py)
