"""Ratings as evidence in the campaign's chain (taizhang/audit/chain.py).

The comment is left out: it is the person's own words, which may be erased on request; the
rating's value, which the figures count, is chained.
"""

from taizhang.audit import chain


def register_evidence() -> None:
    from .models import Rating

    chain.register(Rating, fields=("item", "value", "voter", "demand", "created_at"), campaign="item__campaign")
