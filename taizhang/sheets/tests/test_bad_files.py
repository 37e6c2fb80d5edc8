"""Bad files get a clear message and write nothing."""

import io
import zipfile

import pytest
from django.core.management import call_command
from django.utils.translation import gettext as _

from taizhang.ledger.models import Item
from taizhang.lib.xlsxread import OLE_MAGIC, SpreadsheetError, message, read_workbook

from .ledgers import book, simple_ledger


def fake_ole(stream_name: str) -> bytes:
    """An OLE compound file header with a directory entry name, enough to tell what it holds."""
    return OLE_MAGIC + b"\x00" * 504 + stream_name.encode("utf-16-le") + b"\x00" * 1024


def test_renamed_word_document_is_refused():
    with pytest.raises(SpreadsheetError) as error:
        read_workbook(fake_ole("WordDocument"), "ledger.xlsx")
    assert str(error.value) == _("This is a Word document, not a spreadsheet.")


def test_renamed_docx_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(SpreadsheetError, match=_("This is a Word document, not a spreadsheet.")):
        read_workbook(buffer.getvalue(), "ledger.xlsx")


def test_password_protected_workbook_is_refused():
    with pytest.raises(SpreadsheetError) as error:
        read_workbook(fake_ole("EncryptedPackage"), "ledger.xlsx")
    assert str(error.value) == _(
        "The file is protected by a password. Remove the password in Excel and upload it again."
    )


def test_zip_bomb_is_refused_before_parsing():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\x00" * (50 * 1024 * 1024))
    data = buffer.getvalue()
    assert len(data) < 1024 * 1024
    with pytest.raises(SpreadsheetError) as error:
        read_workbook(data, "bomb.xlsx")
    assert str(error.value) == _("The file unpacks to far more than its size (a zip bomb?); it was not opened.")


def test_over_the_size_limit():
    with pytest.raises(SpreadsheetError):
        read_workbook(b"PK\x03\x04" + b"\x00" * 2000, "big.xlsx", max_bytes=1000)


def test_binary_junk_named_xlsx():
    with pytest.raises(SpreadsheetError):
        read_workbook(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "photo.xlsx")


def test_csv_in_neither_utf8_nor_gbk_is_refused():
    with pytest.raises(SpreadsheetError):
        read_workbook("名称\n".encode("utf-16"), "x.csv")


def test_utf8_bom_csv():
    sheet = read_workbook("\ufeff名称,简称\n人力资源部,人力\n".encode(), "x.csv").sheets[0]
    assert sheet.rows[0] == ["名称", "简称"]


def test_a_million_empty_formatted_rows_are_not_read():
    def build(wb):
        ws = wb.add_worksheet()
        ws.write_row(0, 0, ["序号", "事项", "责任单位"])
        ws.write_row(1, 0, ["1", "好事", "办公室"])
        fmt = wb.add_format({"bg_color": "#FFFF00"})
        for r in range(2, 1_000_000, 1):
            ws.set_row(r, None, fmt)

    sheet = read_workbook(book(build, options={"constant_memory": True}), "x.xlsx").sheets[0]
    assert len(sheet.rows) == 2


def test_macro_enabled_file_is_refused(tmp_path):
    def build(wb):
        ws = wb.add_worksheet()
        ws.write_row(0, 0, ["序号", "事项", "责任单位"])
        ws.write_row(1, 0, ["1", "好事", "办公室"])
        wb.add_vba_project(io.BytesIO(b"not really vba"), is_stream=True)

    with pytest.raises(SpreadsheetError) as error:
        read_workbook(book(build), "x.xlsm")
    assert str(error.value) == message("macros")


def test_bad_file_on_the_command_line_writes_nothing(db, org, campaign, tmp_path):
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(fake_ole("WordDocument"))
    with pytest.raises(SystemExit) as exit_:
        call_command("import_ledger", str(path), "--campaign", campaign.slug, "--json", stdout=io.StringIO())
    assert exit_.value.code == 1
    assert not Item.objects.exists()


def test_hidden_columns_are_reported():
    from .ledgers import messy_ledger

    assert read_workbook(messy_ledger(), "x.xlsx").sheets[0].hidden_columns == {6}
    assert read_workbook(simple_ledger([["1", "好事", "办公室", "", ""]]), "x.xlsx").sheets[0].hidden_columns == set()


def test_merged_cells_carry_their_value():
    from .ledgers import messy_ledger

    rows = read_workbook(messy_ledger(), "x.xlsx").sheets[0].rows
    assert rows[0][:9] == ["2021年“我为群众办实事”项目清单"] * 9
    assert rows[2][3] == rows[2][4] == "责任单位"
