"""Chinese text normalisation shared by search, matching and imports.

Search must find 医疗 in 醫療 and the reverse, so stored search keys and
queries both pass through :func:`search_key`: traditional characters become
simplified, full-width letters and digits become half-width, case folds and
white space collapses.
"""

import re
import unicodedata
from functools import cache, lru_cache

from opencc import OpenCC

_T2S = OpenCC("t2s")
_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=4096)
def to_simplified(text: str) -> str:
    """Traditional to simplified characters; other characters untouched."""
    return _T2S.convert(text) if text else ""


@cache
def _changing_first_chars() -> frozenset[str]:
    """Characters that begin some OpenCC key whose value differs: text with none of them converts to itself."""
    _T2S.convert("")  # loads the dictionaries
    firsts = set()
    for group in _T2S._dict_chain_data:
        for entry in group:
            for key, value in entry[2].items():
                if key != value:
                    firsts.add(key[0])
    return frozenset(firsts)


def search_key(*parts: str | None) -> str:
    """One normalised string for matching: simplified, NFKC, lower case, single spaces.

    OpenCC's pure-Python conversion costs about half a millisecond an item; most text (simplified)
    has no character a conversion could start at and skips it, with the same result (bulk imports
    of 100,000 items depend on that).
    """
    text = " ".join(p for p in parts if p)
    text = unicodedata.normalize("NFKC", text)
    if not _changing_first_chars().isdisjoint(text):
        text = _T2S.convert(text)
    return _SPACE.sub(" ", text).strip().casefold()
