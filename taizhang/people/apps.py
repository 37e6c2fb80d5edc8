from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "taizhang.people"
    verbose_name = _("People's demands")

    def ready(self) -> None:
        from .evidence import register_evidence

        register_evidence()  # its evidence in the campaign's chain (taizhang/audit/chain.py)

        from .personal import register_provider

        register_provider()  # a person's own data: found, exported and erased from the audit app's page
