from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "taizhang.reporting"
    verbose_name = _("Reporting")

    def ready(self) -> None:
        from taizhang.ledger.forms import register_period_choices
        from taizhang.ledger.lights import register_missed_reports_provider

        from .periods import period_choices
        from .queries import missed_reports_for_lights

        # The ledger lies below reporting and does not import it: the missed reports reach its lights from here.
        register_missed_reports_provider(missed_reports_for_lights)
        # So is the choice of open periods on the item's progress form.
        register_period_choices(period_choices)
