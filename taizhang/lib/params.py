"""One set of parsers for query, form and path parameters: junk answers 400 (or 404 for a path), never 500.

``str.isdigit()`` says yes to "²" and "١٢" and ``int()`` then fails or reads Arabic-Indic digits; a 23-digit
id overflows the database's integer; ``int()`` of 5,000 digits raises. Every parameter a view reads goes
through these helpers instead:

    unit = id_param(request, "unit")                     # None when absent, BadParameter on junk
    refresh = int_param(request, "refresh", default=60, min_value=1)
    day = date_param(request, "start", data=request.POST)
    pk = path_id(request_id)                             # a ``<str:…>`` path part: Http404 on junk

:class:`BadParameter` is a :class:`~django.core.exceptions.BadRequest`: Django answers it with
``handler400`` (``taizhang.lib.input_guard.bad_request``), a page that names the parameter in the
reader's language.
"""

import datetime
import re
from collections.abc import Iterable, Mapping

from django.core.exceptions import BadRequest
from django.http import Http404
from django.utils.translation import gettext as _

# Primary keys are BigAutoField: PostgreSQL bigint and SQLite INTEGER are both signed 64-bit.
MAX_ID = 2**63 - 1
# ASCII digits only: "²", "١٢" and full-width digits are junk, not numbers.
_INTEGER = re.compile(r"[+-]?[0-9]{1,19}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class BadParameter(BadRequest):
    """A parameter that cannot be read: the 400 page shows ``message``."""

    def __init__(self, name: str, message: str | None = None):
        self.name = name
        self.message = message or _("The parameter “%(name)s” has a value that cannot be read.") % {"name": name}
        super().__init__(self.message)


def _raw(request, name: str, data: Mapping | None):
    source = request.GET if data is None else data
    value = source.get(name)
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def parse_int(value: str, *, name: str, min_value: int | None = None, max_value: int | None = None) -> int:
    """``value`` as an integer of at most 19 ASCII digits within the bounds, or :class:`BadParameter`."""
    text = str(value).strip()
    if not _INTEGER.fullmatch(text):
        raise BadParameter(name, _("“%(name)s” must be a whole number.") % {"name": name})
    number = int(text)
    if not -MAX_ID <= number <= MAX_ID:  # a database integer holds no more
        raise BadParameter(name, _("“%(name)s” must be a whole number.") % {"name": name})
    if min_value is not None and number < min_value:
        raise BadParameter(name, _("“%(name)s” must be at least %(min)s.") % {"name": name, "min": min_value})
    if max_value is not None and number > max_value:
        raise BadParameter(name, _("“%(name)s” must be at most %(max)s.") % {"name": name, "max": max_value})
    return number


def parse_id(value: str, *, name: str) -> int:
    """A primary key: 1 … the largest the database holds; anything else is :class:`BadParameter`."""
    text = str(value).strip()
    if not _INTEGER.fullmatch(text) or int(text) < 1 or int(text) > MAX_ID:
        raise BadParameter(name, _("“%(name)s” is not a valid number of a record.") % {"name": name})
    return int(text)


def parse_date(value: str, *, name: str) -> datetime.date:
    """A calendar date written YYYY-MM-DD that exists (2026-02-30 does not)."""
    text = str(value).strip()
    try:
        if not _DATE.fullmatch(text):
            raise ValueError(text)
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise BadParameter(name, _("“%(name)s” must be a date such as 2026-06-17.") % {"name": name}) from None


def int_param(
    request,
    name: str,
    default=None,
    *,
    min_value: int | None = None,
    max_value: int | None = None,
    data: Mapping | None = None,
):
    """An integer from ``request.GET`` (or ``data``); ``default`` when absent or empty."""
    raw = _raw(request, name, data)
    if raw is None:
        return default
    return parse_int(raw, name=name, min_value=min_value, max_value=max_value)


def id_param(request, name: str, default=None, *, data: Mapping | None = None):
    """A primary key from ``request.GET`` (or ``data``); ``default`` when absent or empty."""
    raw = _raw(request, name, data)
    if raw is None:
        return default
    return parse_id(raw, name=name)


def id_list_param(request, name: str, *, data: Mapping | None = None, separator: str | None = None) -> list[int]:
    """Several primary keys: repeated (``?d=1&d=2``) or, with ``separator``, in one value (``?ids=1,2``)."""
    source = request.GET if data is None else data
    values = source.getlist(name) if hasattr(source, "getlist") else [source.get(name)]
    parts: list[str] = []
    for value in values:
        if value is None:
            continue
        parts.extend(str(value).split(separator) if separator else [str(value)])
    return [parse_id(part, name=name) for part in parts if part.strip()]


def date_param(request, name: str, default=None, *, data: Mapping | None = None):
    """A date (YYYY-MM-DD) from ``request.GET`` (or ``data``); ``default`` when absent or empty."""
    raw = _raw(request, name, data)
    if raw is None:
        return default
    return parse_date(raw, name=name)


def choice_param(request, name: str, choices: Iterable[str], default=None, *, data: Mapping | None = None):
    """One of ``choices`` (e.g. ``Status.values``); ``default`` when absent or empty, 400 on anything else."""
    raw = _raw(request, name, data)
    if raw is None:
        return default
    allowed = [str(choice) for choice in choices]
    if raw not in allowed:
        raise BadParameter(
            name, _("“%(name)s” must be one of: %(choices)s.") % {"name": name, "choices": ", ".join(allowed)}
        )
    return raw


def path_id(value) -> int:
    """A primary key from a ``<str:…>`` or regex path part: a page that does not exist (404) when it is junk."""
    try:
        return parse_id(value, name="path")
    except BadParameter:
        raise Http404 from None
