"""The weekly statistics sheet (统计表): download pre-filled, fill in, upload back. The sheet is the weekly report.

Each unit gets a worksheet of its open items: the ledger's columns locked, this
period's columns open with data validation. A very hidden ``_key`` sheet names
the campaign, unit, reporting period (a weekly ``ReportingPeriod``, named as the
reporting pages name it) and item codes, signed with the server's secret, so an
upload is matched to the right items and period and an edited key is refused.
Reading the upload gives a preview (old → new percent, and which reports it
submits); confirming writes each unit's progress and submits its report through
``reporting.actions.report_from_sheet``, all units of a file in one transaction.
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
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.ledger.actions import milestones_text
from taizhang.ledger.models import Item, ProgressEntry
from taizhang.lib.periods import period_name
from taizhang.lib.xlsx import neutralise
from taizhang.lib.xlsxread import Workbook
from taizhang.orgs.models import Unit
from taizhang.reporting.actions import report_from_sheet
from taizhang.reporting.models import ReportingPeriod, UnitReport
from taizhang.reporting.periods import open_periods

from .models import ImportJob

KEY_SHEET = "_key"
PERIOD_LABEL = re.compile(r"[0-9A-Za-z-]{1,20}")
KEY_VERSION = 3  # 3: a milestones column; 2: the period is a ReportingPeriod (id and label); 1 named the ISO week
FIRST_ROW = 2  # 0-based: a title row, the header row, then the items
STATUS_DOING = "进行中"
STATUS_DONE = "已完成"

# (header, width, locked)
COLUMNS = [
    ("编号", 10, True),
    ("事项", 36, True),
    ("责任人", 10, True),
    ("完成时限", 12, True),
    ("节点目标", 22, True),
    ("上期进度(%)", 10, True),
    ("上期进展情况", 36, True),
    ("本期进度(%)", 10, False),
    ("状态", 9, False),
    ("本期完成情况", 40, False),
    ("存在困难", 28, False),
    ("下步打算", 28, False),
]
COL_CODE, COL_PERCENT, COL_STATUS, COL_DONE, COL_DIFFICULTIES, COL_NEXT = 0, 7, 8, 9, 10, 11


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
    return list(items.filter(children__isnull=True).order_by("code").prefetch_related(latest, "milestones"))


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


def period_title(period: ReportingPeriod) -> str:
    """The period as the reporting pages name it, with its days: "2026年第25周（6月15日—6月19日）"."""
    return period.name


def open_period(campaign, label: str, *, now: datetime.datetime | None = None) -> ReportingPeriod:
    """The campaign's open weekly period of that name; raises SheetRefused for any other."""
    # A label from the URL: NUL (which PostgreSQL refuses in a query) or an overlong one is no period at all.
    period = open_periods(campaign, now=now).filter(label=label).first() if PERIOD_LABEL.fullmatch(label) else None
    if period is None:
        names = "、".join(p.name for p in open_periods(campaign, now=now)) or "—"
        raise SheetRefused(
            _("%(period)s is not an open reporting period of this campaign; sheets are taken for: %(open)s.")
            % {"period": period_name(label[:20].replace("\x00", "")) or "—", "open": names}
        )
    return period


def build_statistics_workbook(campaign, units, period: ReportingPeriod, *, subtree: bool = True) -> bytes:
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
        sheet.write_string(0, 0, neutralise(f"{unit.name} {period_title(period)} 统计表"), title_fmt)
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
                milestones_text((m.on, m.percent) for m in item.milestones.all()),
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
                "v": KEY_VERSION,
                "campaign": campaign.slug,
                "unit": unit.pk,
                "period": period.pk,
                "label": period.label,
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
    """The whole file is refused (wrong period, unit, campaign, an edited or repeated key, a locked report)."""


@dataclass
class SheetPlan:
    period: ReportingPeriod
    rows: list[dict] = field(default_factory=list)  # each: sheet, row, item, percent, done, ..., action
    errors: list[dict] = field(default_factory=list)
    # One per unit whose report the upload makes: unit, report (or None), rows to write, action.
    reports: list[dict] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r["action"] == action)

    @property
    def actionable(self) -> bool:
        """Something to write or a report to submit."""
        return not self.errors and any(r["action"] == "submit" or r["rows"] for r in self.reports)


def _cell(row: list, col: int):
    return row[col] if col < len(row) else None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_statistics_upload(
    workbook: Workbook, campaign, access, period: ReportingPeriod, *, uploaded_at: datetime.datetime | None = None
) -> SheetPlan:
    """Check the key and every row; raises SheetRefused for a sheet not meant for this upload."""
    sheets = {s.name: s for s in workbook.sheets}
    key_sheet = sheets.get(KEY_SHEET)
    if key_sheet is None or not key_sheet.rows:
        raise SheetRefused(_("This is not a statistics sheet downloaded from Taizhang (its key is missing)."))
    plan = SheetPlan(period=period)
    seen_sheets: set[str] = set()
    seen_items: set[int] = set()
    units: list[Unit] = []  # the owner units whose items the sheets list, in sheet order
    for key_row in key_sheet.rows:
        sheet_name, payload, checksum = (_text(_cell(key_row, i)) for i in range(3))
        if not sheet_name:
            continue
        if not hmac.compare_digest(sign(payload), checksum):
            raise SheetRefused(_("The sheet's key was edited; download a new sheet."))
        key = json.loads(payload)
        if key.get("campaign") != campaign.slug:
            raise SheetRefused(_("This sheet belongs to another campaign."))
        if key.get("v") != KEY_VERSION:
            raise SheetRefused(_("This sheet was downloaded from an older version of Taizhang; download a new sheet."))
        if key.get("period") != period.pk:
            raise SheetRefused(
                _("This sheet is for %(sheet)s, not for %(period)s.")
                % {"sheet": period_name(key.get("label") or "?"), "period": period.name}
            )
        item_ids = set(key["items"].values())
        if sheet_name in seen_sheets or item_ids & seen_items:
            # The same signed key twice in one file would write the same items twice.
            raise SheetRefused(
                _("The key of sheet “%(name)s” appears twice in the file; download a new sheet.") % {"name": sheet_name}
            )
        seen_sheets.add(sheet_name)
        seen_items |= item_ids
        unit = Unit.objects.filter(pk=key.get("unit")).first()
        if unit is None or not (access.is_office or access.speaks_for(unit)):
            raise SheetRefused(
                _("This sheet is for %(unit)s; you can upload only your own unit's sheet.")
                % {"unit": unit.name if unit else "?"}
            )
        sheet = sheets.get(sheet_name)
        if sheet is None:
            raise SheetRefused(_("The sheet “%(name)s” is missing from the file.") % {"name": sheet_name})
        _read_unit_sheet(plan, sheet, key["items"], campaign, access, unit, units)
    _plan_reports(plan, units, access, uploaded_at or timezone.now())
    return plan


def _plan_reports(plan: SheetPlan, units: list[Unit], access, uploaded_at: datetime.datetime) -> None:
    """Which unit reports the upload submits; refuses new progress for a report already in.

    A liaison's sheet is its units' report, blank rows being "no change"; the office reports only for the units
    whose sheets it filled in (a blank sheet in the office's workbook leaves that unit's report alone).
    """
    rows_by_unit: dict[int, list[dict]] = {}
    filled: set[int] = set()
    for row in plan.rows:
        unit_id = row["item"].owner_unit_id
        rows_by_unit.setdefault(unit_id, [])
        if row["action"] == "report":
            rows_by_unit[unit_id].append(row)
        if row["action"] in ("report", "unchanged"):
            filled.add(unit_id)
    existing = {r.unit_id: r for r in UnitReport.objects.filter(period=plan.period, unit__in=units)}
    for unit in units:
        if access.is_office and unit.pk not in filled:
            continue
        rows = rows_by_unit.get(unit.pk, [])
        report = existing.get(unit.pk)
        names = {"unit": unit.name, "period": plan.period.name}
        if report is not None and report.status == UnitReport.Status.ACCEPTED:
            if rows:
                raise SheetRefused(
                    _(
                        "The report of %(unit)s for %(period)s is accepted and locked; "
                        "ask the campaign office to reopen it."
                    )
                    % names
                )
            action = "locked"
        elif report is not None and report.status == UnitReport.Status.SUBMITTED:
            if rows:
                raise SheetRefused(
                    _(
                        "The report of %(unit)s for %(period)s is already submitted; "
                        "ask the campaign office to return it if it must change."
                    )
                    % names
                )
            action = "locked"
        else:
            action = "submit"
        plan.reports.append(
            {
                "unit": unit,
                "report": report,
                "rows": rows,
                "action": action,
                "late": uploaded_at > plan.period.due_at,
                "resubmission": report is not None and report.status == UnitReport.Status.RETURNED,
            }
        )


def _read_unit_sheet(plan: SheetPlan, sheet, codes: dict[str, int], campaign, access, unit, units: list) -> None:
    items = Item.objects.filter(campaign=campaign, pk__in=codes.values()).select_related("owner_unit", "campaign")
    by_id = {item.pk: item for item in items}
    for item in sorted(by_id.values(), key=lambda i: i.code):
        if item.owner_unit.path.startswith(unit.path) and item.owner_unit not in units:
            units.append(item.owner_unit)
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
        item = by_id.get(codes[code])
        if item is None or not item.owner_unit.path.startswith(unit.path):
            raise SheetRefused(_("The sheet's key names an item of another unit."))
        percent_text, status, done, difficulties, next_steps = entry
        no_change = {"sheet": sheet.name, "row": number, "item": item, "old_percent": item.percent, "percent": None}
        if not percent_text and not done and not status and not difficulties and not next_steps:
            plan.rows.append({**no_change, "action": "no_change"})  # left blank: no change this period
            continue
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
        if not done and percent == item.percent and not (difficulties or next_steps or status == STATUS_DONE):
            plan.rows.append({**no_change, "action": "no_change"})  # the same percent, nothing said: no change
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


# Writing a confirmed upload ----------------------------------------------------------


class AlreadyWritten(Exception):
    """Another confirm of the same upload came first (a double click, two tabs)."""


@transaction.atomic
def confirm_upload(job: ImportJob, plan: SheetPlan, *, acting_user, submit: bool = True) -> dict:
    """Write an uploaded sheet: each unit's progress into its report for the period, submitted unless ``submit``
    is False (saved as a draft); every unit of the file in one transaction, or none.

    Claim, then work: the upload moves from preview to writing with a filtered UPDATE first, so of two confirms at
    once one writes and the other (waiting on the row on PostgreSQL, after it on SQLite) finds nothing to claim.
    """
    if plan.errors:
        raise ValidationError(_("The sheet has errors; nothing was written."))
    claimed = ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.PREVIEW).update(
        state=ImportJob.State.WRITING, heartbeat_at=timezone.now()
    )
    if not claimed:
        raise AlreadyWritten
    written, submitted, late = 0, [], []
    for planned in plan.reports:
        if planned["action"] != "submit":
            continue
        report = report_from_sheet(
            plan.period, planned["unit"], planned["rows"], acting_user=acting_user, submit=submit, now=job.created_at
        )
        written += len(planned["rows"])
        if report.status == UnitReport.Status.SUBMITTED:
            (late if report.is_late else submitted).append(planned["unit"].name)
    outcome = {
        "written": written,
        "unchanged": plan.count("unchanged") + plan.count("no_change"),
        "submitted": submitted,
        "late": late,
    }
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.DONE, result=outcome, finished_at=timezone.now())
    return outcome
