"""The one reader of the spreadsheets people upload: every entry point (the statistics sheet, the ledger
import on the web and on the command line, the units import, the survey upload) calls ``read_workbook``.

Accepted: xlsx (an .xlsm without macros too) and csv. Refused with a reason in
the user's language: legacy .xls and .ods (save as .xlsx), password-protected
workbooks, macros, links to other workbooks, DDE formulas, renamed programs,
pictures and documents, and anything whose size or shape passes the limits.

The limits are enforced before anything is allocated for the cells:
``sheetcheck`` inspects the zip and streams every XML part through a parser
that takes no DOCTYPE (the declared dimension, every cell address that holds a
value, the merged ranges, the depth, the sizes actually unpacked). Only then
does python-calamine read the file, and it reads it in a child process with an
address-space, CPU and wall-clock limit (``sheetchild``), so that even an input
the checks miss can only end that child. Formulas give their cached values;
nothing in the file is ever run. Merged cells are filled with their top-left
value and hidden columns are reported, so importers read ledgers as people see
them.
"""

import csv
import io
import json
import logging
import os
import pickle
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from . import sheetcheck
from .sheetcheck import LIMITS, Refused

logger = logging.getLogger(__name__)

MAX_BYTES = 30 * 1024 * 1024
MAX_CSV_BYTES = 30 * 1024 * 1024
MAX_ROWS = LIMITS.max_rows
MAX_COLUMNS = LIMITS.max_columns
MAX_BLANK_RUN = 1_000
CHILD_MEMORY = int(os.environ.get("TAIZHANG_SHEET_CHILD_MEMORY", 1536 * 1024 * 1024))
CHILD_SECONDS = int(os.environ.get("TAIZHANG_SHEET_CHILD_SECONDS", 60))
CHILD = Path(__file__).with_name("sheetchild.py")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Files people rename: what their first bytes say they are.
_MAGIC = [
    (b"\x7fELF", "program"),
    (b"MZ", "program"),
    (b"\xca\xfe\xba\xbe", "program"),
    (b"\xcf\xfa\xed\xfe", "program"),
    (b"#!", "program"),
    (b"\x89PNG", "picture"),
    (b"\xff\xd8\xff", "picture"),
    (b"GIF8", "picture"),
    (b"BM", None),  # too short to tell; decided by the NUL check below
    (b"%PDF", "pdf"),
    (b"\x1f\x8b", "archive"),
    (b"7z\xbc\xaf", "archive"),
    (b"Rar!", "archive"),
    (b"\xff\xfe", "utf16"),
    (b"\xfe\xff", "utf16"),
]


class SpreadsheetError(Exception):
    """A file that cannot be read as a spreadsheet; the message says why, in the user's language."""


@dataclass
class Sheet:
    """One worksheet's values (rows of cells from A1), its hidden columns, and whether it is hidden."""

    name: str
    rows: list[list]
    hidden_columns: set[int] = field(default_factory=set)
    hidden: bool = False


@dataclass
class Workbook:
    sheets: list[Sheet]
    has_macros: bool = False
    kind: str = "xlsx"


def message(code: str, params: dict | None = None) -> str:
    """The user's-language reason for a refusal code of ``sheetcheck`` or ``sheetchild``."""
    params = dict(params or {})
    save_as_xlsx = _("Open it in Excel or WPS and save it as an .xlsx workbook.")
    messages = {
        "damaged": _("The file is damaged and cannot be opened."),
        "encrypted": _("The file is protected by a password. Remove the password in Excel and upload it again."),
        "word": _("This is a Word document, not a spreadsheet."),
        "powerpoint": _("This is a PowerPoint file, not a spreadsheet."),
        "not_spreadsheet": _("This file is not a spreadsheet."),
        "program": _("This file is a program, not a spreadsheet; it was not opened."),
        "picture": _("This file is a picture, not a spreadsheet."),
        "pdf": _("This file is a PDF document, not a spreadsheet."),
        "archive": _("This file is a compressed archive, not a spreadsheet."),
        "xls": _("Old-style .xls workbooks are not accepted.") + " " + save_as_xlsx,
        "ods": _("OpenDocument spreadsheets (.ods) are not accepted.") + " " + save_as_xlsx,
        "macros": _(
            "The workbook contains macros, which are not accepted. Save it as an .xlsx workbook (without macros)."
        ),
        "external_links": _(
            "The workbook links to other files. Break the links (Data → Edit Links) and upload it again."
        ),
        "dde": _("The workbook contains a formula that would start another program (DDE); it was not opened."),
        "zip_bomb": _("The file unpacks to far more than its size (a zip bomb?); it was not opened."),
        "too_many_parts": _("The file holds too many parts to be a spreadsheet."),
        "unsafe_names": _("The file holds parts with unsafe names; it was not opened."),
        "xml_dtd": _("The file contains XML declarations that spreadsheets never need (DOCTYPE); it was not opened."),
        "xml_deep": _("The file's XML is nested far deeper than a spreadsheet's; it was not opened."),
        "too_many_sheets": _("The workbook has more than %(limit)d sheets."),
        "rows": _("The sheet has more than %(limit)d rows; split it into several files."),
        "columns": _("The sheet has cells beyond column %(limit)d; delete the far-away cells and upload again."),
        "cells": _("The sheet has more than %(limit)d cells (rows × columns); split it into several files."),
        "declared_cells": _("The sheet declares more than %(limit)d cells; delete the unused area and upload again."),
        "merged_rows": _("A merged range reaches past row %(limit)d; unmerge it and upload again."),
        "merged_columns": _("A merged range reaches past column %(limit)d; unmerge it and upload again."),
        "merged_cells": _("A merged range is larger than %(limit)d cells; unmerge it and upload again."),
        "merged_area": _("The merged ranges cover more than %(limit)d cells; unmerge them and upload again."),
        "shared_strings": _("The workbook holds more than %(limit)d texts."),
        "cell_chars": _("A cell in row %(row)d holds more than %(limit)d characters."),
        "too_big_to_read": _("The file is too large or too complex to read; split it into several files."),
        "nul": _("The file contains NUL bytes, which a text (csv) file never has; save it again as CSV UTF-8."),
        "utf16": _("The file is saved as UTF-16 (Unicode text); save it again as CSV UTF-8."),
        "encoding": _("The text file is neither UTF-8 nor GBK; save it again as CSV UTF-8."),
        "csv_rows": _("The sheet has more than %(limit)d rows; split it into several files."),
        "csv_columns": _("A line of the file has more than %(limit)d columns; this is not a table."),
        "csv_cell": _("A cell of the file holds more than %(limit)d characters."),
        "empty": _("The file is empty."),
    }
    text = messages.get(code, messages["damaged"])
    try:
        return text % params if "%(" in text else text
    except (KeyError, TypeError, ValueError):
        return messages["damaged"]


def _refuse(code: str, **params) -> SpreadsheetError:
    return SpreadsheetError(message(code, params))


def read_workbook(data: bytes, filename: str = "", *, max_bytes: int = MAX_BYTES) -> Workbook:
    """Check and read an uploaded xlsx or csv; raises SpreadsheetError with the reason for anything else."""
    if len(data) > max_bytes:
        raise SpreadsheetError(
            _("The file is larger than %(limit)s; split it or remove pictures.") % {"limit": filesizeformat(max_bytes)}
        )
    if not data:
        raise _refuse("empty")
    name = (filename or "").lower()
    if data.startswith(OLE_MAGIC):
        raise _refuse(_ole_kind(data))
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return _read_xlsx(data)
    for magic, kind in _MAGIC:
        if kind and data.startswith(magic):
            raise _refuse(kind)
    if name.endswith((".xlsx", ".xlsm", ".xls", ".ods", ".et")):
        raise SpreadsheetError(
            _("This file is not a spreadsheet, although its name ends in %(ext)s.") % {"ext": name[name.rfind(".") :]}
        )
    return Workbook([Sheet("csv", read_csv(data))], kind="csv")


def _ole_kind(data: bytes) -> str:
    """An OLE compound file is an old Office file: say which (its directory names the streams)."""
    if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
        return "encrypted"
    if "WordDocument".encode("utf-16-le") in data:
        return "word"
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return "xls"
    return "not_spreadsheet"


def _read_xlsx(data: bytes) -> Workbook:
    try:
        archive = sheetcheck.open_archive(io.BytesIO(data))
        facts = sheetcheck.inspect_workbook(archive, LIMITS)
    except Refused as refused:
        raise _refuse(refused.code, **refused.params) from refused
    result = run_child(data)
    sheets = []
    for entry in result["sheets"]:
        sheet_facts = facts.sheets.get(entry["name"])
        rows = _place(entry)
        sheets.append(
            Sheet(
                entry["name"],
                rows,
                hidden_columns=sheet_facts.hidden_columns if sheet_facts else set(),
                hidden=entry["hidden"],
            )
        )
    return Workbook(sheets, kind="xlsx")


def run_child(data: bytes) -> dict:
    """python-calamine's read of checked bytes, in a child process with hard limits; raises SpreadsheetError."""
    limits = {
        "max_memory": CHILD_MEMORY,
        "max_cpu_seconds": CHILD_SECONDS,
        "max_cells": LIMITS.max_cells,
        "max_cell_chars": LIMITS.max_cell_chars,
        "max_blank_run": MAX_BLANK_RUN,
    }
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "RUST_BACKTRACE": "0"}
    try:
        done = subprocess.run(
            [sys.executable, "-I", str(CHILD), json.dumps(limits)],
            input=data,
            capture_output=True,
            timeout=CHILD_SECONDS + 5,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        logger.warning("spreadsheet reader timed out after %s s", CHILD_SECONDS + 5)
        raise _refuse("too_big_to_read") from error
    if done.returncode != 0:
        logger.warning("spreadsheet reader ended with %s: %s", done.returncode, done.stderr[-500:])
        raise _refuse("too_big_to_read")
    try:
        # The child is our own script; its output is trusted the way our own code is.
        result = pickle.loads(done.stdout)
    except Exception as error:
        raise _refuse("too_big_to_read") from error
    peak_kb = result.pop("peak_kb", 0)
    if "error" in result:
        error = _refuse(result.pop("error"), **result)
        error.child_peak_kb = peak_kb
        raise error
    result["child_peak_kb"] = peak_kb
    return result


def _place(entry: dict) -> list[list]:
    """The child's rows placed from A1, padded to one width, merged cells filled — each size checked first."""
    rows = entry["rows"]
    start_row, start_col = entry["start"]
    merged = entry["merged"]
    width = max((len(r) for r in rows), default=0) + start_col
    for _first, (_r1, c1) in merged:
        width = max(width, c1 + 1)
    height = start_row + len(rows)
    if height > LIMITS.max_rows:
        raise _refuse("rows", limit=LIMITS.max_rows)
    if width > LIMITS.max_columns:
        raise _refuse("columns", limit=LIMITS.max_columns)
    if height * width > LIMITS.max_cells:
        raise _refuse("cells", limit=LIMITS.max_cells)
    area = sum((min(r1, height - 1) - r0 + 1) * (c1 - c0 + 1) for (r0, c0), (r1, _c1) in merged if r0 < height)
    if area > LIMITS.max_merged_cells:
        raise _refuse("merged_area", limit=LIMITS.max_merged_cells)
    if start_col:
        rows = [[""] * start_col + row for row in rows]
    if start_row:
        rows = [[] for _ in range(start_row)] + rows
    rows = [row + [""] * (width - len(row)) if len(row) < width else row for row in rows]
    for (r0, c0), (r1, c1) in merged:
        if r0 >= len(rows):
            continue
        value = rows[r0][c0]
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            row = rows[r]
            for c in range(c0, c1 + 1):
                if _blank(row[c]):
                    row[c] = value
    return rows


def _blank(value) -> bool:
    return value is None or value == ""


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (a superset of GBK); refuse UTF-16, NUL bytes and junk."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _refuse("utf16")
    if b"\x00" in data:
        head = data[:4096]
        if head.count(b"\x00") > len(head) // 4:
            raise _refuse("not_spreadsheet")
        raise _refuse("nul")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _refuse("encoding")


def read_csv(data: bytes) -> list[list]:
    """A csv (or tab-separated) text's rows, the size of every line checked before it is split."""
    if len(data) > MAX_CSV_BYTES:
        raise SpreadsheetError(
            _("The file is larger than %(limit)s; split it or remove pictures.")
            % {"limit": filesizeformat(MAX_CSV_BYTES)}
        )
    text = decode_text(data)
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    delimiter = dialect.delimiter
    # Before the csv module splits anything: an upper bound of each line's fields (quoted delimiters only
    # overcount), and the number of records (a line ends one unless it ends inside quotes).
    lines = text.split("\n")
    wide = 4 * MAX_COLUMNS
    if max(map(len, lines)) >= wide and any(line.count(delimiter) >= wide for line in lines if len(line) >= wide):
        raise _refuse("csv_columns", limit=MAX_COLUMNS)
    quote = dialect.quotechar or '"'
    if quote in text:
        records, quotes = 0, 0
        for line in lines:
            quotes += line.count(quote)
            records += not quotes % 2
    else:
        records = len(lines)
    if records > MAX_ROWS + 1:  # +1: the empty "line" after the last newline
        raise _refuse("csv_rows", limit=MAX_ROWS)
    del lines
    rows: list[list] = []
    cells = 0
    try:
        for row in csv.reader(io.StringIO(text), dialect):
            if len(row) > MAX_COLUMNS:
                raise _refuse("csv_columns", limit=MAX_COLUMNS)
            cells += len(row)
            if cells > LIMITS.max_cells:
                raise _refuse("cells", limit=LIMITS.max_cells)
            rows.append(row)
            if len(rows) > MAX_ROWS:
                raise _refuse("csv_rows", limit=MAX_ROWS)
    except csv.Error as error:  # a field past csv's own limit, or a broken quote
        raise _refuse("csv_cell", limit=csv.field_size_limit()) from error
    while rows and all(_blank(v) for v in rows[-1]):
        rows.pop()
    return rows
