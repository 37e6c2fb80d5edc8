"""Messy ledgers as offices really keep them, written with xlsxwriter for the tests."""

import datetime
import io

import xlsxwriter


def book(build, *, options=None) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, **(options or {})})
    build(workbook)
    workbook.close()
    return buffer.getvalue()


def messy_ledger(*, extra_rows=(), traditional=False) -> bytes:
    """Title and note rows, a two-row merged header, sections, blank and 合计 rows, a hidden column."""

    def build(wb):
        ws = wb.add_worksheet("清单")
        date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
        ws.merge_range(0, 0, 0, 8, "2021年“我为群众办实事”项目清单")
        ws.write(1, 0, "填报单位：集团办公室（盖章）")
        # Two-row header: 责任单位 spans 牵头单位 | 配合单位.
        for col, name in enumerate(["序号", "项目名称", "主要内容"]):
            ws.merge_range(2, col, 3, col, name)
        ws.merge_range(2, 3, 2, 4, "责任单位")
        ws.write(3, 3, "牵头单位")
        ws.write(3, 4, "配合单位")
        ws.merge_range(2, 5, 3, 5, "完成时限")
        ws.merge_range(2, 6, 3, 6, "旧编号")
        ws.merge_range(2, 7, 3, 7, "责任人")
        ws.merge_range(2, 8, 3, 8, "备注")
        ws.set_column(6, 6, None, None, {"hidden": True})
        rows = [
            ["一、服务基层（2项）"],
            [
                1,
                "開展公益義診活動" if traditional else "开展公益义诊活动",
                "到社区义诊",
                "八一骨科医院",
                "",
                "6月底前",
                "X-1",
                "王明",
                "",
            ],
            [],
            [2, "优化OA系统", "升级流程", "集团办公室", "人力资源部、医疗健康", "2021.10", "X-2", "李四", "重点"],
            ["二、关爱员工（2项）"],
            [1, "推进员工福利平台", "", "人力资源部", "", datetime.date(2021, 9, 30), "X-3", "", ""],
            [2, "常态化开展谈心谈话", "", "集团人力资源部", "", "长期坚持", "X-4", "", ""],
            ["合计", "4项"],
            *extra_rows,
        ]
        for r, row in enumerate(rows, start=4):
            if len(row) == 1:
                ws.merge_range(r, 0, r, 8, row[0])
                continue
            for c, value in enumerate(row):
                if isinstance(value, datetime.date):
                    ws.write_datetime(r, c, datetime.datetime.combine(value, datetime.time()), date_fmt)
                elif value != "":
                    ws.write(r, c, value)
        ws.write(4 + len(rows) + 1, 0, "注：完成时限以实际为准")

    return book(build)


def simple_ledger(rows, headers=("编号", "实事名称", "牵头单位", "完成时间", "类别")) -> bytes:
    def build(wb):
        ws = wb.add_worksheet("台账")
        for c, h in enumerate(headers):
            ws.write(0, c, h)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                ws.write(r, c, value)

    return book(build)
