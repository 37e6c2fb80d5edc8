from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from taizhang.lib.text import search_key


class UnitQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def subtree(self, unit: "Unit"):
        """The unit and every unit below it."""
        return self.filter(path__startswith=unit.path)


class Unit(models.Model):
    """A node of the org tree: the group, a department, a regional company, a subsidiary or below."""

    class Kind(models.TextChoices):
        GROUP = "group", _("group")
        DEPARTMENT = "department", _("HQ department")
        REGIONAL = "regional", _("regional company")
        SUBSIDIARY = "subsidiary", _("subsidiary")
        SUBUNIT = "subunit", _("sub-unit")

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    aliases = models.JSONField(_("aliases"), default=list, blank=True, help_text=_("Other ways people write the name."))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SUBUNIT)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    # Materialised path of zero-padded ids ("000001.000007."), kept by actions, for subtree filters.
    path = models.CharField(max_length=400, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    search_text = models.TextField(editable=False, default="")

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                name="unit_unique_name_per_parent",
                violation_error_message=_("A unit with this name already exists under the same parent."),
            ),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    PICKER_RELATED = ("parent",)  # picker_label reads the parent's name

    @property
    def picker_label(self) -> str:
        """How pickers show a unit: its full name, with its parent's to tell namesakes apart."""
        return self.name if self.parent_id is None else f"{self.name}（{self.parent.name}）"

    def clean(self) -> None:
        # Every form (the admin's too) must refuse a cycle: the subtree rebuild would never end.
        super().clean()
        if (
            self.pk
            and self.parent_id
            and self.path
            and (self.parent_id == self.pk or self.parent.path.startswith(self.path))
        ):
            raise ValidationError({"parent": _("A unit cannot be moved below itself.")})

    def ancestors(self) -> list["Unit"]:
        ids = [int(part) for part in self.path.split(".") if part][:-1]
        by_id = Unit.objects.in_bulk(ids)
        return [by_id[i] for i in ids if i in by_id]

    def refresh_derived(self) -> None:
        """Recompute path, depth and search text from the parent (children are the caller's job)."""
        prefix = self.parent.path if self.parent_id else ""
        self.path = f"{prefix}{self.pk:06d}."
        self.depth = self.path.count(".") - 1
        self.search_text = search_key(self.name, self.short_name, *self.aliases)


SYSTEM_PREFIX = "system:"
# The kinds of system actor and how history names them; ``%(who)s`` is the operating-system account.
SYSTEM_ACTOR_KINDS = {
    "cli": _("Command-line import (%(who)s)"),
    "demo": _("Demo builder (%(who)s)"),
    "bench": _("Benchmark (%(who)s)"),
    "test": _("Test fixtures (%(who)s)"),
}


def system_actor_label(username: str) -> str:
    """``system:cli:root`` → 命令行导入（root）, in the reader's language."""
    _prefix, kind, who = [*username.split(":", 2), "", ""][:3]
    label = SYSTEM_ACTOR_KINDS.get(kind)
    return str(label) % {"who": who} if label is not None else username


class User(AbstractUser):
    """A person who signs in: staff of a unit, with a phone; roles come from grants per campaign."""

    name = models.CharField(_("full name"), max_length=100, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        if self.is_system_actor:
            return system_actor_label(self.username)
        return self.name or self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        return str(self)

    @property
    def is_system_actor(self) -> bool:
        """A command's named actor (``system:cli:root``): no person signs in as it; see ``orgs.actions.system_actor``.

        A colon never passes the username validator, so no sign-up or admin form can make one.
        """
        return self.username.startswith(SYSTEM_PREFIX) and not self.has_usable_password()


class Role(models.TextChoices):
    OFFICE = "office", _("campaign office")
    LEADER = "leader", _("leader")
    LIAISON = "liaison", _("unit liaison")
    INSPECTOR = "inspector", _("inspector")
    ASSESSOR = "assessor", _("assessor")


class RoleGrant(models.Model):
    """A role a person holds in one campaign; a liaison's grant names the unit it speaks for."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="grants"
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="grants"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grants",
        help_text=_("Required for a liaison: the unit whose items and reports the person keeps."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        ordering = ["campaign", "role", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "campaign", "role", "unit"],
                name="grant_unique_with_unit",
                condition=models.Q(unit__isnull=False),
                violation_error_message=_("This person already holds this role for this unit."),
            ),
            models.UniqueConstraint(
                fields=["user", "campaign", "role"],
                name="grant_unique_without_unit",
                condition=models.Q(unit__isnull=True),
                violation_error_message=_("This person already holds this role in this campaign."),
            ),
            models.CheckConstraint(
                condition=~models.Q(role="liaison") | models.Q(unit__isnull=False),
                name="grant_liaison_has_unit",
                violation_error_message=_("A liaison must be given a unit."),
            ),
        ]

    def __str__(self) -> str:
        suffix = f" · {self.unit}" if self.unit_id else ""
        return f"{self.user} · {self.get_role_display()}{suffix}"


class ContactPoint(models.Model):
    """A unit a leader looks after in a campaign (联系点)."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="contact_points"
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("leader"), on_delete=models.CASCADE, related_name="contact_points"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="contact_points")
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")
        ordering = ["campaign", "leader", "unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "leader", "unit"],
                name="contact_point_unique",
                violation_error_message=_("This unit is already a contact point of this leader."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.leader} → {self.unit}"


class SignInLink(models.Model):
    """A one-time link the office hands a person with no password yet: opened once, they set their own.

    Only a hash of the token is kept: the link itself is shown once, on the sheet the office prints.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_in_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("first sign-in link")
        verbose_name_plural = _("first sign-in links")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} · {self.expires_at:%Y-%m-%d}"
