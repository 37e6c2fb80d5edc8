"""Reminders about activities: the day before a planned one, and when a past one has no record yet.

Each goes to the organising unit's liaisons (the nearest ones above when it has none), once: the
notice's dedupe key is the activity and the kind of reminder.
"""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.notices.models import Reason
from taizhang.notices.rhythm import liaisons_for
from taizhang.notices.sending import notify
from taizhang.orgs.models import Role, RoleGrant

from .models import Activity

REMIND_BEFORE = datetime.timedelta(hours=24)
# A record is missing when a planned activity ended this long ago and is still neither held nor cancelled.
RECORD_GRACE = datetime.timedelta(hours=12)
RECORD_WITHIN = datetime.timedelta(days=14)


def send_activity_reminders(campaign, *, now: datetime.datetime | None = None) -> int:
    """Make the reminders due at ``now``; returns how many were made (a second run makes none)."""
    now = now or timezone.now()
    grants = list(RoleGrant.objects.filter(campaign=campaign, role=Role.LIAISON).select_related("user", "unit"))
    planned = Activity.objects.filter(campaign=campaign, state=Activity.State.PLANNED).select_related("unit")
    made = 0
    for activity in planned.filter(starts_at__gt=now, starts_at__lte=now + REMIND_BEFORE):
        when = timezone.localtime(activity.starts_at).strftime("%Y-%m-%d %H:%M")
        made += _tell(
            campaign,
            activity,
            grants,
            "before",
            _("Activity tomorrow: %(title)s") % {"title": activity.title},
            _("%(title)s of %(unit)s starts at %(when)s, %(place)s.")
            % {"title": activity.title, "unit": activity.unit.name, "when": when, "place": activity.place or "—"},
        )
    for activity in planned.filter(ends_at__lte=now - RECORD_GRACE, ends_at__gt=now - RECORD_WITHIN):
        made += _tell(
            campaign,
            activity,
            grants,
            "missing",
            _("Record missing: %(title)s") % {"title": activity.title},
            _("%(title)s of %(unit)s was planned for %(when)s: record its attendance, or say it was cancelled.")
            % {
                "title": activity.title,
                "unit": activity.unit.name,
                "when": timezone.localtime(activity.starts_at).strftime("%Y-%m-%d"),
            },
        )
    return made


def _tell(campaign, activity, grants, kind: str, subject: str, body: str) -> int:
    url = reverse("study:activity_detail", args=[campaign.slug, activity.pk])
    return sum(
        bool(
            notify(
                reason=Reason.ACTIVITY,
                scope=f"activity{activity.pk}:{kind}",
                campaign=campaign,
                user=user,
                subject=subject,
                body=body,
                url=url,
            )
        )
        for user in liaisons_for(activity.unit, grants)
    )
