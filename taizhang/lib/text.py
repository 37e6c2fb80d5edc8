"""Chinese text normalisation shared by search, matching and imports.

Search must find 医疗 in 醫療 and the reverse, so stored search keys and
queries both pass through :func:`search_key`: traditional characters become
simplified, full-width letters and digits become half-width, case folds and
white space collapses.
"""

import re
import unicodedata
from functools import lru_cache

from opencc import OpenCC

_T2S = OpenCC("t2s")
_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=4096)
def to_simplified(text: str) -> str:
    """Traditional to simplified characters; other characters untouched."""
    return _T2S.convert(text) if text else ""


def search_key(*parts: str | None) -> str:
    """One normalised string for matching: simplified, NFKC, lower case, single spaces."""
    text = " ".join(p for p in parts if p)
    text = unicodedata.normalize("NFKC", text)
    text = _T2S.convert(text)
    return _SPACE.sub(" ", text).strip().casefold()
