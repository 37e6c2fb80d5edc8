"""Problems from the people (群众诉求) through the API: the office's triage list, recording one, triaging it.

Names, phones and emails are the office's to see on its pages only: the API never returns them.
"""

import datetime
from typing import Literal

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja import Status as Answer
from ninja.errors import HttpError

from taizhang.ledger.models import Item
from taizhang.orgs.models import Unit
from taizhang.people import actions
from taizhang.people.models import Channel, Demand, DemandStatus

from .core import decode_cursor, encode_cursor, operation, responses
from .schemas import Date, Id, text

router = Router(tags=["problems"])


class ProblemOut(Schema):
    id: int
    tracking_code: str
    channel: str
    category: int | None
    unit: int | None
    text: str
    status: str
    reply: str
    items: list[int]
    duplicate_of: int | None
    created_at: datetime.datetime


class ProblemPage(Schema):
    problems: list[ProblemOut]
    next_cursor: str | None = None


class ProblemQuery(Schema):
    status: Literal[tuple(DemandStatus.values)] | None = None  # type: ignore[valid-type]
    cursor: text(2000) | None = None
    limit: int = Field(50, ge=1, le=200)


class ProblemIn(Schema):
    """A problem gathered by staff (a visit, a hearing, a discussion, the hotline …)."""

    text: text(5000, min_length=1)
    channel: Literal[tuple(Channel.values)] = Channel.VISIT  # type: ignore[valid-type]
    category: Id | None = None
    unit: Id | None = None
    collected_on: Date | None = None
    place: text(200) = ""
    collected_by: text(100) = ""


class TriageIn(Schema):
    """``link`` to an item, ``merge`` into another problem, or ``answer`` with a reply."""

    action: Literal["link", "merge", "answer"]
    item: Id | None = None
    into: Id | None = None
    reply: text(5000) | None = None


def _out(demand: Demand) -> dict:
    return {
        "id": demand.pk,
        "tracking_code": demand.tracking_code,
        "channel": demand.channel,
        "category": demand.category_id,
        "unit": demand.unit_id,
        "text": demand.text,
        "status": demand.status,
        "reply": demand.reply,
        "items": sorted(item.pk for item in demand.items.all()),
        "duplicate_of": demand.duplicate_of_id,
        "created_at": demand.created_at,
    }


def _office(request) -> None:
    request.access.require(request.access.is_office, _("Only the campaign office does this."))


@operation(router, "GET", "/c/{slug}/problems/", resource="problems", response=responses({200: ProblemPage}, 403, 404))
def list_problems(request, slug: str, query: Query[ProblemQuery]):
    """The office's triage list, newest first (no names, phones or emails)."""
    _office(request)
    demands = Demand.objects.filter(campaign=request.campaign).prefetch_related("items").order_by("-id")
    if query.status:
        demands = demands.filter(status=query.status)
    if query.cursor:
        values = decode_cursor(query.cursor)
        if len(values) != 1 or not isinstance(values[0], int):
            raise HttpError(400, _("The cursor cannot be read: use the next_cursor of the page before."))
        demands = demands.filter(Q(id__lt=values[0]))
    rows = list(demands[: query.limit + 1])
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    return {"problems": [_out(d) for d in rows], "next_cursor": encode_cursor([rows[-1].pk]) if more else None}


@operation(
    router,
    "POST",
    "/c/{slug}/problems/",
    resource="problems",
    write=True,
    response=responses({201: ProblemOut}, 403, 404, 422),
)
def create_problem(request, slug: str, payload: ProblemIn):
    """Record a problem gathered by staff (the office, leaders): ``people.actions.submit_demand``."""
    data = payload.dict()
    if data["category"] is not None:
        data["category"] = get_object_or_404(request.campaign.categories, pk=data["category"])
    if data["unit"] is not None:
        data["unit"] = get_object_or_404(Unit, pk=data["unit"], is_active=True)
    demand = actions.submit_demand(campaign=request.campaign, data=data, acting_user=request.user)
    return Answer(201, _out(demand))


@operation(
    router,
    "POST",
    "/c/{slug}/problems/{int:problem_id}/triage/",
    resource="problems",
    write=True,
    response=responses({200: ProblemOut}, 403, 404, 422),
)
def triage_problem(request, slug: str, problem_id: Id, payload: TriageIn):
    """Triage a problem (the office): link it to an item, merge it into another, or answer it."""
    _office(request)
    demand = get_object_or_404(Demand, campaign=request.campaign, pk=problem_id)
    if payload.action == "link":
        if payload.item is None:
            raise HttpError(422, _("Choose the item."))
        item = get_object_or_404(Item, campaign=request.campaign, pk=payload.item)
        demand = actions.link_demand(demand, item, acting_user=request.user)
    elif payload.action == "merge":
        if payload.into is None:
            raise HttpError(422, _("Choose the problem it is the same as."))
        into = get_object_or_404(Demand, campaign=request.campaign, pk=payload.into)
        demand = actions.merge_demand(demand, into=into, acting_user=request.user)
    else:
        demand = actions.answer_demand(demand, reply=payload.reply or "", acting_user=request.user)
    demand = Demand.objects.prefetch_related("items").get(pk=demand.pk)
    return Answer(200, _out(demand))
