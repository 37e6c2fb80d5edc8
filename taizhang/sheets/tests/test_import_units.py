"""Importing the org tree from a spreadsheet on the command line."""

import io

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


def test_the_other_kind_words_org_lists_use(db, tmp_path):
    rows = [
        ["名称", "上级单位", "类型"],
        ["中国远航集团", "", "集团"],
        ["人力资源部", "中国远航集团", "职能部门"],
        ["审计部", "中国远航集团", "总部部门"],
        ["远航物流有限公司", "中国远航集团", "二级单位"],
        ["远航研究院", "中国远航集团", "直属单位"],
        ["华东分公司", "远航物流有限公司", "分公司"],
        ["仓储中心", "远航物流有限公司", "三級單位"],
    ]
    call_command("import_units", str(write_units(tmp_path, rows)))
    kinds = dict(Unit.objects.values_list("name", "kind"))
    assert kinds["人力资源部"] == kinds["审计部"] == Unit.Kind.DEPARTMENT
    assert kinds["远航物流有限公司"] == kinds["远航研究院"] == Unit.Kind.SUBSIDIARY
    assert kinds["华东分公司"] == kinds["仓储中心"] == Unit.Kind.SUBUNIT


def test_a_kind_word_no_one_knows_is_reported_with_its_row(db, tmp_path):
    rows = [["名称", "上级单位", "类型"], ["中国远航集团", "", "集团"], ["某某组", "中国远航集团", "四级单位"]]
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import_units", str(write_units(tmp_path, rows)), stderr=err)
    assert "row 3" in err.getvalue() and "四级单位" in err.getvalue()
    assert not Unit.objects.exists()
