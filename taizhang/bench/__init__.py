"""Benchmarks: ``make bench`` (``python -m taizhang.bench``).

Runs against its own database (``BENCH_DATABASE_URL``, default a SQLite file
``var/bench.sqlite3``), builds the demo campaign there, and prints one line per
measure: ``<measure>: <ms> ms, baseline <ms> ms, ratio <x>``. The baseline is
the bare database work the measured code cannot avoid, so the ratio shows the
overhead of the application on top of it. Figures are medians of repeated runs;
the pages held to a ratio (the overview, the completeness board) are timed turn
about with their baselines, so a shared machine's drift weighs on both alike.

``python -m taizhang.bench sheets reporting`` runs only those areas' modules
(``taizhang/bench/<area>.py``, each with ``run(report, median_ms)``) after the
ledger's own measures. The benchmarks live outside the domain apps: they build
data across all of them.
"""

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def median_ms(fn: Callable[[], object], repeat: int = 7) -> float:
    fn()  # warm caches and connections
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def paired_median_ms(fn: Callable[[], object], baseline: Callable[[], object], repeat: int = 15) -> tuple[float, float]:
    """Medians of ``fn`` and ``baseline`` timed turn about, so a machine that speeds up or slows down
    during the run (a shared one does) weighs on both sides of the ratio alike."""
    fn(), baseline()
    ours, theirs = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        ours.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        baseline()
        theirs.append((time.perf_counter() - start) * 1000)
    return statistics.median(ours), statistics.median(theirs)


def report(measure: str, ms: float, baseline_ms: float) -> None:
    ratio = ms / baseline_ms if baseline_ms else float("inf")
    print(f"{measure}: {ms:.1f} ms, baseline {baseline_ms:.1f} ms, ratio {ratio:.2f}", flush=True)


def main() -> int:
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taizhang.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from taizhang.campaigns.models import Campaign
    from taizhang.ledger.export import export_items
    from taizhang.ledger.models import Item
    from taizhang.ledger.queries import filtered_items
    from taizhang.orgs.models import User

    call_command("migrate", verbosity=0)
    call_command("demo", quiet=True)
    campaign = Campaign.objects.get(slug="2026")
    office = User.objects.get(username="office")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(office)
    print(f"# database: {connection.vendor}; items: {Item.objects.filter(campaign=campaign).count()}", flush=True)

    def bare_page() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT i.id, i.code, i.title, i.due, i.due_text, i.percent, i.light, i.status, u.name "
                "FROM ledger_item i JOIN orgs_unit u ON u.id = i.owner_unit_id "
                "WHERE i.campaign_id = %s ORDER BY i.code LIMIT 50",
                [campaign.pk],
            )
            cursor.fetchall()
            cursor.execute("SELECT COUNT(*) FROM ledger_item WHERE campaign_id = %s", [campaign.pk])
            cursor.fetchall()

    list_url = f"/c/{campaign.slug}/items/"
    report("item list page (50 of all)", median_ms(lambda: client.get(list_url)), median_ms(bare_page))
    report("item list page, search 医疗", median_ms(lambda: client.get(list_url, {"q": "医疗"})), median_ms(bare_page))

    def bare_export_rows() -> None:
        list(
            filtered_items(campaign, {}).values_list("code", "title", "content", "measures", "owner_unit__name", "due")
        )

    report(
        "export demo ledger xlsx",
        median_ms(lambda: export_items(campaign, filtered_items(campaign, {})), repeat=5),
        median_ms(bare_export_rows, repeat=5),
    )
    # Each area's measures are a module of this package with run(report, median_ms): taizhang/bench/<area>.py.
    import importlib
    import pkgutil

    import taizhang.bench as areas

    only = set(sys.argv[1:])
    for module_info in pkgutil.iter_modules(areas.__path__):
        if module_info.name.startswith("_") or (only and module_info.name not in only):
            continue
        module = importlib.import_module(f"taizhang.bench.{module_info.name}")
        print(f"# {module_info.name}", flush=True)
        module.run(report, median_ms)
    return 0
