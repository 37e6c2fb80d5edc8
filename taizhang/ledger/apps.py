from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "taizhang.ledger"
    verbose_name = _("Ledger")

    def ready(self) -> None:
        from taizhang.history.recording import note_kind

        from .lights import describe

        # Light changes in history read their reason in each reader's language ("已超期12天" / "12 days overdue").
        note_kind("light", lambda code, args: describe(code, args.get("n", 0)))

        from .evidence import register_evidence

        register_evidence()  # its evidence in the campaign's chain (taizhang/audit/chain.py)
