"""Who may do what in a campaign: checked on the server, for every object.

An :class:`Access` is built once per request and campaign from the person's
grants; views ask it before reading or writing anything.

The read policy (README, "Who reads what") in two rules, one predicate each:

- **The ledger is shared inside the campaign** (:meth:`Access.can_read_item`): everyone with a
  role reads every item — its fields, its progress entries (percent, what was done), comments,
  instructions and history — as the item list, the dashboards and, for published items, the
  public page already show them.
- **A unit's working papers are for its own line and the overseers**
  (:meth:`Access.can_read_unit_work`): the files attached to its progress and acceptance, its
  unit reports and its statistics sheet are read by the office, leaders, inspectors and assessors
  and by liaisons of that unit or of a unit above it; another unit's liaison is refused them on
  every road (item page, download, report page, sheet).
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .models import Role, RoleGrant, Unit


@dataclass
class Access:
    user: object
    campaign: object
    roles: set[str] = field(default_factory=set)
    liaison_units: list[Unit] = field(default_factory=list)

    @classmethod
    def for_user(cls, user, campaign) -> "Access":
        if getattr(user, "is_system_actor", False):
            return cls.for_system(user, campaign)
        access = cls(user=user, campaign=campaign)
        if not user.is_authenticated:
            return access
        if user.is_superuser:
            access.roles.add(Role.OFFICE)
        for grant in RoleGrant.objects.filter(user=user, campaign=campaign).select_related("unit"):
            access.roles.add(grant.role)
            if grant.role == Role.LIAISON and grant.unit.is_active:
                access.liaison_units.append(grant.unit)
        return access

    @classmethod
    def for_system(cls, actor, campaign) -> "Access":
        """A command's named actor (``orgs.actions.system_actor``) acts as the office of the campaign it works on.

        Only code running on the server makes such an actor (no one can sign in as one), and what it
        does is recorded under its name, so the grant is here, once, rather than a flag on every action.
        """
        if not getattr(actor, "is_system_actor", False):
            raise PermissionDenied(_("You do not have permission to do this."))
        return cls(user=actor, campaign=campaign, roles={Role.OFFICE})

    # Roles
    @property
    def is_office(self) -> bool:
        return Role.OFFICE in self.roles

    @property
    def is_leader(self) -> bool:
        return Role.LEADER in self.roles

    @property
    def is_liaison(self) -> bool:
        return bool(self.liaison_units)

    @property
    def is_inspector(self) -> bool:
        return Role.INSPECTOR in self.roles

    @property
    def is_assessor(self) -> bool:
        return Role.ASSESSOR in self.roles

    @property
    def is_overseer(self) -> bool:
        """The roles that look across units: the office, leaders, inspectors, assessors."""
        return bool(self.roles & {Role.OFFICE, Role.LEADER, Role.INSPECTOR, Role.ASSESSOR})

    @property
    def can_view(self) -> bool:
        return bool(self.roles)

    # Objects
    def speaks_for(self, unit: Unit | None) -> bool:
        """True when the person is a liaison of this unit or of a unit above it."""
        if unit is None:
            return False
        return any(unit.path.startswith(own.path) for own in self.liaison_units)

    # Reading (the two rules in the module docstring)
    def can_read_item(self, item) -> bool:
        """The ledger is shared inside the campaign: any role reads any of its items."""
        return self.can_view and item.campaign_id == self.campaign.pk

    def can_read_unit_work(self, unit) -> bool:
        """A unit's working papers: the overseers, and liaisons of the unit or of a unit above it."""
        return self.can_view and (self.is_overseer or self.speaks_for(unit))

    def can_read_attachments(self, item) -> bool:
        """Files attached to an item's progress or acceptance are its owner unit's working papers."""
        return self.can_read_item(item) and self.can_read_unit_work(item.owner_unit)

    def can_read_report(self, unit) -> bool:
        """A unit's report page (its summary, submission, the office's decisions)."""
        return self.can_read_unit_work(unit)

    def can_download_sheet(self, unit) -> bool:
        """A unit's statistics sheet: filled in by its liaisons, collected by the office."""
        return self.is_office or self.speaks_for(unit)

    def can_edit_item(self, item) -> bool:
        return self.is_office

    def can_report_progress(self, item) -> bool:
        if item.is_finished:
            return False
        return self.is_office or self.speaks_for(item.owner_unit)

    def can_comment(self, item) -> bool:
        """The office and leaders comment; the owner unit's liaisons reply on their unit's items."""
        return self.is_office or self.is_leader or self.speaks_for(item.owner_unit)

    def can_give_instruction(self, item) -> bool:
        return self.is_leader

    def can_export(self) -> bool:
        return self.can_view

    # Enforcement
    def require(self, allowed: bool, message: str | None = None) -> None:
        if not allowed:
            raise PermissionDenied(message or _("You do not have permission to do this."))


def can_manage_units(user) -> bool:
    """Units are shared by all campaigns: the office of any active campaign keeps the tree."""
    if not user.is_authenticated:
        return False
    if getattr(user, "is_system_actor", False):
        return True
    return user.is_superuser or RoleGrant.objects.filter(user=user, role=Role.OFFICE).exists()
