"""Findings, their rectifications and their verification as evidence in the chain (taizhang/audit/chain.py)."""

from taizhang.audit import chain


def register_evidence() -> None:
    from .models import Finding, Rectification

    chain.register(
        Finding,
        fields=(
            "unit",
            "item",
            "inspection",
            "category",
            "severity",
            "description",
            "required",
            "found_on",
            "deadline",
            "responsible",
            "state",
            "measures",
            "answered_at",
            "return_reason",
            "verified_at",
            "verified_by",
            "created_at",
        ),
        campaign="campaign",
    )
    chain.register(
        Rectification,
        fields=("finding", "measures", "done", "answered_by", "answered_at"),
        campaign="finding__campaign",
    )
