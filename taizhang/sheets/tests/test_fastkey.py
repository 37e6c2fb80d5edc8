"""The quick search key (skipping OpenCC where it cannot change the text) is exactly the full conversion."""

import unicodedata

import pytest

from taizhang.lib import text as lib_text
from taizhang.sheets import fastkey


def search_key(*parts):
    """The key as it was before the shortcut: every text through OpenCC."""
    text = unicodedata.normalize("NFKC", " ".join(p for p in parts if p))
    return lib_text._SPACE.sub(" ", lib_text._T2S.convert(text)).strip().casefold()


SAMPLES = [
    "优化OA系统",
    "開展公益義診活動",
    "醫療健康公司籌備組",
    "乾乾淨淨",
    "干部 下乡",
    "ＡＢＣ　１２３",
    "简化工作流程 長期堅持",
    "",
    "里程碑 裡面",
    "後來 后来",
    "發展 头发",
    "瞭解情況",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_same_key_as_search_key(text):
    assert fastkey.search_key(text) == search_key(text)


def test_same_search_text_as_the_item_itself(items):
    for item in items.values():
        stored = item.search_text
        item.refresh_search_text()
        assert fastkey.item_search_text(item) == item.search_text == stored
        expected = search_key(item.code, item.title, item.content, item.measures, item.lead, item.owner, item.due_text)
        assert stored == expected
