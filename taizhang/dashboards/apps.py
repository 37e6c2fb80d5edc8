from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "taizhang.dashboards"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        from taizhang.campaigns.providers import register_key_task_owners

        from .keytasks import key_task_owners

        # The set-up page's tree shows who owns each key task and links to where the office edits it.
        register_key_task_owners(key_task_owners)
