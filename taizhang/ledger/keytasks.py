"""Key tasks tracked like items (重点任务): owner, dates, progress entries, percent and light, rolled up.

The plan's tree (aspects → key tasks, their names and order) is campaigns' ``KeyTask``; what moves as
the work goes is a :class:`~taizhang.ledger.models.KeyTaskTrack` here, beside the items, because its
light is the items' light: :func:`~taizhang.ledger.lights.compute_light` on the track, with the facts
from the one loader. campaigns is below the ledger and cannot judge a light; the ledger can.

Percent, which wins: a key task's **own latest progress entry** when it has one (its owner unit says
how far the task is, and items rarely cover all of it); without entries, an aspect takes the mean of
the key tasks under it and a key task the mean of its (top-level, not withdrawn) items.
``percent_source`` says which one the figure came from.
"""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.campaigns.models import KeyTask
from taizhang.history.models import HistoryEntry
from taizhang.history.recording import diff, record, snapshot
from taizhang.lib.locks import lock_one
from taizhang.orgs.access import Access

from .actions import progress_note
from .lights import compute_light, light_change, load_owner_light_inputs, write_light_changes
from .models import Item, KeyTaskProgress, KeyTaskTrack, Light, Status

STORED = ("percent", "percent_source", "status", "light", "light_code", "light_n")


class StaleKeyTaskEdit(Exception):
    """Someone else saved the key task (or reported on it) after this form was opened."""

    def __init__(self):
        super().__init__(
            _(
                "Someone else changed this key task while you were editing it, or this was already saved. Reload the page to see it."
            )
        )


def can_report(access: Access, track: KeyTaskTrack) -> bool:
    """The office, or a liaison of the key task's owner unit (or a unit above it)."""
    return access.is_office or access.speaks_for(track.owner_unit)


def ensure_tracks(campaign) -> None:
    """Every key task of the campaign has its track (a new tree, a copied campaign): one insert of the missing."""
    missing = KeyTask.objects.filter(campaign=campaign, track__isnull=True).values_list("pk", flat=True)
    KeyTaskTrack.objects.bulk_create(
        [KeyTaskTrack(key_task_id=pk, campaign=campaign) for pk in missing], ignore_conflicts=True
    )


def item_rollup(campaign, key_task_ids=None) -> dict[int, dict]:
    """Key task id → its items' figures: count, done, mean percent and the count of each light (one query)."""
    items = Item.objects.filter(campaign=campaign, key_task__isnull=False).exclude(status=Status.WITHDRAWN)
    if key_task_ids is not None:
        items = items.filter(key_task_id__in=list(key_task_ids))
    rows = (
        items.values("key_task_id")
        .annotate(
            total=Count("id"),
            done=Count("id", filter=Q(status__in=(Status.COMPLETED, Status.CLOSED))),
            average=Avg("percent", filter=Q(parent__isnull=True)),
            **{
                light: Count("id", filter=Q(light=light))
                for light in (Light.RED, Light.YELLOW, Light.BLUE, Light.GREEN)
            },
        )
        .order_by()
    )
    return {row["key_task_id"]: row for row in rows}


def _latest_entries(track_ids) -> dict[int, int]:
    """Track id → the percent of its latest progress entry."""
    latest: dict[int, int] = {}
    for track_id, percent in (
        KeyTaskProgress.objects.filter(track_id__in=list(track_ids))
        .order_by("track_id", "-created_at", "-id")
        .values_list("track_id", "percent")
    ):
        latest.setdefault(track_id, percent)
    return latest


def recompute_key_tasks(campaign, *, on: datetime.date | None = None, key_task_ids=None, actor=None) -> int:
    """Recompute percent, status and light of the campaign's key tasks (those in ``key_task_ids`` and the
    aspects above them, or all), store what changed, record light changes. Returns how many lights changed.
    """
    on = on or timezone.localdate()
    ensure_tracks(campaign)
    tracks = {
        t.key_task_id: t for t in KeyTaskTrack.objects.filter(campaign=campaign).select_related("key_task").order_by()
    }
    children: dict[int, list[int]] = {}
    for track in tracks.values():
        if track.key_task.parent_id:
            children.setdefault(track.key_task.parent_id, []).append(track.key_task_id)
    if key_task_ids is None:
        wanted = set(tracks)
    else:
        wanted = set()
        for pk in key_task_ids:
            while pk is not None and pk in tracks and pk not in wanted:
                wanted.add(pk)
                pk = tracks[pk].key_task.parent_id
    rollup = item_rollup(campaign, None if key_task_ids is None else wanted)
    latest = _latest_entries(tracks[pk].pk for pk in wanted)
    inputs = load_owner_light_inputs(campaign, on, [tracks[pk] for pk in wanted])

    def depth(pk):
        n = 0
        while tracks[pk].key_task.parent_id in tracks:
            pk, n = tracks[pk].key_task.parent_id, n + 1
        return n

    changed, light_changes = [], []
    # The deepest first: an aspect reads the percents its key tasks have just been given.
    for pk in sorted(wanted, key=depth, reverse=True):
        track = tracks[pk]
        track.campaign = campaign
        before = tuple(getattr(track, name) for name in STORED)
        if track.pk in latest:
            percent, source, moved = latest[track.pk], KeyTaskTrack.Source.ENTRIES, True
        elif pk in children:
            percents = [tracks[c].percent for c in children[pk]]
            percent, source = round(sum(percents) / len(percents)), KeyTaskTrack.Source.TASKS
            moved = any(tracks[c].status != Status.NOT_STARTED for c in children[pk])
        else:
            row = rollup.get(pk)
            percent = round(row["average"] or 0) if row else 0
            source, moved = KeyTaskTrack.Source.ITEMS, bool(row and row["average"])
        track.percent, track.percent_source = min(int(percent), 100), source
        if track.percent >= 100:
            track.status = Status.COMPLETED
        elif moved:
            track.status = Status.IN_PROGRESS
        else:
            track.status = Status.NOT_STARTED
        verdict = compute_light(track, on, **inputs.of(None, track.owner_unit_id))
        if verdict.light != track.light:
            light_changes.append(light_change(track, track.light, verdict))
        track.light, track.light_code, track.light_n = verdict.light, verdict.code, verdict.n
        if tuple(getattr(track, name) for name in STORED) != before:
            changed.append(track)
    KeyTaskTrack.objects.bulk_update(changed, STORED, batch_size=500)
    write_light_changes(campaign, light_changes, actor=actor, model=KeyTaskTrack)
    return len(light_changes)


def track_of(key_task: KeyTask) -> KeyTaskTrack:
    """The key task's track, read (an unsaved blank one when it has none yet: nothing is written on a read)."""
    track = KeyTaskTrack.objects.filter(key_task=key_task).select_related("owner_unit").first()
    return track or KeyTaskTrack(key_task=key_task, campaign=key_task.campaign)


def _locked_track(key_task: KeyTask) -> KeyTaskTrack:
    ensure_tracks(key_task.campaign)
    return lock_one(KeyTaskTrack, key_task=key_task)


@transaction.atomic
def update_key_task(key_task: KeyTask, *, data: dict, expected_version: int, acting_user) -> KeyTaskTrack:
    """The office sets a key task's owner unit, leader, planned start and deadline (date and words)."""
    access = Access.for_user(acting_user, key_task.campaign)
    access.require(access.is_office, _("Only the campaign office can edit key tasks."))
    track = _locked_track(key_task)
    if expected_version != track.version:
        raise StaleKeyTaskEdit
    unknown = set(data) - set(KeyTaskTrack.AUDITED_FIELDS)
    if unknown:
        raise ValueError(f"not a key task field: {sorted(unknown)}")
    before = snapshot(track, data.keys())
    for name, value in data.items():
        setattr(track, name, value)
    if track.due and track.starts_on and track.due < track.starts_on:
        raise ValidationError({"due": _("The deadline is before the planned start.")})
    if track.owner_unit is not None and not track.owner_unit.is_active:
        raise ValidationError({"owner_unit": _("This unit is no longer active.")})
    changes = diff(track, before)
    if not changes:
        return track
    track.version += 1
    track.save(update_fields=[*data.keys(), "version"])
    record(track, HistoryEntry.Action.UPDATE, actor=acting_user, changes=changes, campaign=key_task.campaign)
    recompute_key_tasks(key_task.campaign, key_task_ids=[key_task.pk], actor=acting_user)
    track.refresh_from_db()
    return track


@transaction.atomic
def add_key_task_progress(
    key_task: KeyTask,
    *,
    percent: int,
    done: str,
    acting_user,
    expected_version: int,
    as_of: datetime.date | None = None,
    created_at: datetime.datetime | None = None,
) -> KeyTaskProgress:
    """Append a progress entry on a key task; its percent (the entry wins), status and light follow.

    ``expected_version`` is the version the form was opened at: each entry moves it on, so the same
    form posted twice records once.
    """
    campaign = key_task.campaign
    access = Access.for_user(acting_user, campaign)
    track = _locked_track(key_task)
    if not can_report(access, track):
        raise PermissionDenied(_("You can report progress only on your own unit's key tasks."))
    if expected_version != track.version:
        raise StaleKeyTaskEdit
    if not 0 <= int(percent) <= 100:
        raise ValidationError({"percent": _("Progress must be between 0 and 100.")})
    if not (done or "").strip():
        raise ValidationError({"done": _("Say what was done.")})
    entry = KeyTaskProgress.objects.create(
        track=track,
        percent=int(percent),
        done=done.strip(),
        as_of=as_of or timezone.localdate(),
        author=acting_user if acting_user.is_authenticated else None,
        created_at=created_at or timezone.now(),
    )
    track.version += 1
    track.save(update_fields=["version"])
    record(
        track,
        HistoryEntry.Action.PROGRESS,
        actor=acting_user,
        note=progress_note(entry.percent, entry.done),
        campaign=campaign,
    )
    recompute_key_tasks(campaign, key_task_ids=[key_task.pk], actor=acting_user)
    return entry


def key_task_history(track: KeyTaskTrack):
    """The key task's history: its edits, progress and light changes."""
    if track.pk is None:
        return HistoryEntry.objects.none()
    return HistoryEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(KeyTaskTrack), object_id=track.pk
    ).select_related("actor")
