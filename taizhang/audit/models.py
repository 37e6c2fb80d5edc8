"""The audit log (who did what, when, from where) and the evidence chain (each campaign's hash chain)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

GENESIS = "0" * 64


class AppendOnlyQuerySet(models.QuerySet):
    """No update or delete through the ORM: the log and the chain only grow."""

    def update(self, **kwargs):
        raise PermissionDenied("append-only")

    def delete(self):
        raise PermissionDenied("append-only")


class AppendOnly(models.Model):
    """A row that is written once and never changed or deleted by the application."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionDenied("append-only")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("append-only")


class AuditEvent(AppendOnly):
    """One access or change in the audit log: who, when, from where, what."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("signed in")
        LOGOUT = "logout", _("signed out")
        LOGIN_FAILED = "login_failed", _("failed sign-in")
        LOCKOUT = "lockout", _("locked out")
        TOKEN = "token", _("API token used")
        PERMISSION = "permission", _("permission changed")
        DOWNLOAD = "download", _("export or download")
        ADMIN = "admin", _("admin change")
        PERSONAL = "personal", _("personal data exported or erased")
        ANCHOR = "anchor", _("daily anchor of the chains")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The name as given: a failed sign-in names an account that may not exist.
    username = models.CharField(_("account"), max_length=150, blank=True)
    address = models.CharField(_("address"), max_length=45, blank=True)
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    what = models.CharField(_("what"), max_length=300)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    at = models.DateTimeField(_("when"), db_index=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["kind", "-at"], name="audit_kind_at_idx")]
        constraints = [
            # The daily anchor is written once per day, whoever runs it and however often.
            models.UniqueConstraint(fields=["what"], condition=Q(kind="anchor"), name="audit_anchor_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.what}"


class ChainHead(models.Model):
    """The newest link of one campaign's chain; every writer locks it, so links follow one another."""

    campaign = models.OneToOneField("campaigns.Campaign", primary_key=True, on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveBigIntegerField(default=0)
    digest = models.CharField(max_length=64, default=GENESIS)

    class Meta:
        verbose_name = _("chain head")
        verbose_name_plural = _("chain heads")

    def __str__(self) -> str:
        return f"{self.campaign_id}#{self.seq} {self.digest[:12]}"


class ChainLink(AppendOnly):
    """One version of an evidence record in its campaign's chain: its canonical content and the chained hash."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=60)  # the record's model label, "ledger.progressentry"
    object_id = models.PositiveBigIntegerField()
    canonical = models.TextField()
    previous = models.CharField(max_length=64)
    digest = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("chain link")
        verbose_name_plural = _("chain links")
        ordering = ["campaign", "seq"]
        constraints = [models.UniqueConstraint(fields=["campaign", "seq"], name="chain_link_seq_once")]
        indexes = [models.Index(fields=["kind", "object_id"], name="chain_link_record_idx")]

    def __str__(self) -> str:
        return f"{self.campaign_id}#{self.seq} {self.kind}:{self.object_id}"
