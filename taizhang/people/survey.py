"""Importing a survey export (xlsx or csv) of problems: every row checked first, then all or nothing."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from taizhang.lib.text import search_key
from taizhang.lib.xlsxread import SpreadsheetError, read_workbook
from taizhang.orgs.models import Unit

from . import actions
from .models import Demand

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 5000

# Header words (normalised) → field. Survey tools name their columns in many ways.
HEADERS = {
    "text": ("问题", "问题描述", "诉求", "诉求内容", "内容", "意见建议", "problem", "text", "description"),
    "category": ("类别", "分类", "category"),
    "unit": ("单位", "涉及单位", "责任单位", "unit"),
    "name": ("姓名", "name"),
    "phone": ("电话", "联系电话", "手机", "phone"),
    "email": ("邮箱", "电子邮件", "email"),
    "collected_on": ("日期", "收集日期", "date"),
    "place": ("地点", "place"),
    "collected_by": ("收集人", "记录人", "collected by"),
}
_LOOKUP = {search_key(word): name for name, words in HEADERS.items() for word in words}


class SurveyError(Exception):
    """The file was refused; ``errors`` lists every reason, by row."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def read_rows(upload) -> list[list]:
    """The first sheet's rows, read by the project's one guarded reader (``taizhang.lib.xlsxread``)."""
    if upload.size > MAX_BYTES:
        raise SurveyError([_("The file is larger than 10 MB.")])
    try:
        workbook = read_workbook(upload.read(MAX_BYTES + 1), upload.name or "", max_bytes=MAX_BYTES)
    except SpreadsheetError as error:
        raise SurveyError([str(error)]) from error
    sheets = [s for s in workbook.sheets if not s.hidden] or workbook.sheets
    return sheets[0].rows if sheets else []


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _cell(value).replace("/", "-").replace(".", "-")
    if not text:
        return None
    return datetime.date.fromisoformat(text)


def import_survey(campaign, upload, *, channel: str, acting_user) -> list[Demand]:
    rows = read_rows(upload)
    rows = [r for r in rows if any(_cell(v) for v in r)]
    if not rows:
        raise SurveyError([_("The file is empty.")])
    header = [_LOOKUP.get(search_key(_cell(v))) for v in rows[0]]
    if "text" not in header:
        raise SurveyError([_("No column for the problem was found (a header such as 问题 or 诉求内容).")])
    if len(rows) - 1 > MAX_ROWS:
        raise SurveyError([_("The file has more than %(n)d rows.") % {"n": MAX_ROWS}])
    categories = {search_key(c.name): c for c in campaign.categories.all()}
    units = {}
    for unit in Unit.objects.filter(is_active=True):
        for name in (unit.name, unit.short_name, *(unit.aliases or [])):
            if name:
                units.setdefault(search_key(name), unit)
    errors, prepared = [], []
    for number, row in enumerate(rows[1:], start=2):
        values = {field: row[i] for i, field in enumerate(header) if field and i < len(row)}
        data = {k: _cell(v) for k, v in values.items() if k not in ("collected_on",)}
        data["channel"] = channel
        if not data.get("text"):
            errors.append(_("Row %(n)d: the problem is empty.") % {"n": number})
            continue
        category = data.pop("category", "")
        data["category"] = None
        if category:
            data["category"] = categories.get(search_key(category))
            if data["category"] is None:
                errors.append(_("Row %(n)d: no category %(name)s in this campaign.") % {"n": number, "name": category})
        unit = data.pop("unit", "")
        data["unit"] = None
        if unit:
            data["unit"] = units.get(search_key(unit))
            if data["unit"] is None:
                errors.append(_("Row %(n)d: no unit %(name)s.") % {"n": number, "name": unit})
        try:
            data["collected_on"] = _date(values.get("collected_on"))
        except ValueError:
            errors.append(_("Row %(n)d: the date is not a date.") % {"n": number})
        prepared.append((number, data))
    if errors:
        raise SurveyError(errors)
    created = []
    try:
        with transaction.atomic():
            for number, data in prepared:
                try:
                    created.append(actions.submit_demand(campaign=campaign, data=data, acting_user=acting_user))
                except ValidationError as error:
                    errors.append(_("Row %(n)d: %(error)s") % {"n": number, "error": " ".join(error.messages)})
            if errors:
                raise SurveyError(errors)
    except SurveyError:
        raise
    return created
