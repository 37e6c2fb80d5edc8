from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AcceptanceConfig(AppConfig):
    """An item's life after "completed": acceptance (验收), closing (销号), reopening (复号), look-backs (回头看)."""

    name = "taizhang.acceptance"
    verbose_name = _("Acceptance and closing")

    def ready(self) -> None:
        # Arrows point down: people asks "has this item passed acceptance?" (to open rating) through a
        # reader it exposes, and this app, above it, provides the answer.
        from taizhang.people.queries import register_acceptance_readers

        from .queries import item_accepted, item_ever_passed

        register_acceptance_readers(accepted=item_accepted, ever_passed=item_ever_passed)

        from .evidence import register_evidence

        register_evidence()  # its evidence in the campaign's chain (taizhang/audit/chain.py)
