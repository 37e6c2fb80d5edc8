"""Writing tidy xlsx files that spreadsheet software opens safely.

Every string cell goes through :func:`neutralise`, so a cell typed as
``=HYPERLINK(...)`` or ``@SUM(...)`` by a user comes out as text, never as a
formula (CSV/formula injection).
"""

import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

import xlsxwriter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """Prefix a quote to text that a spreadsheet would read as a formula."""
    if value and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_table(
    *,
    sheet_name: str,
    title: str,
    headers: Sequence[str],
    widths: Sequence[int],
    rows: Iterable[Sequence],
) -> bytes:
    """One sheet: a title row, a bold frozen header row with a filter, then data rows."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet(sheet_name[:31])
    title_fmt = book.add_format({"bold": True, "font_size": 14, "font_name": "等线"})
    head_fmt = book.add_format(
        {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter", "font_name": "等线"}
    )
    cell_fmt = book.add_format({"border": 1, "text_wrap": True, "valign": "top", "font_name": "等线"})
    date_fmt = book.add_format({"border": 1, "valign": "top", "num_format": "yyyy-mm-dd", "font_name": "等线"})
    datetime_fmt = book.add_format(
        {"border": 1, "valign": "top", "num_format": "yyyy-mm-dd hh:mm", "font_name": "等线"}
    )

    sheet.write_string(0, 0, neutralise(title), title_fmt)
    for col, (header, width) in enumerate(zip(headers, widths, strict=True)):
        sheet.write_string(1, col, header, head_fmt)
        sheet.set_column(col, col, width)
    row_index = 1
    for row_index, row in enumerate(rows, start=2):
        for col, value in enumerate(row):
            if value is None or value == "":
                sheet.write_blank(row_index, col, None, cell_fmt)
            elif isinstance(value, bool):
                sheet.write_boolean(row_index, col, value, cell_fmt)
            elif isinstance(value, (int, float, Decimal)):
                sheet.write_number(row_index, col, float(value), cell_fmt)
            elif isinstance(value, datetime.datetime):
                sheet.write_datetime(row_index, col, value.replace(tzinfo=None), datetime_fmt)
            elif isinstance(value, datetime.date):
                sheet.write_datetime(row_index, col, datetime.datetime.combine(value, datetime.time()), date_fmt)
            else:
                sheet.write_string(row_index, col, neutralise(str(value)), cell_fmt)
    sheet.freeze_panes(2, 0)
    sheet.autofilter(1, 0, max(row_index, 1), len(headers) - 1)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.repeat_rows(1)
    sheet.fit_to_pages(1, 0)
    book.close()
    return buffer.getvalue()
