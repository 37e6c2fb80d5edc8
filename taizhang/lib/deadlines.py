"""Deadline phrases (完成时限) turned into a date, keeping the words the list used.

Ledgers write deadlines as people speak them: "6月底前", "三季度末", "年内",
"长期坚持", "立行立改", or as a real date cell. :func:`parse_deadline` gives
the ``due`` date an item is measured against (``None`` for ongoing work) and
the ``due_text`` to show, in the campaign's year when the phrase has none.
"""

import calendar
import datetime
import re
import unicodedata
from dataclasses import dataclass

ONGOING_WORDS = ("长期坚持", "持续推进", "常态化", "长期", "持续", "长效", "常抓不懈", "久久为功")
IMMEDIATE_WORDS = ("立行立改", "立即", "立刻", "马上", "即知即改")
YEAR_END_WORDS = ("年底前", "年底", "年末", "年内", "全年", "当年", "本年度", "年终")

_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_QUARTERS = {"一": 1, "1": 1, "二": 2, "2": 2, "三": 3, "3": 3, "四": 4, "4": 4}

_FULL_DATE = re.compile(r"(20\d{2}|19\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_YEAR_MONTH = re.compile(r"(20\d{2}|19\d{2})\s*[-/.年]\s*(\d{1,2})\s*月?(上旬|中旬|下旬|初|中|底|末)?")
_MONTH_DAY = re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_MONTH = re.compile(r"(\d{1,2})\s*月\s*(上旬|中旬|下旬|初|中|底|末)?")
_QUARTER = re.compile(r"第?([一二三四1-4])\s*季度")
_YEAR_ONLY = re.compile(r"(20\d{2}|19\d{2})\s*年")


@dataclass(frozen=True)
class Deadline:
    """A parsed deadline: the date (None when ongoing or not understood) and the words kept."""

    due: datetime.date | None
    due_text: str
    ongoing: bool = False
    understood: bool = True


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _cn_numbers_to_digits(text: str) -> str:
    """十二月 → 12月, 三月 → 3月 (months only; quarters are read separately)."""

    def month(match: re.Match) -> str:
        words = match.group(1)
        if words == "十":
            n = 10
        elif words.startswith("十"):
            n = 10 + _CN_DIGITS[words[1]]
        else:
            n = _CN_DIGITS[words[0]]
        return f"{n}月"

    return re.sub(r"(十[一二]?|[一二三四五六七八九])月", month, text)


def _in_month(year: int, month: int, part: str | None) -> datetime.date:
    if part in ("上旬", "初"):
        return datetime.date(year, month, 10)
    if part in ("中旬", "中"):
        return datetime.date(year, month, 20)
    return _month_end(year, month)


def parse_deadline(value, *, year: int, start: datetime.date | None = None) -> Deadline:
    """A deadline cell → ``Deadline``. ``year`` is the campaign's year, ``start`` its first day."""
    if value is None:
        return Deadline(None, "")
    if isinstance(value, datetime.datetime):
        return Deadline(value.date(), "")
    if isinstance(value, datetime.date):
        return Deadline(value, "")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # An Excel serial day number in a cell without a date format.
        if 20000 < value < 80000:
            return Deadline(datetime.date(1899, 12, 30) + datetime.timedelta(days=int(value)), "")
        return Deadline(None, str(value), understood=False)
    written = str(value).strip()
    if not written:
        return Deadline(None, "")
    text = unicodedata.normalize("NFKC", written)
    text = re.sub(r"\s+", "", text)
    text = _cn_numbers_to_digits(text)

    try:
        return _parse_text(text, written, year=year, start=start)
    except ValueError:  # 2月30日 and the like
        return Deadline(None, written, understood=False)


def _parse_text(text: str, written: str, *, year: int, start: datetime.date | None) -> Deadline:
    if m := _FULL_DATE.search(text):
        return Deadline(datetime.date(int(m[1]), int(m[2]), int(m[3])), written)
    if m := _YEAR_MONTH.search(text):
        return Deadline(_in_month(int(m[1]), int(m[2]), m[3]), written)
    explicit_year = _YEAR_ONLY.search(text)
    y = int(explicit_year[1]) if explicit_year else year
    if m := _MONTH_DAY.search(text):
        return Deadline(datetime.date(y, int(m[1]), int(m[2])), written)
    if m := _MONTH.search(text):
        return Deadline(_in_month(y, int(m[1]), m[2]), written)
    if m := _QUARTER.search(text):
        quarter = _QUARTERS[m[1]]
        return Deadline(_month_end(y, quarter * 3), written)
    if "上半年" in text or ("半年" in text and "下半年" not in text):
        return Deadline(datetime.date(y, 6, 30), written)
    if "下半年" in text:
        return Deadline(datetime.date(y, 12, 31), written)
    if any(word in text for word in IMMEDIATE_WORDS):
        return Deadline(start or datetime.date(y, 1, 1), written)
    if any(word in text for word in ONGOING_WORDS):
        return Deadline(None, written, ongoing=True)
    if any(word in text for word in YEAR_END_WORDS):
        return Deadline(datetime.date(y, 12, 31), written)
    if explicit_year:
        return Deadline(datetime.date(y, 12, 31), written)
    return Deadline(None, written, understood=False)


def words_describe(due_text: str, due: datetime.date | None) -> bool:
    """Whether the words of a deadline ("年底前", "6月底", "长期坚持") still say ``due``.

    Words the parser does not understand ("配合上级安排") are given the benefit of the doubt: True.
    """
    if not due_text.strip():
        return True
    # Without a date only "ongoing" words fit, whatever the year they are read in.
    parsed = parse_deadline(due_text, year=due.year if due is not None else 2000)
    if not parsed.understood:
        return True
    if due is None:
        return parsed.ongoing
    return parsed.due == due
