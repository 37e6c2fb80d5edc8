"""The weekly statistics sheet (统计表): download pre-filled, fill in, upload back.

Each unit gets a worksheet of its open items: the ledger's columns locked, this
period's columns open with data validation. A very hidden ``_key`` sheet names
the campaign, unit, period and item codes, signed with the server's secret, so
an upload is matched to the right items and period and an edited key is
refused. Reading the upload gives a preview (old → new percent); writing goes
through the ledger's ``add_progress``.
"""

import datetime
import hashlib
import hmac
import io
import json
import re
from dataclasses import dataclass, field

import xlsxwriter
from django.conf import settings
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from taizhang.ledger.models import Item, ProgressEntry
from taizhang.lib.xlsx import neutralise
from taizhang.lib.xlsxread import Workbook
from taizhang.orgs.models import Unit

KEY_SHEET = "_key"
FIRST_ROW = 2  # 0-based: a title row, the header row, then the items
STATUS_DOING = "进行中"
STATUS_DONE = "已完成"

# (header, width, locked)
COLUMNS = [
    ("编号", 10, True),
    ("事项", 36, True),
    ("责任人", 10, True),
    ("完成时限", 12, True),
    ("上期进度(%)", 10, True),
    ("上期进展情况", 36, True),
    ("本期进度(%)", 10, False),
    ("状态", 9, False),
    ("本期完成情况", 40, False),
    ("存在困难", 28, False),
    ("下步计划", 28, False),
]
COL_CODE, COL_PERCENT, COL_STATUS, COL_DONE, COL_DIFFICULTIES, COL_NEXT = 0, 6, 7, 8, 9, 10


# Periods ----------------------------------------------------------------------
# For now the reporting period is the ISO week; the reporting area's ReportingPeriod will replace these two.


@dataclass(frozen=True)
class Period:
    key: str  # "2026-W47"
    label: str  # "2026年第47周"
    starts: datetime.date
    ends: datetime.date


def period_for(day: datetime.date) -> Period:
    year, week, _weekday = day.isocalendar()
    return period_from_key(f"{year}-W{week:02d}")


def period_from_key(key: str) -> Period | None:
    match = re.fullmatch(r"(\d{4})-W(\d{2})", key or "")
    if not match:
        return None
    year, week = int(match[1]), int(match[2])
    try:
        starts = datetime.date.fromisocalendar(year, week, 1)
    except ValueError:
        return None
    return Period(key=key, label=f"{year}年第{week}周", starts=starts, ends=starts + datetime.timedelta(days=6))


# The key -----------------------------------------------------------------------


def sign(payload: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), payload.encode(), hashlib.sha256).hexdigest()[:32]


def sheet_items(campaign, unit: Unit, *, subtree: bool = True):
    """The unit's open items (and its sub-units' when ``subtree``), without parents that roll up."""
    latest = Prefetch(
        "progress_entries", queryset=ProgressEntry.objects.order_by("-created_at", "-id"), to_attr="entries"
    )
    items = Item.objects.filter(campaign=campaign).open()
    items = items.in_unit(unit) if subtree else items.filter(owner_unit=unit)
    return list(items.filter(children__isnull=True).order_by("code").prefetch_related(latest))


def _sheet_names(units) -> list[str]:
    names, used = [], set()
    for unit in units:
        base = re.sub(r"[\[\]:*?/\\']", "", unit.display_name)[:28] or str(unit.pk)
        name, n = base, 2
        while name in used or name == KEY_SHEET:
            name = f"{base[:26]}-{n}"
            n += 1
        used.add(name)
        names.append(name)
    return names


def office_units(campaign) -> list[Unit]:
    """Every unit that owns an open item, in tree order: one sheet each in the office's workbook."""
    ids = Item.objects.filter(campaign=campaign).open().values("owner_unit")
    return list(Unit.objects.filter(pk__in=ids).order_by("path"))


def build_statistics_workbook(campaign, units, period: Period, *, subtree: bool = True) -> bytes:
    """One worksheet per unit with its open items, and the signed key sheet."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    font = {"font_name": "等线"}
    title_fmt = book.add_format({"bold": True, "font_size": 14, **font})
    head_fmt = book.add_format(
        {
            "bold": True,
            "bg_color": "#DDEBF7",
            "border": 1,
            "text_wrap": True,
            "valign": "vcenter",
            "locked": True,
            **font,
        }
    )
    locked_fmt = book.add_format({"border": 1, "text_wrap": True, "valign": "top", "bg_color": "#F2F2F2", **font})
    open_fmt = book.add_format({"border": 1, "text_wrap": True, "valign": "top", "locked": False, **font})
    keys = []
    for unit, sheet_name in zip(units, _sheet_names(units), strict=True):
        items = sheet_items(campaign, unit, subtree=subtree)
        sheet = book.add_worksheet(sheet_name)
        sheet.write_string(0, 0, neutralise(f"{unit.name} {period.label} 统计表"), title_fmt)
        for col, (header, width, _locked) in enumerate(COLUMNS):
            sheet.write_string(1, col, header, head_fmt)
            sheet.set_column(col, col, width)
        for row, item in enumerate(items, start=FIRST_ROW):
            last = item.entries[0] if item.entries else None
            due = item.due.isoformat() if item.due else ""
            due_text = item.due_text if item.due_text and item.due_text != due else ""
            values = [
                item.code,
                item.title,
                item.owner,
                " ".join(v for v in (due, due_text) if v),
                item.percent,
                last.done if last else "",
            ]
            for col, value in enumerate(values):
                if isinstance(value, int):
                    sheet.write_number(row, col, value, locked_fmt)
                else:
                    sheet.write_string(row, col, neutralise(str(value)), locked_fmt)
            for col in range(COL_PERCENT, len(COLUMNS)):
                sheet.write_blank(row, col, None, open_fmt)
        last_row = max(FIRST_ROW, FIRST_ROW + len(items) - 1)
        sheet.data_validation(
            FIRST_ROW,
            COL_PERCENT,
            last_row,
            COL_PERCENT,
            {
                "validate": "integer",
                "criteria": "between",
                "minimum": 0,
                "maximum": 100,
                "error_title": "进度",
                "error_message": "请填写0到100之间的整数。",
            },
        )
        sheet.data_validation(
            FIRST_ROW, COL_STATUS, last_row, COL_STATUS, {"validate": "list", "source": [STATUS_DOING, STATUS_DONE]}
        )
        sheet.freeze_panes(FIRST_ROW, 2)
        sheet.protect("", {"format_columns": True, "format_rows": True, "select_locked_cells": True})
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.repeat_rows(1)
        sheet.fit_to_pages(1, 0)
        payload = json.dumps(
            {
                "v": 1,
                "campaign": campaign.slug,
                "unit": unit.pk,
                "period": period.key,
                "sheet": sheet_name,
                "items": {item.code: item.pk for item in items},
            },
            ensure_ascii=False,
            sort_keys=True,
        )
        keys.append((sheet_name, payload, sign(payload)))
    key_sheet = book.add_worksheet(KEY_SHEET)
    for row, (sheet_name, payload, checksum) in enumerate(keys):
        key_sheet.write_string(row, 0, sheet_name)
        key_sheet.write_string(row, 1, payload)
        key_sheet.write_string(row, 2, checksum)
    key_sheet.protect("")
    key_sheet.very_hidden()
    book.close()
    return buffer.getvalue()


# Reading an upload ----------------------------------------------------------------


class SheetRefused(Exception):
    """The whole file is refused (wrong period, unit, campaign, or an edited key)."""


@dataclass
class SheetPlan:
    period: Period
    rows: list[dict] = field(default_factory=list)  # each: sheet, row, item, percent, done, ..., action
    errors: list[dict] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r["action"] == action)


def _cell(row: list, col: int):
    return row[col] if col < len(row) else None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_statistics_upload(workbook: Workbook, campaign, access, period: Period) -> SheetPlan:
    """Check the key and every row; raises SheetRefused for a sheet not meant for this upload."""
    sheets = {s.name: s for s in workbook.sheets}
    key_sheet = sheets.get(KEY_SHEET)
    if key_sheet is None or not key_sheet.rows:
        raise SheetRefused(_("This is not a statistics sheet downloaded from Taizhang (its key is missing)."))
    plan = SheetPlan(period=period)
    for key_row in key_sheet.rows:
        sheet_name, payload, checksum = (_text(_cell(key_row, i)) for i in range(3))
        if not sheet_name:
            continue
        if not hmac.compare_digest(sign(payload), checksum):
            raise SheetRefused(_("The sheet's key was edited; download a new sheet."))
        key = json.loads(payload)
        if key.get("campaign") != campaign.slug:
            raise SheetRefused(_("This sheet belongs to another campaign."))
        if key.get("period") != period.key:
            sheet_period = period_from_key(key.get("period", ""))
            raise SheetRefused(
                _("This sheet is for %(sheet)s, not for %(period)s.")
                % {"sheet": sheet_period.label if sheet_period else "?", "period": period.label}
            )
        unit = Unit.objects.filter(pk=key.get("unit")).first()
        if unit is None or not (access.is_office or access.speaks_for(unit)):
            raise SheetRefused(
                _("This sheet is for %(unit)s; you can upload only your own unit's sheet.")
                % {"unit": unit.name if unit else "?"}
            )
        sheet = sheets.get(sheet_name)
        if sheet is None:
            raise SheetRefused(_("The sheet “%(name)s” is missing from the file.") % {"name": sheet_name})
        _read_unit_sheet(plan, sheet, key["items"], campaign, access, unit)
    return plan


def _read_unit_sheet(plan: SheetPlan, sheet, codes: dict[str, int], campaign, access, unit) -> None:
    items = Item.objects.filter(campaign=campaign, pk__in=codes.values()).select_related("owner_unit", "campaign")
    by_id = {item.pk: item for item in items}
    headers = [h for h, _w, _l in COLUMNS]
    seen = set()
    for index in range(FIRST_ROW, len(sheet.rows)):
        row = sheet.rows[index]
        number = index + 1
        code = _text(_cell(row, COL_CODE))
        entry = [_text(_cell(row, c)) for c in range(COL_PERCENT, len(COLUMNS))]
        if not code and not any(entry):
            continue

        def error(col: int, message: str, number=number) -> None:
            plan.errors.append({"sheet": sheet.name, "row": number, "column": headers[col], "message": message})

        if code not in codes or code in seen:
            raise SheetRefused(
                _("Sheet %(sheet)s, row %(row)d: the code column was edited (%(code)s); download a new sheet.")
                % {"sheet": sheet.name, "row": number, "code": code or "—"}
            )
        seen.add(code)
        percent_text, status, done, difficulties, next_steps = entry
        if not percent_text and not done and not status:
            continue  # nothing reported on this item this period
        item = by_id.get(codes[code])
        if item is None or not item.owner_unit.path.startswith(unit.path):
            raise SheetRefused(_("The sheet's key names an item of another unit."))
        if not access.can_report_progress(item):
            error(COL_CODE, _("You can report progress only on your own unit's open items."))
            continue
        percent = None
        if percent_text:
            try:
                value = float(percent_text.rstrip("%"))
            except ValueError:
                value = None
            if value is None or not value.is_integer() or not 0 <= value <= 100:
                error(COL_PERCENT, _("Progress must be a whole number between 0 and 100."))
                continue
            percent = int(value)
        if status and status not in (STATUS_DOING, STATUS_DONE):
            error(COL_STATUS, _("Choose the status from the list."))
            continue
        if status == STATUS_DONE:
            if percent is None:
                percent = 100
            elif percent != 100:
                error(COL_STATUS, _("A completed item is at 100%."))
                continue
        if percent is None:
            error(COL_PERCENT, _("Fill in this period's progress."))
            continue
        if not done:
            error(COL_DONE, _("Say what was done."))
            continue
        last = item.progress_entries.order_by("-created_at", "-id").first()
        same = (
            last is not None
            and last.period_label == plan.period.label
            and (last.percent, last.done, last.difficulties, last.next_steps)
            == (percent, done, difficulties, next_steps)
        )
        plan.rows.append(
            {
                "sheet": sheet.name,
                "row": number,
                "item": item,
                "old_percent": item.percent,
                "percent": percent,
                "done": done,
                "difficulties": difficulties,
                "next_steps": next_steps,
                "corrects": last if last is not None and last.period_label == plan.period.label and not same else None,
                "action": "unchanged" if same else "report",
            }
        )
