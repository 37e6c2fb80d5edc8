"""Logging helpers: one line per event, and no traceback for a request refused on purpose."""

import logging


class QuietClientErrors(logging.Filter):
    """A 403 or 404 is an answer, not a fault: log its line, drop the traceback Django attaches to it."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
