"""Reading spreadsheets people upload, safely, with python-calamine.

Before anything is parsed the bytes are checked: the size limit, what the file
really is (a renamed Word document, a password-protected workbook, a zip bomb),
and csv files are decoded as UTF-8 (with or without BOM) or GBK. Macros are
never run — calamine reads only cell values, and formulas give their cached
values. Merged cells are filled with their top-left value and hidden columns
are reported, so importers can read ledgers as people see them.
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

import python_calamine
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_BYTES = 30 * 1024 * 1024
MAX_UNCOMPRESSED = 400 * 1024 * 1024
MAX_RATIO = 200
MAX_ROWS = 300_000
MAX_BLANK_RUN = 1_000
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


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


def read_workbook(data: bytes, filename: str = "", *, max_bytes: int = MAX_BYTES) -> Workbook:
    """Check and read an uploaded xlsx/xlsm/xls/ods/csv; raises SpreadsheetError with a reason."""
    if len(data) > max_bytes:
        raise SpreadsheetError(
            _("The file is larger than %(limit)s; split it or remove pictures.") % {"limit": filesizeformat(max_bytes)}
        )
    if not data:
        raise SpreadsheetError(_("The file is empty."))
    name = (filename or "").lower()
    if data.startswith(OLE_MAGIC):
        return _read_ole(data)
    if data.startswith(b"PK\x03\x04"):
        return _read_zip(data)
    if name.endswith((".xlsx", ".xlsm", ".xls", ".ods")):
        raise SpreadsheetError(
            _("This file is not a spreadsheet, although its name ends in %(ext)s.") % {"ext": name[name.rfind(".") :]}
        )
    return Workbook([Sheet("csv", read_csv(data))], kind="csv")


def _read_ole(data: bytes) -> Workbook:
    if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
        raise SpreadsheetError(
            _("The file is protected by a password. Remove the password in Excel and upload it again.")
        )
    if "WordDocument".encode("utf-16-le") in data:
        raise SpreadsheetError(_("This is a Word document, not a spreadsheet."))
    if "Workbook".encode("utf-16-le") not in data and "Book".encode("utf-16-le") not in data:
        raise SpreadsheetError(_("This file is not a spreadsheet."))
    return _read_with_calamine(data, kind="xls")


def _read_zip(data: bytes) -> Workbook:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as error:
        raise SpreadsheetError(_("The file is damaged and cannot be opened.")) from error
    names = {info.filename for info in infos}
    if len(infos) > 10_000:
        raise SpreadsheetError(_("The file holds too many parts to be a spreadsheet."))
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if total > MAX_UNCOMPRESSED or (info.file_size > 10 * 1024 * 1024 and ratio > MAX_RATIO):
            raise SpreadsheetError(_("The file unpacks to far more than its size (a zip bomb?); it was not opened."))
    if "word/document.xml" in names:
        raise SpreadsheetError(_("This is a Word document, not a spreadsheet."))
    if "ppt/presentation.xml" in names:
        raise SpreadsheetError(_("This is a PowerPoint file, not a spreadsheet."))
    if "xl/workbook.xml" not in names and "content.xml" not in names:
        raise SpreadsheetError(_("This file is not a spreadsheet."))
    has_macros = any(n.lower().endswith("vbaproject.bin") for n in names)
    workbook = _read_with_calamine(data, kind="xlsx")
    workbook.has_macros = has_macros
    if "xl/workbook.xml" in names:
        hidden = _hidden_columns(archive)
        for sheet in workbook.sheets:
            sheet.hidden_columns = hidden.get(sheet.name, set())
    return workbook


def _read_with_calamine(data: bytes, *, kind: str) -> Workbook:
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.PasswordError as error:
        raise SpreadsheetError(
            _("The file is protected by a password. Remove the password in Excel and upload it again.")
        ) from error
    except Exception as error:  # calamine raises several error types for broken files
        raise SpreadsheetError(_("The file is damaged and cannot be opened.")) from error
    sheets = []
    for meta in book.sheets_metadata:
        if str(meta.typ) not in ("SheetTypeEnum.WorkSheet", "WorkSheet") and "WorkSheet" not in str(meta.typ):
            continue
        try:
            sheet = book.get_sheet_by_name(meta.name)
            rows = _rows(sheet)
        except SpreadsheetError:
            raise
        except Exception as error:
            raise SpreadsheetError(_("The file is damaged and cannot be opened.")) from error
        sheets.append(Sheet(meta.name, rows, hidden="Visible" not in str(meta.visible)))
    return Workbook(sheets, kind=kind)


def _blank(value) -> bool:
    return value is None or value == ""


def _rows(sheet) -> list[list]:
    rows: list[list] = []
    blank_run = 0
    for row in sheet.iter_rows():
        if all(_blank(v) for v in row):
            blank_run += 1
            if blank_run > MAX_BLANK_RUN:
                break
        else:
            blank_run = 0
        rows.append(list(row))
        if len(rows) > MAX_ROWS:
            raise SpreadsheetError(
                _("The sheet has more than %(n)d rows; split it into several files.") % {"n": MAX_ROWS}
            )
    while rows and all(_blank(v) for v in rows[-1]):
        rows.pop()
    start_row, start_col = sheet.start if sheet.start else (0, 0)
    if start_col:
        rows = [[""] * start_col + row for row in rows]
    if start_row:
        rows = [[] for _ in range(start_row)] + rows
    width = max((len(r) for r in rows), default=0)
    for _start, (_r1, c1) in sheet.merged_cell_ranges or []:
        width = max(width, c1 + 1)
    rows = [row + [""] * (width - len(row)) for row in rows]
    for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or []:
        if r0 >= len(rows):
            continue
        value = rows[r0][c0]
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            for c in range(c0, c1 + 1):
                if _blank(rows[r][c]):
                    rows[r][c] = value
    return rows


_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_COL = re.compile(rb"<(?:\w+:)?col\b[^>]*>")
_ATTR = re.compile(rb'(\w+)="([^"]*)"')


def _hidden_columns(archive: zipfile.ZipFile) -> dict[str, set[int]]:
    """Sheet name → 0-based indexes of hidden columns, read from the <cols> part of each sheet."""
    try:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return {}
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.findall("rel:Relationship", _NS)}
    result: dict[str, set[int]] = {}
    for sheet in book.iterfind("m:sheets/m:sheet", _NS):
        target = targets.get(sheet.get(f"{{{_NS['r']}}}id"), "")
        path = target.lstrip("/") if target.startswith("/") else "xl/" + target
        try:
            with archive.open(path) as part:
                head = part.read(256 * 1024)
        except KeyError:
            continue
        head = head.split(b"<sheetData", 1)[0]
        hidden: set[int] = set()
        for tag in _COL.findall(head):
            attrs = dict(_ATTR.findall(tag))
            if attrs.get(b"hidden") in (b"1", b"true"):
                for col in range(int(attrs.get(b"min", b"1")), int(attrs.get(b"max", b"1")) + 1):
                    if col > 16384:
                        break
                    hidden.add(col - 1)
        result[sheet.get("name")] = hidden
    return result


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (a superset of GBK); refuse binary junk."""
    if b"\x00" in data[:4096]:
        raise SpreadsheetError(_("This file is not a spreadsheet."))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SpreadsheetError(_("The text file is neither UTF-8 nor GBK; save it again as CSV UTF-8."))


def read_csv(data: bytes) -> list[list]:
    text = decode_text(data)
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows = [list(row) for row in csv.reader(io.StringIO(text), dialect)]
    if len(rows) > MAX_ROWS:
        raise SpreadsheetError(_("The sheet has more than %(n)d rows; split it into several files.") % {"n": MAX_ROWS})
    while rows and all(_blank(v) for v in rows[-1]):
        rows.pop()
    return rows
