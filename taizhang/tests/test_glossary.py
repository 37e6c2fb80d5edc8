"""One word per thing: no zh-Hans translation and no Chinese literal of the code uses a variant of a glossary word."""

import re
from pathlib import Path

import polib

from taizhang.lib.glossary import TERMS, variants_in

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT.parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
CHINESE = re.compile(r"[\u4e00-\u9fff]")
SKIPPED = {"tests", "migrations"}


def test_every_zh_translation_uses_the_glossary_words():
    found = []
    for entry in polib.pofile(str(PO)):
        for text in [entry.msgstr, *entry.msgstr_plural.values()]:
            found += [(entry.msgid, variant, word) for variant, word in variants_in(text)]
    assert found == []


def test_no_chinese_literal_in_the_code_uses_a_variant():
    found = []
    for path in sorted([*ROOT.rglob("*.py"), *ROOT.rglob("*.html")]):
        relative = path.relative_to(ROOT)
        if SKIPPED & set(relative.parts) or relative == Path("lib/glossary.py"):
            continue
        text = path.read_text(encoding="utf-8")
        if CHINESE.search(text):
            found += [(str(relative), variant, word) for variant, word in variants_in(text)]
    assert found == []


def test_the_check_finds_a_variant():
    assert ("下步计划", "下步打算") in variants_in("本期完成情况、存在困难、下步计划")
    assert all(word not in variants for word, variants in TERMS.items())
