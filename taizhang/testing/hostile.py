"""Hostile spreadsheets and text files, built in memory, for the tests of every upload that reads a table.

Each ``HostileFile`` carries the name it is uploaded under, its bytes, and the
refusal codes of ``taizhang.lib.xlsxread.message`` it may be refused with (some
files trip more than one check; which comes first is not the point). Everything
is small on the wire: the largest file here is 2 MB (a csv line of a million columns), the
point of most of them is what they would become once opened.
"""

import functools
import io
import random
import struct
import zipfile
from dataclasses import dataclass, field

from taizhang.lib.sheetcheck import DECLARED_FACTOR, LIMITS

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">'
    f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">'
    '<sheets><sheet name="台账" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">'
    f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>{{extra}}</Relationships>'
)


@dataclass(frozen=True)
class HostileFile:
    """A file to upload, and the refusal codes it may get."""

    kind: str
    name: str
    data: bytes = field(repr=False)
    codes: tuple[str, ...]


def sheet_xml(cells: str, *, dimension: str | None = "A1", tail: str = "", head: str = "") -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{head}<worksheet xmlns="{MAIN}" xmlns:r="{REL}">'
        f"{dim}<sheetData>{cells}</sheetData>{tail}</worksheet>"
    )


def xlsx(
    sheet: str | bytes | None = None,
    *,
    workbook: str = WORKBOOK,
    extra_parts: dict | None = None,
    extra_rels: str = "",
    compression=zipfile.ZIP_DEFLATED,
) -> bytes:
    """A minimal workbook: one sheet (the given XML), plus whatever parts a test adds."""
    if sheet is None:
        sheet = sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>序号</t></is></c></row>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.format(extra=extra_rels))
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, content in (extra_parts or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _text_cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _patch_central_size(data: bytes, part: str, size: int) -> bytes:
    """Rewrite the uncompressed size of ``part`` in the zip's central directory (a lying header)."""
    marker = b"PK\x01\x02"
    position = 0
    data = bytearray(data)
    while (position := data.find(marker, position)) >= 0:
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        name = bytes(data[position + 46 : position + 46 + name_length]).decode()
        if name == part:
            struct.pack_into("<I", data, position + 24, size)
        position += 4
    return bytes(data)


def fake_ole(*streams: str) -> bytes:
    """An OLE compound file header with directory entry names: enough to tell what it holds."""
    return OLE_MAGIC + b"\x00" * 504 + b"".join(s.encode("utf-16-le") + b"\x00" * 64 for s in streams) + b"\x00" * 1024


@functools.cache
def hostile_files() -> tuple[HostileFile, ...]:
    rng = random.Random(16)
    files = []

    def add(kind, name, data, *codes):
        files.append(HostileFile(kind, name, data, codes))

    far = _text_cell("A1", "序号") + '</row><row r="1048576"><c r="XFD1048576"><v>1</v></c>'
    add(
        "cell at XFD1048576",
        "统计表.xlsx",
        xlsx(sheet_xml(f'<row r="1">{far}</row>', dimension="A1:XFD1048576")),
        "declared_cells",
    )
    add(
        "cell at XFD1048576 under a lying dimension",
        "统计表.xlsx",
        xlsx(sheet_xml(f'<row r="1">{far}</row>', dimension="A1")),
        "columns",
        "rows",
    )
    add(
        "cell at XFD1048576 with no dimension",
        "台账.xlsx",
        xlsx(sheet_xml(f'<row r="1">{far}</row>', dimension=None)),
        "columns",
        "rows",
    )
    add(
        "huge declared dimension",
        "台账.xlsx",
        xlsx(sheet_xml('<row r="1">' + _text_cell("A1", "序号") + "</row>", dimension="A1:XFD1048576")),
        "declared_cells",
    )
    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(1, 20_001))
    add(
        "20,000 one-cell rows and a merge across a whole row",
        "台账.xlsx",
        xlsx(
            sheet_xml(rows, dimension="A1:A20000", tail='<mergeCells count="1"><mergeCell ref="A1:XFD1"/></mergeCells>')
        ),
        "merged_columns",
    )
    merges = "".join(f'<mergeCell ref="A{n}:ALL{n}"/>' for n in range(1, 20_001))
    add(
        "20,000 rows each merged across 1,000 columns",
        "台账.xlsx",
        xlsx(sheet_xml(rows, dimension="A1:A20000", tail=f'<mergeCells count="20000">{merges}</mergeCells>')),
        "merged_area",
        "merged_cells",
    )
    add(
        "a merge down the whole column",
        "台账.xlsx",
        xlsx(
            sheet_xml(
                "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(1, 101)),
                dimension="A1:A100",
                tail='<mergeCells count="1"><mergeCell ref="B1:B1048576"/></mergeCells>',
            )
        ),
        "merged_rows",
    )
    add(
        "2,000 cells without addresses in one row",
        "台账.xlsx",
        xlsx(sheet_xml("<row>" + "<c><v>1</v></c>" * 2000 + "</row>")),
        "columns",
    )
    add(
        "a far cell with a namespace prefix",
        "台账.xlsx",
        xlsx(
            sheet_xml(
                '<row r="1"><x:c xmlns:x="' + MAIN + '" r="XFD1"><x:v>1</x:v></x:c></row>',
                dimension="A1",
            )
        ),
        "columns",
    )
    bomb = sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>' + " " * (100 * 1024 * 1024))
    add("zip bomb (100 MB of blanks in a sheet)", "台账.xlsx", xlsx(bomb), "zip_bomb")
    honest = xlsx(sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>' + " " * (20 * 1024 * 1024)))
    add(
        "a header that says 1 KB for a 20 MB part",
        "台账.xlsx",
        _patch_central_size(honest, "xl/worksheets/sheet1.xml", 1024),
        "damaged",
        "zip_bomb",
    )
    add(
        "a header that says 4 GB",
        "台账.xlsx",
        _patch_central_size(xlsx(), "xl/worksheets/sheet1.xml", 0xFFFFFFF0),
        "zip_bomb",
    )
    add(
        "5,000 parts",
        "台账.xlsx",
        xlsx(extra_parts={f"xl/media/p{n}.bin": b"" for n in range(5000)}, compression=zipfile.ZIP_STORED),
        "too_many_parts",
    )
    deep = "<a>" * 100_000 + "</a>" * 100_000
    add(
        "deep XML nesting in the workbook part",
        "台账.xlsx",
        xlsx(workbook=WORKBOOK.replace("</workbook>", deep + "</workbook>")),
        "xml_deep",
    )
    add(
        "deep XML nesting in a sheet",
        "台账.xlsx",
        xlsx(sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>', dimension=None, tail=deep)),
        "xml_deep",
    )
    laughs = (
        '<!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i else "&lol;" * 10}">' for i in range(1, 10))
        + "]>"
    )
    add(
        "billion laughs",
        "台账.xlsx",
        xlsx(sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>', head=laughs)),
        "xml_dtd",
    )
    add(
        "external entity (XXE)",
        "台账.xlsx",
        xlsx(
            workbook='<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            + WORKBOOK.split("?>", 1)[1].replace('name="台账"', 'name="&x;"')
        ),
        "xml_dtd",
    )
    add(
        "a DOCTYPE in the shared strings",
        "台账.xlsx",
        xlsx(extra_parts={"xl/sharedStrings.xml": f'<!DOCTYPE sst><sst xmlns="{MAIN}"><si><t>a</t></si></sst>'}),
        "xml_dtd",
    )
    add(
        "a program (ELF) named .xlsx",
        "台账.xlsx",
        b"\x7fELF\x02\x01\x01" + bytes(rng.randrange(256) for _ in range(4000)),
        "program",
    )
    add(
        "a program (PE) named .xlsx",
        "统计表.xlsx",
        b"MZ\x90\x00" + b"\x00" * 60 + b"PE\x00\x00" + b"\x01" * 2000,
        "program",
    )
    add("a password-protected workbook", "台账.xlsx", fake_ole("EncryptionInfo", "EncryptedPackage"), "encrypted")
    add("a legacy .xls workbook", "台账.xls", fake_ole("Workbook", "SummaryInformation"), "xls")
    add("a Word document named .xlsx", "台账.xlsx", fake_ole("WordDocument"), "word")
    add(
        "a macro-enabled workbook (vbaProject.bin)",
        "台账.xlsm",
        xlsx(extra_parts={"xl/vbaProject.bin": OLE_MAGIC + b"\x00" * 512}),
        "macros",
    )
    add(
        "an Excel 4.0 macro sheet",
        "台账.xlsx",
        xlsx(extra_parts={"xl/macrosheets/sheet1.xml": sheet_xml("")}),
        "macros",
    )
    add(
        "a link to another workbook",
        "台账.xlsx",
        xlsx(extra_parts={"xl/externalLinks/externalLink1.xml": f'<externalLink xmlns="{MAIN}"/>'}),
        "external_links",
    )
    add(
        "an external relationship",
        "台账.xlsx",
        xlsx(
            extra_rels=f'<Relationship Id="rId9" Type="{REL}/externalLinkPath" '
            'Target="file:///C:/secret.xlsx" TargetMode="External"/>'
        ),
        "external_links",
    )
    add(
        "a DDE formula",
        "台账.xlsx",
        xlsx(sheet_xml('<row r="1"><c r="A1"><f>cmd|\' /C calc\'!A0</f><v>0</v></c></row>')),
        "dde",
    )
    add(
        "shared strings bomb",
        "台账.xlsx",
        xlsx(
            extra_parts={"xl/sharedStrings.xml": f'<sst xmlns="{MAIN}">' + "<si><t>a</t></si>" * 3_000_000 + "</sst>"}
        ),
        "zip_bomb",
        "shared_strings",
    )
    letters = "的一是不了人在有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之年过发后作里"
    long_text = "".join(rng.choice(letters) for _ in range(40_000))
    add(
        "one cell of 40,000 characters",
        "台账.xlsx",
        xlsx(sheet_xml('<row r="1">' + _text_cell("A1", long_text) + "</row>")),
        "cell_chars",
    )
    big_strings = "".join(f"<si><t>{rng.choice(letters) * 3}{n}</t></si>" for n in range(60_000))
    add(
        "a DOCTYPE in a large shared strings part",
        "台账.xlsx",
        xlsx(
            extra_parts={
                "xl/sharedStrings.xml": f'<?xml version="1.0"?><sst xmlns="{MAIN}">{big_strings}'
                '<!DOCTYPE x [<!ENTITY a "b">]></sst>'
            }
        ),
        "xml_dtd",
    )
    add("an empty file", "台账.xlsx", b"", "empty")
    whole = xlsx()
    add("a truncated zip", "台账.xlsx", whole[: len(whole) // 2], "damaged")
    add(
        "a zip with ../ names",
        "台账.xlsx",
        xlsx(extra_parts={"../../../../tmp/evil.sh": "#!/bin/sh\n"}),
        "unsafe_names",
    )
    add(
        "a sheet part in UTF-16",
        "台账.xlsx",
        xlsx(sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>').replace("UTF-8", "UTF-16").encode("utf-16")),
        "damaged",
    )
    add("an OpenDocument spreadsheet", "台账.ods", _ods(), "ods")
    add("a PDF named .xlsx", "台账.xlsx", b"%PDF-1.7\n" + b"0" * 2000, "pdf")
    add(
        "a PNG named .csv",
        "units.csv",
        b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(2000)),
        "picture",
    )
    add("a csv in UTF-16", "units.csv", "名称,简称\n人力资源部,人力\n".encode("utf-16"), "utf16")
    add("a csv with invalid bytes", "units.csv", "名称,简称\n".encode() + b"\xff\xfe\xfd\x80\x81,x\n" * 10, "encoding")
    add("a csv with NUL bytes", "units.csv", "名称,简称\n人力资源部\x00,人力\n".encode(), "nul")
    add("a csv line of a million columns", "units.csv", b"a" + b",a" * 1_000_000 + b"\n", "csv_columns")
    add("a csv of 301,000 rows", "units.csv", b"a\n" * (LIMITS.max_rows + 1000), "csv_rows")
    add("a csv cell past the field limit", "units.csv", b'"' + b"x" * 200_000 + b'"\n', "csv_cell")
    return tuple(files)


def _ods() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def params_for(code: str) -> dict:
    """The parameters each refusal message is filled with, from the reader's limits."""
    limits = {
        "too_many_parts": LIMITS.max_parts,
        "too_many_sheets": LIMITS.max_sheets,
        "rows": LIMITS.max_rows,
        "columns": LIMITS.max_columns,
        "cells": LIMITS.max_cells,
        "declared_cells": DECLARED_FACTOR * LIMITS.max_cells,
        "merged_rows": LIMITS.max_rows,
        "merged_columns": LIMITS.max_columns,
        "merged_cells": LIMITS.max_cells,
        "merged_area": LIMITS.max_merged_cells,
        "shared_strings": LIMITS.max_shared_strings,
        "cell_chars": LIMITS.max_cell_chars,
        "csv_rows": LIMITS.max_rows,
        "csv_columns": LIMITS.max_columns,
    }
    params = {"limit": limits.get(code, 0)}
    if code == "cell_chars":
        params["row"] = 1
    if code == "csv_cell":
        import csv

        params["limit"] = csv.field_size_limit()
    return params
