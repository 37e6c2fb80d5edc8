"""Inspection findings and their rectifications through the API, read-only, as the inspections pages show them."""

import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from taizhang.inspections.models import Finding
from taizhang.inspections.queries import can_read_finding, visible_findings

from .core import decode_cursor, encode_cursor, operation, responses
from .schemas import Id, text

router = Router(tags=["findings"])


class RectificationOut(Schema):
    id: int
    measures: str
    done: bool
    answered_at: datetime.datetime


class FindingOut(Schema):
    id: int
    unit: int
    unit_name: str
    item: int | None
    category: str
    severity: str
    description: str
    required: str
    found_on: datetime.date
    deadline: datetime.date
    responsible: str
    state: str
    measures: str
    return_reason: str
    verified_at: datetime.datetime | None


class FindingDetailOut(FindingOut):
    rectifications: list[RectificationOut]


class FindingPage(Schema):
    findings: list[FindingOut]
    next_cursor: str | None = None


class FindingQuery(Schema):
    state: Literal[tuple(Finding.State.values)] | None = None  # type: ignore[valid-type]
    cursor: text(2000) | None = None
    limit: int = Field(50, ge=1, le=200)


def _out(finding: Finding) -> dict:
    return {
        "id": finding.pk,
        "unit": finding.unit_id,
        "unit_name": str(finding.unit),
        "item": finding.item_id,
        "category": finding.category,
        "severity": finding.severity,
        "description": finding.description,
        "required": finding.required,
        "found_on": finding.found_on,
        "deadline": finding.deadline,
        "responsible": finding.responsible,
        "state": finding.state,
        "measures": finding.measures,
        "return_reason": finding.return_reason,
        "verified_at": finding.verified_at,
    }


@operation(router, "GET", "/c/{slug}/findings/", resource="findings", response=responses({200: FindingPage}, 403, 404))
def list_findings(request, slug: str, query: Query[FindingQuery]):
    """The findings this person reads (overseers all, a liaison its units'), newest first."""
    findings = visible_findings(request.access).select_related("unit").order_by("-id")
    if query.state:
        findings = findings.filter(state=query.state)
    if query.cursor:
        values = decode_cursor(query.cursor)
        if len(values) != 1 or not isinstance(values[0], int):
            raise HttpError(400, _("The cursor cannot be read: use the next_cursor of the page before."))
        findings = findings.filter(id__lt=values[0])
    rows = list(findings[: query.limit + 1])
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    return {"findings": [_out(f) for f in rows], "next_cursor": encode_cursor([rows[-1].pk]) if more else None}


@operation(
    router,
    "GET",
    "/c/{slug}/findings/{int:finding_id}/",
    resource="findings",
    response=responses({200: FindingDetailOut}, 403, 404),
)
def get_finding(request, slug: str, finding_id: Id):
    """One finding with its rectification answers (evidence files stay on the pages, for their readers)."""
    finding = get_object_or_404(Finding.objects.select_related("unit"), campaign=request.campaign, pk=finding_id)
    if not can_read_finding(request.access, finding):
        raise PermissionDenied(_("You can see only your own units' findings."))
    rows = finding.rectifications.order_by("answered_at", "id")
    return {
        **_out(finding),
        "rectifications": [
            {"id": r.pk, "measures": r.measures, "done": r.done, "answered_at": r.answered_at} for r in rows
        ],
    }
