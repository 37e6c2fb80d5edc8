"""Benchmarks of the spreadsheet area (run by ``python -m taizhang.bench sheets``).

* Importing a generated 100,000-row ledger (read, understand, write), against
  the real limit: python-calamine reading the file plus the database's own bulk
  path (COPY on PostgreSQL, executemany on SQLite) writing the same rows (items
  with their search text, partner-unit links, a history entry each) into the
  same tables with their indexes, timed in the same run; Django's bulk_create
  of the items and links as a second line; the peak memory. Every run is
  rolled back so the bench database does not grow.
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
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


HEADER = ["序号", "编号", "项目名称", "主要内容", "责任单位", "配合单位", "责任人", "完成时限", "备注"]
DEADLINES = ["6月底前", "2026.10", "年底前", "三季度末", "长期坚持", "9月30日前"]


def _ledger_file(unit_names: list[str], rows: int) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True})
    sheet = book.add_worksheet("台账")
    sheet.write(0, 0, f"2026年“我为群众办实事”项目清单（{rows}项）")
    sheet.write_row(1, 0, HEADER)
    for n in range(rows):
        sheet.write_row(
            n + 2,
            0,
            [
                n + 1,
                f"B-{n + 1:06d}",
                f"批量事项{n + 1}：改善服务窗口",
                "延长服务时间，增加自助设备",
                unit_names[n % len(unit_names)],
                unit_names[(n + 7) % len(unit_names)],
                "张三",
                DEADLINES[n % len(DEADLINES)],
                "",
            ],
        )
    book.close()
    return buffer.getvalue()


def _as_in_production():
    """DEBUG off while the writes are timed, as in production: with DEBUG on (make bench's default) every
    statement's SQL is rendered with its parameters into connection.queries, which at 500-row inserts cost
    more than the inserts. Both sides of the ratio run under it."""
    from django.test.utils import override_settings

    return override_settings(DEBUG=False)


class _Rollback(Exception):
    pass


def _rolled_back(fn) -> None:
    try:
        with transaction.atomic():
            fn()
            raise _Rollback
    except _Rollback:
        pass


WRITTEN_TABLES = ("ledger_item", "ledger_item_partner_units", "history_historyentry", "ledger_progressentry")


def _cpu_seconds(connection) -> float | None:
    """CPU seconds spent so far by this process, its children (the file reader) and, on PostgreSQL, the server
    process serving this connection (read from /proc when the server runs on this machine; else None). On a
    machine shared with other work the wall clock mostly measures the wait for a core; the CPU spent is the work."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
    if connection.vendor != "postgresql":
        return total
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (pid,) = cursor.fetchone()
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return total + (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


CPU: dict[str, list[float]] = {}


def _vacuumed(fn):
    """``fn`` timed on tables as a database that keeps itself would hold them. Every run is rolled back, and
    a rolled-back insert leaves its rows behind as dead tuples until a VACUUM: with autovacuum off (as on this
    machine) each run would scan the dead rows of all the runs before it (the import's code check walked
    650,000 of them), so the run timed last would pay for the others. On PostgreSQL the written tables are
    vacuumed and analysed before each timed run, on both sides of the ratio."""
    from django.db import connection

    def run():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM (ANALYZE) {', '.join(WRITTEN_TABLES)}")
        before = _cpu_seconds(connection)
        wall = _timed(lambda: _rolled_back(fn))
        after = _cpu_seconds(connection)
        if before is not None and after is not None:
            CPU.setdefault(fn.__name__, []).append((after - before) * 1000)
        return wall

    return run


def _bare_writer(connection):
    """Rows into a table the fastest way the database has: COPY on PostgreSQL, executemany elsewhere."""

    def write(model, fields, rows) -> None:
        table = connection.ops.quote_name(model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(fields))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)

    return write


def run(report, median_ms) -> None:
    import resource

    from django.db import connection

    from taizhang.campaigns.models import Campaign
    from taizhang.history.models import HistoryEntry
    from taizhang.ledger.models import Item
    from taizhang.lib.text import search_key
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
    by_name = {u.name: u for u in units}
    data = _ledger_file([u.name for u in units], ROWS)
    actor = system_actor("bench")

    # The real limit: python-calamine reading the file, then the same rows (items with their search text,
    # partner links, one history entry each) written into the same tables, indexes and all, by the
    # database's own bulk path (COPY / executemany), with nothing of ours in between.
    write = _bare_writer(connection)
    item_fields = [f for f in Item._meta.concrete_fields if not f.primary_key and not f.generated]
    template = Item(campaign=campaign, owner_unit=units[0], due=datetime.date(2026, 6, 30))
    template.refresh_search_text()
    prepared = {f.attname: f.get_db_prep_save(f.pre_save(template, True), connection) for f in item_fields}
    varying = ("code", "title", "content", "owner_unit_id", "owner", "due_text", "note", "search_text")
    history_fields = [f for f in HistoryEntry._meta.concrete_fields if not f.primary_key and not f.generated]
    history = HistoryEntry(
        content_type_id=ContentType.objects.get_for_model(Item).pk,
        campaign=campaign,
        action=HistoryEntry.Action.CREATE,
        actor=actor,
        object_id=0,
    )
    history.at = timezone.now()
    history_prepared = [f.get_db_prep_save(f.pre_save(history, True), connection) for f in history_fields]
    object_at = [f.attname for f in history_fields].index("object_id")
    link = Item.partner_units.through
    link_fields = [link._meta.get_field("item").column, link._meta.get_field("unit").column]
    texts = {}  # the search text is ours (search_key), computed once outside the timing
    for n in range(ROWS):
        texts[n] = search_key(
            f"B-{n + 1:06d}", f"批量事项{n + 1}：改善服务窗口", "延长服务时间，增加自助设备", "张三", DEADLINES[n % 6]
        )

    # The file on disk for the whole measure (calamine reads a path); removed when the run ends.
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115
    handle.write(data)
    handle.flush()

    def calamine_read():
        return python_calamine.CalamineWorkbook.from_path(handle.name).get_sheet_by_index(0).to_python()

    def bare_limit() -> None:
        rows = calamine_read()[2:]
        first = (Item.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        items, links, entries = [], [], []
        for n, row in enumerate(rows):
            values = dict(prepared)
            values.update(
                code=row[1],
                title=row[2],
                content=row[3],
                owner_unit_id=by_name[row[4]].pk,
                owner=row[6],
                due_text=row[7],
                note=row[8],
                search_text=texts[n],
            )
            items.append([first + n, *(values[f.attname] for f in item_fields)])
            links.append([first + n, by_name[row[5]].pk])
            entry = list(history_prepared)
            entry[object_at] = first + n
            entries.append(entry)
        pk = Item._meta.pk
        write(Item, [pk, *item_fields], items)
        write(link, [link._meta.get_field("item"), link._meta.get_field("unit")], links)
        write(HistoryEntry, history_fields, entries)

    read_ms = min(_timed(calamine_read) for _ in range(3))
    assert link_fields and varying

    def orm_insert() -> None:
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

    def full_import() -> None:
        sheet = read_workbook(data, "bench.xlsx").sheets[0]
        plan = build_plan(sheet.rows, campaign, hidden=sheet.hidden_columns)
        assert not plan.blocked, (plan.errors[:3], list(plan.unresolved)[:3])
        result = apply_ledger_plan(campaign, plan, acting_user=actor)
        assert result["created"] == ROWS, result

    # Turn about (limit, import, limit, import), each on freshly vacuumed tables: a shared machine's drift
    # weighs on both sides alike. The best of each side.
    limits, imports = [], []
    with handle, _as_in_production():
        for _round in range(int(os.environ.get("BENCH_IMPORT_ROUNDS", "2"))):
            limits.append(_vacuumed(bare_limit)())
            imports.append(_vacuumed(full_import)())
        orm_ms = _vacuumed(orm_insert)()
    limit_ms, import_ms = min(limits), min(imports)
    print(
        f"# import runs: {', '.join(f'{t:.0f}' for t in imports)} ms; limit runs: "
        f"{', '.join(f'{t:.0f}' for t in limits)} ms",
        flush=True,
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    bulk = "COPY" if connection.vendor == "postgresql" else "executemany"
    print(
        f"# calamine read of {ROWS} rows: {read_ms:.1f} ms; calamine + {bulk} of the same items, partner links and "
        f"history entries: {limit_ms:.1f} ms; Django bulk_create of items and links: {orm_ms:.1f} ms",
        flush=True,
    )
    report(f"import {ROWS:,}-row ledger vs calamine + {bulk}", import_ms, limit_ms)
    if CPU.get("full_import") and CPU.get("bare_limit"):
        # The same comparison in CPU spent (ours, the reader's and the database server's for this connection).
        report(
            f"import {ROWS:,}-row ledger vs calamine + {bulk}, CPU time",
            min(CPU["full_import"]),
            min(CPU["bare_limit"]),
        )
    report(f"import {ROWS:,}-row ledger vs calamine + bulk_create", import_ms, read_ms + orm_ms)
    print(f"# peak memory of this process (the import included): {peak:.0f} MB; of the file reader: {child:.0f} MB")

    _upload_to_preview(report, units)

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


def _upload_to_preview(report, units) -> None:
    """A 600-row ledger (the seed's size) from upload to its preview, through the pages, with no worker
    running: the mapping's POST reads the sheet at once. Baseline: python-calamine reading the file."""
    from django.test import Client
    from django.urls import reverse

    from taizhang.orgs.models import User
    from taizhang.sheets.models import ImportJob

    data = _ledger_file([u.name for u in units], 600)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username="office"))
    from django.core.files.uploadedfile import SimpleUploadedFile

    from taizhang.lib.xlsxread import read_workbook
    from taizhang.sheets.ledger_import import find_layout

    layout = find_layout(read_workbook(data, "台账.xlsx").sheets[0].rows)
    fields = {f"col_{col}": name for col, name in layout.columns.items()}

    def through_the_pages() -> None:
        response = client.post(
            reverse("sheets:import_start", args=["2026"]), {"file": SimpleUploadedFile("台账.xlsx", data)}
        )
        mapping = response["Location"]
        assert client.get(mapping).status_code == 200
        job_page = client.post(mapping, fields)["Location"]
        client.get(job_page)
        job = ImportJob.objects.latest("pk")
        assert job.state == ImportJob.State.PREVIEW, (job.state, job.message)
        ImportJob.objects.filter(pk=job.pk).delete()

    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        handle.write(data)
        handle.flush()
        baseline = median_of(
            lambda: python_calamine.CalamineWorkbook.from_path(handle.name).get_sheet_by_index(0).to_python()
        )
    report("600-row ledger, upload to preview (no worker)", median_of(through_the_pages, repeat=3), baseline)


def median_of(fn, repeat: int = 5) -> float:
    fn()
    return sorted(_timed(fn) for _ in range(repeat))[repeat // 2]
