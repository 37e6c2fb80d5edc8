"""Campaigns and units through the API: what a program needs to name things (ids of units, categories, phases).

A person reads the campaigns they have a role in (an integration token: its own campaign only) and, inside
one, the unit tree as the pages show it (every role reads it: units are named on every item).
"""

import datetime

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from taizhang.campaigns.models import Campaign
from taizhang.lib.text import search_key
from taizhang.orgs.models import Role, RoleGrant, Unit

from .core import decode_cursor, encode_cursor, operation, responses
from .schemas import Id, QueryId, text

router = Router(tags=["campaigns and units"])


class CampaignOut(Schema):
    slug: str
    name: str
    starts_on: datetime.date
    ends_on: datetime.date
    is_active: bool
    roles: list[str] = Field(description="The token's person's roles in the campaign.")


class NamedOut(Schema):
    id: int
    name: str
    order: int


class PhaseOut(NamedOut):
    starts_on: datetime.date | None
    ends_on: datetime.date | None


class CampaignDetailOut(CampaignOut):
    description: str
    categories: list[NamedOut]
    phases: list[PhaseOut]


class UnitOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    parent: int | None
    depth: int
    is_active: bool


class UnitPage(Schema):
    units: list[UnitOut]
    next_cursor: str | None = Field(None, description="Pass as ?cursor= for the next page; null on the last one.")


class UnitFilters(Schema):
    q: text(100) | None = Field(None, description="Part of the name, short name or an alias.")
    parent: QueryId | None = Field(None, description="A unit id: only the units directly below it.")
    under: QueryId | None = Field(None, description="A unit id: it and every unit below it.")
    active: bool | None = Field(None, description="Only active (true) or inactive (false) units.")
    cursor: text(2000) | None = None
    limit: int = Field(100, ge=1, le=500)


def _campaign_out(campaign: Campaign, roles: set[str]) -> dict:
    return {
        "slug": campaign.slug,
        "name": campaign.name,
        "starts_on": campaign.starts_on,
        "ends_on": campaign.ends_on,
        "is_active": campaign.is_active,
        "roles": sorted(roles),
    }


@operation(router, "GET", "/campaigns/", resource="campaigns", response=responses({200: list[CampaignOut]}, 403))
def list_campaigns(request):
    """The campaigns the token's person has a role in (an integration token: its own campaign only)."""
    token = request.auth
    roles: dict[int, set[str]] = {}
    for campaign_id, role in RoleGrant.objects.filter(user=request.user).values_list("campaign_id", "role"):
        roles.setdefault(campaign_id, set()).add(role)
    campaigns = Campaign.objects.order_by("-starts_on", "slug")
    if request.user.is_superuser:
        for campaign_id in campaigns.values_list("pk", flat=True):
            roles.setdefault(campaign_id, set()).add(Role.OFFICE)
    if token.campaign_id is not None:
        roles = {token.campaign_id: roles.get(token.campaign_id, set())}
    return [_campaign_out(c, roles[c.pk]) for c in campaigns.filter(pk__in=[pk for pk, r in roles.items() if r])]


@operation(router, "GET", "/c/{slug}/", resource="campaigns", response=responses({200: CampaignDetailOut}, 403, 404))
def get_campaign(request, slug: str):
    """One campaign with its categories and phases (the ids items name)."""
    campaign = request.campaign
    return {
        **_campaign_out(campaign, request.access.roles),
        "description": campaign.description,
        "categories": [
            {"id": c.pk, "name": c.name, "order": c.order} for c in campaign.categories.order_by("order", "pk")
        ],
        "phases": [
            {"id": p.pk, "name": p.name, "order": p.order, "starts_on": p.starts_on, "ends_on": p.ends_on}
            for p in campaign.phases.order_by("order", "pk")
        ],
    }


def unit_out(unit: Unit) -> dict:
    return {
        "id": unit.pk,
        "name": unit.name,
        "short_name": unit.short_name,
        "kind": unit.kind,
        "parent": unit.parent_id,
        "depth": unit.depth,
        "is_active": unit.is_active,
    }


@operation(router, "GET", "/c/{slug}/units/", resource="units", response=responses({200: UnitPage}, 400, 403, 404))
def list_units(request, slug: str, filters: Query[UnitFilters]):
    """The unit tree in its order (parents before their units), by cursor; filtered by name, parent or branch."""
    units = Unit.objects.order_by("path")
    if filters.q:
        units = units.filter(search_text__contains=search_key(filters.q))
    if filters.parent is not None:
        units = units.filter(parent_id=filters.parent)
    if filters.under is not None:
        top = Unit.objects.filter(pk=filters.under).values_list("path", flat=True).first()
        units = units.filter(path__startswith=top) if top is not None else units.none()
    if filters.active is not None:
        units = units.filter(is_active=filters.active)
    if filters.cursor:
        values = decode_cursor(filters.cursor)
        if len(values) != 1 or not isinstance(values[0], str):
            raise HttpError(400, _("The cursor cannot be read: use the next_cursor of the page before."))
        units = units.filter(Q(path__gt=values[0]))
    rows = list(units[: filters.limit + 1])
    more = len(rows) > filters.limit
    rows = rows[: filters.limit]
    return {
        "units": [unit_out(unit) for unit in rows],
        "next_cursor": encode_cursor([rows[-1].path]) if more else None,
    }


@operation(
    router, "GET", "/c/{slug}/units/{int:unit_id}/", resource="units", response=responses({200: UnitOut}, 403, 404)
)
def get_unit(request, slug: str, unit_id: Id):
    """One unit."""
    return unit_out(get_object_or_404(Unit, pk=unit_id))
