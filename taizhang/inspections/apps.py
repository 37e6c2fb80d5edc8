from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    """Inspection teams (督导巡回组), inspections, findings and their rectification to closure (整改销号)."""

    name = "taizhang.inspections"
    verbose_name = _("Inspections and rectification")

    def ready(self) -> None:
        # Arrows point down: the ledger's one light loader asks for overdue rectifications by name.
        from taizhang.ledger.lights import register_item_facts_provider

        from .queries import rectification_overdue

        register_item_facts_provider("rectification_overdue", rectification_overdue)

        from .evidence import register_evidence

        register_evidence()  # its evidence in the campaign's chain (taizhang/audit/chain.py)
        # The contact point page (supervision, below) shows the unit's open findings through this panel.
        from taizhang.supervision.queries import register_contact_point_panel

        register_contact_point_panel("inspections/_point_panel.html")
