"""Warning lights (亮灯): one function decides an item's light and says why, in words.

The thresholds are campaign settings. 序时进度 (the percent that should be
done by now) runs linearly from the item's planned start to its deadline.
Reporting facts (missed reports) join these rules when the reporting rhythm
records them.
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Light, Status


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
    if code == "overdue":
        return ngettext("%(n)d day overdue", "%(n)d days overdue", n) % {"n": n}
    if code == "idle":
        return ngettext(
            "not started %(n)d day after the planned start", "not started %(n)d days after the planned start", n
        ) % {"n": n}
    if code == "behind":
        return ngettext("%(n)d point behind schedule", "%(n)d points behind schedule", n) % {"n": n}
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


def expected_percent(start: datetime.date, due: datetime.date | None, today: datetime.date) -> int | None:
    """序时进度: how far along an item should be today; None for ongoing items."""
    if due is None:
        return None
    if today >= due:
        return 100
    if today <= start or due <= start:
        return 0
    return int(100 * (today - start).days / (due - start).days)


def compute_light(item, today: datetime.date) -> LightVerdict:
    campaign = item.campaign
    if item.status == Status.WITHDRAWN:
        return LightVerdict(Light.NONE, "withdrawn")
    if item.status == Status.CLOSED:
        return LightVerdict(Light.GREEN, "closed")
    if item.status == Status.COMPLETED or item.percent >= 100:
        return LightVerdict(Light.GREEN, "completed")

    due = item.due
    if due is not None and today > due:
        return LightVerdict(Light.RED, "overdue", (today - due).days)

    start = item.starts_on or campaign.starts_on
    if item.status == Status.NOT_STARTED and today > start:
        idle = (today - start).days
        if idle > 90:
            return LightVerdict(Light.RED, "idle", idle)
        if idle > 30:
            return LightVerdict(Light.YELLOW, "idle", idle)

    expected = expected_percent(start, due, today)
    if expected is not None:
        behind = expected - item.percent
        if behind > campaign.red_points_behind:
            return LightVerdict(Light.RED, "behind", behind)
        if behind >= campaign.yellow_points_behind:
            return LightVerdict(Light.YELLOW, "behind", behind)

    if due is not None and (due - today).days <= campaign.blue_days_before_due:
        return LightVerdict(Light.BLUE, "near", (due - today).days)

    return LightVerdict(Light.GREEN, "ongoing" if due is None else "on_schedule")
