from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "taizhang.supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        from taizhang.ledger.lights import register_item_facts_provider

        from .facts import instructed_items

        # The light loader reads open instructions from here, not from the ledger's comments.
        register_item_facts_provider("instructed", instructed_items)
