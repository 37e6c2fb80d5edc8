"""The child process that runs python-calamine on an already-checked workbook, inside hard limits.

``xlsxread`` starts it as ``python -I sheetchild.py LIMITS_JSON`` with the file on
stdin; it lowers its own address-space and CPU limits before it reads a byte,
reads every worksheet, and writes one pickle to stdout: ``{"sheets": [...]}`` or
``{"error": code}``. If anything the checks missed makes calamine allocate
without bound, the allocation fails here and this process dies — never the web
process. It imports nothing from the project (``-I`` keeps the project off
``sys.path``) and has no Django.
"""

import io
import json
import pickle
import resource
import sys


class _Stop(Exception):
    def __init__(self, code: str, **params):
        super().__init__(code)
        self.result = {"error": code, **params}


def _rows(sheet, limits: dict) -> list[list]:
    """The sheet's rows from its first used cell, a long run of blank rows ending it, trailing blanks dropped."""
    rows = sheet.to_python()
    max_chars = limits["max_cell_chars"]
    blank_run = 0
    end = len(rows)
    for number, row in enumerate(rows):
        if row.count("") + row.count(None) == len(row):
            blank_run += 1
            if blank_run > limits["max_blank_run"]:
                end = number
                break
            continue
        blank_run = 0
        for value in row:
            if value.__class__ is str and len(value) > max_chars:
                raise _Stop("cell_chars", row=number + sheet.start[0] + 1, limit=max_chars)
    del rows[end:]
    while rows and rows[-1].count("") + rows[-1].count(None) == len(rows[-1]):
        rows.pop()
    return rows


def read(data: bytes, limits: dict) -> dict:
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.PasswordError:
        return {"error": "encrypted"}
    except Exception:  # calamine raises several error types for broken files
        return {"error": "damaged"}
    sheets = []
    try:
        for meta in book.sheets_metadata:
            if "WorkSheet" not in str(meta.typ):
                continue
            try:
                sheet = book.get_sheet_by_name(meta.name)
            except Exception:
                return {"error": "damaged"}
            if sheet.height * sheet.width > limits["max_cells"]:
                return {"error": "cells", "limit": limits["max_cells"]}
            sheets.append(
                {
                    "name": meta.name,
                    "hidden": "Visible" not in str(meta.visible),
                    "rows": _rows(sheet, limits),
                    "start": tuple(sheet.start) if sheet.start else (0, 0),
                    "merged": [tuple(map(tuple, m)) for m in (sheet.merged_cell_ranges or [])],
                }
            )
    except _Stop as stop:
        return stop.result
    return {"sheets": sheets}


def _peak_kb() -> int:
    """This process's peak resident memory since it started this script (ru_maxrss would count the parent's
    memory at the fork, which Linux keeps across exec)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> None:
    limits = json.loads(sys.argv[1])
    memory = int(limits["max_memory"])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    seconds = int(limits["max_cpu_seconds"])
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    data = sys.stdin.buffer.read()
    result = read(data, limits)
    result["peak_kb"] = _peak_kb()
    pickler = pickle.Pickler(sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True  # no memo: the rows hold no cycles, and the memo doubled the time
    pickler.dump(result)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
