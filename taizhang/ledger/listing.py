"""What the item list page shows around its rows: sortable headers, page numbers, why a row matched a search."""

import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from taizhang.lib.text import search_key

# Where a search can match beyond the code and title, in the order a reader looks for the reason.
MATCH_FIELDS = ("content", "measures", "owner", "lead", "due_text")
SNIPPET = 18  # characters shown each side of a match in another field
# The columns a row of the list shows (the long texts only when a search explains its matches with them).
ROW_FIELDS = (
    "code",
    "title",
    "light",
    "light_code",  # with light_n, the words of light_reason
    "light_n",
    "is_model",
    "due",
    "due_text",
    "percent",
    "status",
    "owner",
    "owner_unit",
    "owner_unit__name",
    "owner_unit__short_name",
    "category",
    "category__name",
)


def list_rows(items, q: str = ""):
    """The list's rows with only the columns the page shows: not the item's long texts, not its phase."""
    fields = ROW_FIELDS + (MATCH_FIELDS if q else ())
    return items.select_related(None).select_related("owner_unit", "category").only(*fields)


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


def rows_html(items, item_url: str) -> SafeString:
    """The list's rows, built as one string: fifty rows through the template engine were most of the page's time.

    The markup is the one ``_item_results.html`` had row by row; every value is escaped (the search's
    highlights arrive already safe).
    """
    from django.utils.html import conditional_escape as esc
    from django.utils.translation import gettext as _

    model = _("Model project")
    out = []
    for item in items:
        light = esc(item.light)
        reason = esc(item.light_reason)
        unit = esc(str(item.owner_unit))
        percent = int(item.percent)
        title = esc(getattr(item, "hl_title", "") or item.title)
        why = getattr(item, "hl_why", "")
        out.append(
            f'<tr data-code="{esc(item.code)}"><td><span class="text-nowrap" title="{reason}">'
            f'<span class="light-dot light-{light}" aria-hidden="true"></span> '
            f'<span class="visually-hidden">{esc(item.get_light_display())}</span></span></td>'
            f'<td class="text-nowrap">{esc(item.code)}</td>'
            f'<td><a href="{esc(item_url)}{item.pk}/">{title}</a>'
            + (f' <span class="badge text-bg-warning">★ {esc(model)}</span>' if item.is_model else "")
            + (
                f' <small class="light-reason light-reason-{light}">{reason}</small>'
                if item.light in ("red", "yellow", "blue")
                else ""
            )
            + (f'<div class="small text-muted tz-match">{esc(why)}</div>' if why else "")
            + f'<div class="small text-muted d-md-none">{esc(item.code)} · {unit}</div></td>'
            f'<td class="d-mobile-none">{unit}</td>'
            f'<td class="d-mobile-none">{esc(str(item.category) if item.category_id else "")}</td>'
            f'<td class="d-mobile-none">{esc(item.owner)}</td>'
            f'<td class="text-nowrap small">{item.due.isoformat() if item.due else ""}'
            # On a phone the date alone (app.css): the words pushed 进展 off the screen.
            + (f'<div class="text-muted">{esc(item.due_text)}</div>' if item.due_text else "")
            + '</td><td class="tz-progress-cell"><div class="progress" role="progressbar" '
            f'aria-label="{esc(_("Progress %(p)s%%") % {"p": percent})}" aria-valuenow="{percent}" '
            f'aria-valuemin="0" aria-valuemax="100"><div class="progress-bar{" bg-success" if percent >= 100 else ""}" '
            f'style="width:{percent}%">{percent}%</div></div></td>'
            f'<td class="small">{esc(item.get_status_display())}</td></tr>'
        )
    return mark_safe("\n".join(out))
