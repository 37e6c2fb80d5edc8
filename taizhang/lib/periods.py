"""One name per reporting period, in the reader's language, from its language-neutral key.

A period is stored and linked by its key (``2026-W48``, ``2026-11``, ``2026-Q4``, ``2026``); people read
its name: 2026年第48周（11月23日—11月27日）, 2026年11月, 2026年第四季度, 2026年 (in English: Week 48, 2026
(23 Nov – 27 Nov), November 2026, Q4 2026, 2026). Every page, select, sheet, document, notice and file
name says :func:`period_name`, so a period reads the same wherever it appears.

The ledger keeps only the key on a progress entry, so the name must come from the key alone: a week names
its working days, Monday to Friday of the ISO week (the days of the default rhythm, due on Friday).
Where the period's own days are known and its last day is not a Friday, they are named instead.
"""

import datetime
import re

from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

KEY = re.compile(r"(?P<year>\d{4})(?:-W(?P<week>\d{2})|-(?P<month>\d{2})|-Q(?P<quarter>[1-4]))?")
FRIDAY = 4


def week_key(day: datetime.date) -> str:
    """The key of the ISO week holding ``day``: 2026-W48."""
    iso = day.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def month_key(day: datetime.date) -> str:
    return f"{day.year}-{day.month:02d}"


def quarter_key(day: datetime.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _day(day: datetime.date) -> str:
    # Translators: a day inside a period's name, in Django's date format ("11月23日" in Chinese).
    return dateformat.format(day, pgettext("period day", "j M"))


def _quarter(quarter: int, year: int) -> str:
    names = {
        1: pgettext("period name", "Q1 %(year)s"),
        2: pgettext("period name", "Q2 %(year)s"),
        3: pgettext("period name", "Q3 %(year)s"),
        4: pgettext("period name", "Q4 %(year)s"),
    }
    return names[quarter] % {"year": year}


def period_name(
    key: str,
    *,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    short: bool = False,
) -> str:
    """The period's name; ``short`` leaves out a week's days (board columns, file names).

    Text that is no key (an old free-text period on a progress entry) is returned as it is.
    """
    match = KEY.fullmatch(key or "")
    if match is None:
        return key or ""
    year = int(match["year"])
    if match["month"]:
        return dateformat.format(datetime.date(year, int(match["month"]), 1), pgettext("period name", "F Y"))
    if match["quarter"]:
        return _quarter(int(match["quarter"]), year)
    if not match["week"]:
        return dateformat.format(datetime.date(year, 1, 1), pgettext("period name", "Y"))
    week = int(match["week"])
    if short:
        return _("Week %(week)s, %(year)s") % {"week": week, "year": year}
    try:
        monday = datetime.date.fromisocalendar(year, week, 1)
    except ValueError:  # week 53 of a year that has none: still a name, without days
        return _("Week %(week)s, %(year)s") % {"week": week, "year": year}
    first, last = monday, monday + datetime.timedelta(days=FRIDAY)
    if starts_on and ends_on and ends_on.weekday() != FRIDAY:
        first, last = starts_on, ends_on
    return _("Week %(week)s, %(year)s (%(first)s – %(last)s)") % {
        "week": week,
        "year": year,
        "first": _day(first),
        "last": _day(last),
    }
