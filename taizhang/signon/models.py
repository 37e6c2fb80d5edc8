"""What the organisation's directory said about the people who sign in through it, and how its groups map to roles."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from taizhang.orgs.models import Role, RoleGrant, Unit


class Source(models.TextChoices):
    LDAP = "ldap", _("LDAP / Active Directory")
    OIDC = "oidc", _("OpenID Connect")


class DirectoryAccount(models.Model):
    """A person who signs in through the directory: who the directory says they are, as of their last sign-in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="directory_account"
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    # The LDAP entry's DN or the OIDC subject: what stays when a name changes.
    external_id = models.CharField(_("directory identifier"), max_length=400)
    unit_name = models.CharField(_("unit in the directory"), max_length=200, blank=True)
    groups = models.JSONField(_("directory groups"), default=list, blank=True)
    first_sign_in_at = models.DateTimeField(_("first sign-in"))
    last_sign_in_at = models.DateTimeField(_("last sign-in"))

    class Meta:
        verbose_name = _("directory account")
        verbose_name_plural = _("directory accounts")
        ordering = ["source", "external_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                name="directory_account_unique_identifier",
                violation_error_message=_("This directory entry already belongs to another person."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} · {self.external_id}"


class GroupRule(models.Model):
    """Members of a directory group get a role in a campaign; a liaison speaks for the rule's unit or their own."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="group_rules"
    )
    group = models.CharField(
        _("directory group"), max_length=400, help_text=_("The group's name (cn) or its full DN, or an OIDC group.")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("For a liaison: the unit they speak for; empty, the unit their directory entry names."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("group rule")
        verbose_name_plural = _("group rules")
        ordering = ["campaign", "group", "role", "pk"]

    def __str__(self) -> str:
        suffix = f" · {self.unit}" if self.unit_id else ""
        return f"{self.group} → {self.get_role_display()}{suffix}"

    def matches(self, groups: set[str]) -> bool:
        """``groups``: the person's group names and DNs, case-folded."""
        return self.group.strip().casefold() in groups


class MappedGrant(models.Model):
    """A role grant a group rule gave: taken back at a later sign-in when the person is no longer in the group.

    Grants the office made by hand have no such row and are never taken back by a sign-in.
    """

    grant = models.OneToOneField(RoleGrant, on_delete=models.CASCADE, related_name="mapped")

    class Meta:
        verbose_name = _("mapped grant")
        verbose_name_plural = _("mapped grants")

    def __str__(self) -> str:
        return str(self.grant)
