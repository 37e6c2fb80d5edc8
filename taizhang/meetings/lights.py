"""A decision's light, by the ledger's rule: compute_light reads a decision as it reads an item.

A decision has what the rule needs of an item — a status, a percent, a deadline, a start (the
meeting's day) and a campaign whose thresholds apply — so the same function judges both: a
decision past its deadline is red, one not started long after the meeting yellow or red, one
near its deadline blue. Reports missed, instructions and rectifications are facts about items
only, so they are left at zero here.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from taizhang.ledger.lights import LightVerdict, compute_light
from taizhang.ledger.models import Status

from .models import Decision

AS_ITEM_STATUS = {
    Decision.Status.ASSIGNED: Status.NOT_STARTED,
    Decision.Status.IN_PROGRESS: Status.IN_PROGRESS,
    Decision.Status.DONE: Status.COMPLETED,
    Decision.Status.CLOSED: Status.CLOSED,
}


@dataclass(frozen=True)
class DecisionAsItem:
    """The fields of an item compute_light reads, taken from a decision."""

    campaign: object
    status: str
    percent: int
    due: datetime.date
    starts_on: datetime.date


def decision_light(decision: Decision, today: datetime.date | None = None) -> LightVerdict:
    today = today or timezone.localdate()
    meeting = decision.meeting
    facts = DecisionAsItem(
        campaign=decision.campaign,
        status=AS_ITEM_STATUS[decision.status],
        percent=100 if decision.is_finished else decision.percent,
        due=decision.deadline,
        starts_on=timezone.localdate(meeting.starts_at),
    )
    return compute_light(facts, today)
