"""zh-Hans formats with ISO first for input values (see the package's docstring)."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403
from django.conf.locale.zh_Hans.formats import DATE_INPUT_FORMATS as _DATES
from django.conf.locale.zh_Hans.formats import DATETIME_INPUT_FORMATS as _DATETIMES

DATE_INPUT_FORMATS = ["%Y-%m-%d", *(f for f in _DATES if f != "%Y-%m-%d")]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    *(f for f in _DATETIMES if f not in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")),
]
