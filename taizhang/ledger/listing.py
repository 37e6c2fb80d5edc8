"""What the item list page shows around its rows: sortable headers, page numbers, why a row matched a search."""

import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from taizhang.lib.text import search_key

# Where a search can match beyond the code and title, in the order a reader looks for the reason.
MATCH_FIELDS = ("content", "measures", "owner", "lead", "due_text")
SNIPPET = 18  # characters shown each side of a match in another field


@dataclass(frozen=True)
class Header:
    label: str
    key: str  # the sort key, "" for a column that does not sort
    on_phone: bool = True  # False: the column folds away on a narrow screen
    url: str = ""
    state: str = ""  # "ascending", "descending" or ""


def headers(columns, *, query, sort: str) -> list[Header]:
    """Column headers that sort the list: a click sorts by the column, a second click the other way."""
    current, descending = sort.lstrip("-"), sort.startswith("-")
    rows = []
    for label, key, on_phone in columns:
        if not key:
            rows.append(Header(label, "", on_phone))
            continue
        if key == current:
            state = "descending" if descending else "ascending"
            target = key if descending else f"-{key}"
        else:
            # A light reads most serious first, progress least done first, the rest from the top.
            state, target = "", f"-{key}" if key == "light" else key
        params = query.copy()
        params.pop("page", None)
        params["sort"] = target
        rows.append(Header(label, key, on_phone, "?" + params.urlencode(), state))
    return rows


def page_numbers(page, *, around: int = 2) -> list[int | None]:
    """1 … 4 5 [6] 7 8 … 40: the first, the last and a few around the current; None for a gap."""
    last = page.paginator.num_pages
    shown = {1, last, *range(max(1, page.number - around), min(last, page.number + around) + 1)}
    numbers: list[int | None] = []
    for n in sorted(shown):
        if numbers and n - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(n)
    return numbers


def _marked(text: str, words: list[str]) -> tuple[SafeString, bool]:
    """``text`` escaped with each search word marked; matched on the search key (simplified, case-free)."""
    key = search_key(text)
    if len(key) != len(text):  # a conversion changed the length: compare character by character instead
        key = text.casefold() if len(text.casefold()) == len(text) else None
    if not key or not words:
        return escape(text), False
    spans = []
    for word in words:
        spans += [(m.start(), m.end()) for m in re.finditer(re.escape(word), key)]
    if not spans:
        return escape(text), False
    spans.sort()
    out, at = [], 0
    for start, end in spans:
        if start < at:
            start = at
        if start >= end:
            continue
        out.append(escape(text[at:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        at = end
    out.append(escape(text[at:]))
    return mark_safe("".join(out)), True


def explain_matches(items, q: str, labels: dict[str, str]) -> None:
    """Set ``hl_title`` (the title with the search words marked) and, when the title and code do not show
    why the row matched, ``hl_why`` (the field that matched, with a snippet) on each item of a page."""
    words = [w for w in search_key(q).split(" ") if w]
    for item in items:
        item.hl_title, in_title = _marked(item.title, words)
        if in_title or any(w in search_key(item.code) for w in words):
            continue
        for name in MATCH_FIELDS:
            value = getattr(item, name) or ""
            key = search_key(value)
            hit = next((key.find(w) for w in words if w in key), -1)
            if hit < 0:
                continue
            if len(key) == len(value):
                start = max(0, hit - SNIPPET)
                snippet = value[start : hit + SNIPPET * 2]
                marked, _found = _marked(snippet, words)
                prefix = "…" if start else ""
                suffix = "…" if hit + SNIPPET * 2 < len(value) else ""
            else:
                marked, prefix, suffix = escape(value[: SNIPPET * 2]), "", "…"
            item.hl_why = mark_safe(f"{escape(labels[name])}：{prefix}{marked}{suffix}")
            break
