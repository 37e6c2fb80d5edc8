"""Published bulletins (信息简报) through the API: what the public site shows, frozen at publication."""

import datetime

from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Router, Schema

from taizhang.bulletins.models import Bulletin

from .core import operation, responses
from .schemas import Id

router = Router(tags=["bulletins"])


class BulletinOut(Schema):
    id: int
    year: int
    number: int
    masthead: str
    issued_on: datetime.date
    published_at: datetime.datetime | None
    corrects: int | None
    url: str


class BulletinDetailOut(BulletinOut):
    foreword: str
    figures: list
    cases: list


def _out(request, bulletin: Bulletin) -> dict:
    return {
        "id": bulletin.pk,
        "year": bulletin.year,
        "number": bulletin.number,
        "masthead": bulletin.masthead,
        "issued_on": bulletin.issued_on,
        "published_at": bulletin.published_at,
        "corrects": bulletin.corrects_id,
        "url": reverse("bulletins:public_bulletin", args=[request.campaign.slug, bulletin.year, bulletin.number]),
    }


def _published(request):
    return Bulletin.objects.filter(campaign=request.campaign, status=Bulletin.Status.PUBLISHED)


@operation(
    router, "GET", "/c/{slug}/bulletins/", resource="bulletins", response=responses({200: list[BulletinOut]}, 403, 404)
)
def list_bulletins(request, slug: str):
    """The campaign's published bulletins, newest first (a few a year: no paging)."""
    return [_out(request, b) for b in _published(request).order_by("-year", "-number")]


@operation(
    router,
    "GET",
    "/c/{slug}/bulletins/{int:bulletin_id}/",
    resource="bulletins",
    response=responses({200: BulletinDetailOut}, 403, 404),
)
def get_bulletin(request, slug: str, bulletin_id: Id):
    """One published bulletin with its figures and cases as frozen when it was published."""
    bulletin = get_object_or_404(_published(request), pk=bulletin_id)
    return {
        **_out(request, bulletin),
        "foreword": bulletin.foreword,
        "figures": bulletin.frozen_figures,
        "cases": bulletin.frozen_cases,
    }
