"""Writes on the org tree and on role grants, each with its history."""

import getpass
import os

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from taizhang.history.models import HistoryEntry
from taizhang.history.recording import diff, record, snapshot
from taizhang.lib.locks import lock_one

from .access import can_manage_units
from .models import SYSTEM_ACTOR_KINDS, SYSTEM_PREFIX, RoleGrant, Unit, User, system_actor_label

UNIT_FIELDS = ("name", "short_name", "aliases", "kind", "parent", "sort_order")


def _require_unit_manager(user) -> None:
    if not can_manage_units(user):
        raise PermissionDenied(_("Only the campaign office can change the org tree."))


def _rebuild_subtree(unit: Unit) -> None:
    """Refresh path and depth of a unit's descendants after it moved."""
    for child in Unit.objects.filter(parent=unit):
        child.refresh_derived()
        Unit.objects.filter(pk=child.pk).update(path=child.path, depth=child.depth)
        _rebuild_subtree(child)


def clean_aliases(aliases) -> list[str]:
    if isinstance(aliases, str):
        for sep in ("、", "，", ",", "；"):
            aliases = aliases.replace(sep, ";")
        aliases = aliases.split(";")
    seen: list[str] = []
    for alias in aliases or []:
        alias = alias.strip()
        if alias and alias not in seen:
            seen.append(alias)
    return seen


def system_actor(kind: str, detail: str | None = None) -> User:
    """The named actor a command writes as: ``system:cli:root`` reads 命令行导入（root） in history.

    One user row per kind and operating-system account, made on first use; it has no usable password
    and is inactive, so no one signs in as it. Permission for it is granted in one place,
    :meth:`Access.for_system`.
    """
    if kind not in SYSTEM_ACTOR_KINDS:
        raise ValueError(f"unknown system actor kind {kind!r}")
    if detail is None:
        detail = _os_account()
    detail = "".join(ch for ch in detail if ch.isprintable() and ch != ":")[:60] or "?"
    username = f"{SYSTEM_PREFIX}{kind}:{detail}"
    actor = User.objects.filter(username=username).first()
    if actor is None:
        # The name in the site's language, for lists that read it directly; history pages translate it.
        with translation.override(settings.LANGUAGE_CODE):
            name = system_actor_label(username)
        actor = User(username=username, name=name[:100], is_active=False)
        actor.set_unusable_password()
        try:
            with transaction.atomic():
                actor.save()
        except IntegrityError:  # made at the same moment by another run
            actor = User.objects.get(username=username)
    return actor


def _os_account() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container): the number says enough
        return str(os.getuid()) if hasattr(os, "getuid") else "?"


@transaction.atomic
def create_unit(*, data: dict, acting_user, note: str = "") -> Unit:
    _require_unit_manager(acting_user)
    data = dict(data)
    data["aliases"] = clean_aliases(data.get("aliases", []))
    unit = Unit(**data)
    unit.full_clean(exclude=["path"])
    unit.save()
    unit.refresh_derived()
    Unit.objects.filter(pk=unit.pk).update(path=unit.path, depth=unit.depth, search_text=unit.search_text)
    record(unit, HistoryEntry.Action.CREATE, actor=acting_user, note=note)
    return unit


@transaction.atomic
def update_unit(unit: Unit, *, data: dict, acting_user, note: str = "") -> Unit:
    """Rename, re-alias or move a unit; a move carries its whole subtree."""
    _require_unit_manager(acting_user)
    current = lock_one(Unit, pk=unit.pk)
    before = snapshot(current, UNIT_FIELDS)
    data = dict(data)
    if "aliases" in data:
        data["aliases"] = clean_aliases(data["aliases"])
    new_parent = data.get("parent", current.parent)
    if new_parent is not None and new_parent.path.startswith(current.path):
        raise ValidationError({"parent": _("A unit cannot be moved below itself.")})
    for name, value in data.items():
        setattr(current, name, value)
    current.full_clean(exclude=["path"])
    moved = before["parent"] != snapshot(current, ("parent",))["parent"]
    current.refresh_derived()
    current.save()
    if moved:
        _rebuild_subtree(current)
    changes = diff(current, before)
    if changes:
        record(
            current,
            HistoryEntry.Action.MOVE if moved else HistoryEntry.Action.UPDATE,
            actor=acting_user,
            changes=changes,
            note=note,
        )
    return current


@transaction.atomic
def add_unit_alias(unit: Unit, *, alias: str, acting_user, note: "str | object" = "") -> Unit:
    """Learn another way people write a unit's name (an import's unknown name the office placed).

    Refused when the name is already another active unit's name, short name or alias (it would make
    that unit's name ambiguous); adding an alias the unit already has changes nothing.
    """
    _require_unit_manager(acting_user)
    from taizhang.lib.unitnames import name_key

    alias = " ".join(str(alias or "").split())[:100]
    if not alias:
        raise ValidationError({"aliases": _("Write the name to learn.")})
    key = name_key(alias)
    for other in Unit.objects.filter(is_active=True).exclude(pk=unit.pk).only("name", "short_name", "aliases"):
        if key in {name_key(n) for n in (other.short_name, *(other.aliases or [])) if n}:
            raise ValidationError(
                {
                    "aliases": _("“%(alias)s” is already another name of %(unit)s.")
                    % {"alias": alias, "unit": other.name}
                }
            )
    current = lock_one(Unit, pk=unit.pk)
    if key in {name_key(n) for n in (current.name, current.short_name, *(current.aliases or [])) if n}:
        return current
    return update_unit(current, data={"aliases": [*(current.aliases or []), alias]}, acting_user=acting_user, note=note)


@transaction.atomic
def set_unit_active(unit: Unit, *, active: bool, acting_user, reason: str = "") -> Unit:
    """Units are never deleted: they are deactivated (with their sub-units) and can come back."""
    _require_unit_manager(acting_user)
    if unit.is_active == active:
        return unit
    if not active and Unit.objects.subtree(unit).exclude(pk=unit.pk).filter(is_active=True).exists():
        raise ValidationError(_("Deactivate or move its active sub-units first."))
    if active and unit.parent_id and not unit.parent.is_active:
        raise ValidationError(_("Reactivate the parent unit first."))
    Unit.objects.filter(pk=unit.pk).update(is_active=active)
    unit.is_active = active
    record(
        unit, HistoryEntry.Action.ACTIVATE if active else HistoryEntry.Action.DEACTIVATE, actor=acting_user, note=reason
    )
    return unit


@transaction.atomic
def grant_role(*, user, campaign, role: str, unit: Unit | None = None, acting_user=None) -> RoleGrant:
    """Give a role; granting one the person already holds returns the existing grant."""
    existing = RoleGrant.objects.filter(user=user, campaign=campaign, role=role, unit=unit).first()
    if existing is not None:
        return existing
    grant = RoleGrant(user=user, campaign=campaign, role=role, unit=unit)
    # Validate before writing, so a liaison without a unit is a clear error, not a database one.
    grant.full_clean()
    grant.save()
    record(grant, HistoryEntry.Action.GRANT, actor=acting_user, campaign=campaign, note=str(grant))
    record(user, HistoryEntry.Action.GRANT, actor=acting_user, campaign=campaign, note=str(grant))
    return grant


@transaction.atomic
def revoke_role(grant: RoleGrant, *, acting_user=None) -> None:
    record(grant.user, HistoryEntry.Action.REVOKE, actor=acting_user, campaign=grant.campaign, note=str(grant))
    grant.delete()
