from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "taizhang.assessment"
    verbose_name = _("Assessment")

    def ready(self) -> None:
        from .evidence import register_evidence

        register_evidence()  # its evidence in the campaign's chain (taizhang/audit/chain.py)
