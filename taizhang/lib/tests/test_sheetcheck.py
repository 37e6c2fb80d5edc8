"""The guarded reader refuses what is hostile and nothing real: files as Excel, WPS and scripts write them."""

import io
import zipfile

from taizhang.lib import sheetcheck
from taizhang.lib.xlsxread import read_workbook
from taizhang.sheets.tests.ledgers import messy_ledger
from taizhang.testing.hostile import sheet_xml, xlsx


def rows_of(data: bytes) -> list[list]:
    return read_workbook(data, "x.xlsx").sheets[0].rows


def test_a_formatted_empty_cell_far_away_does_not_count():
    # calamine skips cells without a value, so the grid stays one cell; the dimension says A1 (a lying one
    # sends the scan down the precise road, which counts only cells with values).
    far = '<row r="1"><c r="A1"><v>7</v></c></row><row r="1048576"><c r="XFD1048576" s="1"/></row>'
    assert rows_of(xlsx(sheet_xml(far, dimension="A1"))) == [[7.0]]


def test_cells_without_addresses_are_placed_one_after_another():
    cells = "<row><c><v>1</v></c><c><v>2</v></c></row><row><c><v>3</v></c></row>"
    assert rows_of(xlsx(sheet_xml(cells, dimension=None))) == [[1.0, 2.0], [3.0, ""]]


def test_ordinary_formulas_and_pipes_in_text_are_read():
    cells = (
        '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><f>SUM(A1:A1)+LEN("a|b")+SUM(HiddenData)</f><v>4</v></c>'
        '<c r="C1" t="inlineStr"><is><t>甲|乙 DDE</t></is></c></row>'
    )
    assert rows_of(xlsx(sheet_xml(cells, dimension="A1:C1"))) == [[1.0, 4.0, "甲|乙 DDE"]]


def test_comments_and_a_byte_order_mark_are_fine():
    sheet = sheet_xml('<!-- written by hand --><row r="1"><c r="A1"><v>1</v></c></row>', dimension="A1")
    assert rows_of(xlsx("\ufeff" + sheet)) == [[1.0]]


def test_the_fast_and_the_precise_scan_find_the_same_hidden_columns_and_merges():
    data = messy_ledger()
    archive = zipfile.ZipFile(io.BytesIO(data))
    info = archive.getinfo("xl/worksheets/sheet1.xml")
    fast = sheetcheck._fast_sheet_scan(archive, info, sheetcheck._Budget(sheetcheck.LIMITS), sheetcheck.LIMITS)
    scan = sheetcheck._SheetScan(sheetcheck.LIMITS, None)
    parser = scan.parser = sheetcheck._parser(sheetcheck.LIMITS, scan.start, scan.end)
    sheetcheck._parse(archive, info, sheetcheck._Budget(sheetcheck.LIMITS), parser)
    assert fast is not None
    assert fast.hidden_columns == scan.facts.hidden_columns == {6}
    assert fast.merged_cells == scan.facts.merged_cells > 0
    assert fast.rows >= scan.facts.rows and fast.columns >= scan.facts.columns


def test_a_gb18030_csv_with_rare_characters_is_read():
    data = "名称,简称\n𠀀字号部,𠀀\n".encode("gb18030")
    assert read_workbook(data, "units.csv").sheets[0].rows[1] == ["𠀀字号部", "𠀀"]
