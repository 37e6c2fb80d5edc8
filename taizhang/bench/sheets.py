"""Benchmarks of the spreadsheet area (run by ``python -m taizhang.bench sheets``).

* Importing a generated 100,000-row ledger (read, understand, write), against
  the baseline of python-calamine alone reading the file plus the database's
  own bulk insert of the same rows (items with their search text, partner-unit
  links). The import is rolled back after each
  run so the bench database does not grow.
* The office's statistics workbook of the demo ledger (a sheet per unit),
  against writing the same rows with xlsxwriter from memory.
"""

import datetime
import io
import os
import tempfile
import time

import python_calamine
import xlsxwriter
from django.db import transaction

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def _ledger_file(unit_names: list[str], rows: int) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True})
    sheet = book.add_worksheet("台账")
    sheet.write(0, 0, f"2026年“我为群众办实事”项目清单（{rows}项）")
    sheet.write_row(1, 0, ["序号", "项目名称", "主要内容", "责任单位", "配合单位", "责任人", "完成时限", "备注"])
    deadlines = ["6月底前", "2026.10", "年底前", "三季度末", "长期坚持", "9月30日前"]
    for n in range(rows):
        sheet.write_row(
            n + 2,
            0,
            [
                f"B-{n + 1:06d}",
                f"批量事项{n + 1}：改善服务窗口",
                "延长服务时间，增加自助设备",
                unit_names[n % len(unit_names)],
                unit_names[(n + 7) % len(unit_names)],
                "张三",
                deadlines[n % len(deadlines)],
                "",
            ],
        )
    book.close()
    return buffer.getvalue()


class _Rollback(Exception):
    pass


def run(report, median_ms) -> None:
    from taizhang.campaigns.models import Campaign
    from taizhang.ledger.models import Item
    from taizhang.lib.xlsxread import read_workbook
    from taizhang.orgs.actions import system_actor
    from taizhang.orgs.models import Unit
    from taizhang.reporting.models import ReportingPeriod
    from taizhang.sheets.actions import apply_ledger_plan
    from taizhang.sheets.ledger_import import build_plan
    from taizhang.sheets.statsheet import build_statistics_workbook, office_units, sheet_items

    demo = Campaign.objects.get(slug="2026")
    campaign, _created = Campaign.objects.get_or_create(
        slug="bench-import",
        defaults={
            "name": "bench import",
            "starts_on": datetime.date(2026, 1, 1),
            "ends_on": datetime.date(2026, 12, 31),
        },
    )
    units = list(Unit.objects.filter(is_active=True))
    data = _ledger_file([u.name for u in units], ROWS)
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        handle.write(data)
        handle.flush()

        def calamine_read() -> None:
            python_calamine.CalamineWorkbook.from_path(handle.name).get_sheet_by_index(0).to_python()

        read_ms = min(_timed(calamine_read) for _ in range(3))

    # The same rows as the import stores them: each item with its search text, and its partner unit link.
    from taizhang.lib.text import search_key

    deadlines = ["6月底前", "2026.10", "年底前", "三季度末", "长期坚持", "9月30日前"]
    texts = [
        search_key(
            f"B-{n + 1:06d}", f"批量事项{n + 1}：改善服务窗口", "延长服务时间，增加自助设备", "张三", deadlines[n % 6]
        )
        for n in range(ROWS)
    ]
    link = Item.partner_units.through

    def bulk_insert() -> None:
        try:
            with transaction.atomic():
                items = Item.objects.bulk_create(
                    [
                        Item(
                            campaign=campaign,
                            code=f"B-{n + 1:06d}",
                            title=f"批量事项{n + 1}：改善服务窗口",
                            content="延长服务时间，增加自助设备",
                            owner_unit=units[n % len(units)],
                            owner="张三",
                            due_text="6月底前",
                            due=datetime.date(2026, 6, 30),
                            search_text=texts[n],
                        )
                        for n in range(ROWS)
                    ],
                    batch_size=500,
                )
                link.objects.bulk_create(
                    [link(item_id=item.pk, unit_id=units[(n + 7) % len(units)].pk) for n, item in enumerate(items)],
                    batch_size=500,
                )
                raise _Rollback
        except _Rollback:
            pass

    insert_ms = min(_timed(bulk_insert) for _ in range(2))

    actor = system_actor("bench")

    def full_import() -> None:
        try:
            with transaction.atomic():
                sheet = read_workbook(data, "bench.xlsx").sheets[0]
                plan = build_plan(sheet.rows, campaign, hidden=sheet.hidden_columns)
                assert not plan.errors, plan.errors[:3]
                result = apply_ledger_plan(campaign, plan, acting_user=actor)
                assert result["created"] == ROWS, result
                raise _Rollback
        except _Rollback:
            pass

    import_ms = min(_timed(full_import) for _ in range(2))
    print(
        f"# calamine read of {ROWS} rows: {read_ms:.1f} ms; bulk insert of {ROWS} items with their partner links: "
        f"{insert_ms:.1f} ms",
        flush=True,
    )
    report(f"import {ROWS:,}-row ledger", import_ms, read_ms + insert_ms)

    period = ReportingPeriod.objects.filter(campaign=demo, kind=ReportingPeriod.Kind.WEEKLY).order_by("-due_at").first()
    units_with_items = office_units(demo)

    def bare_workbook() -> None:
        rows = {
            u.pk: [(i.code, i.title, i.owner, i.due_text, i.percent) for i in sheet_items(demo, u, subtree=False)]
            for u in units_with_items
        }
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"in_memory": True})
        for unit in units_with_items:
            sheet = book.add_worksheet(str(unit.pk))
            for r, row in enumerate(rows[unit.pk]):
                sheet.write_row(r, 0, row)
        book.close()

    report(
        f"office statistics workbook, demo ledger ({Item.objects.filter(campaign=demo).open().count()} open items)",
        median_ms(lambda: build_statistics_workbook(demo, units_with_items, period, subtree=False), repeat=5),
        median_ms(bare_workbook, repeat=5),
    )
