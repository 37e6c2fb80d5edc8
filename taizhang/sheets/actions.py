"""The writes of the spreadsheet area: applying a ledger import, all or nothing.

The sheet only plans (:mod:`.ledger_import`); the items are written by the ledger's bulk actions,
:func:`taizhang.ledger.actions.create_items` and ``update_items``, which keep every invariant of
the single-item actions (permission, search text, version, light, history) at bulk speed.
"""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from taizhang.campaigns.models import Category, Phase
from taizhang.history.recording import note
from taizhang.ledger.actions import (
    ItemEdit,
    NewItem,
    NewProgress,
    add_progress_many,
    create_items,
    today,
    update_items,
)
from taizhang.ledger.models import Item, ProgressEntry

from .ledger_import import Plan

PLAIN_FIELDS = ("title", "content", "lead", "owner", "due", "due_text", "note")


@transaction.atomic
def apply_ledger_plan(campaign, plan: Plan, *, acting_user, progress: Callable[[int, int], None] | None = None) -> dict:
    """Write a checked plan through the ledger's bulk actions (they check the permission); refuses a plan
    with errors. All or nothing: a refused import leaves no new category behind either."""
    if plan.codes_missing and not (plan.errors or plan.unresolved):
        raise ValidationError(
            _("New items have no code (%(n)d): choose the code column, or generate codes; nothing was imported.")
            % {"n": plan.codes_missing}
        )
    if plan.blocked:
        raise ValidationError(_("The file has errors; nothing was imported."))
    imported = note(gettext_noop("imported from a spreadsheet"))
    on = today()
    categories = {c.name: c for c in Category.objects.filter(campaign=campaign)}
    order = max((c.order for c in categories.values()), default=-1) + 1
    for name in plan.new_categories:
        if name not in categories:
            categories[name] = Category.objects.create(campaign=campaign, name=name[:100], order=order)
            order += 1
    phases = {p.name: p for p in Phase.objects.filter(campaign=campaign)}

    creates = [r for r in plan.rows if r["action"] == "create"]
    updates = [r for r in plan.rows if r["action"] == "update"]
    total = len(creates) + len(updates)

    new_items = [
        NewItem(
            data={
                "code": row["code"],
                "category": categories.get(row["category"]) if row["category"] else None,
                "phase": phases.get(row["phase"]) if row["phase"] else None,
                "owner_unit": row["owner_unit"],
                **{name: row[name] for name in PLAIN_FIELDS},
            },
            partner_units=row["partner_units"],
            milestones=row.get("milestones") or None,
        )
        for row in creates
    ]
    created = create_items(
        campaign=campaign,
        items=new_items,
        acting_user=acting_user,
        note=imported,
        on=on,
        progress=None if progress is None else lambda done, _n: progress(done, total),
    )
    for row, item in zip(creates, created, strict=True):
        row["item"] = item

    edits = []
    for row in updates:
        fields = {change["field"] for change in row["changes"]}
        data = {name: row[name] for name in PLAIN_FIELDS if name in fields}
        if "category" in fields:
            data["category"] = categories.get(row["category"])
        if "phase" in fields:
            data["phase"] = phases.get(row["phase"])
        if "owner_unit" in fields:
            data["owner_unit"] = row["owner_unit"]
        if not data and "partner_units" not in fields and "milestones" not in fields:
            continue  # only new progress: written below
        edits.append(
            ItemEdit(
                row["item"],
                data,
                partner_units=row["partner_units"] if "partner_units" in fields else None,
                milestones=row.get("milestones") if "milestones" in fields else None,
            )
        )
    update_items(
        campaign=campaign,
        edits=edits,
        acting_user=acting_user,
        note=imported,
        on=on,
        progress=None if progress is None else lambda done, _n: progress(len(creates) + done, total),
    )
    # The progress the sheet reports (进展情况, 完成情况): each row's first (or next) progress entry.
    reports = [
        NewProgress(
            item=row["item"],
            percent=row["new_progress"]["percent"],
            done=row["new_progress"]["done"][:2000],
            as_of=row["new_progress"]["as_of"] or on,
            source=ProgressEntry.Source.IMPORT,
        )
        for row in [*creates, *updates]
        if row.get("new_progress")
    ]
    if reports:
        for start in range(0, len(reports), 5000):
            chunk = reports[start : start + 5000]
            fresh = Item.objects.select_related("campaign").in_bulk([r.item.pk for r in chunk])
            for report in chunk:
                report.item = fresh[report.item.pk]
            add_progress_many(campaign=campaign, reports=chunk, acting_user=acting_user, on=on)
    return {
        "created": len(creates),
        "updated": len(updates),
        "unchanged": plan.count("unchanged"),
        "progress": len(reports),
    }
