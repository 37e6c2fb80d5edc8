"""One word per thing: the Chinese word users read for each thing, and the variants that must not appear.

DOMAIN.md's glossary in code. ``taizhang/tests/test_glossary.py`` reads every zh-Hans translation and every
Chinese literal of the code (sheet headers, documents, the demo's texts) and fails on a variant, so a second
word for the same thing ("下步计划" beside "下步打算") cannot come back.
"""

# the word: the variants it replaces
TERMS: dict[str, tuple[str, ...]] = {
    "下步打算": ("下步计划", "下一步计划", "下一步打算", "下步工作计划"),  # ProgressEntry.next_steps
    "存在困难": ("存在问题和困难", "困难问题"),  # ProgressEntry.difficulties
    "漏报": ("缺报", "次未报送"),  # a report missed (Cell.MISSING, missed reports in a row)
    "月度小结": ("月度总结",),  # a monthly report's summary (UnitReport.SUMMARY_FIELDS)
    "报送期次": ("报告期次", "报送周期"),  # ReportingPeriod
}


def variants_in(text: str) -> list[tuple[str, str]]:
    """(variant, the word to use instead) for each variant found in the text."""
    return [(variant, word) for word, variants in TERMS.items() for variant in variants if variant in text]
