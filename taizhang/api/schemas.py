"""Types shared by the API's schemas: ids within the database's range, text without NUL."""

import datetime
from typing import Annotated

from pydantic import Field

from taizhang.lib.params import MAX_ID

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# PostgreSQL refuses NUL in text: the schema says so, so a client (and the fuzzer) knows before sending it.
NO_NUL = r"^[^\x00]*$"


def text(max_length: int, *, min_length: int = 0):
    return Annotated[str, Field(max_length=max_length, min_length=min_length, pattern=NO_NUL)]


Date = Annotated[datetime.date, Field(ge=datetime.date(1900, 1, 1), le=datetime.date(2999, 12, 31))]
