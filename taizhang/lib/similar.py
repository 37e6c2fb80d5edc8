"""Similar texts by character bigrams: simplified = traditional, no word segmentation needed for Chinese."""

from functools import lru_cache

from .text import search_key


@lru_cache(maxsize=50_000)
def ngrams(text: str, n: int = 2) -> frozenset[str]:
    """Character n-grams of the normalised text (simplified, NFKC, case-folded, no spaces)."""
    key = search_key(text).replace(" ", "")
    if len(key) < n:
        return frozenset({key} if key else ())
    return frozenset(key[i : i + n] for i in range(len(key) - n + 1))


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Dice coefficient of two n-gram sets: 1.0 for the same text, 0.0 for nothing in common."""
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))
