"""Understanding a ledger (台账) as offices keep it, before anything is written.

Finds the header row among title and note rows (one or two rows, merged
cells), guesses which column is which from the many names people use, reads
section rows ("一、服务基层（12项）") as the category of the rows beneath,
skips blank and subtotal rows and hidden columns, matches unit names to the
org tree and deadline phrases to dates, and compares every row with the items
already in the campaign. The result is a plan: what would be created,
updated, left alone, skipped, and what is wrong, row by row.
"""

import datetime
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taizhang.ledger.actions import milestones_text, validate_milestones
from taizhang.lib.deadlines import parse_deadline
from taizhang.lib.unitnames import UnitMatcher
from taizhang.orgs.models import Unit
from taizhang.sheets.fastkey import search_key

# Field → the names ledgers give its column (compared after search_key, without spaces).
HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "code": ("编号", "事项编号", "项目编号", "实事编号", "任务编号", "代码", "编码"),
    # A serial number (1, 2, 3 …) is not a code: it is read as the code only when no code column exists and
    # its values are not plain numbers (a "序号" column holding DC-001).
    "serial": ("序号", "序", "排序"),
    "title": (
        "项目名称",
        "实事名称",
        "事项",
        "工作任务",
        "实事项目",
        "民生实事",
        "交办事项",
        "工作内容",
        "要点内容",
        "项目",
        "实事",
        "名称",
        "任务",
    ),
    "content": ("主要内容", "具体内容", "工作措施", "主要举措", "主要任务", "办理要求", "工作目标", "具体措施"),
    "owner_unit": ("责任单位", "牵头单位", "责任部门", "牵头部门", "承办单位", "主责单位"),
    "partner_units": ("配合单位", "协同单位", "配合部门", "协办单位", "协同部门"),
    "lead": ("责任领导", "分管领导", "牵头领导", "区政府分管领导"),
    "owner": ("责任人", "联系人", "督办责任人", "具体责任人"),
    "due": ("完成时限", "完成时间", "时间节点", "办结时限", "时限"),
    "progress": ("进展情况", "推进情况", "工作进展", "进度情况", "最新进展"),
    "status": ("完成情况", "是否完成", "完成状态", "办理情况", "进度"),
    "milestones": ("节点目标", "进度节点", "阶段目标", "节点安排", "推进节点", "计划节点", "时序目标", "序时目标"),
    "category": ("类别", "内容", "类型", "分类"),
    "phase": ("阶段",),
    "note": ("备注", "说明"),
}

FIELD_LABELS = {
    "code": gettext_lazy("code"),
    "serial": gettext_lazy("serial number (not stored)"),
    "title": gettext_lazy("title"),
    "content": gettext_lazy("content"),
    "owner_unit": gettext_lazy("responsible unit"),
    "partner_units": gettext_lazy("partner units"),
    "lead": gettext_lazy("responsible leader"),
    "owner": gettext_lazy("person responsible"),
    "due": gettext_lazy("deadline"),
    "progress": gettext_lazy("progress"),
    "status": gettext_lazy("completion (已完成, 推进中 …)"),
    "milestones": gettext_lazy("milestones"),
    "category": gettext_lazy("category"),
    "phase": gettext_lazy("phase"),
    "note": gettext_lazy("note"),
}

COMPARED_FIELDS = (
    "title",
    "content",
    "category",
    "phase",
    "owner_unit",
    "partner_units",
    "lead",
    "owner",
    "due",
    "due_text",
    "note",
    "milestones",
)
# A header that names the deadline when it is alone, the milestones when 完成时限 is there too.
MILESTONES_OR_DUE = ("时间节点",)

_SECTION = re.compile(
    r"^\s*(?:[一二三四五六七八九十百]+\s*[、.．,，]|[（(][一二三四五六七八九十]+[)）]|第[一二三四五六七八九十]+[部分类章节篇])\s*(.+?)\s*$"
)
_COUNT_SUFFIX = re.compile(r"[（(]\s*(?:共)?\s*\d+\s*(?:项|个|件|条)\s*[)）]\s*$")
_SUBTOTAL = re.compile(r"^(?:合\s*计|小\s*计|总\s*计|共\s*计)")
_NOTE_ROW = re.compile(r"^(?:注|说明|备注|填表人|填报单位|制表|审核)")


def normalise_header(value) -> str:
    text = search_key(str(value or ""))
    text = re.sub(r"[（(][^）)]*[)）]", "", text)
    return re.sub(r"[\s:：*＊]", "", text)


@cache
def _normalised_names() -> tuple[tuple[str, frozenset[str]], ...]:
    return tuple((name, frozenset(normalise_header(n) for n in names)) for name, names in HEADER_NAMES.items())


@lru_cache(maxsize=4096)
def guess_field(header) -> str | None:
    """The field a header names, or None: exact names first, then the longest name it contains."""
    key = normalise_header(header)
    if not key:
        return None
    for field_name, names in _normalised_names():
        if key in names:
            return field_name
    best, best_len = None, 0
    for field_name, names in _normalised_names():
        for n in names:
            if len(n) >= 2 and n in key and len(n) > best_len and len(key) <= len(n) + 4:
                best, best_len = field_name, len(n)
    return best


def cell_text(value) -> str:
    """A cell as its author wrote it: 1 not 1.0, a date as 2026-06-30."""
    return _text(value)


def _text(value) -> str:
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()[:10]
    return str(value).strip()


def _distinct(row: list) -> list[str]:
    return list(dict.fromkeys(t for t in (_text(v) for v in row) if t))


def _leading(row: list, hidden) -> list[str]:
    """The first two different texts of a row's visible cells (fewer when it has fewer): all a data row needs to
    be told from a blank, section, note or subtotal row, without reading every cell of 100,000 rows twice."""
    found: list[str] = []
    for col, value in enumerate(row):
        if value is None or value == "" or (hidden and col in hidden):
            continue
        text = _text(value)
        if text and text not in found:
            found.append(text)
            if len(found) == 2:
                break
    return found


@dataclass
class Layout:
    """Where the header is and which column holds which field (column index → field)."""

    header_row: int  # 0-based index of the last header row
    data_start: int
    columns: dict[int, str]
    headers: dict[int, str]  # column index → header text as written
    hidden: set[int] = field(default_factory=set)


def find_layout(
    rows: list[list], hidden: set[int] = frozenset(), preset: dict[str, str] | None = None
) -> Layout | None:
    """Find the header row(s) in the first rows, and map columns to fields (a preset maps by header text)."""
    best_index, best_score = None, 0
    for index, row in enumerate(rows[:40]):
        cells = _distinct(row)
        if len(cells) < 2:
            continue  # a title row (merged across) or a blank one
        fields = {guess_field(c) for c in cells} - {None}
        score = len(fields) + (2 if "title" in fields else 0)
        if score > best_score:
            best_index, best_score = index, score
    if best_index is None or best_score < 3:
        return None
    header_rows = [best_index]
    following = rows[best_index + 1] if best_index + 1 < len(rows) else []
    # A two-row header: the row beneath names columns too (e.g. 责任单位 split into 牵头单位 | 配合单位).
    if following and any(guess_field(c) for c in following) and not _looks_like_data(following):
        header_rows.append(best_index + 1)
    headers: dict[int, str] = {}
    width = max(len(rows[i]) for i in header_rows)
    for col in range(width):
        parts = []
        for i in header_rows:
            value = _text(rows[i][col]) if col < len(rows[i]) else ""
            if value and value not in parts:
                parts.append(value)
        if parts:
            headers[col] = parts[-1] if len(parts) > 1 and guess_field(parts[-1]) else "".join(parts)
    columns = map_columns(headers, hidden, preset)
    return Layout(header_rows[-1], header_rows[-1] + 1, columns, headers, set(hidden))


def _looks_like_data(row: list) -> bool:
    cells = [_text(v) for v in row if _text(v)]
    return bool(cells) and (
        sum(1 for c in cells if re.fullmatch(r"\d+(\.\d+)?", c)) > 0 or sum(len(c) for c in cells) > 60
    )


def map_columns(headers: dict[int, str], hidden=frozenset(), preset: dict[str, str] | None = None) -> dict[int, str]:
    """Column → field: from the preset where it names the header, else the guess; each field once."""
    columns: dict[int, str] = {}
    taken: set[str] = set()
    preset_keys = {normalise_header(k): v for k, v in (preset or {}).items()}
    # 时间节点 beside 完成时限: the deadline is the one, the milestones the other.
    other_due = any(
        guess_field(h) == "due" and normalise_header(h) not in _MILESTONES_OR_DUE_KEYS
        for c, h in headers.items()
        if c not in hidden and normalise_header(h) not in preset_keys
    )
    for col, header in sorted(headers.items()):
        if col in hidden:
            continue
        key = normalise_header(header)
        field_name = preset_keys[key] if key in preset_keys else guess_field(header)
        if field_name == "due" and key in _MILESTONES_OR_DUE_KEYS and other_due and "milestones" not in taken:
            field_name = "milestones"
        if field_name and field_name not in taken:
            columns[col] = field_name
            taken.add(field_name)
    return columns


_MILESTONES_OR_DUE_KEYS = frozenset(normalise_header(name) for name in MILESTONES_OR_DUE)
_PERCENT = re.compile(r"(\d{1,3}(?:\.\d+)?)\s*[%％]")
_MILESTONE_SPLIT = re.compile(r"[；;\n\r]+")


def parse_milestones(value, *, year: int, start: datetime.date) -> tuple[list[tuple[datetime.date, int]], list[str]]:
    """ "6月底完成50%；9月底完成80%" → [(6-30, 50), (9-30, 80)], and what could not be read, in words."""
    text = _text(value)
    points, problems = [], []
    for part in (p.strip() for p in _MILESTONE_SPLIT.split(text)):
        if not part:
            continue
        found = _PERCENT.search(part)
        if found is None:
            problems.append(_("“%(text)s” names no percent (write it as 6月底完成50%%).") % {"text": part})
            continue
        when = parse_deadline(part[: found.start()] + part[found.end() :], year=year, start=start)
        if when.due is None:
            problems.append(_("“%(text)s” names no date this import understands.") % {"text": part})
            continue
        points.append((when.due, min(round(float(found[1])), 1000)))
    return points, problems


@dataclass
class Plan:
    """What an import would do: rows understood, skipped and wrong, and the changes to existing items."""

    rows: list[dict] = field(default_factory=list)  # understood rows, each with "action" and "changes"
    skipped: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    new_categories: list[str] = field(default_factory=list)
    layout: Layout | None = None
    # Each unit name no unit has, or that fits several, once: name → {"problem", "rows", "columns", "units"}.
    unresolved: dict[str, dict] = field(default_factory=dict)
    # Owner unit pk → the code prefix of its new rows that have no code (given them only when the office
    # chose to generate codes; else they are counted in codes_missing and nothing can be written).
    code_prefixes: dict[int, str] = field(default_factory=dict)
    codes_needed: int = 0
    codes_missing: int = 0
    status_percents: dict[str, int] = field(default_factory=dict)
    # The day the progress is written as of, and who said it: "office" (chosen on the preview or --as-of),
    # "sheet" (截至… above the header), "upload" (the day of the upload), "" (none: the day of the writing).
    as_of: datetime.date | None = None
    as_of_from: str = ""

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r["action"] == action)

    @property
    def blocked(self) -> bool:
        """Nothing can be written: an error, a unit name still to be placed, or new items with no code."""
        return bool(self.errors or self.unresolved or self.codes_missing)

    def unresolved_list(self) -> list[dict]:
        return [
            {
                "name": name,
                "problem": info["problem"],
                "rows": info["rows"],
                "columns": info["columns"],
                "candidates": [{"id": u.pk, "name": u.name} for u in info["units"]],
            }
            for name, info in self.unresolved.items()
        ]

    def as_json(self) -> dict:
        return {
            "created": self.count("create"),
            "updated": self.count("update"),
            "unchanged": self.count("unchanged"),
            "skipped": [{"row": s["row"], "reason": s["reason"]} for s in self.skipped],
            "errors": self.errors,
            "unresolved": self.unresolved_list(),
            "codes_missing": self.codes_missing,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "as_of_from": self.as_of_from,
            "items": [
                {
                    "row": r["row"],
                    "code": r["code"],
                    "title": r["title"],
                    "category": r["category"],
                    "owner_unit": r["owner_unit"].name if r["owner_unit"] else None,
                    "partner_units": [u.name for u in r["partner_units"]],
                    "due": r["due"].isoformat() if r["due"] else None,
                    "due_text": r["due_text"],
                    "lead": r["lead"],
                    "note": r["note"],
                    "progress": r["new_progress"]
                    and {
                        **r["new_progress"],
                        "as_of": r["new_progress"]["as_of"] and r["new_progress"]["as_of"].isoformat(),
                    },
                }
                for r in self.rows
            ],
        }


# 完成情况 as written → the percent it stands for (the office confirms it on the preview); longest words first.
STATUS_WORDS = {
    "基本完成": 90,
    "已完成": 100,
    "已办结": 100,
    "完成": 100,
    "办结": 100,
    "是": 100,
    "推进中": 50,
    "正在推进": 50,
    "进行中": 50,
    "持续推进": 50,
    "已启动": 20,
    "未完成": 50,
    "未启动": 0,
    "未开始": 0,
    "否": 0,
}


def status_word(text: str) -> str | None:
    """The status word a 完成情况 cell says (已完成, 推进中 …), or None."""
    key = search_key(text).replace(" ", "")
    if key in STATUS_WORDS:
        return key
    for word in sorted(STATUS_WORDS, key=len, reverse=True):
        if len(word) >= 2 and key.startswith(word):
            return word
    return None


def _iso_date(value) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value or "")
    except (TypeError, ValueError):
        return None


def _plain_number(text: str) -> bool:
    return bool(re.fullmatch(r"\d+", text))


# "截至2026年6月10日", "填报日期：2026-06-10", "2026.6.10" above the header or in a note row beneath it: the day
# the sheet's progress is as of. Said with a word (截至 …) it wins over a bare date.
_FULL_DAY = re.compile(r"(20\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_AS_OF_WORDS = re.compile(r"(?:截至|截止|统计|填报|报送|更新|数据)(?:到|至|日期|时间)?\s*[:：]?\s*$")


def sheet_date(rows: list[list], layout: Layout, notes: list[str] = ()) -> datetime.date | None:
    """The date the sheet says its progress is as of, or None: a date cell or a written day ("截至2026年6月10日")
    in the rows above the header or in the note rows beneath (``notes``: their text, found while the rows are
    read; without it they are looked for here); a day after a word such as 截至 first."""
    candidates = list(rows[: layout.header_row])
    if notes:
        candidates += [[note] for note in notes]
    else:
        for row in rows[layout.data_start :]:
            cells = _distinct(row)
            if len(cells) == 1 and _NOTE_ROW.match(cells[0]):
                candidates.append(row)
    said, bare = None, None
    for row in candidates:
        for value in row:
            if isinstance(value, (datetime.date, datetime.datetime)):
                bare = bare or (value.date() if isinstance(value, datetime.datetime) else value)
                continue
            for found in _FULL_DAY.finditer(_text(value)):
                try:
                    day = datetime.date(int(found[1]), int(found[2]), int(found[3]))
                except ValueError:
                    continue
                if _AS_OF_WORDS.search(found.string[: found.start()]):
                    said = said or day
                bare = bare or day
    return said or bare


def build_plan(
    rows: list[list],
    campaign,
    *,
    hidden=frozenset(),
    columns: dict[int, str] | None = None,
    preset=None,
    progress=None,
    options: dict | None = None,
) -> Plan:
    """Read a ledger sheet's rows into a plan against the campaign's items (no writes).

    ``options`` are the office's choices on the preview: ``as_of`` (the date of the progress the sheet
    reports, ISO; default the day the sheet says, "截至6月10日", else ``uploaded_on``, else the day of writing), ``generate_codes`` (new rows with no code get one; off, they block the
    import: codes are the office's, never invented unasked), ``prefixes`` (owner unit pk → code prefix of
    those codes) and ``percents`` (status word → percent).
    """
    from taizhang.ledger.models import Item, Milestone, ProgressEntry

    options = options or {}

    plan = Plan()
    layout = find_layout(rows, hidden, preset)
    if layout is None:
        plan.errors.append(
            {
                "row": 1,
                "column": "",
                "message": _("No header row found: the sheet needs at least a title column (项目名称, 事项 …)."),
            }
        )
        return plan
    if columns is not None:
        layout.columns = {int(c): f for c, f in columns.items() if f}
    plan.layout = layout
    by_field = {f: c for c, f in layout.columns.items()}
    if "code" not in by_field and "serial" in by_field:
        # A "序号" column of codes (DC-001, not 1, 2, 3) is the code column after all.
        serials = [_text(r[by_field["serial"]]) for r in rows[layout.data_start :] if by_field["serial"] < len(r)]
        if any(v and not _plain_number(v) and not _SECTION.match(v) for v in serials):
            by_field["code"] = by_field.pop("serial")
    if "title" not in by_field:
        plan.errors.append(
            {"row": layout.header_row + 1, "column": "", "message": _("No column holds the item titles.")}
        )
        return plan
    if "owner_unit" not in by_field:
        plan.errors.append(
            {
                "row": layout.header_row + 1,
                "column": "",
                "message": _("No column holds the responsible units (责任单位)."),
            }
        )
        return plan

    matcher = UnitMatcher(Unit.objects.filter(is_active=True))
    percents = {**STATUS_WORDS, **{k: int(v) for k, v in (options.get("percents") or {}).items()}}

    def unit_problems(match, number: int, column: str, *, collective_allowed: bool) -> list:
        """Unknown and ambiguous names, each listed once with its rows; collective names where allowed."""
        for name in match.unknown:
            _unresolved(name, "unknown", matcher.closest(name), number, column)
        for name in match.ambiguous:
            _unresolved(name, "ambiguous", match.choices.get(name, []), number, column)
        found = []
        for name in match.collective:
            if collective_allowed:
                found += matcher.collective(name) or []
            else:
                plan.errors.append(
                    {
                        "row": number,
                        "column": column,
                        "message": _("“%(name)s” names many units; an item has one responsible unit.") % {"name": name},
                    }
                )
        return found

    def _unresolved(name, problem, units, number, column) -> None:
        info = plan.unresolved.setdefault(name, {"problem": problem, "rows": [], "columns": [], "units": units})
        if number not in info["rows"]:
            info["rows"].append(number)
        if column not in info["columns"]:
            info["columns"].append(column)

    categories = {search_key(c.name): c.name for c in campaign.categories.all()}
    phases = {search_key(p.name): p.name for p in campaign.phases.all()}
    year, start = campaign.starts_on.year, campaign.starts_on
    section_category = ""
    seen_codes: dict[str, int] = {}
    section_number = 0

    header_names: dict[str, str] = {}  # asked for on every row: translated once

    def header_of(name: str) -> str:
        if name not in header_names:
            col = by_field.get(name)
            label = str(FIELD_LABELS[name])
            header_names[name] = layout.headers.get(col, label) if col is not None else label
        return header_names[name]

    deadlines: dict = {}  # a ledger repeats its deadline phrases: each read once

    def deadline_of(value):
        try:
            key = (type(value), value)
            if key not in deadlines:
                deadlines[key] = parse_deadline(value, year=year, start=start)
            return deadlines[key]
        except TypeError:
            return parse_deadline(value, year=year, start=start)

    parsed: list[dict] = []
    notes: list[str] = []  # the note rows' text: one may say the day of the sheet (填报日期：…)
    for index in range(layout.data_start, len(rows)):
        row = rows[index]
        number = index + 1
        if progress is not None and index % 5000 == 0:
            progress(index, len(rows))
        values = {f: (row[c] if c < len(row) else None) for f, c in by_field.items()}
        cells = _leading(row, layout.hidden)
        if not cells:
            continue
        first = cells[0]
        if _SUBTOTAL.match(first.replace(" ", "")) or any(_SUBTOTAL.match(c.replace(" ", "")) for c in cells[:2]):
            plan.skipped.append({"row": number, "reason": _("subtotal row")})
            continue
        if len(cells) == 1 and (m := _SECTION.match(first)):
            section_category = _COUNT_SUFFIX.sub("", m.group(1)).strip()
            section_number += 1
            plan.skipped.append({"row": number, "reason": _("section: %(name)s") % {"name": section_category}})
            continue
        if len(cells) == 1 and _NOTE_ROW.match(first):
            plan.skipped.append({"row": number, "reason": _("note row")})
            notes.append(first)
            continue
        title = _text(values.get("title"))
        if not title:
            plan.skipped.append({"row": number, "reason": _("no title")})
            continue
        item = {"row": number, "section": section_number, "title": title}
        for name in ("content", "lead", "owner", "note", "progress"):
            item[name] = _text(values.get(name))
        item["status_word"], item["new_progress"] = None, None
        status_cell = values.get("status")
        if isinstance(status_cell, float) and 0 <= status_cell <= 1 and not status_cell.is_integer():
            status_cell = f"{round(status_cell * 100)}%"  # a cell formatted as a percent: 0.5 is 50%
        status_text = _text(status_cell)
        if status_text:
            word = status_word(status_text)
            found = _PERCENT.search(status_text)
            if word is not None or found:
                item["status_word"] = word
                percent = min(round(float(found[1])), 100) if found else percents.get(word, 0)
                if word is not None and not found:
                    plan.status_percents.setdefault(word, percents.get(word, 0))
            elif not item["progress"]:
                item["progress"], percent = status_text, None  # 完成情况 written out in words: the progress
            else:
                percent = None
        else:
            percent = None
        if item["progress"] and percent is None and (found := _PERCENT.search(item["progress"])):
            percent = min(round(float(found[1])), 100)
        if item["progress"] or (status_text and percent):
            item["new_progress"] = {
                "percent": percent,
                "done": item["progress"] or status_text,
                "as_of": None,  # the day of the sheet, known once every row is read (below)
            }
        item["code"] = _text(values.get("code"))
        category = _text(values.get("category")) or section_category
        if category:
            key = search_key(category)
            if key in categories:
                category = categories[key]
            elif category not in plan.new_categories:
                plan.new_categories.append(category)
        item["category"] = category
        phase = _text(values.get("phase"))
        item["phase"] = phases.get(search_key(phase), "") if phase else ""
        if phase and not item["phase"]:
            plan.errors.append(
                {
                    "row": number,
                    "column": header_of("phase"),
                    "message": _("Unknown phase “%(name)s”.") % {"name": phase},
                }
            )
        owners = matcher.match(values.get("owner_unit"))
        item["owner_unit"] = owners.units[0] if owners.units else None
        extra_owners = owners.units[1:]
        unit_problems(owners, number, header_of("owner_unit"), collective_allowed=False)
        if not (owners.units or owners.unknown or owners.ambiguous or owners.collective):
            plan.errors.append({"row": number, "column": header_of("owner_unit"), "message": _("No responsible unit.")})
        partners = matcher.match(values.get("partner_units")) if "partner_units" in by_field else None
        partner_units = list(extra_owners)
        if partners:
            everyone = unit_problems(partners, number, header_of("partner_units"), collective_allowed=True)
            partner_units += [
                u for u in [*partners.units, *everyone] if u not in partner_units and u != item["owner_unit"]
            ]
        item["partner_units"] = partner_units
        deadline = deadline_of(values.get("due"))
        item["due"], item["due_text"] = deadline.due, deadline.due_text[:100]
        item["milestones"] = None  # no column, or an empty cell: the milestones stay as they are
        if _text(values.get("milestones")):
            points, problems = parse_milestones(values["milestones"], year=year, start=start)
            try:
                points = validate_milestones(points, starts_on=start, due=item["due"])
            except ValidationError as error:
                problems += error.messages
            for message in problems:
                plan.errors.append({"row": number, "column": header_of("milestones"), "message": message})
            item["milestones"] = points
        if len(title) > 300:
            plan.errors.append(
                {"row": number, "column": header_of("title"), "message": _("The title is longer than 300 characters.")}
            )
        if len(item["code"]) > 40:
            plan.errors.append(
                {"row": number, "column": header_of("code"), "message": _("The code is longer than 40 characters.")}
            )
        if len(item["lead"]) > 100 or len(item["owner"]) > 100:
            plan.errors.append(
                {"row": number, "column": header_of("owner"), "message": _("A name is longer than 100 characters.")}
            )
        parsed.append(item)

    # The day of the progress the sheet reports: the office's choice, else the one the sheet says, else the upload's.
    plan.as_of, plan.as_of_from = _iso_date(options.get("as_of")), "office"
    if plan.as_of is None:
        plan.as_of, plan.as_of_from = sheet_date(rows, layout, notes or [""]), "sheet"
    if plan.as_of is None:
        plan.as_of, plan.as_of_from = _iso_date(options.get("uploaded_on")), "upload"
    if plan.as_of is None:
        plan.as_of_from = ""
    for p in parsed:
        if p["new_progress"]:
            p["new_progress"]["as_of"] = plan.as_of

    # Codes restarting in every section (1, 2 … under each heading): made unique by their section.
    codes = [p["code"] for p in parsed if p["code"]]
    if len(codes) != len(set(codes)) and section_number and all(_plain_number(c) for c in codes):
        for p in parsed:
            if p["code"]:
                p["code"] = f"{p['section']}-{p['code']}"
    for p in parsed:
        if p["code"]:
            if p["code"] in seen_codes:
                plan.errors.append(
                    {
                        "row": p["row"],
                        "column": header_of("code"),
                        "message": _("The code %(code)s is already used on row %(row)d.")
                        % {"code": p["code"], "row": seen_codes[p["code"]]},
                    }
                )
            seen_codes.setdefault(p["code"], p["row"])

    existing = _existing_items(Item, campaign, parsed)
    milestones: dict[int, list] = {}
    if "milestones" in by_field:  # read only when the sheet has them: rows, not 100,000 prefetched managers
        for item_id, when, percent in Milestone.objects.filter(item__campaign=campaign).values_list(
            "item_id", "on", "percent"
        ):
            milestones.setdefault(item_id, []).append((when, percent))
    by_code = {}
    by_title = {}
    any_without_code = any(not p["code"] for p in parsed)
    for it in existing:
        by_code[it.code] = it
        if any_without_code:
            by_title.setdefault((search_key(it.title), it.owner_unit_id), it)
    for p in parsed:
        current = by_code.get(p["code"]) if p["code"] else None
        if not p["code"] and p["owner_unit"] is not None:
            current = by_title.get((search_key(p["title"]), p["owner_unit"].pk))
        p["item"] = current
        if current is None:
            p["action"], p["changes"] = "create", []
        else:
            if not p["code"]:
                p["code"] = current.code
            p["changes"] = compare(current, p, milestones=sorted(milestones.get(current.pk, [])))
            p["action"] = "update" if p["changes"] else "unchanged"
    _plan_progress(parsed, campaign, ProgressEntry)
    _give_codes(parsed, existing, options.get("prefixes") or {}, plan, generate=bool(options.get("generate_codes")))
    plan.rows = parsed
    return plan


_COMPARED_COLUMNS = (
    "id",
    "campaign_id",
    "code",
    "title",
    "content",
    "category__name",
    "phase__name",
    "owner_unit_id",
    "lead",
    "owner",
    "due",
    "due_text",
    "note",
    "percent",
)


def _existing_items(Item, campaign, parsed: list[dict]) -> list:
    """The campaign's items the rows may be: by their codes when every row has one (a sheet of 600 rows does not
    load a ledger of 100,000), else all of them (rows without a code match by title and owner unit)."""
    items = Item.objects.filter(campaign=campaign).select_related("category", "phase").only(*_COMPARED_COLUMNS)
    items = items.prefetch_related(models.Prefetch("partner_units", queryset=Unit.objects.only("id", "name")))
    codes = sorted({p["code"] for p in parsed})
    if (
        not codes
        or "" in codes
        or len(codes) > 20000
        or Item.objects.filter(campaign=campaign).count() < 2 * len(codes)
    ):
        return list(items)  # all of them, or most: one query rather than one per 500 codes
    found = []
    for start in range(0, len(codes), 500):
        found += items.filter(code__in=codes[start : start + 500])
    return found


def _plan_progress(parsed: list[dict], campaign, ProgressEntry) -> None:
    """The progress a row reports becomes an entry, unless the item's latest entry already says it."""
    known = {p["item"].pk: p for p in parsed if p["item"] is not None and p["new_progress"]}
    latest: dict[int, tuple] = {}
    if known:
        for item_id, percent, done in (
            ProgressEntry.objects.filter(item__campaign=campaign, item_id__in=list(known))
            .order_by("item_id", "created_at", "pk")
            .values_list("item_id", "percent", "done")
        ):
            latest[item_id] = (percent, done)
    for p in parsed:
        new = p["new_progress"]
        if not new:
            continue
        item = p["item"]
        if new["percent"] is None:
            new["percent"] = item.percent if item is not None else 0
        if item is not None:
            if latest.get(item.pk) == (new["percent"], new["done"]):
                p["new_progress"] = None  # already said: a second import of the same sheet adds nothing
                continue
            p["changes"].append(
                {
                    "field": "progress",
                    "label": str(FIELD_LABELS["progress"]),
                    "old": f"{item.percent}%",
                    "new": f"{new['percent']}% {new['done']}",
                }
            )
            p["action"] = "update"


_CODE = re.compile(r"^([A-Za-z]+)-(\d+)$")


def _give_codes(parsed: list[dict], existing, prefixes: dict, plan: Plan, *, generate: bool) -> None:
    """New rows with no code: the prefix each owner unit's codes would have (the office's choice, else the
    one its items already use, else IMP); with ``generate``, each gets that prefix and the next free number."""
    needing = [p for p in parsed if not p["code"] and p["action"] == "create" and p["owner_unit"] is not None]
    plan.codes_needed = len(needing)
    plan.codes_missing = 0 if generate else len(needing)
    if not needing:
        return
    used: dict[str, int] = {}
    usual: dict[int, dict[str, int]] = {}
    for item in existing:
        if m := _CODE.match(item.code):
            used[m[1]] = max(used.get(m[1], 0), int(m[2]))
            counts = usual.setdefault(item.owner_unit_id, {})
            counts[m[1]] = counts.get(m[1], 0) + 1
    for p in needing:
        unit = p["owner_unit"].pk
        if unit not in plan.code_prefixes:
            chosen = str(prefixes.get(str(unit)) or prefixes.get(unit) or "").strip()
            if not re.fullmatch(r"[A-Za-z]{1,10}", chosen):
                chosen = max(usual.get(unit, {"IMP": 0}).items(), key=lambda kv: kv[1])[0]
            plan.code_prefixes[unit] = chosen.upper()
        if not generate:
            continue
        prefix = plan.code_prefixes[unit]
        used[prefix] = used.get(prefix, 0) + 1
        p["code"] = f"{prefix}-{used[prefix]:03d}"
        p["generated_code"] = True


def _current_values(item, milestones: list) -> dict:
    return {
        "title": item.title,
        "content": item.content,
        "category": item.category.name if item.category_id else "",
        "phase": item.phase.name if item.phase_id else "",
        "owner_unit": item.owner_unit_id,
        "partner_units": sorted(u.pk for u in item.partner_units.all()),
        "lead": item.lead,
        "owner": item.owner,
        "due": item.due,
        "due_text": item.due_text,
        "note": item.note,
        "milestones": milestones,
    }


def compare(item, row: dict, *, milestones: list = ()) -> list[dict]:
    """The fields the row would change on the item, old → new, as people read them."""
    current = _current_values(item, list(milestones))
    new = {
        "title": row["title"],
        "content": row["content"],
        "category": row["category"],
        "phase": row["phase"],
        "owner_unit": row["owner_unit"].pk if row["owner_unit"] else None,
        "partner_units": sorted(u.pk for u in row["partner_units"]),
        "lead": row["lead"],
        "owner": row["owner"],
        "due": row["due"],
        "due_text": row["due_text"],
        "note": row["note"],
        "milestones": row.get("milestones"),
    }
    units = {}
    changes = []
    for name, old in current.items():
        if name in ("content", "lead", "owner", "note", "category", "phase") and not new[name]:
            continue  # an empty cell does not wipe what the ledger already knows
        if name == "milestones" and new[name] is None:
            continue
        if old != new[name]:
            if name == "owner_unit":
                units = units or Unit.objects.in_bulk([old, new[name]])
                shown = (units[old].name if old in units else "", row["owner_unit"].name)
            elif name == "partner_units":
                shown = (
                    "、".join(u.name for u in item.partner_units.all()),
                    "、".join(u.name for u in row["partner_units"]),
                )
            elif name == "milestones":
                shown = (milestones_text(old), milestones_text(new[name]))
            elif name == "due":
                shown = (old.isoformat() if old else "", new[name].isoformat() if new[name] else "")
            else:
                shown = (str(old), str(new[name]))
            changes.append(
                {
                    "field": name,
                    "label": str(FIELD_LABELS.get(name, name)) if name != "due_text" else _("deadline as written"),
                    "old": shown[0],
                    "new": shown[1],
                }
            )
    return changes
