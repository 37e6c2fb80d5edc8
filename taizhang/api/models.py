"""Tokens that let a program act as a person through the API (``/api/v1/``).

Not the Open311 ``people.ApiKey``: that key lets a public client post a problem as a member of the
public and belongs to no one. A token here is a person's (personal) or a person's on behalf of an
office (integration): it acts as that person, never beyond what their role grants, further narrowed
by its scope. Only its hash is stored; the secret is shown once when it is made.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Resources an integration token can be limited to (a personal token reaches them all).
RESOURCES = (
    ("campaigns", _("campaigns, categories and phases")),
    ("units", _("units")),
    ("items", _("items")),
    ("progress", _("progress entries")),
    ("reports", _("unit reports")),
    ("problems", _("problems")),
    ("findings", _("findings and rectifications")),
    ("scores", _("scores")),
    ("bulletins", _("bulletins")),
)
RESOURCE_NAMES = tuple(name for name, _label in RESOURCES)
PREFIX = "tz_"


def hash_secret(secret: str) -> str:
    """The stored form of a token: SHA-256 is enough for 256 random bits (no password to stretch)."""
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiToken(models.Model):
    """A hashed bearer token acting as its person in the API, within its scope."""

    class Kind(models.TextChoices):
        PERSONAL = "personal", _("personal")
        INTEGRATION = "integration", _("integration")

    class Scope(models.TextChoices):
        READ = "read", _("read")
        WRITE = "write", _("read and write")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PERSONAL)
    name = models.CharField(_("name"), max_length=100)
    # The first characters of the secret, shown in lists so a person can tell their tokens apart.
    prefix = models.CharField(_("starts with"), max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.READ)
    # Integration tokens: one campaign and the resources named; personal tokens: every campaign of the person.
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    resources = models.JSONField(_("resources"), default=list, blank=True)
    rate_limit = models.PositiveIntegerField(_("requests per minute"), default=120)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("made by")
    )
    created_at = models.DateTimeField(_("made"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "kind"], name="api_token_user_kind")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    def reaches(self, resource: str) -> bool:
        """An integration token reaches only the resources it names; a personal one all of them."""
        return self.kind == self.Kind.PERSONAL or resource in (self.resources or [])
