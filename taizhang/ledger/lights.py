"""Warning lights (亮灯): one function decides an item's light and says why, in words.

The thresholds are campaign settings. 序时进度 (the percent that should be
done by now) runs linearly from the item's planned start to its deadline, or
through its milestones when it has them. Missed reports (in a row, from the
reporting rhythm) count for every item, and alone for ongoing items (no
deadline). An item a leader has given an instruction on (批示) starts one
level higher.
"""

import datetime
import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Light, Status

SEVERITY = {Light.NONE: 0, Light.GREEN: 1, Light.BLUE: 2, Light.YELLOW: 3, Light.RED: 4}
ONE_HIGHER = {Light.GREEN: Light.BLUE, Light.BLUE: Light.YELLOW, Light.YELLOW: Light.RED, Light.RED: Light.RED}
# Stored reason codes of instructed items carry this prefix ("i:behind").
INSTRUCTED = "i:"


@dataclass(frozen=True)
class LightVerdict:
    """A light and the reason for it, as a code and a number so it reads in any language."""

    light: str
    code: str
    n: int = 0

    @property
    def reason(self) -> str:
        return describe(self.code, self.n)


def describe(code: str, n: int = 0) -> str:
    """The reason for a light in the current language ("已超期12天")."""
    if code.startswith(INSTRUCTED):
        return _("leader's instruction; %(reason)s") % {"reason": describe(code[len(INSTRUCTED) :], n)}
    if code == "overdue":
        return ngettext("%(n)d day overdue", "%(n)d days overdue", n) % {"n": n}
    if code == "idle":
        return ngettext(
            "not started %(n)d day after the planned start", "not started %(n)d days after the planned start", n
        ) % {"n": n}
    if code == "behind":
        return ngettext("%(n)d point behind schedule", "%(n)d points behind schedule", n) % {"n": n}
    if code == "missed":
        return ngettext("%(n)d report missed in a row", "%(n)d reports missed in a row", n) % {"n": n}
    if code == "near":
        if n == 0:
            return _("due today")
        return ngettext("%(n)d day to the deadline", "%(n)d days to the deadline", n) % {"n": n}
    return {
        "withdrawn": _("withdrawn"),
        "closed": _("closed"),
        "completed": _("completed"),
        "ongoing": _("ongoing, no deadline"),
        "on_schedule": _("on schedule"),
    }.get(code, code)


def expected_percent(
    start: datetime.date,
    due: datetime.date | None,
    today: datetime.date,
    milestones: Iterable[tuple[datetime.date, int]] = (),
) -> int | None:
    """序时进度: how far along an item should be today; None for ongoing items.

    Linear from the start (0%) to the deadline (100%), or through the milestones
    (date, percent) when there are any: linear between consecutive points.
    """
    if due is None:
        return None
    if today >= due:
        return 100
    points = [(start, 0)]
    for on, percent in sorted(milestones):
        if start < on < due:
            points.append((on, max(points[-1][1], min(int(percent), 100))))
    points.append((due, 100))
    if today <= start or due <= start:
        return 0
    for (a, pa), (b, pb) in itertools.pairwise(points):
        if a <= today < b:
            return pa + int((pb - pa) * (today - a).days / (b - a).days)
    return 100


def compute_light(
    item,
    today: datetime.date,
    *,
    missed_reports: int = 0,
    instructed: bool = False,
    milestones: Iterable[tuple[datetime.date, int]] = (),
) -> LightVerdict:
    """The item's light on ``today``, from its dates, progress, missed reports and the campaign's thresholds."""
    if item.status == Status.WITHDRAWN:
        return LightVerdict(Light.NONE, "withdrawn")
    if item.status == Status.CLOSED:
        return LightVerdict(Light.GREEN, "closed")
    if item.status == Status.COMPLETED or item.percent >= 100:
        return LightVerdict(Light.GREEN, "completed")
    verdict = _open_item_light(item, today, missed_reports, milestones)
    if instructed:
        return LightVerdict(ONE_HIGHER[verdict.light], INSTRUCTED + verdict.code, verdict.n)
    return verdict


def _missed(campaign, missed_reports: int) -> LightVerdict | None:
    if campaign.red_missed_reports and missed_reports >= campaign.red_missed_reports:
        return LightVerdict(Light.RED, "missed", missed_reports)
    if campaign.yellow_missed_reports and missed_reports >= campaign.yellow_missed_reports:
        return LightVerdict(Light.YELLOW, "missed", missed_reports)
    return None


def _open_item_light(item, today, missed_reports, milestones) -> LightVerdict:
    campaign = item.campaign
    due = item.due
    missed = _missed(campaign, missed_reports)
    if due is None:
        # Ongoing items have no schedule to fall behind: their reports alone judge them.
        return missed or LightVerdict(Light.GREEN, "ongoing")

    if today > due:
        return LightVerdict(Light.RED, "overdue", (today - due).days)

    candidates = [] if missed is None else [missed]
    start = item.starts_on or campaign.starts_on
    if item.status == Status.NOT_STARTED and today > start:
        idle = (today - start).days
        if idle > campaign.red_idle_days:
            candidates.append(LightVerdict(Light.RED, "idle", idle))
        elif idle > campaign.yellow_idle_days:
            candidates.append(LightVerdict(Light.YELLOW, "idle", idle))

    # An item idle past the threshold is judged as "not started", not by its points behind.
    behind = expected_percent(start, due, today, milestones) - item.percent
    if len(candidates) == (0 if missed is None else 1):
        if behind > campaign.red_points_behind:
            candidates.append(LightVerdict(Light.RED, "behind", behind))
        elif behind >= campaign.yellow_points_behind:
            candidates.append(LightVerdict(Light.YELLOW, "behind", behind))

    if candidates:
        # The worst wins; on a tie the first found (missed reports, not started, behind) gives the reason.
        return max(candidates, key=lambda v: SEVERITY[v.light])
    if (due - today).days <= campaign.blue_days_before_due:
        return LightVerdict(Light.BLUE, "near", (due - today).days)
    return LightVerdict(Light.GREEN, "on_schedule")
