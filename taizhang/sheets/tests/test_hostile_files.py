"""Hostile files through every entry point that reads a table: each is refused with its reason, in Chinese,
quickly and in little memory, and nothing is written.

The entry points: the statistics-sheet upload (a liaison), the ledger import upload and the survey upload
(the office), and the ``import_ledger`` and ``import_units`` commands. The files come from
``taizhang.testing.hostile``.
"""

import io
import json
import time
import tracemalloc

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.html import escape

from taizhang.campaigns.models import Campaign
from taizhang.history.models import HistoryEntry
from taizhang.ledger.models import Item, ProgressEntry
from taizhang.lib import xlsxread
from taizhang.lib.xlsxread import SpreadsheetError, message, read_workbook
from taizhang.orgs.models import Unit
from taizhang.people.models import Channel, Demand
from taizhang.reporting.models import UnitReport
from taizhang.reporting.periods import generate_periods, open_periods
from taizhang.sheets.models import ImportJob
from taizhang.testing.hostile import hostile_files, params_for, sheet_xml, xlsx

SECONDS = 10
MEMORY = 500 * 1024 * 1024
FILES = hostile_files()
TABLES = (Item, ProgressEntry, ImportJob, Demand, Unit, Campaign, HistoryEntry, UnitReport)


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in TABLES}


def expected_reasons(hostile) -> set[str]:
    return {message(code, params_for(code)) for code in hostile.codes}


def timed(fn):
    start = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - start
    assert elapsed < SECONDS, f"{elapsed:.1f} s"
    return result


def test_there_are_at_least_25_kinds():
    assert len({f.kind for f in FILES}) >= 25


@pytest.mark.parametrize("hostile", FILES, ids=[f.kind for f in FILES])
def test_the_reader_refuses_it_quickly_in_little_memory(hostile):
    tracemalloc.start()
    try:
        with pytest.raises(SpreadsheetError) as refused:
            timed(lambda: read_workbook(hostile.data, hostile.name))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(refused.value) in expected_reasons(hostile)
    assert peak < MEMORY, f"{peak / 1e6:.0f} MB"


@pytest.mark.parametrize("hostile", FILES, ids=[f.kind for f in FILES])
def test_every_upload_and_command_refuses_it_and_writes_nothing(
    hostile, org, campaign, people, items, login, client, tmp_path
):
    reasons = expected_reasons(hostile)
    if not hostile.data:
        reasons_on_pages = {str(forms.FileField.default_error_messages["empty"])}
    else:
        reasons_on_pages = reasons
    before = counts()
    generate_periods(campaign)
    period = open_periods(campaign).first()

    def post(url, **extra):
        upload = SimpleUploadedFile(hostile.name, hostile.data)
        return timed(lambda: client.post(url, {"file": upload, **extra}))

    login(people["lily"])
    pages = {"statistics sheet": post(reverse("sheets:statistics_upload", args=[campaign.slug, period.label]))}
    login(people["olivia"])
    pages["ledger import"] = post(reverse("sheets:import_start", args=[campaign.slug]))
    pages["survey"] = post(reverse("people:demand_upload", args=[campaign.slug]), channel=Channel.SURVEY)
    for where, response in pages.items():
        assert response.status_code == 400, where
        page = response.content.decode()
        assert any(escape(reason) in page for reason in reasons_on_pages), (where, reasons_on_pages)

    path = tmp_path / hostile.name
    path.write_bytes(hostile.data)
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        timed(lambda: call_command("import_ledger", str(path), "--campaign", campaign.slug, "--json", stdout=out))
    assert exit_.value.code == 1
    assert json.loads(out.getvalue())["errors"][0]["message"] in reasons
    with pytest.raises(CommandError) as error:
        timed(lambda: call_command("import_units", str(path), stdout=io.StringIO()))
    assert str(error.value) in reasons
    assert counts() == before


def test_the_children_that_read_stayed_under_the_memory_limit():
    """What the checks let through is read in a child process; each such child stayed small."""
    peaks = []
    for hostile in FILES:
        try:
            read_workbook(hostile.data, hostile.name)
        except SpreadsheetError as error:
            peaks.append(getattr(error, "child_peak_kb", 0))
    assert any(peaks), "no hostile file reached the child: the test measures nothing"
    assert max(peaks) * 1024 < MEMORY


def test_a_file_the_checks_miss_ends_only_the_child():
    """The original finding, fed straight to the child without the checks: the child dies, we answer."""
    far = '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    with pytest.raises(SpreadsheetError) as refused:
        timed(lambda: xlsxread.run_child(xlsx(sheet_xml(far))))
    assert str(refused.value) == message("too_big_to_read")
