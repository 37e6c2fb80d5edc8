"""Reads over teams, inspections and findings: who sees which, the light facts, the sample, the three lists."""

import datetime
from collections.abc import Collection
from typing import NamedTuple

from django.db.models import Q

from taizhang.ledger.lights import CHUNK
from taizhang.ledger.models import FINISHED_STATUSES, Item
from taizhang.lib.paging import IdPaginator
from taizhang.orgs.access import Access
from taizhang.orgs.queries import under

from .models import Finding, InspectionTeam

OPEN_STATES = (Finding.State.OPEN, Finding.State.ANSWERED, Finding.State.RETURNED)
# What the unit still has to do (an answered finding waits for the inspector, not for the unit).
TO_RECTIFY = (Finding.State.OPEN, Finding.State.RETURNED)
SAMPLE_SIZE = 10
# What a row of the findings table reads (inspections.templatetags finding_rows), and nothing more.
ROW_FIELDS = (
    "id",
    "campaign_id",
    "unit_id",
    "item_id",
    "description",
    "category",
    "severity",
    "deadline",
    "state",
    "unit__name",
    "unit__short_name",
    "item__code",
    "item__light",
    "item__light_code",
    "item__light_n",
)


# The light loader's fact -------------------------------------------------------------------


def rectification_overdue(campaign, on: datetime.date, item_ids: Collection[int] | None) -> dict[int, int]:
    """Item id → days its most overdue rectification is late: findings on items not verified by their deadline."""
    rows = Finding.objects.filter(
        campaign=campaign, item__isnull=False, state__in=OPEN_STATES, deadline__lt=on
    ).values_list("item_id", "deadline")
    chunks = (
        [rows]
        if item_ids is None
        else [rows.filter(item_id__in=list(item_ids)[i : i + CHUNK]) for i in range(0, len(item_ids), CHUNK)]
    )
    late: dict[int, int] = {}
    for chunk in chunks:
        for item_id, deadline in chunk.order_by():
            late[item_id] = max(late.get(item_id, 0), (on - deadline).days)
    return late


# Who is on which team -------------------------------------------------------------------------


def teams_of(user, campaign):
    """The teams of the campaign the person leads or is a member of."""
    if not user.is_authenticated:
        return InspectionTeam.objects.none()
    return InspectionTeam.objects.filter(Q(leader=user) | Q(members=user), campaign=campaign).distinct()


def team_covers(team: InspectionTeam, unit) -> bool:
    """A team covers the units it names and every unit below them."""
    return any(unit.path.startswith(covered.path) for covered in team.units.all())


def is_on_team(user, team: InspectionTeam) -> bool:
    return user.is_authenticated and (team.leader_id == user.pk or team.members.filter(pk=user.pk).exists())


# Findings a person reads ---------------------------------------------------------------------


def visible_findings(access: Access):
    """The campaign's findings this person reads: overseers all of them, a liaison those about its units."""
    findings = Finding.objects.filter(campaign=access.campaign)
    if access.is_overseer:
        return findings
    if access.liaison_units:
        return findings.filter(under([u.path for u in access.liaison_units], "unit"))
    return findings.none()


class _UnitBit(NamedTuple):
    name: str
    short_name: str

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class _ItemBit(NamedTuple):
    code: str
    light: str
    light_code: str
    light_n: int


class FindingRow(NamedTuple):
    """A row of the findings table as read for a page: the columns it shows, no model instances (a page of
    50 findings with their units and items was 150 models to build, more than the page's queries)."""

    pk: int
    item_id: int | None
    description: str
    category: str
    severity: str
    deadline: datetime.date
    state: str
    unit: _UnitBit
    item: _ItemBit | None


# The page's rows: ROW_FIELDS without the ids the page already knows (campaign, unit), keyed by pk.
PAGE_ROW_FIELDS = ("pk", "item_id", *ROW_FIELDS[ROW_FIELDS.index("description") :])


class FindingPaginator(IdPaginator):
    """Pages of the findings table: the filters choose the ids; the page's rows then come by id alone, as
    :class:`FindingRow`. Repeating the filters (the team's inspections, the unit's subtree) on the page's
    query only made the database join again for rows it had already chosen."""

    def _get_page(self, object_list, number, paginator):
        ids = list(object_list)
        by_id = {}
        for pk, item_id, *own, name, short, code, light, light_code, light_n in (
            Finding.objects.filter(pk__in=ids).order_by().values_list(*PAGE_ROW_FIELDS)
        ):
            item = _ItemBit(code, light, light_code, light_n) if item_id else None
            by_id[pk] = FindingRow(pk, item_id, *own, _UnitBit(name, short), item)
        return super(IdPaginator, self)._get_page([by_id[pk] for pk in ids if pk in by_id], number, paginator)


def open_findings_under(access: Access, unit):
    """The open findings (rectifications not yet verified) about the unit and the units below it that this
    person reads, the nearest deadline first, loaded as a row of the findings table reads them."""
    return (
        visible_findings(access)
        .filter(unit__path__startswith=unit.path, state__in=OPEN_STATES)
        .select_related("unit", "item")
        .only(*ROW_FIELDS)
        .order_by("deadline", "id")
    )


def can_read_finding(access: Access, finding: Finding) -> bool:
    return finding.campaign_id == access.campaign.pk and access.can_read_unit_work(finding.unit)


def overdue(findings, today: datetime.date):
    """Findings still open past their rectification deadline."""
    return findings.filter(state__in=OPEN_STATES, deadline__lt=today)


# The sample an inspection proposes ------------------------------------------------------------


def proposed_sample(campaign, unit, size: int = SAMPLE_SIZE) -> list[Item]:
    """Items of the unit to check: red first, then yellow and blue, overdue before the rest, then by deadline."""
    return list(
        Item.objects.filter(campaign=campaign, owner_unit=unit)
        .exclude(status__in=FINISHED_STATUSES)
        .order_by("-light_rank", "due", "code")
        .only("pk", "code", "title", "light", "light_code", "light_n", "due")[:size]
    )


def unit_or_none(value):
    """The active unit a form's raw value names, or None (a proposal never fails on a bad value)."""
    from taizhang.orgs.models import Unit

    return (
        Unit.objects.filter(pk=int(value), is_active=True).first()
        if str(value or "").isdigit() and len(str(value)) < 12
        else None
    )
