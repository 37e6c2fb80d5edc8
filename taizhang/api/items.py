"""Items and their progress through the API: the same list query as the page, the ledger's actions to write."""

import datetime
from decimal import Decimal
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja import Status as Answer
from ninja.errors import HttpError

from taizhang.campaigns.models import KeyTask
from taizhang.ledger import actions
from taizhang.ledger.forms import ItemFilterForm
from taizhang.ledger.models import Item, ProgressEntry, Status
from taizhang.ledger.queries import NULLABLE_SORTS, SORT_FIELDS, filtered_items
from taizhang.orgs.models import Unit

from .core import RowErrors, decode_cursor, encode_cursor, operation, responses
from .schemas import Date, Id, QueryId, number, text

router = Router(tags=["items"])
MAX_BULK = 1000
Sort = Literal[tuple(key for key in SORT_FIELDS) + tuple(f"-{key}" for key in SORT_FIELDS)]


class ItemOut(Schema):
    """An item as the item page shows it."""

    id: int
    code: str
    title: str
    content: str
    measures: str
    category: int | None
    category_name: str
    phase: int | None
    phase_name: str
    scope: str
    key_task: int | None
    owner_unit: int
    owner_unit_name: str
    lead: str
    owner: str
    starts_on: datetime.date | None
    due: datetime.date | None
    due_text: str
    parent: int | None
    weight: str
    note: str
    status: str
    percent: int
    light: str
    light_reason: str
    is_model: bool
    version: int
    updated_at: datetime.datetime
    url: str


class ItemDetailOut(ItemOut):
    partner_units: list[int]
    milestones: list[dict]


class ItemPage(Schema):
    items: list[ItemOut]
    next_cursor: str | None = Field(None, description="Pass as ?cursor= for the next page; null on the last one.")


class ItemFilters(Schema):
    """The item list's filters, as on the page."""

    q: text(100) | None = None
    unit: QueryId | None = Field(None, description="A unit id: its items and its sub-units'.")
    category: QueryId | None = None
    phase: QueryId | None = None
    status: Literal["", "open", "all", *Status.values] | None = Field(
        None, description="Empty: all but withdrawn; open; all; or one status."
    )
    light: Literal["green", "blue", "yellow", "red", "none"] | None = None
    key_task: QueryId | None = None
    scope: Literal["inside", "outside"] | None = None
    due_from: Date | None = None
    due_to: Date | None = None
    owner: text(100) | None = None
    model: bool | None = None
    sort: Sort | None = None  # type: ignore[valid-type]
    cursor: text(2000) | None = None
    limit: int = Field(50, ge=1, le=200)


class MilestoneIn(Schema):
    on: Date
    percent: number(0, 100)


class ItemIn(Schema):
    """A new item; the fields as the item form has them (ids for units, category, phase, key task, parent)."""

    code: text(40, min_length=1)
    title: text(300, min_length=1)
    owner_unit: Id
    content: text(20000) = ""
    measures: text(20000) = ""
    category: Id | None = None
    phase: Id | None = None
    scope: Literal["inside", "outside"] = "inside"
    key_task: Id | None = None
    partner_units: list[Id] = Field(default_factory=list, max_length=200)
    lead: text(100) = ""
    owner: text(100) = ""
    starts_on: Date | None = None
    due: Date | None = None
    due_text: text(100) = ""
    parent: Id | None = None
    weight: Decimal = Field(Decimal("1"), ge=0, max_digits=6, decimal_places=2)
    note: text(20000) = ""
    milestones: list[MilestoneIn] | None = Field(None, max_length=24)


class ItemPatch(Schema):
    """The fields to change (others stay); ``version`` (or an ``If-Match`` header) refuses a stale write."""

    version: number(1, 2**31 - 1) | None = None
    code: text(40, min_length=1) | None = None
    title: text(300, min_length=1) | None = None
    owner_unit: Id | None = None
    content: text(20000) | None = None
    measures: text(20000) | None = None
    category: Id | None = None
    phase: Id | None = None
    scope: Literal["inside", "outside"] | None = None
    key_task: Id | None = None
    partner_units: list[Id] | None = Field(None, max_length=200)
    lead: text(100) | None = None
    owner: text(100) | None = None
    starts_on: Date | None = None
    due: Date | None = None
    due_text: text(100) | None = None
    parent: Id | None = None
    weight: Decimal | None = Field(None, ge=0, max_digits=6, decimal_places=2)
    note: text(20000) | None = None
    milestones: list[MilestoneIn] | None = Field(None, max_length=24)


class ItemBulkIn(Schema):
    items: list[ItemIn] = Field(min_length=1, max_length=MAX_BULK)


class ItemBulkOut(Schema):
    created: int
    ids: list[int]


class ProgressIn(Schema):
    """One progress report: the percent now, what was done (required), difficulties, next steps."""

    percent: number(0, 100)
    done: text(20000, min_length=1)
    difficulties: text(20000) = ""
    next_steps: text(20000) = ""
    period_label: text(60) = ""
    as_of: Date | None = None


class ProgressBulkRow(ProgressIn):
    item: Id


class ProgressBulkIn(Schema):
    entries: list[ProgressBulkRow] = Field(min_length=1, max_length=MAX_BULK)


class ProgressOut(Schema):
    id: int
    item: int
    as_of: datetime.date
    period_label: str
    percent: int
    done: str
    difficulties: str
    next_steps: str
    corrects: int | None
    author: str
    created_at: datetime.datetime


class ProgressPage(Schema):
    entries: list[ProgressOut]
    next_cursor: str | None = None


class ProgressBulkOut(Schema):
    created: int
    ids: list[int]


# Reading ----------------------------------------------------------------------------------------


def item_out(request: HttpRequest, item: Item) -> dict:
    return {
        "id": item.pk,
        "code": item.code,
        "title": item.title,
        "content": item.content,
        "measures": item.measures,
        "category": item.category_id,
        "category_name": item.category.name if item.category_id else "",
        "phase": item.phase_id,
        "phase_name": item.phase.name if item.phase_id else "",
        "scope": item.scope,
        "key_task": item.key_task_id,
        "owner_unit": item.owner_unit_id,
        "owner_unit_name": str(item.owner_unit),
        "lead": item.lead,
        "owner": item.owner,
        "starts_on": item.starts_on,
        "due": item.due,
        "due_text": item.due_text,
        "parent": item.parent_id,
        "weight": str(item.weight),
        "note": item.note,
        "status": item.status,
        "percent": item.percent,
        "light": item.light,
        "light_reason": item.light_reason,
        "is_model": item.is_model,
        "version": item.version,
        "updated_at": item.updated_at,
        "url": reverse("ledger:item_detail", args=[request.campaign.slug, item.pk]),
    }


def _detail(request, item: Item) -> dict:
    return {
        **item_out(request, item),
        "partner_units": sorted(item.partner_units.values_list("pk", flat=True)),
        "milestones": [{"on": on.isoformat(), "percent": p} for on, p in item.milestones.values_list("on", "percent")],
    }


def _get_item(request, item_id: int) -> Item:
    return get_object_or_404(
        Item.objects.select_related("campaign", "owner_unit", "category", "phase"),
        campaign=request.campaign,
        pk=item_id,
    )


def _sort_key(item: Item, sort: str) -> list:
    values = []
    for name in SORT_FIELDS.get(sort.lstrip("-"), ["code"]):
        value = item.owner_unit.path if name == "owner_unit__path" else getattr(item, name)
        values.append(value.isoformat() if isinstance(value, datetime.date) else value)
    return values


def _after(sort: str, values: list) -> Q:
    """The rows strictly after ``values`` in the list's order (its first field may run backwards, nulls last)."""
    fields = SORT_FIELDS.get(sort.lstrip("-"), ["code"])
    if len(values) != len(fields):
        raise HttpError(400, _("The cursor is for another sort order."))
    descending = sort.startswith("-")
    first, value = fields[0], values[0]
    if len(fields) == 1:
        return Q(**{f"{first}__lt" if descending else f"{first}__gt": value})
    tie = Q(**{first: value, f"{fields[1]}__gt": values[1]})
    if value is None:
        if first not in NULLABLE_SORTS:
            raise HttpError(400, _("The cursor cannot be read: use the next_cursor of the page before."))
        return Q(**{f"{first}__isnull": True, f"{fields[1]}__gt": values[1]})
    beyond = Q(**{f"{first}__lt" if descending else f"{first}__gt": value})
    if first in NULLABLE_SORTS:
        beyond |= Q(**{f"{first}__isnull": True})
    return beyond | tie


@operation(router, "GET", "/c/{slug}/items/", resource="items", response=responses({200: ItemPage}, 400, 403, 404))
def list_items(request, slug: str, filters: Query[ItemFilters]):
    """The campaign's items, filtered, searched and sorted as on the item list page; by cursor."""
    data = filters.dict(exclude={"cursor", "limit"}, exclude_none=True)
    form = ItemFilterForm(
        MultiValueDict({k: [str(v).lower() if isinstance(v, bool) else str(v)] for k, v in data.items()}),
        campaign=request.campaign,
    )
    if not form.is_valid():
        errors = [{"field": name, "message": m} for name, messages in form.errors.items() for m in messages]
        raise HttpError(400, "; ".join(f"{e['field']}: {e['message']}" for e in errors))
    sort = form.cleaned_data.get("sort") or "code"
    items = filtered_items(request.campaign, form.cleaned_data)
    if filters.cursor:
        items = items.filter(_after(sort, decode_cursor(filters.cursor)))
    rows = list(items[: filters.limit + 1])
    more = len(rows) > filters.limit
    rows = rows[: filters.limit]
    return {
        "items": [item_out(request, item) for item in rows],
        "next_cursor": encode_cursor(_sort_key(rows[-1], sort)) if more else None,
    }


@operation(
    router,
    "GET",
    "/c/{slug}/items/{int:item_id}/",
    resource="items",
    response=responses({200: ItemDetailOut}, 403, 404),
)
def get_item(request, slug: str, item_id: Id):
    """One item, with its partner units and milestones."""
    return _detail(request, _get_item(request, item_id))


# Writing: the fields resolved as the item form resolves them, then the ledger's actions -----------


class _Choices:
    """The objects an item's ids may name, looked up once for a whole request (one query per kind)."""

    def __init__(self, campaign, rows: list[dict]):
        def ids(name):
            found = set()
            for row in rows:
                value = row.get(name)
                found.update(value if isinstance(value, list) else [value] if value else [])
            return found

        self.units = Unit.objects.filter(is_active=True).in_bulk(ids("owner_unit") | ids("partner_units"))
        self.categories = campaign.categories.in_bulk(ids("category"))
        self.phases = campaign.phases.in_bulk(ids("phase"))
        self.key_tasks = KeyTask.objects.filter(campaign=campaign).in_bulk(ids("key_task"))
        self.parents = Item.objects.filter(campaign=campaign).exclude(status=Status.WITHDRAWN).in_bulk(ids("parent"))


def _resolve(row: dict, choices: _Choices, *, keep_unit: int | None = None) -> tuple[dict, list | None, list, list]:
    """(item fields, partner units or None, milestones or None, errors) of one row of ids."""
    errors = []
    data = {}
    wrong = _("Select a valid choice. That choice is not one of the available choices.")
    pools = {
        "owner_unit": choices.units,
        "category": choices.categories,
        "phase": choices.phases,
        "key_task": choices.key_tasks,
        "parent": choices.parents,
    }
    for name, value in row.items():
        if name in ("partner_units", "milestones", "version"):
            continue
        if name in pools:
            if value is None:
                data[name] = None
                continue
            found = pools[name].get(value)
            if found is None and name == "owner_unit" and value == keep_unit:
                found = Unit.objects.get(pk=value)  # an inactive unit the item already has stays allowed
            if found is None:
                errors.append({"field": name, "message": wrong})
                continue
            data[name] = found
        else:
            data[name] = value
    partners = None
    if row.get("partner_units") is not None:
        partners = []
        for pk in row["partner_units"]:
            if pk in choices.units:
                partners.append(choices.units[pk])
            else:
                errors.append({"field": "partner_units", "message": wrong})
    milestones = None
    if row.get("milestones") is not None:
        milestones = [(point["on"], point["percent"]) for point in row["milestones"]]
    return data, partners, milestones, errors


def _dates_in_order(data: dict, errors: list, item: Item | None = None) -> None:
    starts = data.get("starts_on", item.starts_on if item else None)
    due = data.get("due", item.due if item else None)
    if starts and due and due < starts:
        errors.append({"field": "due", "message": _("The deadline is before the planned start.")})


def _new_items(campaign, rows: list[dict]) -> list[actions.NewItem]:
    """The rows as NewItems for ``create_items``; every row's errors at once (nothing is written on any)."""
    choices = _Choices(campaign, rows)
    taken = set(
        Item.objects.filter(campaign=campaign, code__in=[r["code"] for r in rows]).values_list("code", flat=True)
    )
    seen: set[str] = set()
    built, errors = [], []
    for n, row in enumerate(rows):
        data, partners, milestones, row_errors = _resolve(row, choices)
        data["code"] = data["code"].strip()
        _dates_in_order(data, row_errors)
        if data["code"] in taken or data["code"] in seen:
            row_errors.append({"field": "code", "message": _("An item with this code already exists in the campaign.")})
        seen.add(data["code"])
        if not row_errors:
            probe = Item(campaign=campaign, **data)
            try:
                probe.clean_fields(
                    exclude={f.name for f in Item._meta.concrete_fields} - set(data) | set(actions.FOREIGN_KEYS)
                )
                if milestones:
                    actions.validate_milestones(
                        milestones, starts_on=probe.starts_on or campaign.starts_on, due=probe.due
                    )
            except ValidationError as error:
                row_errors += [
                    {"field": field, "message": message}
                    for field, messages in error.message_dict.items()
                    for message in messages
                ]
        errors += [{"row": n, **error} for error in row_errors]
        built.append(actions.NewItem(data, partners or (), milestones))
    if errors:
        raise RowErrors(errors)
    return built


@operation(
    router,
    "POST",
    "/c/{slug}/items/",
    resource="items",
    write=True,
    response=responses({201: ItemDetailOut}, 403, 404, 422),
)
def create_item(request, slug: str, payload: ItemIn):
    """Add an item (the office): ``ledger.actions.create_items``, as the new-item page."""
    _require_office(request)
    try:
        new = _new_items(request.campaign, [payload.dict()])
    except RowErrors as error:
        raise RowErrors([{k: v for k, v in e.items() if k != "row"} for e in error.errors]) from None
    item = actions.create_items(campaign=request.campaign, items=new, acting_user=request.user)[0]
    return Answer(201, _detail(request, _get_item(request, item.pk)))


def _require_office(request) -> None:
    if not request.access.is_office:
        raise PermissionDenied(_("Only the campaign office can add items."))


@operation(
    router,
    "POST",
    "/c/{slug}/items/bulk/",
    resource="items",
    write=True,
    response=responses({201: ItemBulkOut}, 403, 404, 422),
)
def create_items_bulk(request, slug: str, payload: ItemBulkIn):
    """Add up to 1,000 items at once, all or nothing; a row that cannot be written is named with its errors."""
    _require_office(request)
    new = _new_items(request.campaign, [row.dict() for row in payload.items])
    created = actions.create_items(campaign=request.campaign, items=new, acting_user=request.user)
    return Answer(201, {"created": len(created), "ids": [item.pk for item in created]})


def _expected_version(request, payload: ItemPatch) -> int:
    match = request.headers.get("If-Match", "").strip()
    if match:
        value = match.removeprefix("W/").strip('"').removeprefix("v")
        if not value.isascii() or not value.isdigit() or len(value) > 10:
            raise HttpError(400, _("If-Match takes the item's version as “v<version>”."))
        return int(value)
    if payload.version is None:
        raise HttpError(
            400, _("Send the version you read (the “version” field, or an If-Match header): a stale write is refused.")
        )
    return payload.version


@operation(
    router,
    "PATCH",
    "/c/{slug}/items/{int:item_id}/",
    resource="items",
    write=True,
    response=responses({200: ItemDetailOut}, 400, 403, 404, 409, 422),
)
def update_item(request, slug: str, item_id: Id, payload: ItemPatch):
    """Change an item's fields (the office): ``ledger.actions.update_item``; 409 when it changed since you read it."""
    item = _get_item(request, item_id)
    request.access.require(request.access.can_edit_item(item), _("Only the campaign office can edit items."))
    expected = _expected_version(request, payload)
    row = payload.dict(exclude_unset=True)
    row.pop("version", None)
    data, partners, milestones, errors = _resolve(row, _Choices(request.campaign, [row]), keep_unit=item.owner_unit_id)
    for name in (
        "code",
        "title",
        "owner_unit",
        "scope",
        "content",
        "measures",
        "lead",
        "owner",
        "due_text",
        "note",
        "weight",
    ):
        if name in data and data[name] is None:
            errors.append({"field": name, "message": _("This field cannot be empty.")})
    if "code" in data and data["code"] is not None:
        data["code"] = data["code"].strip()
        if Item.objects.filter(campaign=request.campaign, code=data["code"]).exclude(pk=item.pk).exists():
            errors.append({"field": "code", "message": _("An item with this code already exists in the campaign.")})
    if "parent" in data and data["parent"] is not None and data["parent"].pk == item.pk:
        errors.append({"field": "parent", "message": _("An item cannot be below itself.")})
    _dates_in_order(data, errors, item)
    if errors:
        raise RowErrors(errors)
    updated = actions.update_item(
        item,
        data=data,
        partner_units=partners,
        milestones=milestones,
        expected_version=expected,
        acting_user=request.user,
    )
    return Answer(200, _detail(request, _get_item(request, updated.pk)))


# Progress -----------------------------------------------------------------------------------------


def progress_out(entry: ProgressEntry) -> dict:
    return {
        "id": entry.pk,
        "item": entry.item_id,
        "as_of": entry.as_of,
        "period_label": entry.period_label,
        "percent": entry.percent,
        "done": entry.done,
        "difficulties": entry.difficulties,
        "next_steps": entry.next_steps,
        "corrects": entry.corrects_id,
        "author": str(entry.author) if entry.author_id else "",
        "created_at": entry.created_at,
    }


class ProgressQuery(Schema):
    cursor: text(2000) | None = None
    limit: int = Field(50, ge=1, le=200)


@operation(
    router,
    "GET",
    "/c/{slug}/items/{int:item_id}/progress/",
    resource="progress",
    response=responses({200: ProgressPage}, 400, 403, 404),
)
def list_progress(request, slug: str, item_id: Id, query: Query[ProgressQuery]):
    """An item's progress entries, newest first (the ledger is shared: every role in the campaign reads them)."""
    item = _get_item(request, item_id)
    entries = item.progress_entries.select_related("author").order_by("-created_at", "-id")
    if query.cursor:
        values = decode_cursor(query.cursor)
        if len(values) != 2:
            raise HttpError(400, _("The cursor cannot be read: use the next_cursor of the page before."))
        entries = entries.filter(Q(created_at__lt=values[0]) | Q(created_at=values[0], id__lt=values[1]))
    rows = list(entries[: query.limit + 1])
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    last = rows[-1] if rows else None
    return {
        "entries": [progress_out(entry) for entry in rows],
        "next_cursor": encode_cursor([last.created_at.isoformat(), last.pk]) if more and last else None,
    }


def _report(item: Item, row: dict) -> actions.NewProgress:
    return actions.NewProgress(
        item=item,
        percent=row["percent"],
        done=row["done"],
        difficulties=row.get("difficulties") or "",
        next_steps=row.get("next_steps") or "",
        period_label=row.get("period_label") or "",
        as_of=row.get("as_of"),
    )


@operation(
    router,
    "POST",
    "/c/{slug}/items/{int:item_id}/progress/",
    resource="progress",
    write=True,
    response=responses({201: ProgressOut}, 403, 404, 422),
)
def add_progress(request, slug: str, item_id: Id, payload: ProgressIn):
    """Append a progress entry (the owner unit's liaisons, the office): ``ledger.actions.add_progress``."""
    item = _get_item(request, item_id)
    entry = actions.add_progress_many(
        campaign=request.campaign, reports=[_report(item, payload.dict())], acting_user=request.user
    )[0]
    return Answer(201, progress_out(entry))


@operation(
    router,
    "POST",
    "/c/{slug}/progress/bulk/",
    resource="progress",
    write=True,
    response=responses({201: ProgressBulkOut}, 403, 404, 422),
)
def add_progress_bulk(request, slug: str, payload: ProgressBulkIn):
    """Append up to 1,000 progress entries, all or nothing: ``ledger.actions.add_progress_many``."""
    rows = [row.dict() for row in payload.entries]
    items = (
        Item.objects.select_related("campaign", "owner_unit")
        .filter(campaign=request.campaign)
        .in_bulk({row["item"] for row in rows})
    )
    parents = set(Item.objects.filter(parent_id__in=list(items)).values_list("parent_id", flat=True).distinct())
    errors = []
    for n, row in enumerate(rows):
        item = items.get(row["item"])
        if item is None:
            errors.append({"row": n, "field": "item", "message": _("There is no such item in this campaign.")})
        elif not request.access.can_report_progress(item):
            errors.append(
                {"row": n, "field": "item", "message": _("You can report progress only on your own unit's open items.")}
            )
        elif item.pk in parents:
            errors.append(
                {
                    "row": n,
                    "field": "item",
                    "message": _("This item's progress comes from its sub-items; report on them."),
                }
            )
        elif not row["done"].strip():
            errors.append({"row": n, "field": "done", "message": _("Say what was done.")})
    if errors:
        raise RowErrors(errors)
    entries = actions.add_progress_many(
        campaign=request.campaign, reports=[_report(items[row["item"]], row) for row in rows], acting_user=request.user
    )
    return Answer(201, {"created": len(entries), "ids": [entry.pk for entry in entries]})
