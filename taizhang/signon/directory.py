"""One road for a person the directory vouches for: LDAP and OIDC both hand a :class:`DirectoryEntry` to :func:`sign_in`.

The person is found (by the directory's identifier, then by username), or made on their first sign-in in the unit
their entry names; their roles follow the campaigns' group rules (:func:`planned_grants`, which the dry run on the
mapping page shows before anything is saved).
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.history.models import HistoryEntry
from taizhang.history.recording import record
from taizhang.lib.unitnames import UnitMatcher
from taizhang.orgs.actions import grant_role, revoke_role
from taizhang.orgs.models import Role, RoleGrant, Unit, User

from .models import DirectoryAccount, GroupRule, MappedGrant


@dataclass
class DirectoryEntry:
    """What a directory says about one person."""

    source: str
    external_id: str
    username: str
    name: str = ""
    email: str = ""
    phone: str = ""
    unit_name: str = ""
    # Group names and DNs (LDAP) or the groups claim's values (OIDC).
    groups: list[str] = field(default_factory=list)

    @property
    def group_keys(self) -> set[str]:
        return {group.strip().casefold() for group in self.groups if group and group.strip()}


class UnitResolver:
    """The unit a directory entry names, looked up like every other written unit name (lib/unitnames)."""

    def __init__(self):
        self._matcher = None

    def __call__(self, name: str) -> Unit | None:
        if not name:
            return None
        if self._matcher is None:
            self._matcher = UnitMatcher(Unit.objects.active().select_related("parent"))
        try:
            return self._matcher.find(name)
        except LookupError:  # several units fit: the person is placed by the office, not by a guess
            return None


@dataclass(frozen=True)
class Planned:
    """One grant a group rule gives: (campaign, role, unit) and the rule's author, who is recorded as granting it."""

    campaign_id: int
    role: str
    unit_id: int | None
    rule: GroupRule = field(compare=False, hash=False)


def planned_grants(entry: DirectoryEntry, unit: Unit | None, rules) -> tuple[list[Planned], list[GroupRule]]:
    """The grants ``rules`` give a person with this entry in ``unit``, and the rules that fit but cannot apply.

    A liaison rule without a unit of its own names the person's unit; with no unit known it cannot apply.
    """
    keys = entry.group_keys
    planned: dict[tuple, Planned] = {}
    unplaced = []
    for rule in rules:
        if not rule.matches(keys):
            continue
        unit_id = None
        if rule.role == Role.LIAISON:
            unit_id = rule.unit_id or (unit.pk if unit is not None else None)
            if unit_id is None:
                unplaced.append(rule)
                continue
        grant = Planned(rule.campaign_id, rule.role, unit_id, rule)
        planned.setdefault((grant.campaign_id, grant.role, grant.unit_id), grant)
    return list(planned.values()), unplaced


def _find_user(entry: DirectoryEntry) -> tuple[User | None, DirectoryAccount | None]:
    account = (
        DirectoryAccount.objects.select_related("user")
        .filter(source=entry.source, external_id=entry.external_id)
        .first()
    )
    if account is not None:
        return account.user, account
    return User.objects.filter(username__iexact=entry.username).first(), None


@transaction.atomic
def sign_in(entry: DirectoryEntry, *, resolve_unit=None) -> User | None:
    """The person the directory vouches for, made on first sign-in; None when the name is a local account's.

    A local account with a password (the office's break-glass account) is never taken over by a directory
    entry of the same name; one without a password (imported by the office, never signed in) is linked.
    """
    resolve_unit = resolve_unit or UnitResolver()
    user, account = _find_user(entry)
    if user is not None and account is None and (user.has_usable_password() or user.is_system_actor):
        return None
    if user is not None and not user.is_active:
        return None
    unit = resolve_unit(entry.unit_name)
    now = timezone.now()
    if user is None:
        user = User(username=entry.username[:150], name=entry.name[:100], email=entry.email[:254], unit=unit)
        user.phone = entry.phone[:30]
        user.set_unusable_password()
        user.save()
        record(user, HistoryEntry.Action.CREATE, note=_("Made on first sign-in through the directory"))
    else:
        changed = []
        for name, value, limit in (("name", entry.name, 100), ("email", entry.email, 254), ("phone", entry.phone, 30)):
            if value and getattr(user, name) != value[:limit]:
                setattr(user, name, value[:limit])
                changed.append(name)
        if unit is not None and user.unit_id != unit.pk:
            user.unit = unit
            changed.append("unit")
        if changed:
            user.save(update_fields=changed)
    if account is None:
        account = DirectoryAccount(user=user, source=entry.source, external_id=entry.external_id, first_sign_in_at=now)
    account.unit_name = entry.unit_name[:200]
    account.groups = sorted(set(entry.groups))
    account.last_sign_in_at = now
    account.save()
    sync_grants(user, entry, user.unit)
    return user


def sync_grants(user: User, entry: DirectoryEntry, unit: Unit | None) -> None:
    """Give the grants the group rules plan; take back those a rule gave before and no longer plans."""
    planned, _unplaced = planned_grants(entry, unit, GroupRule.objects.all())
    wanted = {(p.campaign_id, p.role, p.unit_id) for p in planned}
    for mapped in MappedGrant.objects.filter(grant__user=user).select_related("grant__campaign", "grant__user"):
        grant = mapped.grant
        if (grant.campaign_id, grant.role, grant.unit_id) not in wanted:
            revoke_role(grant, acting_user=None)
    held = set(RoleGrant.objects.filter(user=user).values_list("campaign_id", "role", "unit_id"))
    for plan in planned:
        if (plan.campaign_id, plan.role, plan.unit_id) in held:
            continue
        grant = grant_role(
            user=user,
            campaign=plan.rule.campaign,
            role=plan.role,
            unit=Unit.objects.get(pk=plan.unit_id) if plan.unit_id else None,
            acting_user=plan.rule.created_by,
        )
        MappedGrant.objects.create(grant=grant)


@dataclass
class DryRunRow:
    """One person in the dry run: who they are, where the directory places them, and what would change."""

    username: str
    name: str
    unit: Unit | None
    unit_name: str
    user: User | None
    add: list[str]
    remove: list[str]
    keep: list[str]
    unplaced: list[str]

    @property
    def changes(self) -> bool:
        return bool(self.add or self.remove or self.unplaced)


def dry_run(campaign, rules, entries) -> list[DryRunRow]:
    """Who would get which role in ``campaign`` under ``rules`` (saved or not), for each directory entry.

    Nothing is written. ``entries``: the people who signed in through the directory, and whoever the directory
    lists (LDAP) though they have not signed in yet (they would be made on their first sign-in).
    """
    rules = [rule for rule in rules if rule.campaign_id == campaign.pk]
    resolve_unit = UnitResolver()
    units = {}
    rows = []
    for entry in entries:
        user, _account = _find_user(entry)
        unit = resolve_unit(entry.unit_name) or (user.unit if user is not None else None)
        planned, unplaced = planned_grants(entry, unit, rules)
        wanted = {(p.role, p.unit_id) for p in planned}
        held, mapped = set(), set()
        if user is not None:
            for grant in RoleGrant.objects.filter(user=user, campaign=campaign).select_related("mapped"):
                held.add((grant.role, grant.unit_id))
                if hasattr(grant, "mapped"):
                    mapped.add((grant.role, grant.unit_id))
        needed = {uid for _role, uid in wanted | held if uid and uid not in units}
        units.update(Unit.objects.in_bulk(needed))

        def label(key):
            role, unit_id = key
            text = str(Role(role).label)
            return f"{text} · {units[unit_id].display_name}" if unit_id in units else text

        rows.append(
            DryRunRow(
                username=entry.username,
                name=entry.name or (user.display_name if user else ""),
                unit=unit,
                unit_name=entry.unit_name,
                user=user,
                add=sorted(label(k) for k in wanted - held),
                remove=sorted(label(k) for k in mapped - wanted),
                keep=sorted(label(k) for k in held & wanted),
                unplaced=sorted({str(rule) for rule in unplaced}),
            )
        )
    rows.sort(key=lambda row: (not row.changes, row.username))
    return rows


def known_entries() -> list[DirectoryEntry]:
    """The people who signed in through a directory, as it described them at their last sign-in."""
    return [
        DirectoryEntry(
            source=account.source,
            external_id=account.external_id,
            username=account.user.username,
            name=account.user.name,
            unit_name=account.unit_name,
            groups=list(account.groups),
        )
        for account in DirectoryAccount.objects.select_related("user").order_by("user__username")
    ]
