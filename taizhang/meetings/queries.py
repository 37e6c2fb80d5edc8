"""Reading meetings and decisions as each person may: the overseers everything, a liaison its own line."""

from django.db.models import Q

from taizhang.orgs.access import Access
from taizhang.orgs.queries import under

from .models import Decision, Meeting


def visible_decisions(campaign, access: Access):
    decisions = Decision.objects.filter(campaign=campaign)
    if access.is_overseer:
        return decisions
    own = under([u.path for u in access.liaison_units], "owner_unit")
    return decisions.filter(own) if own is not None else decisions.none()


def visible_meetings(campaign, access: Access):
    meetings = Meeting.objects.filter(campaign=campaign)
    if access.is_overseer:
        return meetings
    own = under([u.path for u in access.liaison_units], "decisions__owner_unit")
    if own is None:
        return meetings.none()
    return meetings.filter(pk__in=Meeting.objects.filter(Q(campaign=campaign) & own).values("pk"))
