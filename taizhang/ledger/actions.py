"""The writes on the ledger. Pages, imports, commands and tasks all come through here.

Each action checks permission, runs in one transaction, and records history.
"""

import datetime
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from taizhang.history.models import HistoryEntry
from taizhang.history.recording import Note, diff, insert_history, note, record, render_note, snapshot
from taizhang.orgs.access import Access

from .lights import compute_light
from .models import (
    FINISHED_STATUSES,
    Comment,
    Item,
    Light,
    LightTally,
    Milestone,
    ProgressAttachment,
    ProgressEntry,
    Status,
)


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


# Derived state -----------------------------------------------------------------


def derive_percent_and_status(item: Item) -> tuple[int, str]:
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


def missed_reports_of_unit(unit, campaign, on: datetime.date) -> int:
    """Reports the unit missed in a row, from the reporting rhythm once it is there (0 before)."""
    try:
        from taizhang.reporting.queries import missed_reports_in_a_row
    except (ImportError, AttributeError):
        return 0
    if not unit.is_active:
        return 0  # a closed unit is not expected to report
    return missed_reports_in_a_row(unit, campaign, on)


def missed_reports_by_unit(campaign, on: datetime.date) -> dict[int, int]:
    """Unit id → reports missed in a row, for the whole campaign at once (empty before reporting exists)."""
    try:
        from taizhang.reporting.queries import missed_reports_by_unit as by_unit
    except (ImportError, AttributeError):
        return {}
    return by_unit(campaign, on)


def light_inputs(item: Item, on: datetime.date) -> dict:
    """What compute_light needs beyond the item itself: missed reports, an instruction, milestones."""
    return {
        "missed_reports": missed_reports_of_unit(item.owner_unit, item.campaign, on),
        "instructed": item.comments.filter(kind=Comment.Kind.INSTRUCTION).exists(),
        "milestones": list(item.milestones.values_list("on", "percent")),
    }


def progress_note(percent: int, done: str) -> Note:
    """The history note of a progress entry ("60%: 完成招标"), the same from the page, a sheet or the demo."""
    return note(gettext_noop("%(percent)d%%: %(done)s"), percent=percent, done=done[:200])


def _light_change(item: Item, old: str, verdict, *, actor=None, campaign=None) -> dict:
    return {
        "subject": item,
        "campaign": campaign or item.campaign,
        "actor": actor,
        "changes": [
            {
                "field": "light",
                "label": str(Item._meta.get_field("light").verbose_name),
                "old": old,
                "new": verdict.light,
            }
        ],
        "note": Note(f"light:{verdict.code}", {"n": verdict.n}),
    }


def recompute_item(item: Item, *, on: datetime.date | None = None, actor=None) -> Item:
    """Recompute percent, status and light, store them, record a light change, roll up to the parent."""
    on = on or today()
    percent, status = derive_percent_and_status(item)
    old_light = (item.light, item.light_code)
    item.percent, item.status = percent, status
    if status == Status.COMPLETED and item.completed_on is None:
        item.completed_on = on
    elif status != Status.COMPLETED and item.status not in FINISHED_STATUSES:
        item.completed_on = None
    verdict = compute_light(item, on, **light_inputs(item, on))
    item.light, item.light_code, item.light_n = verdict.light, verdict.code, verdict.n
    last = item.progress_entries.aggregate(at=Max("created_at"))["at"]
    item.last_progress_at = last
    Item.objects.filter(pk=item.pk).update(
        percent=item.percent,
        status=item.status,
        light=item.light,
        light_code=item.light_code,
        light_n=item.light_n,
        completed_on=item.completed_on,
        last_progress_at=last,
    )
    if old_light[0] != item.light:
        change = _light_change(item, old_light[0], verdict, actor=actor)
        record(change.pop("subject"), HistoryEntry.Action.LIGHT, **change)
    if item.parent_id:
        recompute_item(item.parent, on=on, actor=actor)
    return item


REFRESH_FIELDS = ("id", "owner_unit_id", "status", "percent", "due", "starts_on", "light", "light_code", "light_n")


class _LightFacts:
    """What compute_light reads of an item, without building a model instance (100,000 a night)."""

    __slots__ = ("campaign", "due", "percent", "pk", "starts_on", "status")

    def __init__(self, campaign, pk, status, percent, due, starts_on):
        self.campaign, self.pk, self.status, self.percent, self.due, self.starts_on = (
            campaign,
            pk,
            status,
            percent,
            due,
            starts_on,
        )


@transaction.atomic
def refresh_lights(campaign, *, on: datetime.date | None = None, unit=None, batch_size: int = 2000) -> int:
    """Nightly: dates move, so lights change without any edit. Returns how many lights changed.

    Built for 100,000 items: the inputs come in a handful of queries, lights are
    computed in Python, rows that changed are written with one UPDATE per
    (light, reason) group, and the history rows in bulk. With ``unit``, only that
    unit's items (its report just came in); the week's light tallies are left to the night.
    """
    on = on or today()
    scope = {"item__campaign": campaign} if unit is None else {"item__campaign": campaign, "item__owner_unit": unit}
    if unit is None:
        missed = missed_reports_by_unit(campaign, on)
    else:
        missed = {unit.pk: missed_reports_of_unit(unit, campaign, on)}
    instructed = set(Comment.objects.filter(**scope, kind=Comment.Kind.INSTRUCTION).values_list("item_id", flat=True))
    milestones: dict[int, list] = {}
    for item_id, when, percent in Milestone.objects.filter(**scope).values_list("item_id", "on", "percent"):
        milestones.setdefault(item_id, []).append((when, percent))

    groups: dict[tuple[str, str, int], list[int]] = {}
    changes = []
    tally: Counter[tuple[int, str]] = Counter()
    rows = Item.objects.filter(campaign=campaign)
    if unit is not None:
        rows = rows.filter(owner_unit=unit)
    rows = rows.values_list(*REFRESH_FIELDS).order_by()
    for pk, unit_id, status, percent, due, starts_on, light, code, n in rows.iterator(chunk_size=batch_size):
        facts = _LightFacts(campaign, pk, status, percent, due, starts_on)
        verdict = compute_light(
            facts,
            on,
            missed_reports=missed.get(unit_id, 0),
            instructed=pk in instructed,
            milestones=milestones.get(pk, ()),
        )
        if verdict.light != Light.NONE:
            tally[unit_id, verdict.light] += 1
        key = (verdict.light, verdict.code, verdict.n)
        if key == (light, code, n):
            continue
        groups.setdefault(key, []).append(pk)
        if verdict.light != light:
            changes.append(_light_change(facts, light, verdict, campaign=campaign))

    for (light, code, n), ids in groups.items():
        for i in range(0, len(ids), batch_size):
            Item.objects.filter(pk__in=ids[i : i + batch_size]).update(light=light, light_code=code, light_n=n)
    content_type = ContentType.objects.get_for_model(Item)
    with translation.override(settings.LANGUAGE_CODE):  # the stored text; each reader gets their own language
        insert_history(
            {"content_type_id": content_type.pk, "campaign_id": campaign.pk, "action": HistoryEntry.Action.LIGHT},
            [
                {
                    "object_id": change["subject"].pk,
                    "changes": change["changes"],
                    "note": render_note(*change["note"]),
                    "note_key": change["note"].key,
                    "note_args": change["note"].args,
                }
                for change in changes
            ],
        )
    if unit is None:
        _write_tally(campaign, on, tally)
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


# Items -------------------------------------------------------------------------


def _check_parent(item: Item) -> None:
    parent = item.parent
    while parent is not None:
        if parent.pk == item.pk:
            raise ValidationError({"parent": _("An item cannot be below itself.")})
        parent = parent.parent
    if item.parent_id and item.parent.campaign_id != item.campaign_id:
        raise ValidationError({"parent": _("The parent item must be in the same campaign.")})


@transaction.atomic
def create_item(*, campaign, data: dict, partner_units=(), acting_user) -> Item:
    access = Access.for_user(acting_user, campaign)
    if not access.is_office:
        raise PermissionDenied(_("Only the campaign office can add items."))
    item = Item(campaign=campaign, **data)
    item.refresh_search_text()
    item.full_clean()
    _check_parent(item)
    # Born with its real light, so the history does not show a spurious first change.
    verdict = compute_light(item, today())
    item.light, item.light_code, item.light_n = verdict.light, verdict.code, verdict.n
    item.save()
    item.partner_units.set(partner_units)
    record(item, HistoryEntry.Action.CREATE, actor=acting_user, campaign=campaign)
    return recompute_item(item, actor=acting_user)


@transaction.atomic
def update_item(item: Item, *, data: dict, partner_units=None, expected_version: int, acting_user) -> Item:
    """Save an edit, refusing it when the item changed since the form was opened."""
    access = Access.for_user(acting_user, item.campaign)
    if not access.can_edit_item(item):
        raise PermissionDenied(_("Only the campaign office can edit items."))
    current = Item.objects.select_for_update().get(pk=item.pk)
    if current.version != expected_version:
        raise StaleEdit(current)
    before = snapshot(current, Item.AUDITED_FIELDS)
    old_parent_id = current.parent_id
    for name, value in data.items():
        setattr(current, name, value)
    current.refresh_search_text()
    current.full_clean()
    _check_parent(current)
    current.version += 1
    current.save()
    if partner_units is not None:
        current.partner_units.set(partner_units)
    changes = diff(current, before)
    if changes:
        record(current, HistoryEntry.Action.UPDATE, actor=acting_user, campaign=current.campaign, changes=changes)
    recompute_item(current, actor=acting_user)
    if old_parent_id and old_parent_id != current.parent_id:
        recompute_item(Item.objects.get(pk=old_parent_id), actor=acting_user)
    return current


@transaction.atomic
def withdraw_item(item: Item, *, reason: str, acting_user, merged_into: Item | None = None) -> Item:
    """Withdraw an item, or merge it into another; nothing is deleted."""
    access = Access.for_user(acting_user, item.campaign)
    if not access.is_office:
        raise PermissionDenied(_("Only the campaign office can withdraw or merge items."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    current = Item.objects.select_for_update().get(pk=item.pk)
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
    from django.conf import settings

    allowed = {
        ".jpg",
        ".jpeg",
        ".png",
        ".gif",
        ".webp",
        ".pdf",
        ".doc",
        ".docx",
        ".xls",
        ".xlsx",
        ".ppt",
        ".pptx",
        ".txt",
        ".zip",
    }
    name = upload.name or ""
    ext = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if ext not in allowed:
        raise ValidationError(_("%(name)s: this kind of file is not accepted.") % {"name": name})
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            _("%(name)s is larger than %(limit)s.")
            % {"name": name, "limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES)}
        )


@transaction.atomic
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
    """Append a progress entry; the item's percent, status and light follow from it."""
    access = Access.for_user(acting_user, item.campaign)
    if not access.can_report_progress(item):
        raise PermissionDenied(_("You can report progress only on your own unit's open items."))
    if item.children.exists():
        raise ValidationError(_("This item's progress comes from its sub-items; report on them."))
    if not 0 <= int(percent) <= 100:
        raise ValidationError({"percent": _("Progress must be between 0 and 100.")})
    if not (done or "").strip():
        raise ValidationError({"done": _("Say what was done.")})
    if corrects is not None and corrects.item_id != item.pk:
        raise ValidationError(_("A correction must be for an entry of the same item."))
    for upload in attachments:
        validate_attachment(upload)
    Item.objects.select_for_update(of=("self",), no_key=True).filter(pk=item.pk).order_by().first()
    entry = ProgressEntry.objects.create(
        item=item,
        percent=int(percent),
        done=done.strip(),
        difficulties=difficulties.strip(),
        next_steps=next_steps.strip(),
        period_label=period_label.strip(),
        as_of=as_of or today(),
        corrects=corrects,
        source=source,
        author=acting_user,
        created_at=created_at or timezone.now(),
    )
    for upload in attachments:
        ProgressAttachment.objects.create(entry=entry, file=upload, name=upload.name[:200], size=upload.size)
    said = progress_note(entry.percent, entry.done)
    if corrects is not None:
        said = note(
            gettext_noop("Correction of the entry of %(date)s. %(percent)d%%: %(done)s"),
            date=corrects.as_of.isoformat(),
            **said.args,
        )
    record(item, HistoryEntry.Action.PROGRESS, actor=acting_user, campaign=item.campaign, note=said)
    recompute_item(item, actor=acting_user)
    return entry


@transaction.atomic
def add_comment(item: Item, *, body: str, acting_user, instruction: bool = False) -> Comment:
    access = Access.for_user(acting_user, item.campaign)
    if instruction:
        if not access.can_give_instruction(item):
            raise PermissionDenied(_("Only leaders give instructions."))
    elif not access.can_comment(item):
        raise PermissionDenied(_("Only leaders and the campaign office comment on items."))
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write something first.")})
    comment = Comment.objects.create(
        item=item, body=body, author=acting_user, kind=Comment.Kind.INSTRUCTION if instruction else Comment.Kind.COMMENT
    )
    record(item, HistoryEntry.Action.COMMENT, actor=acting_user, campaign=item.campaign, note=body[:500])
    if instruction:
        # An item a leader has instructed on lights one level higher, from now, not from tonight.
        recompute_item(item, actor=acting_user)
    return comment
