"""What an uploaded xlsx holds, found out without trusting it: the checks run before any reader allocates.

A workbook is a zip of XML parts. Every part is decompressed in 64 KB steps with
a running cap, so a header that lies about the size, a part that unpacks to far
more than it packs (a zip bomb) or a damaged part (the CRC check of ``zipfile``)
is refused while reading, never after. Every XML part is run through expat with
no DOCTYPE and no entity declarations allowed (billion laughs, external
entities) and a depth limit; each worksheet is scanned for its declared
dimension, the address of every cell that holds a value, its merged ranges and
its hidden columns. Only a workbook whose whole grid, counted from A1, stays
under the limits reaches python-calamine.

Problems are raised as ``Refused(code, params)``; ``xlsxread`` turns the code into
the user's language (this module has no Django in it, so the tests and the
reader's child process can use it alike).
"""

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from xml.parsers import expat


@dataclass(frozen=True)
class Limits:
    """The limits of one read; the defaults are generous for real ledgers and far below what hurts a server."""

    max_parts: int = 1_000
    max_part_bytes: int = 256 * 1024 * 1024
    max_uncompressed: int = 400 * 1024 * 1024
    max_ratio: int = 200  # uncompressed / compressed, once a part passes 1 MB
    max_sheets: int = 255
    max_rows: int = 300_000
    max_columns: int = 1_000
    max_cells: int = 5_000_000  # rows x columns of the grid from A1, per sheet
    max_merged_cells: int = 1_000_000  # the merged ranges' total area, per sheet
    max_depth: int = 64
    max_shared_strings: int = 2_000_000
    max_cell_chars: int = 32_767  # Excel's own limit for one cell


LIMITS = Limits()
CHUNK = 64 * 1024
RATIO_FLOOR = 1024 * 1024
DECLARED_FACTOR = 10
PARSE_BELOW = 1024 * 1024  # XML parts smaller than this are parsed element by element; larger ones counted


class Refused(Exception):
    """A file refused by a check: ``code`` names the reason, ``params`` fill in its message."""

    def __init__(self, code: str, **params):
        super().__init__(code, params)
        self.code = code
        self.params = params


@dataclass
class SheetFacts:
    """What the scan of one worksheet part found."""

    rows: int = 0  # the grid's height from row 1: the last row holding a value
    columns: int = 0  # the grid's width from column A
    cells: int = 0
    merged_cells: int = 0
    hidden_columns: set[int] = field(default_factory=set)


@dataclass
class BookFacts:
    """What the scan of a whole workbook found: its sheets by name, in order, with their facts."""

    sheets: dict[str, SheetFacts] = field(default_factory=dict)
    uncompressed: int = 0


_CELL = re.compile(r"\$?([A-Za-z]{1,4})\$?([0-9]{1,8})$")
_DDE = re.compile(r"(?:^|[=(,+\-*/&\s])[A-Za-z0-9_.]+\|", re.ASCII)
_DDE_CALL = re.compile(r"(?<![A-Za-z0-9_.])DDE(?:AUTO)?\s*\(", re.IGNORECASE)
_COLUMN_CACHE: dict[str, int] = {}


def column_number(letters: str) -> int:
    """'A' → 0, 'AB' → 27."""
    try:
        return _COLUMN_CACHE[letters]
    except KeyError:
        number = 0
        for char in letters.upper():
            number = number * 26 + (ord(char) - 64)
        if len(_COLUMN_CACHE) < 20_000:
            _COLUMN_CACHE[letters] = number - 1
        return number - 1


def cell_position(ref: str) -> tuple[int, int]:
    """'B3' → (2, 1), 0-based (row, column); raises Refused for what is not a cell address."""
    match = _CELL.match(ref)
    if not match:
        raise Refused("damaged")
    return int(match[2]) - 1, column_number(match[1])


def range_corners(ref: str) -> tuple[tuple[int, int], tuple[int, int]]:
    first, _colon, last = ref.partition(":")
    start = cell_position(first)
    end = cell_position(last) if last else start
    return (min(start[0], end[0]), min(start[1], end[1])), (max(start[0], end[0]), max(start[1], end[1]))


def _safe_name(name: str) -> bool:
    if not name or "\x00" in name or "\\" in name or name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return False
    return ".." not in name.split("/")


def open_archive(data_file) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(data_file)
        archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as error:
        raise Refused("damaged") from error
    return archive


def check_package(archive: zipfile.ZipFile, limits: Limits = LIMITS) -> set[str]:
    """The part list's checks (names, count, declared sizes, what kind of package); returns the part names."""
    infos = archive.infolist()
    if len(infos) > limits.max_parts:
        raise Refused("too_many_parts", limit=limits.max_parts)
    names = set()
    declared = 0
    for info in infos:
        if not _safe_name(info.filename):
            raise Refused("unsafe_names")
        if info.flag_bits & 0x1:
            raise Refused("encrypted")
        declared += info.file_size
        if info.file_size > limits.max_part_bytes or declared > limits.max_uncompressed:
            raise Refused("zip_bomb")
        if info.file_size > RATIO_FLOOR and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise Refused("zip_bomb")
        names.add(info.filename)
    lower = {n.lower() for n in names}
    if "word/document.xml" in lower:
        raise Refused("word")
    if "ppt/presentation.xml" in lower:
        raise Refused("powerpoint")
    if "content.xml" in lower and "xl/workbook.xml" not in lower:
        raise Refused("ods")
    if "xl/workbook.xml" not in names:
        raise Refused("not_spreadsheet")
    if any(n.endswith("vbaproject.bin") or n.startswith("xl/macrosheets/") for n in lower):
        raise Refused("macros")
    if any(n.startswith("xl/externallinks/") for n in lower):
        raise Refused("external_links")
    return names


class _Budget:
    """The running total of bytes unpacked from the whole archive."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.total = 0


def _chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget):
    """A part's bytes in steps, refused as soon as it unpacks past its declared size, the caps or the ratio."""
    limits = budget.limits
    read = 0
    try:
        with archive.open(info) as part:
            while True:
                chunk = part.read(CHUNK)
                if not chunk:
                    break
                read += len(chunk)
                budget.total += len(chunk)
                if read > info.file_size or read > limits.max_part_bytes or budget.total > limits.max_uncompressed:
                    raise Refused("zip_bomb")
                if read > RATIO_FLOOR and read > limits.max_ratio * max(info.compress_size, 1):
                    raise Refused("zip_bomb")
                yield chunk
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError, OSError, ValueError) as error:
        # A bad CRC (a lying header or damage), an unknown compression method, an encrypted member.
        raise Refused("damaged") from error
    except Exception as error:  # zlib.error and friends from a broken deflate stream
        if isinstance(error, Refused):
            raise
        raise Refused("damaged") from error
    if read != info.file_size:
        raise Refused("damaged")


def _parser(limits: Limits, start=None, end=None):
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    depth = [0]

    def refuse_dtd(*_args):
        raise Refused("xml_dtd")

    def on_start(name, attrs):
        depth[0] += 1
        if depth[0] > limits.max_depth:
            raise Refused("xml_deep")
        if start is not None:
            start(name, attrs)

    def on_end(name):
        depth[0] -= 1
        if end is not None:
            end(name)

    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    parser.UnparsedEntityDeclHandler = refuse_dtd
    parser.ExternalEntityRefHandler = refuse_dtd
    parser.StartElementHandler = on_start
    parser.EndElementHandler = on_end
    return parser


def _parse(archive, info, budget, parser) -> None:
    try:
        for chunk in _chunks(archive, info, budget):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as error:
        raise Refused("damaged") from error


class _SheetScan:
    """Expat handlers that follow a worksheet's cells the way calamine places them."""

    def __init__(self, limits: Limits, parser):
        self.limits = limits
        self.parser = parser
        self.facts = SheetFacts()
        self.row = -1
        self.column = -1
        self.pending: tuple[int, int] | None = None
        self.formula: list[str] | None = None

    def start(self, name, attrs):
        local = name.rpartition(":")[2]
        if local == "c":
            ref = attrs.get("r")
            if ref:
                self.row, self.column = cell_position(ref)
            else:
                self.column += 1
            self.pending = (max(self.row, 0), self.column)
        elif local in ("v", "is", "f"):
            if self.pending is not None:
                self._count(*self.pending)
                self.pending = None
            if local == "f":
                self.formula = []
                self.parser.CharacterDataHandler = self.formula.append
        elif local == "row":
            ref = attrs.get("r")
            self.row = int(ref) - 1 if ref and ref.isascii() and ref.isdigit() else self.row + 1
            self.column = -1
        elif local == "dimension":
            # Excel and xlsxwriter count formatted empty rows in the dimension, and calamine does not allocate
            # for it: only a declared area far past anything real is refused (A1:XFD1048576 and the like).
            (r0, c0), (r1, c1) = range_corners(attrs.get("ref") or "A1")
            if (r1 - r0 + 1) * (c1 - c0 + 1) > DECLARED_FACTOR * self.limits.max_cells:
                raise Refused("declared_cells", limit=DECLARED_FACTOR * self.limits.max_cells)
        elif local == "mergeCell":
            (r0, c0), (r1, c1) = range_corners(attrs.get("ref") or "A1")
            self.check_extent(self.limits, r1 + 1, c1 + 1, merged=True)
            self.facts.merged_cells += (r1 - r0 + 1) * (c1 - c0 + 1)
            if self.facts.merged_cells > self.limits.max_merged_cells:
                raise Refused("merged_area", limit=self.limits.max_merged_cells)
        elif local == "col" and attrs.get("hidden") in ("1", "true"):
            try:
                low, high = int(attrs.get("min", "1")), int(attrs.get("max", "1"))
            except ValueError as error:
                raise Refused("damaged") from error
            self.facts.hidden_columns.update(range(max(low, 1) - 1, min(high, self.limits.max_columns)))

    def end(self, name):
        if self.formula is not None and name.rpartition(":")[2] == "f":
            text = "".join(self.formula)
            self.parser.CharacterDataHandler = None
            self.formula = None
            if _DDE.search(text) or _DDE_CALL.search(text):
                raise Refused("dde")

    def _count(self, row: int, column: int) -> None:
        facts = self.facts
        facts.cells += 1
        if row >= facts.rows or column >= facts.columns:
            self.check_extent(self.limits, max(facts.rows, row + 1), max(facts.columns, column + 1))
            facts.rows = max(facts.rows, row + 1)
            facts.columns = max(facts.columns, column + 1)

    @staticmethod
    def check_extent(limits: Limits, rows: int, columns: int, *, merged: bool = False) -> None:
        code = "merged_" if merged else ""
        if rows > limits.max_rows:
            raise Refused(code + "rows", limit=limits.max_rows)
        if columns > limits.max_columns:
            raise Refused(code + "columns", limit=limits.max_columns)
        if rows * columns > limits.max_cells:
            raise Refused(code + "cells", limit=limits.max_cells)


def _letters(column: int) -> str:
    """0 → 'A', 27 → 'AB'."""
    text = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        text = chr(65 + rest) + text
    return text


def _greater_letters(letters: str) -> str:
    """A regular expression for the column letters after ``letters`` (longer, or as long and later)."""
    options = [f"[A-Z]{{{len(letters) + 1},}}"]
    for i, char in enumerate(letters):
        if char < "Z":
            options.append(f"{letters[:i]}[{chr(ord(char) + 1)}-Z][A-Z]{{{len(letters) - i - 1}}}")
    return "|".join(options)


def _greater_digits(number: int) -> str:
    """A regular expression for the decimal numbers above ``number`` (longer, or as long and larger)."""
    digits = str(number)
    options = [f"[0-9]{{{len(digits) + 1},}}"]
    for i, char in enumerate(digits):
        if char < "9":
            options.append(f"{digits[:i]}[{int(char) + 1}-9][0-9]{{{len(digits) - i - 1}}}")
    return "|".join(options)


_DIMENSION = re.compile(rb'<dimension\s+ref="([^"]*)"')
_ATTR = re.compile(rb'(\w+)="([^"]*)"')
_FORMULA_TEXT = re.compile(rb"<f(?:\s[^>]*)?>([^<]*)<")


def _fast_xml_scan(archive, info, budget, limits: Limits, *, strings: bool = False) -> None:
    """A large XML part other than a sheet (shared strings, drawings) by byte counts, not a parse of every
    element: UTF-8, no DOCTYPE or ENTITY, the running depth, and for the shared strings their number."""
    depth = shared = 0
    first = True
    for piece in _pieces(archive, info, budget):
        if first and (piece[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in piece[:200]):
            raise Refused("damaged")
        first = False
        declarations = piece.count(b"<!")
        if declarations and declarations != piece.count(b"<!--") + piece.count(b"<![CDATA["):
            raise Refused("xml_dtd")
        depth += piece.count(b"<") - 2 * piece.count(b"</") - piece.count(b"/>") - piece.count(b"<?") - declarations
        if depth > limits.max_depth:
            raise Refused("xml_deep")
        if strings:
            shared += piece.count(b"<si>") + piece.count(b"<si ")
            if shared > limits.max_shared_strings:
                raise Refused("shared_strings", limit=limits.max_shared_strings)


def _fast_pattern(last_row: int, last_column: int) -> re.Pattern:
    """One search for everything the fast scan must see in a sheet whose cells all lie within
    A1:(last_row, last_column), 0-based: a cell or row outside it, or stored in a way the search cannot
    vouch for (no address, other attributes first, a namespace prefix) → "outside"; a DOCTYPE or ENTITY;
    a formula with a pipe or DDE; the merged ranges; the column definitions."""
    letters = _greater_letters(_letters(last_column))
    digits = _greater_digits(last_row + 1)
    return re.compile(
        (
            # The look-ahead lets the search skip most tags (</c>, <v>, <t>) at the first letter.
            r"<(?=[cr!fm]|[A-Za-z0-9_.-]+:)(?:(?P<outside>"
            rf'c(?:[\t\r\n>]| (?!r=")| r="(?:(?:{letters})[0-9]|[A-Z]{{0,4}}(?:{digits})"|[^A-Z]))'
            rf'|row(?:[\t\r\n>]| (?!r=")| r="(?:(?:{digits})"|[^0-9]))'
            r"|[A-Za-z0-9_.-]+:(?:c|row)[\s>/])"
            r"|(?P<dtd>!(?!--|\[CDATA\[))"
            r"|(?P<formula>f[\s>][^<]*(?:\||DDE))"
            r'|(?P<merge>mergeCell\s+ref="(?P<ref>[^"]*)")'
            r"|(?P<col>col\s[^>]*>))"
        ).encode()
    )


def _pieces(archive, info, budget):
    """A part in pieces that each end right before a '<', so no tag and no text is ever cut in two."""
    carry = b""
    for chunk in _chunks(archive, info, budget):
        buffer = carry + chunk
        cut = buffer.rfind(b"<")
        if cut <= 0:
            carry = buffer
            if len(carry) > 4 * CHUNK:  # one tag or text this long is no spreadsheet's
                carry = carry[-CHUNK:]
                yield buffer[:-CHUNK]
            continue
        carry = buffer[cut:]
        yield buffer[:cut]
    if carry:
        yield carry


def _fast_sheet_scan(archive, info, budget, limits: Limits) -> SheetFacts | None:
    """The cheap scan of a worksheet as Excel and common writers store it: the declared dimension, then
    byte searches that every cell address lies inside it. None when the sheet is stored otherwise or passes
    the limits by its dimension alone; the precise scan (a parse of every cell) decides those."""
    facts = SheetFacts()
    bounds = None
    pattern = None
    depth = 0
    for piece in _pieces(archive, info, budget):
        # The depth at the end of each piece: tags opened, less those closed and those closing themselves,
        # comments and declarations. A nest deeper than one piece holds (some thousands of levels) shows at a
        # piece's end; shallower ones cost nothing to the parsers that read sheets (neither recurses).
        depth += (
            piece.count(b"<") - 2 * piece.count(b"</") - piece.count(b"/>") - piece.count(b"<?") - piece.count(b"<!")
        )
        if depth > limits.max_depth:
            raise Refused("xml_deep")
        if bounds is None:
            if piece[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in piece[:200]:
                raise Refused("damaged")  # Excel writes its parts in UTF-8; anything else hides from searches
            match = _DIMENSION.search(piece)
            if not match:
                return None
            (r0, c0), (r1, c1) = range_corners(match[1].decode("ascii", "replace"))
            if (r1 - r0 + 1) * (c1 - c0 + 1) > DECLARED_FACTOR * limits.max_cells:
                raise Refused("declared_cells", limit=DECLARED_FACTOR * limits.max_cells)
            bounds = (r1 + 1, c1 + 1)
            pattern = _fast_pattern(r1, c1)
        for match in pattern.finditer(piece):
            kind = match.lastgroup
            if kind == "outside":
                return None
            if kind == "dtd":
                raise Refused("xml_dtd")
            if kind == "formula":
                text = _FORMULA_TEXT.match(piece, match.start())
                text = text[1] if text else match[0]
                text = text.decode("utf-8", "replace")
                if _DDE.search(text) or _DDE_CALL.search(text):
                    raise Refused("dde")
            elif kind == "merge":
                (m0, n0), (m1, n1) = range_corners(match["ref"].decode("ascii", "replace"))
                _SheetScan.check_extent(limits, m1 + 1, n1 + 1, merged=True)
                facts.merged_cells += (m1 - m0 + 1) * (n1 - n0 + 1)
                if facts.merged_cells > limits.max_merged_cells:
                    raise Refused("merged_area", limit=limits.max_merged_cells)
            elif kind == "col":
                attrs = dict(_ATTR.findall(match[0]))
                if attrs.get(b"hidden") in (b"1", b"true"):
                    try:
                        low, high = int(attrs.get(b"min", b"1")), int(attrs.get(b"max", b"1"))
                    except ValueError as error:
                        raise Refused("damaged") from error
                    facts.hidden_columns.update(range(max(low, 1) - 1, min(high, limits.max_columns)))
    if bounds is None:
        return None
    try:
        _SheetScan.check_extent(limits, *bounds)
    except Refused:
        return None  # a dimension that counts formatted empty rows: the precise scan counts only the values
    facts.rows, facts.columns = bounds
    return facts


_REL_TYPE_SHEET = "/worksheet"


def inspect_workbook(archive: zipfile.ZipFile, limits: Limits = LIMITS) -> BookFacts:
    """Run every check on an opened xlsx archive; returns what its sheets hold, or raises Refused."""
    names = check_package(archive, limits)
    budget = _Budget(limits)
    infos = {info.filename: info for info in archive.infolist()}

    sheets: list[tuple[str, str]] = []  # (name, relationship id)

    def book_start(name, attrs):
        if name.rpartition(":")[2] == "sheet":
            rid = next((v for k, v in attrs.items() if k.endswith(":id") or k == "id"), "")
            sheets.append((attrs.get("name", ""), rid))
            if len(sheets) > limits.max_sheets:
                raise Refused("too_many_sheets", limit=limits.max_sheets)

    _parse(archive, infos["xl/workbook.xml"], budget, _parser(limits, book_start))

    targets: dict[str, str] = {}

    def rels_start(name, attrs):
        if name.rpartition(":")[2] == "Relationship":
            if attrs.get("TargetMode") == "External":
                raise Refused("external_links")
            if attrs.get("Type", "").endswith(_REL_TYPE_SHEET):
                target = attrs.get("Target", "")
                path = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
                targets[attrs.get("Id", "")] = path

    if "xl/_rels/workbook.xml.rels" in infos:
        _parse(archive, infos["xl/_rels/workbook.xml.rels"], budget, _parser(limits, rels_start))

    sheet_parts = {path for path in targets.values() if path in infos}
    sheet_parts |= {n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")}
    facts_by_part: dict[str, SheetFacts] = {}
    shared = [0]

    def shared_start(name, attrs):
        if name.rpartition(":")[2] == "si":
            shared[0] += 1
            if shared[0] > limits.max_shared_strings:
                raise Refused("shared_strings", limit=limits.max_shared_strings)

    done = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels"}
    for name, info in infos.items():
        if name in done or name.endswith("/"):
            continue
        if name in sheet_parts:
            before = budget.total
            facts = _fast_sheet_scan(archive, info, budget, limits)
            if facts is None:
                budget.total = before
                scan = _SheetScan(limits, None)
                parser = scan.parser = _parser(limits, scan.start, scan.end)
                _parse(archive, info, budget, parser)
                facts = scan.facts
            facts_by_part[name] = facts
        elif name.endswith((".xml", ".rels", ".vml")) and info.file_size > PARSE_BELOW:
            _fast_xml_scan(archive, info, budget, limits, strings=name.endswith("sharedStrings.xml"))
        elif name.endswith("sharedStrings.xml"):
            _parse(archive, info, budget, _parser(limits, shared_start))
        elif name.endswith((".xml", ".rels", ".vml")):
            _parse(archive, info, budget, _parser(limits))
        else:
            for _chunk in _chunks(archive, info, budget):
                pass
    result = BookFacts(uncompressed=budget.total)
    for sheet_name, rid in sheets:
        part = targets.get(rid)
        if part in facts_by_part:
            result.sheets[sheet_name] = facts_by_part[part]
    return result
