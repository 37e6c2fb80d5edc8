"""The writes on a campaign's settings: pages and commands come through here."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from taizhang.history.models import HistoryEntry
from taizhang.history.recording import diff, note, record, snapshot
from taizhang.ledger.tasks import relight_campaign
from taizhang.lib.locks import lock_one
from taizhang.orgs.access import Access
from taizhang.reporting.periods import generate_periods

from .models import Campaign, threshold_order_errors


class StaleRules(Exception):
    """Someone else saved the campaign's rules after this form was opened."""

    def __init__(self, campaign: Campaign):
        super().__init__(
            _(
                "Someone else changed the campaign rules while you were editing them. Reload the page to see their changes, then make yours again."
            )
        )
        self.campaign = campaign


@transaction.atomic
def create_campaign(*, data: dict, acting_user) -> Campaign:
    """An empty campaign (name, short code, dates): :func:`start_campaign` without a template or a copy."""
    return start_campaign(data=data, acting_user=acting_user)


@transaction.atomic
def update_rules(campaign: Campaign, *, data: dict, fingerprint: str, acting_user) -> Campaign:
    """Save the reporting rhythm, light thresholds and closing rules, refusing a change on top of an unseen one.

    Periods not yet due follow a new rhythm at once; new light thresholds relight every item
    in the background once the change is committed.
    """
    if not Access.for_user(acting_user, campaign).is_office:
        raise PermissionDenied(_("Only the campaign office can change the campaign rules."))
    unknown = set(data) - set(Campaign.RULE_FIELDS)
    if unknown:
        raise ValueError(f"not rule fields: {sorted(unknown)}")
    current = lock_one(Campaign, pk=campaign.pk)
    if current.rules_fingerprint() != fingerprint:
        raise StaleRules(current)
    before = snapshot(current, Campaign.RULE_FIELDS)
    old_values = {name: getattr(current, name) for name in Campaign.RULE_FIELDS}
    for name, value in data.items():
        setattr(current, name, value)
    current.full_clean(exclude=[f.name for f in Campaign._meta.fields if f.name not in Campaign.RULE_FIELDS])
    errors = threshold_order_errors({name: getattr(current, name) for name in Campaign.RULE_FIELDS})
    if errors:
        raise ValidationError(errors)
    changed = {name for name in Campaign.RULE_FIELDS if getattr(current, name) != old_values[name]}
    if not changed:
        return current
    current.save(update_fields=sorted(changed))
    record(current, HistoryEntry.Action.UPDATE, actor=acting_user, campaign=current, changes=diff(current, before))
    if changed & set(Campaign.RHYTHM_FIELDS):
        generate_periods(current)
    if changed & set(Campaign.LIGHT_FIELDS):
        campaign_id = current.pk
        transaction.on_commit(lambda: relight_campaign(campaign_id))
    return current


# Setting a campaign up: from nothing, from the seed's template, or as a copy of last year's ------------


def can_start_campaigns(user) -> bool:
    """The office of any campaign, a superuser or a command's system actor may stand up a new one."""
    from taizhang.orgs.access import can_manage_units

    return can_manage_units(user)


COPYABLE = ("tree", "rules", "grants", "contacts")


def _shifted(day, days: int):
    return None if day is None else day + datetime.timedelta(days=days)


def _seed_structure(campaign: Campaign) -> None:
    from .models import Category, KeyTask, Phase
    from .seed import CATEGORIES, KEY_TASKS, PHASES

    Category.objects.bulk_create(
        Category(campaign=campaign, name=name, scope=scope, order=order)
        for order, (name, scope) in enumerate(CATEGORIES)
    )
    # The three phases split the campaign: a sixth to plan, a sixth to check, the rest to carry out.
    length = (campaign.ends_on - campaign.starts_on).days
    planning_end = campaign.starts_on + datetime.timedelta(days=length // 6)
    checking_start = campaign.ends_on - datetime.timedelta(days=length // 6)
    dates = [
        (campaign.starts_on, planning_end),
        (planning_end + datetime.timedelta(days=1), checking_start - datetime.timedelta(days=1)),
        (checking_start, campaign.ends_on),
    ]
    Phase.objects.bulk_create(
        Phase(campaign=campaign, name=name, order=order, starts_on=start, ends_on=end)
        for order, (name, (start, end)) in enumerate(zip(PHASES, dates, strict=True))
    )
    aspects = {}
    for n, (aspect_name, tasks) in enumerate(KEY_TASKS, 1):
        aspects[n] = KeyTask.objects.create(campaign=campaign, code=str(n), name=aspect_name, order=n)
        KeyTask.objects.bulk_create(
            KeyTask(campaign=campaign, parent=aspects[n], code=f"{n}.{m}", name=task, order=m)
            for m, task in enumerate(tasks.split("；"), 1)
        )
    seed_plan(campaign, aspects)


def seed_plan(campaign: Campaign, aspects: dict) -> None:
    """The 六项准备 as a checklist, the 六个环节 with the aspects placed under them, the 六个结合."""
    from .models import PlanSection
    from .seed import ASPECT_LINKS, COMBINATIONS, LINKS, PREPARATIONS

    sections = {}
    for kind, names in (
        (PlanSection.Kind.PREPARATION, PREPARATIONS),
        (PlanSection.Kind.LINK, LINKS),
        (PlanSection.Kind.COMBINATION, COMBINATIONS),
    ):
        for order, name in enumerate(names, 1):
            sections[kind, name] = PlanSection.objects.create(campaign=campaign, kind=kind, name=name, order=order)
    for n, aspect in aspects.items():
        link = sections.get((PlanSection.Kind.LINK, ASPECT_LINKS.get(n)))
        if link is not None:
            link.key_tasks.add(aspect)


def _copy_structure(source: Campaign, campaign: Campaign, days: int) -> None:
    from .models import Category, KeyTask, Phase

    Category.objects.bulk_create(
        Category(campaign=campaign, name=c.name, scope=c.scope, order=c.order) for c in source.categories.all()
    )
    Phase.objects.bulk_create(
        Phase(
            campaign=campaign,
            name=p.name,
            order=p.order,
            starts_on=_shifted(p.starts_on, days),
            ends_on=_shifted(p.ends_on, days),
        )
        for p in source.phases.all()
    )
    copies: dict[int, KeyTask] = {}
    # Parents before children: aspects first, then each level below.
    pending = list(KeyTask.objects.filter(campaign=source).order_by("parent_id", "order", "id"))
    while pending:
        ready = [t for t in pending if t.parent_id is None or t.parent_id in copies]
        if not ready:  # a cycle cannot be stored, but never loop forever on bad data
            break
        for task in ready:
            copies[task.pk] = KeyTask.objects.create(
                campaign=campaign,
                parent=copies.get(task.parent_id),
                code=task.code,
                name=task.name,
                order=task.order,
            )
        pending = [t for t in pending if t.pk not in copies]
    from .models import PlanSection

    for section in PlanSection.objects.filter(campaign=source).prefetch_related("key_tasks"):
        copied = PlanSection.objects.create(
            campaign=campaign, kind=section.kind, name=section.name, order=section.order, note=section.note
        )
        copied.key_tasks.set([copies[t.pk] for t in section.key_tasks.all() if t.pk in copies])


def _copy_people(source: Campaign, campaign: Campaign, what: set[str], acting_user) -> None:
    from taizhang.orgs.actions import grant_role
    from taizhang.orgs.models import ContactPoint, RoleGrant

    if "grants" in what:
        for grant in RoleGrant.objects.filter(campaign=source).select_related("user", "unit"):
            if grant.user.is_active and (grant.unit is None or grant.unit.is_active):
                grant_role(
                    user=grant.user, campaign=campaign, role=grant.role, unit=grant.unit, acting_user=acting_user
                )
    if "contacts" in what:
        points = ContactPoint.objects.filter(campaign=source, unit__is_active=True, leader__is_active=True)
        for point in points:
            made = ContactPoint.objects.create(campaign=campaign, leader=point.leader, unit=point.unit, note=point.note)
            record(made, HistoryEntry.Action.CREATE, actor=acting_user, campaign=campaign)


@transaction.atomic
def start_campaign(
    *,
    data: dict,
    acting_user,
    template: str = "empty",
    copy_from: Campaign | None = None,
    copy: set[str] | frozenset[str] = frozenset(COPYABLE),
) -> Campaign:
    """A new campaign: empty, from the seed's template, or a copy of another (its dates moved along).

    A copy takes the categories, phases and key-task tree, and on request the rules, the role grants
    and the leaders' contact points; items, reports and history stay with the old campaign. The person
    who starts it becomes its office.
    """
    from taizhang.orgs.actions import grant_role
    from taizhang.orgs.models import Role

    if not can_start_campaigns(acting_user):
        raise PermissionDenied(_("Only a campaign office can start a new campaign."))
    unknown = set(copy) - set(COPYABLE)
    if unknown:
        raise ValueError(f"cannot copy: {sorted(unknown)}")
    campaign = Campaign(**data)
    if copy_from is not None and "rules" in copy:
        for name in Campaign.RULE_FIELDS:
            setattr(campaign, name, getattr(copy_from, name))
    campaign.full_clean()
    campaign.save()
    if copy_from is not None:
        days = (campaign.starts_on - copy_from.starts_on).days
        if "tree" in copy:
            from .providers import copy_structure_of_apps

            _copy_structure(copy_from, campaign, days)
            copy_structure_of_apps(copy_from, campaign, acting_user)
        _copy_people(copy_from, campaign, set(copy), acting_user)
        how = note(gettext_noop("copied from %(source)s"), source=copy_from.name)
    elif template == "seed":
        _seed_structure(campaign)
        how = note(gettext_noop("started from the seed's template"))
    else:
        how = ""
    if not acting_user.is_system_actor:  # the person who starts it runs it (a grant copied along is kept)
        grant_role(user=acting_user, campaign=campaign, role=Role.OFFICE, acting_user=acting_user)
    record(campaign, HistoryEntry.Action.CREATE, actor=acting_user, campaign=campaign, note=how)
    generate_periods(campaign)
    return campaign


@transaction.atomic
def save_structure(campaign: Campaign, *, model, rows: list[dict], acting_user) -> int:
    """Add, rename, reorder or remove categories, phases or key tasks, each change in the campaign's history.

    ``rows``: ``{"id": pk or None, "delete": bool, **fields}``. A row in use by items cannot be removed.
    """
    if not Access.for_user(acting_user, campaign).is_office:
        raise PermissionDenied(_("Only the campaign office can change the campaign's structure."))
    from django.db.models import ProtectedError

    changed = 0
    existing = {obj.pk: obj for obj in model.objects.filter(campaign=campaign)}
    for row in rows:
        row = dict(row)
        pk, delete = row.pop("id", None), row.pop("delete", False)
        if pk is not None and pk not in existing:
            raise ValidationError(_("That row belongs to another campaign."))
        obj = existing.get(pk) if pk is not None else model(campaign=campaign)
        if delete:
            if obj.pk is None:
                continue
            try:
                with transaction.atomic():
                    obj.delete()
            except ProtectedError:
                raise ValidationError(
                    _("“%(name)s” is in use by items or below other rows; it cannot be removed.") % {"name": obj.name}
                ) from None
            record(
                campaign,
                HistoryEntry.Action.UPDATE,
                actor=acting_user,
                campaign=campaign,
                note=note(
                    gettext_noop("removed %(what)s “%(name)s”"), what=str(model._meta.verbose_name), name=obj.name
                ),
            )
            changed += 1
            continue
        before = snapshot(obj, row.keys()) if obj.pk else None
        for name, value in row.items():
            setattr(obj, name, value)
        if getattr(obj, "parent_id", None) and obj.parent.campaign_id != campaign.pk:
            raise ValidationError(_("Choose a parent of this campaign."))
        obj.full_clean(exclude=["campaign"])
        obj.save()
        if before is None:
            record(
                campaign,
                HistoryEntry.Action.UPDATE,
                actor=acting_user,
                campaign=campaign,
                note=note(gettext_noop("added %(what)s “%(name)s”"), what=str(model._meta.verbose_name), name=obj.name),
            )
            changed += 1
        elif changes := diff(obj, before):
            record(obj, HistoryEntry.Action.UPDATE, actor=acting_user, campaign=campaign, changes=changes)
            changed += 1
    return changed


# The implementation plan (实施方案) ------------------------------------------------------------------


PLAN_FIELDS = ("state", "done_on", "note")


@transaction.atomic
def update_plan_section(section, *, data: dict, files=(), key_tasks=None, acting_user):
    """A preparation's state, date and evidence, or the key tasks placed under a link; history for each."""
    from taizhang.ledger.actions import validate_attachment

    from .models import PlanEvidence, PlanSection

    if not Access.for_user(acting_user, section.campaign).is_office:
        raise PermissionDenied(_("Only the campaign office keeps the implementation plan."))
    unknown = set(data) - set(PLAN_FIELDS)
    if unknown:
        raise ValueError(f"not plan fields: {sorted(unknown)}")
    for upload in files:
        validate_attachment(upload)
    locked = lock_one(PlanSection, pk=section.pk)
    before = snapshot(locked, [*data.keys(), *(["key_tasks"] if key_tasks is not None else [])])
    for name, value in data.items():
        setattr(locked, name, value)
    if locked.state == PlanSection.State.DONE:
        locked.done_on = locked.done_on or timezone.localdate()
        locked.done_by = locked.done_by or acting_user
    else:
        locked.done_on, locked.done_by = None, None
    locked.full_clean()
    locked.save()
    if key_tasks is not None:
        strangers = [t for t in key_tasks if t.campaign_id != locked.campaign_id]
        if strangers:
            raise ValidationError(_("Choose key tasks of this campaign."))
        locked.key_tasks.set(key_tasks)
    changes = diff(locked, before)
    for upload in files:
        PlanEvidence.objects.create(
            section=locked, file=upload, name=upload.name[:200], size=upload.size, uploaded_by=acting_user
        )
        changes.append({"field": "evidence", "label": str(_("evidence")), "old": "", "new": upload.name[:200]})
    if changes:
        record(locked, HistoryEntry.Action.UPDATE, actor=acting_user, campaign=locked.campaign, changes=changes)
    return locked
