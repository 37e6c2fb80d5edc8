"""The writes of the spreadsheet area: applying a ledger import, all or nothing.

Many rows at once go through bulk inserts, but every item keeps the same
invariants as :func:`taizhang.ledger.actions.create_item`/``update_item``:
its search text, its real light from birth, a version bump on change, and one
history entry per created or changed item.
"""

from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from taizhang.campaigns.models import Category, Phase
from taizhang.history.models import HistoryEntry
from taizhang.history.recording import insert_history, note, note_fields
from taizhang.ledger.actions import today
from taizhang.ledger.lights import compute_light
from taizhang.ledger.models import Item
from taizhang.orgs.access import Access

from .fastkey import item_search_text
from .ledger_import import Plan

BATCH = 2000


def _next_codes(campaign, count: int) -> list[str]:
    """Codes for rows that had none: IMP-0001 … after the highest used."""
    used = set(Item.objects.filter(campaign=campaign, code__startswith="IMP-").values_list("code", flat=True))
    codes, n = [], 1
    while len(codes) < count:
        code = f"IMP-{n:04d}"
        if code not in used:
            codes.append(code)
        n += 1
    return codes


@transaction.atomic
def apply_ledger_plan(
    campaign,
    plan: Plan,
    *,
    acting_user=None,
    check_permission: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Write a checked plan: create new items, update changed ones; refuses a plan with errors."""
    if check_permission and not Access.for_user(acting_user, campaign).is_office:
        raise PermissionDenied(_("Only the campaign office can import a ledger."))
    if plan.errors:
        raise ValidationError(_("The file has errors; nothing was imported."))
    actor = acting_user if acting_user is not None and acting_user.is_authenticated else None
    imported = note_fields(note(gettext_noop("imported from a spreadsheet")))
    on = today()
    categories = {c.name: c for c in Category.objects.filter(campaign=campaign)}
    order = max((c.order for c in categories.values()), default=-1) + 1
    for name in plan.new_categories:
        if name not in categories:
            categories[name] = Category.objects.create(campaign=campaign, name=name[:100], order=order)
            order += 1
    phases = {p.name: p for p in Phase.objects.filter(campaign=campaign)}
    item_type = ContentType.objects.get_for_model(Item)
    through = Item.partner_units.through
    light_label = str(Item._meta.get_field("light").verbose_name)

    creates = [r for r in plan.rows if r["action"] == "create"]
    updates = [r for r in plan.rows if r["action"] == "update"]
    total = len(creates) + len(updates)
    done = 0
    fresh_codes = iter(_next_codes(campaign, sum(1 for r in creates if not r["code"])))

    for start in range(0, len(creates), BATCH):
        chunk = creates[start : start + BATCH]
        new_items = []
        for row in chunk:
            item = Item(
                campaign=campaign,
                code=row["code"] or next(fresh_codes),
                title=row["title"],
                content=row["content"],
                category=categories.get(row["category"]) if row["category"] else None,
                phase=phases.get(row["phase"]) if row["phase"] else None,
                owner_unit=row["owner_unit"],
                lead=row["lead"],
                owner=row["owner"],
                due=row["due"],
                due_text=row["due_text"],
                note=row["note"],
            )
            item.search_text = item_search_text(item)
            verdict = compute_light(item, on)
            item.light, item.light_code, item.light_n = verdict.light, verdict.code, verdict.n
            new_items.append(item)
        Item.objects.bulk_create(new_items, batch_size=500)
        if any(item.pk is None for item in new_items):  # a database that does not return ids
            by_code = dict(
                Item.objects.filter(campaign=campaign, code__in=[i.code for i in new_items]).values_list("code", "pk")
            )
            for item in new_items:
                item.pk = item.id = by_code[item.code]
        links = [
            through(item_id=item.pk, unit_id=unit.pk)
            for item, row in zip(new_items, chunk, strict=True)
            for unit in row["partner_units"]
        ]
        through.objects.bulk_create(links, batch_size=1000)
        insert_history(
            {
                "content_type_id": item_type.pk,
                "campaign_id": campaign.pk,
                "action": HistoryEntry.Action.CREATE,
                "actor_id": actor.pk if actor else None,
                **imported,
            },
            [{"object_id": item.pk} for item in new_items],
        )
        for row, item in zip(chunk, new_items, strict=True):
            row["item"] = item
        done += len(chunk)
        if progress:
            progress(done, total)

    for start in range(0, len(updates), BATCH):
        chunk = updates[start : start + BATCH]
        changed_items = []
        partner_changes = []
        light_changes = []
        for row in chunk:
            item = Item.objects.select_for_update().get(pk=row["item"].pk)
            fields = {change["field"] for change in row["changes"]}
            for name in ("title", "content", "lead", "owner", "due", "due_text", "note"):
                if name in fields:
                    setattr(item, name, row[name])
            if "category" in fields:
                item.category = categories.get(row["category"])
            if "phase" in fields:
                item.phase = phases.get(row["phase"])
            if "owner_unit" in fields:
                item.owner_unit = row["owner_unit"]
            if "partner_units" in fields:
                partner_changes.append((item, row["partner_units"]))
            item.refresh_search_text()
            item.version += 1
            verdict = compute_light(item, on)
            if verdict.light != item.light:
                light_changes.append(
                    HistoryEntry(
                        content_type=item_type,
                        object_id=item.pk,
                        campaign=campaign,
                        action=HistoryEntry.Action.LIGHT,
                        actor=actor,
                        changes=[{"field": "light", "label": light_label, "old": item.light, "new": verdict.light}],
                        note=verdict.reason,
                    )
                )
            item.light, item.light_code, item.light_n = verdict.light, verdict.code, verdict.n
            changed_items.append(item)
        Item.objects.bulk_update(
            changed_items,
            [
                "title",
                "content",
                "category",
                "phase",
                "owner_unit",
                "lead",
                "owner",
                "due",
                "due_text",
                "note",
                "search_text",
                "version",
                "light",
                "light_code",
                "light_n",
            ],
            batch_size=500,
        )
        for item, units in partner_changes:
            item.partner_units.set(units)
        HistoryEntry.objects.bulk_create(
            [
                HistoryEntry(
                    content_type=item_type,
                    object_id=row["item"].pk,
                    campaign=campaign,
                    action=HistoryEntry.Action.UPDATE,
                    actor=actor,
                    changes=[
                        {"field": c["field"], "label": c["label"], "old": c["old"], "new": c["new"]}
                        for c in row["changes"]
                    ],
                    **imported,
                )
                for row in chunk
            ],
            batch_size=1000,
        )
        HistoryEntry.objects.bulk_create(light_changes)
        done += len(chunk)
        if progress:
            progress(done, total)
    return {"created": len(creates), "updated": len(updates), "unchanged": plan.count("unchanged")}
