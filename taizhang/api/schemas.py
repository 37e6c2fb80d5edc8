"""Types shared by the API's schemas: what the document says is exactly what is accepted.

Bodies are strict: a JSON number where the schema says integer, a string ``"YYYY-MM-DD"`` where it says
date (pydantic would otherwise read ``0`` as 1970-01-01 and ``"5"`` as 5, accepting what the document
refuses). Query parameters arrive as text, so their numbers are read from text (``QueryId``).
"""

import datetime
import re
from typing import Annotated

from pydantic import BeforeValidator, Field, Strict

from taizhang.lib.params import MAX_ID

Id = Annotated[int, Strict(), Field(ge=1, le=MAX_ID)]
QueryId = Annotated[int, Field(ge=1, le=MAX_ID)]
# PostgreSQL refuses NUL in text: the schema says so, so a client (and the fuzzer) knows before sending it.
NO_NUL = r"^[^\x00]*$"
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def text(max_length: int, *, min_length: int = 0):
    return Annotated[str, Strict(), Field(max_length=max_length, min_length=min_length, pattern=NO_NUL)]


def _iso_date(value):
    if isinstance(value, datetime.date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    raise ValueError("a date as YYYY-MM-DD")


Date = Annotated[
    datetime.date,
    BeforeValidator(_iso_date),
    Field(ge=datetime.date(1900, 1, 1), le=datetime.date(2999, 12, 31)),
]


def number(low: int, high: int):
    return Annotated[int, Strict(), Field(ge=low, le=high)]
