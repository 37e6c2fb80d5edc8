"""The ledger's evidence in the campaign's chain (taizhang/audit/chain.py): progress entries."""

from taizhang.audit import chain


def register_evidence() -> None:
    from .models import ProgressEntry

    chain.register(
        ProgressEntry,
        fields=(
            "item",
            "period_label",
            "as_of",
            "percent",
            "done",
            "difficulties",
            "next_steps",
            "corrects",
            "source",
            "author",
            "created_at",
        ),
        campaign="item__campaign",
    )
