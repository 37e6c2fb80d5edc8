"""Notices on decisions: when one is assigned, before its deadline and after it — exactly once each.

Messages go to the owner unit's liaisons (or the nearest ones above it) through taizhang.notices,
whose dedupe key (reason, scope, recipient) makes each one once however often this runs.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.notices.models import Reason
from taizhang.notices.rhythm import _liaisons, liaisons_for
from taizhang.notices.sending import notify

from .models import Decision


def _tell(decision: Decision, scope: str, subject: str, body: str, grants=None) -> int:
    campaign = decision.campaign
    grants = _liaisons(campaign) if grants is None else grants
    made = 0
    for user in liaisons_for(decision.owner_unit, grants):
        made += bool(
            notify(
                reason=Reason.DECISION,
                scope=scope,
                subject=subject,
                body=body,
                url=decision.get_absolute_url(),
                campaign=campaign,
                user=user,
            )
        )
    return made


def _words(decision: Decision) -> dict:
    return {
        "meeting": decision.meeting.title,
        "n": decision.seq,
        "text": decision.text[:200],
        "date": decision.deadline.isoformat(),
        "unit": decision.owner_unit.name,
    }


def notify_assigned(decision: Decision) -> int:
    """The owner unit is told of a decision assigned to it (once per decision and unit)."""
    decision = Decision.objects.select_related("meeting", "campaign", "owner_unit").get(pk=decision.pk)
    words = _words(decision)
    return _tell(
        decision,
        f"decision{decision.pk}:assigned:unit{decision.owner_unit_id}",
        _("Decision assigned to %(unit)s: %(meeting)s, No. %(n)d") % words,
        _("%(text)s — to be done by %(date)s.") % words,
    )


def send_decision_reminders(campaign, *, today: datetime.date | None = None) -> int:
    """Before the deadline (the campaign's "near the deadline" days) and after it: one notice each."""
    today = today or timezone.localdate()
    near = today + datetime.timedelta(days=campaign.blue_days_before_due)
    decisions = (
        Decision.objects.filter(campaign=campaign, deadline__lte=near)
        .unfinished()
        .select_related("meeting", "campaign", "owner_unit")
        .order_by("deadline", "pk")
    )
    grants = _liaisons(campaign)
    made = 0
    for decision in decisions:
        words = _words(decision)
        if decision.deadline >= today:
            made += _tell(
                decision,
                f"decision{decision.pk}:near:{decision.deadline.isoformat()}",
                _("Decision due on %(date)s: %(meeting)s, No. %(n)d") % words,
                _("%(text)s — its deadline is %(date)s; report progress or mark it done.") % words,
                grants,
            )
        else:
            made += _tell(
                decision,
                f"decision{decision.pk}:missed:{decision.deadline.isoformat()}",
                _("Decision overdue: %(meeting)s, No. %(n)d") % words,
                _("%(text)s — the deadline %(date)s has passed and it is not done.") % words,
                grants,
            )
    return made
