"""Acceptance (验收) with its evidence, and look-backs (回头看) after closing.

The tables were made by the people app and keep their names (``people_acceptance`` …): the models
moved here in state only (migration 0001), so no row moved or was lost.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from taizhang.lib.models import Attachment


class Acceptance(models.Model):
    """A check that an item is really done (验收): passed, or returned for rework with reasons."""

    class Result(models.TextChoices):
        PASSED = "passed", _("passed")
        RETURNED = "returned", _("returned for rework")

    item = models.ForeignKey(
        "ledger.Item", verbose_name=_("item"), on_delete=models.PROTECT, related_name="acceptances"
    )
    checked_on = models.DateField(_("date of acceptance"))
    checkers = models.CharField(_("checkers"), max_length=300)
    result = models.CharField(_("result"), max_length=20, choices=Result.choices)
    reasons = models.TextField(_("reasons for returning"), blank=True)
    statement = models.TextField(_("closing statement"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        db_table = "people_acceptance"
        verbose_name = _("acceptance")
        verbose_name_plural = _("acceptances")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.item.code} {self.get_result_display()}"


def acceptance_path(instance: "AcceptanceAttachment", filename: str) -> str:
    return f"acceptance/{instance.acceptance.item_id}/{filename}"


class AcceptanceAttachment(Attachment):
    """Evidence attached to an acceptance."""

    acceptance = models.ForeignKey(Acceptance, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(_("file"), upload_to=acceptance_path, max_length=300)

    class Meta(Attachment.Meta):
        db_table = "people_acceptanceattachment"
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")


class LookBack(models.Model):
    """A re-check of a closed item some time after closing (回头看)."""

    item = models.ForeignKey("ledger.Item", verbose_name=_("item"), on_delete=models.PROTECT, related_name="lookbacks")
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    holds = models.BooleanField(_("the result holds"), null=True)
    result = models.TextField(_("result"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        db_table = "people_lookback"
        verbose_name = _("look-back")
        verbose_name_plural = _("look-backs")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"{self.item.code} {self.due_on}"
