"""Who may do what in a campaign: checked on the server, for every object.

An :class:`Access` is built once per request and campaign from the person's
grants; views ask it before reading or writing anything.
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
    def can_view(self) -> bool:
        return bool(self.roles)

    # Objects
    def speaks_for(self, unit: Unit | None) -> bool:
        """True when the person is a liaison of this unit or of a unit above it."""
        if unit is None:
            return False
        return any(unit.path.startswith(own.path) for own in self.liaison_units)

    def can_edit_item(self, item) -> bool:
        return self.is_office

    def can_report_progress(self, item) -> bool:
        if item.is_finished:
            return False
        return self.is_office or self.speaks_for(item.owner_unit)

    def can_comment(self, item) -> bool:
        return self.is_office or self.is_leader

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


def can_create_campaigns(user) -> bool:
    """A campaign is started by an administrator, or by a command acting as its named system actor."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or getattr(user, "is_system_actor", False)
