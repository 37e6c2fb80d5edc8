"""The writes on the ledger. Pages, imports, commands and tasks all come through here.

Each action checks permission, runs in one transaction, and records history.
"""

import datetime
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from taizhang.audit import chain
from taizhang.history.models import HistoryEntry
from taizhang.history.recording import Note, diff, insert_history, note, note_fields, record, snapshot
from taizhang.lib.deadlines import words_describe
from taizhang.lib.locks import lock_one, locked
from taizhang.lib.media import check_upload
from taizhang.lib.rows import insert_pairs, insert_rows, new_instances
from taizhang.orgs.access import Access
from taizhang.orgs.models import Unit

from .lights import (
    derive_percent_and_status,
    load_light_inputs,
    recompute_item,
    recompute_items,
    refresh_lights,
    relight,
    write_light_changes,
)
from .models import Comment, Item, Milestone, ProgressAttachment, ProgressEntry, Status


class StaleEdit(Exception):
    """Someone else saved the item after this form was opened."""

    def __init__(self, item: Item):
        super().__init__(
            _(
                "Someone else changed this item while you were editing it. Reload the page to see their changes, then make yours again."
            )
        )
        self.item = item


def today() -> datetime.date:
    return timezone.localdate()


# Derived state lives beside the light rule (lights.py); these names stay for the callers above.
__all__ = ["derive_percent_and_status", "recompute_item", "recompute_items", "refresh_lights"]


def progress_note(percent: int, done: str) -> Note:
    """The history note of a progress entry ("60%: 完成招标"), the same from the page, a sheet or the demo."""
    return note(gettext_noop("%(percent)d%%: %(done)s"), percent=percent, done=done[:200])


def _actor_id(user) -> int | None:
    return user.pk if user is not None and user.is_authenticated else None


# Items -------------------------------------------------------------------------
#
# One road for every item write: create_item/update_item are create_items/update_items of one,
# and imports, the demo and commands call the bulk forms. Every item keeps the same invariants:
# permission checked once, fields validated, its search text, a version bump on change, its light
# from the one loader, one history row per created or changed item with the field diffs.

# Links that clean_fields would check with one query per item; the database checks them anyway.
FOREIGN_KEYS = ("campaign", "category", "phase", "key_task", "owner_unit", "parent", "merged_into")
# The plain columns an edit writes (partner units and milestones are rows of their own).
EDITED_COLUMNS = tuple(name for name in Item.AUDITED_FIELDS if name != "partner_units")
CHUNK = 2000


@dataclass
class NewItem:
    """One item to create: its fields, partner units and (optionally) milestones as (date, percent)."""

    data: dict
    partner_units: Sequence = ()
    milestones: Sequence[tuple[datetime.date, int]] | None = None


@dataclass
class ItemEdit:
    """One edit of an item: the fields that change; partner units and milestones only when given (None: kept)."""

    item: Item
    data: dict = field(default_factory=dict)
    partner_units: Sequence | None = None
    milestones: Sequence[tuple[datetime.date, int]] | None = None
    expected_version: int | None = None


def milestones_text(points) -> str:
    """Milestones as the history shows them: 2026-06-30 50%、2026-09-30 80%."""
    return "、".join(f"{on.isoformat()} {percent}%" for on, percent in sorted(points))


def validate_milestones(points, *, starts_on: datetime.date, due: datetime.date | None) -> list[tuple]:
    """Milestones sorted by date: each within the item's start..deadline, percents 0–100 never going down."""
    points = sorted((on, int(percent)) for on, percent in points)
    if not points:
        return []
    if due is None:
        raise ValidationError({"milestones": _("An ongoing item (no deadline) has no milestones.")})
    errors = []
    for n, (on, percent) in enumerate(points):
        if not starts_on <= on <= due:
            errors.append(
                _("The milestone of %(date)s is outside the item's time (%(start)s to %(due)s).")
                % {"date": on.isoformat(), "start": starts_on.isoformat(), "due": due.isoformat()}
            )
        if not 0 <= percent <= 100:
            errors.append(_("A milestone's percent must be between 0 and 100."))
        if n and on == points[n - 1][0]:
            errors.append(_("Two milestones on %(date)s.") % {"date": on.isoformat()})
        elif n and percent < points[n - 1][1]:
            errors.append(
                _("The milestone of %(date)s expects less than the one before it.") % {"date": on.isoformat()}
            )
    if errors:
        raise ValidationError({"milestones": errors})
    return points


def _check_parent(item: Item) -> None:
    parent = item.parent
    while parent is not None:
        if parent.pk == item.pk:
            raise ValidationError({"parent": _("An item cannot be below itself.")})
        parent = parent.parent
    if item.parent_id and item.parent.campaign_id != item.campaign_id:
        raise ValidationError({"parent": _("The parent item must be in the same campaign.")})


def _in_bulk(errors: list[tuple[Item, ValidationError]]) -> None:
    """One item's errors as they are (a form shows them by field); many items' each named by its code."""
    if not errors:
        return
    if len(errors) == 1:
        raise errors[0][1]
    raise ValidationError(
        [f"{item.code or item.title[:20]}: {message}" for item, error in errors for message in error.messages]
    )


def _clean_fields(item: Item, fields: set[str], cleaned: dict) -> None:
    """``item.clean_fields`` of the given fields, remembering each field's verdict on each value it saw
    (field validation depends on the value alone; the value written back is the cleaned one)."""
    errors = {}
    key = frozenset(fields)
    if key not in cleaned:
        cleaned[key] = [f for f in Item._meta.fields if f.name in fields and not f.generated]
    for f in cleaned[key]:
        raw = getattr(item, f.attname)
        if f.blank and raw in f.empty_values:
            continue
        try:
            key = (f.attname, type(raw), raw)
            verdict = cleaned.get(key, cleaned)
        except TypeError:  # an unhashable value is checked on its own
            key, verdict = None, cleaned
        if verdict is cleaned:
            try:
                verdict = (f.clean(raw, item), None)
            except ValidationError as error:
                verdict = (raw, error.error_list)
            if key is not None and (verdict[0] is raw or type(verdict[0]) in (str, int, bool)):
                cleaned[key] = verdict
        value, error_list = verdict
        if error_list:
            errors[f.name] = error_list
        elif value is not raw:
            setattr(item, f.attname, value)
    if errors:
        raise ValidationError(errors)


def _clean(items: list[Item], campaign, *, given: list[set[str]], milestones: dict | None = None) -> None:
    """Validate the fields given, codes unique in the campaign and the batch, parents, milestones: all at once.

    Only the given fields: the others hold values the ledger wrote (defaults, or validated before).
    """
    errors = []
    cleaned: dict = {}  # each field set's fields, each (field, value)'s verdict: a value is checked once, not per item
    for item, fields in zip(items, given, strict=True):
        try:
            _clean_fields(item, fields - set(FOREIGN_KEYS), cleaned)
            if item.parent_id:
                _check_parent(item)
            if milestones is not None and id(item) in milestones:
                milestones[id(item)] = validate_milestones(
                    milestones[id(item)], starts_on=item.starts_on or campaign.starts_on, due=item.due
                )
        except ValidationError as error:
            errors.append((item, error))
    _in_bulk(errors)
    codes = Counter(item.code for item in items)
    taken = set()
    wanted = sorted(codes)
    ours = [item.pk for item in items if item.pk]  # once, not once per chunk of codes
    for i in range(0, len(wanted), CHUNK):
        taken.update(
            Item.objects.filter(campaign=campaign, code__in=wanted[i : i + CHUNK])
            .exclude(pk__in=ours)
            .values_list("code", flat=True)
        )
    clash = _("An item with this code already exists in the campaign.")
    _in_bulk([(item, ValidationError({"code": clash})) for item in items if item.code in taken or codes[item.code] > 1])


def _history_rows(campaign, action: str, acting_user, rows: list[dict], said: "str | Note") -> None:
    common = {
        "content_type_id": ContentType.objects.get_for_model(Item).pk,
        "campaign_id": campaign.pk,
        "action": action,
        "actor_id": _actor_id(acting_user),
        **note_fields(said),
    }
    insert_history(common, rows)


def _write_milestones(pairs: list[tuple[int, list]], *, replace: bool) -> None:
    """The milestones of items (item id, [(on, percent)]); ``replace`` deletes the ones they had."""
    if replace:
        ids = [pk for pk, _points in pairs]
        for i in range(0, len(ids), CHUNK):
            Milestone.objects.filter(item_id__in=ids[i : i + CHUNK]).delete()
    Milestone.objects.bulk_create(
        [Milestone(item_id=pk, on=on, percent=percent) for pk, points in pairs for on, percent in points],
        batch_size=1000,
    )


@transaction.atomic
def create_items(
    *,
    campaign,
    items: Sequence[NewItem],
    acting_user,
    note: "str | Note" = "",
    on: datetime.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Item]:
    """Create many items at bulk speed, each as create_item would: checked, searchable, lit, in the history."""
    if not Access.for_user(acting_user, campaign).is_office:
        raise PermissionDenied(_("Only the campaign office can add items."))
    on = on or today()
    built = []
    planned: dict[int, list] = {}
    arrived = timezone.now()  # the day they enter the list: their not-started clock runs from it (lights)
    for item, new in zip(
        new_instances(Item, {"campaign": campaign, "created_at": arrived}, [new.data for new in items]),
        items,
        strict=True,
    ):
        item.refresh_search_text()
        if new.milestones is not None:
            planned[id(item)] = new.milestones
        built.append(item)
    _clean(built, campaign, given=[set(new.data) for new in items], milestones=planned)
    # Born with their real light (from the one loader), so the history shows no spurious first change.
    relight(built, campaign=campaign, on=on, inputs=load_light_inputs(campaign, on, items=built), planned=planned)
    done = 0
    for start in range(0, len(built), CHUNK):
        chunk = built[start : start + CHUNK]
        insert_rows(chunk, batch_size=500)  # bulk_create's result, without its per-object compiler work
        if any(item.pk is None for item in chunk):  # a database that does not return ids
            by_code = dict(
                Item.objects.filter(campaign=campaign, code__in=[i.code for i in chunk]).values_list("code", "pk")
            )
            for item in chunk:
                item.pk = item.id = by_code[item.code]
        done += len(chunk)
        if progress:
            progress(done, len(built))
    insert_pairs(
        Item.partner_units.through,
        "item",
        "unit",
        [(item.pk, unit.pk) for item, new in zip(built, items, strict=True) for unit in new.partner_units],
    )
    _write_milestones([(item.pk, planned[id(item)]) for item in built if planned.get(id(item))], replace=False)
    _history_rows(campaign, HistoryEntry.Action.CREATE, acting_user, [{"object_id": item.pk} for item in built], note)
    parent_ids = sorted({item.parent_id for item in built if item.parent_id})
    if parent_ids:  # a new sub-item changes its parent's percent
        recompute_items(Item.objects.filter(pk__in=parent_ids).select_related("campaign"), on=on, actor=acting_user)
    return built


def create_item(*, campaign, data: dict, partner_units=(), milestones=None, acting_user) -> Item:
    """Create one item (a bulk of one)."""
    return create_items(campaign=campaign, items=[NewItem(data, partner_units, milestones)], acting_user=acting_user)[0]


def _audit(item: Item, partners: list, points: list) -> dict[str, str]:
    before = snapshot(item, EDITED_COLUMNS)
    before["partner_units"] = "、".join(str(unit) for unit in partners)
    before["milestones"] = milestones_text(points)
    return before


def _labels() -> dict[str, str]:
    labels = {name: str(Item._meta.get_field(name).verbose_name) for name in Item.AUDITED_FIELDS}
    labels["milestones"] = str(Milestone._meta.verbose_name_plural)
    return labels


@transaction.atomic
def update_items(
    *,
    campaign,
    edits: Sequence[ItemEdit],
    acting_user,
    note: "str | Note" = "",
    on: datetime.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Item]:
    """Apply many edits at bulk speed, each as update_item would; returns the items that changed.

    Refuses an edit whose ``expected_version`` is not the item's (someone saved it since) with StaleEdit.
    """
    access = Access.for_user(acting_user, campaign)
    on = on or today()
    ids = [edit.item.pk for edit in edits]
    current: dict[int, Item] = {}
    partners: dict[int, list] = {}
    points: dict[int, list] = {}
    through = Item.partner_units.through
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = locked(
            Item.objects.select_related("category", "phase", "key_task", "owner_unit", "parent"),
            campaign=campaign,
            pk__in=chunk,
        )
        for item in rows:
            item.campaign = campaign  # the light reads its thresholds: one campaign, not one query an item
            current[item.pk] = item
        # Plain rows, not prefetched managers: 100,000 items would build 200,000 querysets.
        for item_id, unit_id in through.objects.filter(item_id__in=chunk).values_list("item_id", "unit_id"):
            partners.setdefault(item_id, []).append(unit_id)
        for item_id, when, percent in Milestone.objects.filter(item_id__in=chunk).values_list(
            "item_id", "on", "percent"
        ):
            points.setdefault(item_id, []).append((when, percent))
    units = Unit.objects.in_bulk({unit_id for ids_ in partners.values() for unit_id in ids_})
    labels = _labels()
    changed: list[tuple[Item, list[dict], ItemEdit]] = []
    planned: dict[int, list] = {}
    rollup: set[int | None] = set()
    for edit in edits:
        item = current.get(edit.item.pk)
        if item is None:
            raise ValidationError(_("Item %(code)s is not in this campaign.") % {"code": edit.item.code})
        if not access.can_edit_item(item):
            raise PermissionDenied(_("Only the campaign office can edit items."))
        if edit.expected_version is not None and item.version != edit.expected_version:
            raise StaleEdit(item)
        had = sorted((units[u] for u in partners.get(item.pk, [])), key=lambda unit: unit.path)
        was = sorted(points.get(item.pk, []))
        before = _audit(item, had, was)
        parent_id = item.parent_id
        old_due, old_words = item.due, item.due_text
        for name, value in edit.data.items():
            setattr(item, name, value)
        # A new deadline with the old words ("2027年1月15日（年底前）"): words that no longer say it are dropped.
        dropped_words = item.due != old_due and item.due_text == old_words and not words_describe(old_words, item.due)
        if dropped_words:
            item.due_text = ""
        # Only what the edit names can differ: the other fields keep their display from before.
        after = dict(before)
        after.update(snapshot(item, [name for name in edit.data if name in before]))
        if dropped_words:
            after.update(snapshot(item, ["due_text"]))
        if edit.partner_units is not None and {u.pk for u in edit.partner_units} != {u.pk for u in had}:
            after["partner_units"] = "、".join(str(u) for u in sorted(edit.partner_units, key=lambda u: u.path))
        if edit.milestones is not None:
            after["milestones"] = milestones_text(edit.milestones)
        changes = [
            {"field": name, "label": labels[name], "old": before[name], "new": after[name]}
            for name in before
            if before[name] != after[name]
        ]
        if not changes:
            continue
        item.refresh_search_text()
        item.version += 1
        if edit.milestones is not None:
            planned[id(item)] = list(edit.milestones)
        if any(c["field"] in ("parent", "weight") for c in changes):
            rollup.update((parent_id, item.parent_id))  # the parents' percent follows their sub-items
        changed.append((item, changes, edit))
    items = [item for item, _changes, _edit in changed]
    _clean(items, campaign, given=[set(edit.data) for _item, _changes, edit in changed], milestones=planned)
    changes_of_lights = relight(
        items, campaign=campaign, on=on, inputs=load_light_inputs(campaign, on, items=items), planned=planned
    )
    now = timezone.now()
    for item in items:
        item.updated_at = now
    _write_changed_columns(changed, lights_changed={change["object_id"] for change in changes_of_lights})
    if progress:
        progress(len(items), len(items))
    moved = [
        (item, edit.partner_units)
        for item, changes, edit in changed
        if any(c["field"] == "partner_units" for c in changes)
    ]
    if moved:
        pks = [item.pk for item, _units in moved]
        for i in range(0, len(pks), CHUNK):
            through.objects.filter(item_id__in=pks[i : i + CHUNK]).delete()
        through.objects.bulk_create(
            [through(item_id=item.pk, unit_id=unit.pk) for item, units in moved for unit in units], batch_size=1000
        )
    _write_milestones([(item.pk, planned[id(item)]) for item in items if id(item) in planned], replace=True)
    _history_rows(
        campaign,
        HistoryEntry.Action.UPDATE,
        acting_user,
        [{"object_id": item.pk, "changes": changes} for item, changes, _edit in changed],
        note,
    )
    write_light_changes(campaign, changes_of_lights, actor=acting_user)
    rollup.discard(None)
    if rollup:
        recompute_items(Item.objects.filter(pk__in=sorted(rollup)).select_related("campaign"), on=on, actor=acting_user)
    return items


def _write_changed_columns(changed, *, lights_changed: set[int]) -> None:
    """Each item's changed columns, one executemany per set of columns: an UPDATE that names a column
    rewrites the indexes on it, and bulk_update's CASE per row costs far more still."""
    groups: dict[tuple[str, ...], list[Item]] = {}
    for item, changes, _edit in changed:
        names = {c["field"] for c in changes} - {"partner_units", "milestones"}
        names |= {"search_text", "version", "updated_at", "light_code", "light_n"}
        if item.pk in lights_changed:
            names.add("light")
        groups.setdefault(tuple(sorted(names)), []).append(item)
    quote = connection.ops.quote_name
    for names, items in groups.items():
        fields = [Item._meta.get_field(name) for name in names]
        sets = ", ".join(f"{quote(f.column)} = %s" for f in fields)
        sql = f"UPDATE {quote(Item._meta.db_table)} SET {sets} WHERE {quote(Item._meta.pk.column)} = %s"
        with connection.cursor() as cursor:
            for start in range(0, len(items), CHUNK):
                cursor.executemany(
                    sql,
                    [
                        [f.get_db_prep_save(getattr(item, f.attname), connection) for f in fields] + [item.pk]
                        for item in items[start : start + CHUNK]
                    ],
                )


def update_item(
    item: Item, *, data: dict, partner_units=None, milestones=None, expected_version: int, acting_user
) -> Item:
    """Save an edit (a bulk of one), refusing it when the item changed since the form was opened."""
    edit = ItemEdit(item, data, partner_units, milestones, expected_version)
    update_items(campaign=item.campaign, edits=[edit], acting_user=acting_user)
    return Item.objects.select_related("campaign").get(pk=item.pk)


@transaction.atomic
def set_item_status(item: Item, *, status: str, acting_user, action: str, note: "str | Note" = "") -> Item:
    """Move an item to a status the ledger does not derive (closed, reopened) and record it as ``action``.

    The primitive under closing (销号) and reopening: the caller checks the reasons (acceptance,
    ratings); the ledger checks the office, bumps the version, records the change and relights.
    """
    if not Access.for_user(acting_user, item.campaign).is_office:
        raise PermissionDenied(_("Only the campaign office changes an item's status."))
    current = lock_one(Item.objects.select_related("campaign"), pk=item.pk)
    before = snapshot(current, ("status",))
    current.status = status
    current.version += 1
    current.save(update_fields=["status", "version", "updated_at"])
    record(current, action, actor=acting_user, campaign=current.campaign, changes=diff(current, before), note=note)
    return recompute_item(current, actor=acting_user)


@transaction.atomic
def withdraw_item(item: Item, *, reason: str, acting_user, merged_into: Item | None = None) -> Item:
    """Withdraw an item, or merge it into another; nothing is deleted."""
    access = Access.for_user(acting_user, item.campaign)
    if not access.is_office:
        raise PermissionDenied(_("Only the campaign office can withdraw or merge items."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    current = lock_one(Item, pk=item.pk)
    if current.status == Status.WITHDRAWN:
        raise ValidationError(_("This item is already withdrawn."))
    if merged_into is not None:
        if merged_into.pk == current.pk or merged_into.campaign_id != current.campaign_id:
            raise ValidationError({"merged_into": _("Choose another item of the same campaign.")})
        if merged_into.status == Status.WITHDRAWN:
            raise ValidationError({"merged_into": _("Cannot merge into a withdrawn item.")})
    before = snapshot(current, ("status",))
    current.status = Status.WITHDRAWN
    current.withdrawn_reason = reason
    current.merged_into = merged_into
    current.version += 1
    current.save()
    action = HistoryEntry.Action.MERGE if merged_into else HistoryEntry.Action.WITHDRAW
    said = (
        reason
        if merged_into is None
        else note(gettext_noop("Merged into %(code)s: %(reason)s"), code=merged_into.code, reason=reason)
    )
    record(current, action, actor=acting_user, campaign=current.campaign, changes=diff(current, before), note=said)
    return recompute_item(current, actor=acting_user)


# Progress ----------------------------------------------------------------------


def validate_attachment(upload) -> None:
    """An image, PDF, Office document, zip or text file by its bytes (lib.media), within the size limit."""
    from django.conf import settings

    check_upload(upload, max_bytes=settings.ATTACHMENT_MAX_BYTES)


@dataclass
class NewProgress:
    """One progress report on an item (what add_progress takes), for many at once."""

    item: Item
    percent: int
    done: str
    difficulties: str = ""
    next_steps: str = ""
    period_label: str = ""
    as_of: datetime.date | None = None
    corrects: ProgressEntry | None = None
    attachments: Sequence = ()
    source: str = ProgressEntry.Source.WEB
    created_at: datetime.datetime | None = None


@transaction.atomic
def add_progress_many(
    *, campaign, reports: Sequence[NewProgress], acting_user, on: datetime.date | None = None
) -> list[ProgressEntry]:
    """Append many progress entries; each item's percent, status and light follow, once per item.

    The same checks as add_progress for every report, one history entry per report (at the time it
    was made), and the items recomputed together at the end.
    """
    access = Access.for_user(acting_user, campaign)
    items = {report.item.pk: report.item for report in reports}
    for report in reports:
        if report.item.campaign_id != campaign.pk:
            raise ValidationError(_("Item %(code)s is not in this campaign.") % {"code": report.item.code})
        if not access.can_report_progress(report.item):
            raise PermissionDenied(_("You can report progress only on your own unit's open items."))
    ids = sorted(items)
    parents = set()
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        list(locked(Item, pk__in=chunk).values_list("pk", flat=True))
        parents.update(Item.objects.filter(parent_id__in=chunk).values_list("parent_id", flat=True).distinct())
    now = timezone.now()
    entries = []
    for report in reports:
        if report.item.pk in parents:
            raise ValidationError(_("This item's progress comes from its sub-items; report on them."))
        if not 0 <= int(report.percent) <= 100:
            raise ValidationError({"percent": _("Progress must be between 0 and 100.")})
        if not (report.done or "").strip():
            raise ValidationError({"done": _("Say what was done.")})
        if report.corrects is not None and report.corrects.item_id != report.item.pk:
            raise ValidationError(_("A correction must be for an entry of the same item."))
        for upload in report.attachments:
            validate_attachment(upload)
        entries.append(
            ProgressEntry(
                item=report.item,
                percent=int(report.percent),
                done=report.done.strip(),
                difficulties=report.difficulties.strip(),
                next_steps=report.next_steps.strip(),
                period_label=report.period_label.strip(),
                as_of=report.as_of or today(),
                corrects=report.corrects,
                source=report.source,
                author=acting_user,
                created_at=report.created_at or now,
            )
        )
    ProgressEntry.objects.bulk_create(entries, batch_size=500)
    chain.append_many(campaign, entries)  # evidence: chained in this transaction, one head lock
    rows = []
    for report, entry in zip(reports, entries, strict=True):
        for upload in report.attachments:
            ProgressAttachment.objects.create(entry=entry, file=upload, name=upload.name[:200], size=upload.size)
        said = progress_note(entry.percent, entry.done)
        if report.corrects is not None:
            said = note(
                gettext_noop("Correction of the entry of %(date)s. %(percent)d%%: %(done)s"),
                date=report.corrects.as_of.isoformat(),
                **said.args,
            )
        rows.append({"object_id": report.item.pk, "at": entry.created_at, **note_fields(said)})
    common = {
        "content_type_id": ContentType.objects.get_for_model(Item).pk,
        "campaign_id": campaign.pk,
        "action": HistoryEntry.Action.PROGRESS,
        "actor_id": _actor_id(acting_user),
    }
    insert_history(common, rows)
    recompute_items(list(items.values()), on=on, actor=acting_user)
    return entries


def add_progress(
    item: Item,
    *,
    percent: int,
    done: str,
    acting_user,
    difficulties: str = "",
    next_steps: str = "",
    period_label: str = "",
    as_of: datetime.date | None = None,
    corrects: ProgressEntry | None = None,
    attachments=(),
    source: str = ProgressEntry.Source.WEB,
    created_at: datetime.datetime | None = None,
) -> ProgressEntry:
    """Append a progress entry (a bulk of one); the item's percent, status and light follow from it."""
    report = NewProgress(
        item, percent, done, difficulties, next_steps, period_label, as_of, corrects, attachments, source, created_at
    )
    return add_progress_many(campaign=item.campaign, reports=[report], acting_user=acting_user)[0]


@transaction.atomic
def add_comment(item: Item, *, body: str, acting_user) -> Comment:
    """A remark on an item: the office and leaders comment, the owner unit's liaisons reply.

    A leader's instruction (批示) is not a comment: supervision's ``give_instruction`` records it.
    """
    access = Access.for_user(acting_user, item.campaign)
    if not access.can_comment(item):
        raise PermissionDenied(_("Only leaders, the campaign office and the unit's liaisons comment on items."))
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write something first.")})
    comment = Comment.objects.create(item=item, body=body, author=acting_user, kind=Comment.Kind.COMMENT)
    record(item, HistoryEntry.Action.COMMENT, actor=acting_user, campaign=item.campaign, note=body[:500])
    return comment


@transaction.atomic
def mark_model(item: Item, *, is_model: bool, reason: str = "", acting_user) -> Item:
    """Give (with a reason) or take away the 特色样板 mark of an item; the office's call, in the history."""
    item = lock_one(Item.objects.select_related("campaign"), pk=item.pk)
    if not Access.for_user(acting_user, item.campaign).is_office:
        raise PermissionDenied(_("Only the campaign office marks model projects."))
    reason = (reason or "").strip()
    if is_model and item.status == Status.WITHDRAWN:
        raise ValidationError(_("A withdrawn item cannot be a model project."))
    if is_model and not reason:
        raise ValidationError({"reason": _("Give the reason for the model mark.")})
    if item.is_model == is_model and (item.model_reason == reason or not is_model):
        return item  # a second click changes nothing and writes nothing
    before = snapshot(item, ["is_model", "model_reason"])
    item.is_model = is_model
    item.model_reason = reason if is_model else ""
    # Not a new version: the mark is the office's, beside the item, and must not make an open edit stale.
    item.save(update_fields=["is_model", "model_reason", "updated_at"])
    record(
        item,
        HistoryEntry.Action.UPDATE,
        actor=acting_user,
        campaign=item.campaign,
        changes=diff(item, before),
        note=reason,
    )
    return item
