"""The Chinese catalogue is complete, and pages and light reasons read in Chinese by default, English on request."""

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from taizhang.ledger.actions import refresh_lights
from taizhang.ledger.lights import describe

ROOT = Path(settings.BASE_DIR)
CATALOGUE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
# Python %-placeholders (named, positional, the escaped %%) and brace placeholders.
PLACEHOLDER = re.compile(
    r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]|\{\w*\}"
)
# What `manage.py makemessages` is run over: the project tree, as in the README's command.
NOT_SCANNED = (".git", ".venv", "node_modules", "static", "var", "test-artifacts", "media", "staticfiles")


def placeholders(text: str) -> Counter:
    return Counter(PLACEHOLDER.findall(text))


def describe_entry(entry: polib.POEntry) -> str:
    return f"{entry.msgctxt + ' | ' if entry.msgctxt else ''}{entry.msgid!r}"


@pytest.fixture(autouse=True)
def _back_to_default_language():
    # LocaleMiddleware leaves the request's language active on the thread; later tests expect the default.
    yield
    translation.deactivate()


@pytest.fixture(scope="module")
def catalogue() -> polib.POFile:
    return polib.pofile(str(CATALOGUE))


def test_catalogue_header_says_chinese_with_one_plural_form(catalogue):
    assert not catalogue.metadata_is_fuzzy
    assert catalogue.metadata["Language"] == "zh_Hans"
    assert catalogue.metadata["Plural-Forms"] == "nplurals=1; plural=0;"


def test_every_msgid_is_translated_and_none_is_fuzzy(catalogue):
    assert len(catalogue) > 100
    assert [describe_entry(e) for e in catalogue.untranslated_entries()] == []
    assert [describe_entry(e) for e in catalogue.fuzzy_entries()] == []
    assert [describe_entry(e) for e in catalogue.obsolete_entries()] == []


def test_every_translation_keeps_its_placeholders(catalogue):
    wrong = []
    for entry in catalogue:
        if entry.msgid_plural:
            wanted = placeholders(entry.msgid_plural)
            translations = list(entry.msgstr_plural.values())
            if len(translations) != 1:
                wrong.append((describe_entry(entry), "Chinese has exactly one plural form"))
        else:
            wanted = placeholders(entry.msgid)
            translations = [entry.msgstr]
        for text in translations:
            if placeholders(text) != wanted:
                wrong.append((describe_entry(entry), text))
    assert wrong == []


def test_every_string_the_code_and_templates_use_is_in_the_catalogue(tmp_path):
    """Extract the msgids afresh into a copy of the project; a new msgid arrives untranslated (or fuzzy)."""
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        pytest.skip("GNU gettext (xgettext, msgmerge) is not installed, so makemessages cannot run")
    tree = tmp_path / "project"
    shutil.copytree(ROOT, tree, ignore=shutil.ignore_patterns(*NOT_SCANNED, "__pycache__", ".*_cache", "*.mo"))
    command = [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete", "--no-location"]
    command += [f"--ignore={name}" for name in NOT_SCANNED]
    env = {"PATH": os.environ.get("PATH", ""), "TAIZHANG_VAR_DIR": str(tmp_path / "var"), "DEBUG": "1"}
    result = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr

    fresh = polib.pofile(str(tree / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    missing = [describe_entry(e) for e in fresh if not e.translated() or e.fuzzy]
    assert missing == [], "run makemessages and translate these msgids"


def test_login_page_is_in_chinese_by_default(client):
    response = client.get(reverse("login"))

    assert '<html lang="zh-hans">' in response.text
    assert "台账" in response.text
    assert "登录" in response.text
    assert "Log in" not in response.text


def test_login_page_is_in_english_with_the_language_cookie(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(reverse("login"))

    assert '<html lang="en">' in response.text
    assert "Taizhang" in response.text
    assert "Log in" in response.text
    assert "登录" not in response.text


def test_item_list_is_in_chinese_by_default(login, people, campaign, items):
    refresh_lights(campaign)  # HQ-004 is 12 days past its deadline
    client = login(people["olivia"])

    response = client.get(reverse("ledger:item_list", args=[campaign.slug]))

    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.text
    assert "台账" in response.text
    for words in ("实事清单", "责任单位", "完成时限", "导出Excel", "已超期12天"):
        assert words in response.text
    assert "Export to Excel" not in response.text


def test_item_list_is_in_english_when_accept_language_asks_for_it(login, people, campaign, items):
    refresh_lights(campaign)
    client = login(people["olivia"])

    response = client.get(reverse("ledger:item_list", args=[campaign.slug]), HTTP_ACCEPT_LANGUAGE="en")

    assert '<html lang="en">' in response.text
    for words in ("Taizhang", "Responsible unit", "Deadline", "Export to Excel", "12 days overdue"):
        assert words in response.text
    assert "导出Excel" not in response.text
    assert "已超期" not in response.text


@pytest.mark.parametrize(
    ("code", "n", "chinese", "english"),
    [
        ("overdue", 12, "已超期12天", "12 days overdue"),
        ("overdue", 1, "已超期1天", "1 day overdue"),
        ("behind", 25, "落后序时进度25个百分点", "25 points behind schedule"),
        ("near", 5, "距完成时限还有5天", "5 days to the deadline"),
        ("near", 0, "今天到期", "due today"),
        ("idle", 40, "计划开始后40天仍未启动", "not started 40 days after the planned start"),
        ("on_schedule", 0, "按序时推进", "on schedule"),
        ("ongoing", 0, "长期坚持（无固定时限）", "ongoing, no deadline"),
        ("closed", 0, "已销号", "closed"),
        ("withdrawn", 0, "已撤销", "withdrawn"),
    ],
)
def test_light_reason_reads_in_the_current_language(code, n, chinese, english):
    with translation.override("zh-hans"):
        assert describe(code, n) == chinese
    with translation.override("en"):
        assert describe(code, n) == english
