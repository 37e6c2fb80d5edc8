"""Published bulletins as evidence in the chain (taizhang/audit/chain.py): what an issue said the day it came out."""

from taizhang.audit import chain


def register_evidence() -> None:
    from .models import Bulletin

    chain.register(
        Bulletin,
        fields=(
            "year",
            "number",
            "masthead",
            "issued_on",
            "publisher",
            "period_starts",
            "period_ends",
            "foreword",
            "editor",
            "proofreaders",
            "frozen_figures",
            "frozen_cases",
            "published_at",
            "signed_by",
            "corrects",
        ),
        campaign="campaign",
        when={"status": "published"},
    )
