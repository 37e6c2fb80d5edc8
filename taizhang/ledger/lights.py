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
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from taizhang.history.models import HistoryEntry
from taizhang.history.recording import insert_history, render_note

from .models import FINISHED_STATUSES, Item, Light, LightTally, Milestone, ProgressEntry, Status

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
    if code == "rectify":
        return ngettext("rectification %(n)d day overdue", "rectification %(n)d days overdue", n) % {"n": n}
    if code == "near":
        if n == 0:
            return _("due today")
        return ngettext("%(n)d day to the deadline", "%(n)d days to the deadline", n) % {"n": n}
    words = STATE_WORDS.get(code)
    return _(words) if words else code


# Translated only when asked for: a page of 50 lights used to translate all five on every call.
STATE_WORDS = {
    "withdrawn": gettext_noop("withdrawn"),
    "closed": gettext_noop("closed"),
    "completed": gettext_noop("completed"),
    "ongoing": gettext_noop("ongoing, no deadline"),
    "on_schedule": gettext_noop("on schedule"),
}


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
    rectification_overdue: int = 0,
) -> LightVerdict:
    """The item's light on ``today``, from its dates, progress, missed reports and the campaign's thresholds.

    ``rectification_overdue`` is the days the item's most overdue rectification (整改) is past its
    deadline: any at all turns an open item red (DOMAIN's rule).
    """
    if item.status == Status.WITHDRAWN:
        return LightVerdict(Light.NONE, "withdrawn")
    if item.status == Status.CLOSED:
        return LightVerdict(Light.GREEN, "closed")
    if item.status == Status.COMPLETED or item.percent >= 100:
        return LightVerdict(Light.GREEN, "completed")
    verdict = _open_item_light(item, today, missed_reports, milestones)
    if rectification_overdue > 0 and verdict.code != "overdue":
        verdict = LightVerdict(Light.RED, "rectify", rectification_overdue)
    if instructed:
        return LightVerdict(ONE_HIGHER[verdict.light], INSTRUCTED + verdict.code, verdict.n)
    return verdict


def _missed(campaign, missed_reports: int) -> LightVerdict | None:
    if campaign.red_missed_reports and missed_reports >= campaign.red_missed_reports:
        return LightVerdict(Light.RED, "missed", missed_reports)
    if campaign.yellow_missed_reports and missed_reports >= campaign.yellow_missed_reports:
        return LightVerdict(Light.YELLOW, "missed", missed_reports)
    return None


def schedule_start(item, today: datetime.date) -> datetime.date:
    """The day the item's schedule (not-started clock, 序时进度) runs from.

    A planned start the office entered counts as given, earlier than the item's arrival too (on purpose:
    work that began before it was listed). Without one, the later of the campaign's start and the day the
    item entered the list: an item added in November to a campaign that began in April is not born red.
    """
    if item.starts_on is not None:
        return item.starts_on
    created_at = getattr(item, "created_at", None)  # None: not saved, no arrival to go by
    entered = timezone.localtime(created_at).date() if created_at is not None else None
    if entered is None or entered > today:  # judged on a day before it arrived (a replay): the campaign's clock
        return item.campaign.starts_on
    return max(item.campaign.starts_on, entered)


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
    start = schedule_start(item, today)
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


# The facts the rule reads, gathered in one place ---------------------------------------------
#
# compute_light is pure; what it reads beyond the item (reports missed in a row, an instruction,
# milestones) comes from load_light_inputs, for one item or a whole campaign alike, and every
# writer (the pages, the bulk actions, the night) stores lights through relight/refresh_lights.

# Reports missed in a row belong to the reporting rhythm, an app above the ledger: it registers
# a function (campaign, on, unit_ids or None for every expected unit) -> {unit id: missed}.
MissedReportsProvider = Callable[[object, datetime.date, Collection[int] | None], dict[int, int]]
_missed_reports_provider: MissedReportsProvider | None = None
CHUNK = 2000  # ids per IN (...) list: below every database's parameter limit


def register_missed_reports_provider(provider: MissedReportsProvider | None) -> None:
    """Called by the reporting app when it is ready; None unregisters (lights then count no missed reports)."""
    global _missed_reports_provider
    _missed_reports_provider = provider


# Facts about items kept by apps above the ledger (a leader's open instructions, overdue
# rectifications of inspection findings) come from providers they register by name:
# (campaign, on, item ids or None for every item of the campaign) -> {item id: number}.
ItemFactsProvider = Callable[[object, datetime.date, Collection[int] | None], dict[int, int]]
_item_facts_providers: dict[str, ItemFactsProvider] = {}
# The names compute_light reads; "instructed" > 0 means an instruction waits for its answer,
# "rectification_overdue" is the days the item's most overdue rectification is late.
ITEM_FACTS = ("instructed", "rectification_overdue")


def register_item_facts_provider(name: str, provider: ItemFactsProvider | None) -> None:
    """Called by an app above the ledger when it is ready; None unregisters."""
    if name not in ITEM_FACTS:
        raise ValueError(f"unknown item fact {name!r}")
    if provider is None:
        _item_facts_providers.pop(name, None)
    else:
        _item_facts_providers[name] = provider


def item_facts(name: str, campaign, on: datetime.date, item_ids: Collection[int] | None) -> dict[int, int]:
    provider = _item_facts_providers.get(name)
    return {} if provider is None else provider(campaign, on, item_ids)


def missed_reports(campaign, on: datetime.date, unit_ids: Collection[int] | None = None) -> dict[int, int]:
    """Unit id → reports missed in a row on ``on``, from the registered provider (empty without one)."""
    if _missed_reports_provider is None:
        return {}
    return _missed_reports_provider(campaign, on, unit_ids)


@dataclass
class LightInputs:
    """What compute_light reads besides the item, for a batch of items: ask it with :meth:`of`."""

    missed: dict[int, int] = field(default_factory=dict)  # unit id → reports missed in a row
    instructed: set[int] = field(default_factory=set)  # item ids a leader gave an instruction on
    milestones: dict[int, list[tuple[datetime.date, int]]] = field(default_factory=dict)  # item id → (on, percent)
    rectification_overdue: dict[int, int] = field(default_factory=dict)  # item id → days late

    def of(self, pk: int | None, unit_id: int, planned: Iterable[tuple[datetime.date, int]] | None = None) -> dict:
        """The keyword arguments of compute_light for one item; ``planned`` milestones stand in for stored ones."""
        return {
            "missed_reports": self.missed.get(unit_id, 0),
            "instructed": pk is not None and pk in self.instructed,
            "milestones": list(planned) if planned is not None else self.milestones.get(pk, []),
            "rectification_overdue": self.rectification_overdue.get(pk, 0) if pk is not None else 0,
        }


def load_light_inputs(campaign, on: datetime.date, *, items=None, unit=None) -> LightInputs:
    """The light facts of ``items`` (anything with ``pk`` and ``owner_unit_id``; unsaved ones have none
    stored but their unit's missed reports), or of every item of the campaign (of ``unit``) when None.

    A handful of queries whatever the number of items: one item is a batch of one.
    """
    inputs = LightInputs()
    if items is None:
        scope = {"item__campaign": campaign}
        if unit is not None:
            scope["item__owner_unit"] = unit
        inputs.missed = missed_reports(campaign, on, None if unit is None else [unit.pk])
        chunks = [scope]
    else:
        ids = sorted({item.pk for item in items if item.pk is not None})
        inputs.missed = missed_reports(campaign, on, {item.owner_unit_id for item in items})
        chunks = [{"item_id__in": ids[i : i + CHUNK]} for i in range(0, len(ids), CHUNK)]
    item_ids = None if items is None else ids
    inputs.rectification_overdue = item_facts("rectification_overdue", campaign, on, item_ids)
    # Instructions are the supervision app's records now (the old instruction comments were migrated there).
    inputs.instructed = {pk for pk, n in item_facts("instructed", campaign, on, item_ids).items() if n > 0}
    for where in chunks:
        for item_id, when, percent in (
            Milestone.objects.filter(**where).values_list("item_id", "on", "percent").order_by("item_id", "on")
        ):
            inputs.milestones.setdefault(item_id, []).append((when, percent))
    return inputs


def load_owner_light_inputs(campaign, on: datetime.date, subjects) -> LightInputs:
    """The light facts of things judged like items that are not items (key tasks): their owner units'
    missed reports. Instructions, milestones and rectifications are facts of items, so none here."""
    units = {subject.owner_unit_id for subject in subjects if subject.owner_unit_id}
    return LightInputs(missed=missed_reports(campaign, on, units) if units else {})


def light_change(subject, old: str, verdict: LightVerdict) -> dict:
    """The history row of a changed light (for insert_history): old → new, and the reason as a note kind."""
    return {
        "object_id": subject.pk,
        "changes": [
            {
                "field": "light",
                "label": str(Item._meta.get_field("light").verbose_name),
                "old": old,
                "new": verdict.light,
            }
        ],
        "note_key": f"light:{verdict.code}",
        "note_args": {"n": verdict.n},
    }


def write_light_changes(campaign, changes: list[dict], *, actor=None, model=Item) -> int:
    """One history entry per changed light, in bulk, the note stored as its key and in the site's language.

    ``model`` is the kind of subject (items, or key tasks judged by the same rule)."""
    if not changes:
        return 0
    with translation.override(settings.LANGUAGE_CODE):  # the stored text; each reader gets their own language
        rows = [{**change, "note": render_note(change["note_key"], change["note_args"])} for change in changes]
    common = {
        "content_type_id": ContentType.objects.get_for_model(model).pk,
        "campaign_id": campaign.pk,
        "action": HistoryEntry.Action.LIGHT,
        "actor_id": actor.pk if actor is not None and actor.is_authenticated else None,
    }
    return insert_history(common, rows)


def relight(items, *, campaign, on: datetime.date, inputs: LightInputs | None = None, planned=None) -> list[dict]:
    """Judge each item's light in place (instances keep their old light until now) and return the changes.

    ``planned`` maps an item (by ``id()``) to the milestones it is about to get. The caller stores the
    light fields with the item and writes the returned changes with :func:`write_light_changes`.
    """
    if inputs is None:
        inputs = load_light_inputs(campaign, on, items=items)
    changes = []
    for item in items:
        verdict = compute_light(
            item, on, **inputs.of(item.pk, item.owner_unit_id, None if planned is None else planned.get(id(item)))
        )
        if item.pk is not None and verdict.light != item.light:
            changes.append(light_change(item, item.light, verdict))
        item.light, item.light_code, item.light_n = verdict.light, verdict.code, verdict.n
    return changes


# Percent, status and light of one item, stored ------------------------------------------------


def derive_percent_and_status(item) -> tuple[int, str]:
    """An item's current percent and status from its progress entries or its sub-items."""
    if item.status in FINISHED_STATUSES:
        return item.percent, item.status
    children = list(item.children.exclude(status=Status.WITHDRAWN).values_list("percent", "weight"))
    if children:
        total_weight = sum((w for _, w in children), Decimal(0))
        if total_weight > 0:
            percent = int(
                (sum((Decimal(p) * w for p, w in children), Decimal(0)) / total_weight).quantize(
                    Decimal(1), ROUND_HALF_UP
                )
            )
        else:
            percent = round(sum(p for p, _ in children) / len(children))
        has_progress = any(p > 0 for p, _ in children)
    else:
        latest = item.progress_entries.order_by("-created_at", "-id").first()
        percent = latest.percent if latest else 0
        has_progress = latest is not None
    if percent >= 100:
        status = Status.COMPLETED
    elif has_progress:
        status = Status.IN_PROGRESS
    else:
        status = Status.NOT_STARTED
    return percent, status


def recompute_items(items, *, on: datetime.date | None = None, actor=None) -> list:
    """Recompute percent, status and light of each item, store them, record light changes, roll up to parents.

    Items of one campaign. Percent and status need each item's own progress or sub-items; the
    light facts come from one :func:`load_light_inputs` for them all.
    """
    items = list(items)
    if not items:
        return items
    on = on or timezone.localdate()
    campaign = items[0].campaign
    for item in items:
        percent, status = derive_percent_and_status(item)
        item.percent, item.status = percent, status
        if status == Status.COMPLETED and item.completed_on is None:
            item.completed_on = on
        elif status != Status.COMPLETED and item.status not in FINISHED_STATUSES:
            item.completed_on = None
        item.last_progress_at = item.progress_entries.aggregate(at=Max("created_at"))["at"]
    changes = relight(items, campaign=campaign, on=on)
    for item in items:
        Item.objects.filter(pk=item.pk).update(
            percent=item.percent,
            status=item.status,
            light=item.light,
            light_code=item.light_code,
            light_n=item.light_n,
            completed_on=item.completed_on,
            last_progress_at=item.last_progress_at,
        )
    write_light_changes(campaign, changes, actor=actor)
    parent_ids = sorted({item.parent_id for item in items if item.parent_id})
    if parent_ids:
        recompute_items(Item.objects.filter(pk__in=parent_ids).select_related("campaign"), on=on, actor=actor)
    _recompute_key_tasks_of(campaign, items, on=on, actor=actor)
    return items


def _recompute_key_tasks_of(campaign, items, *, on, actor) -> None:
    """Key tasks roll up their items: the ones these items are under follow (ledger/keytasks.py)."""
    key_task_ids = {item.key_task_id for item in items if getattr(item, "key_task_id", None)}
    if key_task_ids:
        from .keytasks import recompute_key_tasks

        recompute_key_tasks(campaign, on=on, key_task_ids=key_task_ids, actor=actor)


def recompute_item(item, *, on: datetime.date | None = None, actor=None):
    """Recompute one item's percent, status and light (a batch of one), and its parents'."""
    return recompute_items([item], on=on, actor=actor)[0]


# The night: dates move, so lights change without any edit -------------------------------------

REFRESH_FIELDS = (
    "id",
    "owner_unit_id",
    "status",
    "percent",
    "due",
    "starts_on",
    "created_at",
    "light",
    "light_code",
    "light_n",
)


class _LightFacts:
    """What compute_light reads of an item, without building a model instance (100,000 a night)."""

    __slots__ = ("campaign", "created_at", "due", "light", "owner_unit_id", "percent", "pk", "starts_on", "status")

    def __init__(self, campaign, pk, owner_unit_id, status, percent, due, starts_on, created_at, light):
        self.campaign, self.pk, self.owner_unit_id = campaign, pk, owner_unit_id
        self.status, self.percent, self.due, self.starts_on, self.light = status, percent, due, starts_on, light
        self.created_at = created_at


def refresh_lights(campaign, *, on: datetime.date | None = None, unit=None, batch_size: int = 2000) -> int:
    """Nightly: recompute every light of the campaign (of ``unit``: its report just came in). Returns how many changed.

    Built for 100,000 items: the inputs come from one :func:`load_light_inputs`, lights are
    computed in Python, rows that changed are written with one UPDATE per (light, reason) group,
    and the history rows in bulk. With ``unit``, the week's light tallies are left to the night.
    """
    on = on or timezone.localdate()
    with transaction.atomic():
        inputs = load_light_inputs(campaign, on, unit=unit)
        groups: dict[tuple[str, str, int], list[int]] = {}
        changes = []
        tally: Counter[tuple[int, str]] = Counter()
        rows = Item.objects.filter(campaign=campaign)
        if unit is not None:
            rows = rows.filter(owner_unit=unit)
        rows = rows.values_list(*REFRESH_FIELDS).order_by()
        for pk, unit_id, status, percent, due, starts_on, created_at, light, code, n in rows.iterator(
            chunk_size=batch_size
        ):
            facts = _LightFacts(campaign, pk, unit_id, status, percent, due, starts_on, created_at, light)
            verdict = compute_light(facts, on, **inputs.of(pk, unit_id))
            if verdict.light != Light.NONE:
                tally[unit_id, verdict.light] += 1
            key = (verdict.light, verdict.code, verdict.n)
            if key == (light, code, n):
                continue
            groups.setdefault(key, []).append(pk)
            if verdict.light != light:
                changes.append(light_change(facts, light, verdict))
        for (light, code, n), ids in groups.items():
            for i in range(0, len(ids), batch_size):
                Item.objects.filter(pk__in=ids[i : i + batch_size]).update(light=light, light_code=code, light_n=n)
        write_light_changes(campaign, changes)
        if unit is None:
            _write_tally(campaign, on, tally)
            from .keytasks import recompute_key_tasks  # key tasks are judged the same night, by the same rule

            recompute_key_tasks(campaign, on=on)
    return len(changes)


def _write_tally(campaign, on: datetime.date, tally: Counter) -> None:
    """This week's light counts per unit and for the whole campaign; a later run in the week replaces them."""
    week = on - datetime.timedelta(days=on.weekday())
    LightTally.objects.filter(campaign=campaign, week=week).delete()
    whole: Counter[str] = Counter()
    rows = []
    for (unit_id, light), count in tally.items():
        whole[light] += count
        rows.append(LightTally(campaign=campaign, week=week, unit_id=unit_id, light=light, count=count))
    rows += [LightTally(campaign=campaign, week=week, unit=None, light=light, count=n) for light, n in whole.items()]
    LightTally.objects.bulk_create(rows, batch_size=2000)


def backfill_tally(campaign, on: datetime.date) -> bool:
    """The light tally of ``on``'s week as its night would have left it, when the week has none yet.

    For a ledger that starts with a history (the demo, an import of a list already under way): each
    item as it stood that day (its latest progress reported by then; items listed later left out),
    judged by the same rule. Items keep their lights; only the tally is written. False when the week
    already had one.
    """
    week = on - datetime.timedelta(days=on.weekday())
    if LightTally.objects.filter(campaign=campaign, week=week).exists():
        return False
    percent_then: dict[int, int] = {}
    for item_id, percent in (
        ProgressEntry.objects.filter(item__campaign=campaign, as_of__lte=on)
        .order_by("item_id", "as_of", "created_at", "id")
        .values_list("item_id", "percent")
    ):
        percent_then[item_id] = percent  # the last one of each item wins
    inputs = load_light_inputs(campaign, on)
    tally: Counter[tuple[int, str]] = Counter()
    rows = Item.objects.filter(campaign=campaign).exclude(status=Status.WITHDRAWN).values_list(*REFRESH_FIELDS)
    for pk, unit_id, status, _percent, due, starts_on, created_at, light, _code, _n in rows.order_by().iterator(
        chunk_size=CHUNK
    ):
        if created_at is not None and timezone.localtime(created_at).date() > on:
            continue
        percent = percent_then.get(pk, 0)
        status = Status.NOT_STARTED if percent == 0 else (Status.COMPLETED if percent >= 100 else Status.IN_PROGRESS)
        facts = _LightFacts(campaign, pk, unit_id, status, percent, due, starts_on, created_at, light)
        verdict = compute_light(facts, on, **inputs.of(pk, unit_id))
        if verdict.light != Light.NONE:
            tally[unit_id, verdict.light] += 1
    _write_tally(campaign, on, tally)
    return True
