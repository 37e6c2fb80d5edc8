"""Importing the org tree from a spreadsheet on the command line."""

import pytest
from django.core.management import CommandError, call_command

from taizhang.orgs.models import Unit

from .ledgers import book


def write_units(tmp_path, rows, name="units.xlsx"):
    def build(wb):
        ws = wb.add_worksheet()
        for r, row in enumerate(rows):
            ws.write_row(r, 0, row)

    path = tmp_path / name
    path.write_bytes(book(build))
    return path


def test_units_with_english_headers_any_order(db, tmp_path):
    path = write_units(
        tmp_path,
        [
            ["name", "short_name", "aliases", "parent", "kind"],
            ["人力资源部", "人力", "人资部;人事部", "中国融通集团", "department"],
            ["中国融通集团", "集团", "", "", "group"],
        ],
    )
    call_command("import_units", str(path))
    hr = Unit.objects.get(name="人力资源部")
    assert hr.parent.name == "中国融通集团"
    assert hr.aliases == ["人资部", "人事部"]
    assert hr.kind == Unit.Kind.DEPARTMENT
    assert hr.path.startswith(hr.parent.path)


def test_units_with_chinese_headers_and_reimport_updates(db, tmp_path):
    rows = [
        ["名称", "简称", "别名", "上级单位", "类型"],
        ["中国融通集团", "集团", "", "", "集团"],
        ["集团办公室", "办公室", "总部办公室、综合办", "集团", "部门"],
    ]
    call_command("import_units", str(write_units(tmp_path, rows)))
    rows[2][1] = "办公厅"
    call_command("import_units", str(write_units(tmp_path, rows)))
    assert Unit.objects.count() == 2
    office = Unit.objects.get(name="集团办公室")
    assert office.short_name == "办公厅"
    assert office.aliases == ["总部办公室", "综合办"]


def test_csv_in_gbk(db, tmp_path):
    path = tmp_path / "units.csv"
    path.write_bytes("名称,上级单位\n中国融通集团,\n人力资源部,中国融通集团\n".encode("gbk"))
    call_command("import_units", str(path))
    assert Unit.objects.get(name="人力资源部").parent.name == "中国融通集团"


def test_unknown_parent_imports_nothing(db, tmp_path):
    path = write_units(tmp_path, [["name", "parent"], ["甲部", ""], ["乙部", "不存在的单位"]])
    with pytest.raises(CommandError):
        call_command("import_units", str(path))
    assert not Unit.objects.exists()
