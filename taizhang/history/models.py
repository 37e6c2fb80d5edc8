from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class HistoryEntry(models.Model):
    """One recorded change to a unit, item, grant or any other audited object."""

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("changed")
        PROGRESS = "progress", _("progress reported")
        COMMENT = "comment", _("commented")
        WITHDRAW = "withdraw", _("withdrawn")
        MERGE = "merge", _("merged")
        MOVE = "move", _("moved")
        DEACTIVATE = "deactivate", _("deactivated")
        ACTIVATE = "activate", _("reactivated")
        GRANT = "grant", _("role granted")
        REVOKE = "revoke", _("role revoked")
        LIGHT = "light", _("light changed")
        SUBMIT = "submit", _("submitted")
        ACCEPT = "accept", _("accepted")
        RETURN = "return", _("returned")
        REOPEN = "reopen", _("reopened")
        ACCEPTANCE = "acceptance", _("acceptance recorded")
        CLOSE = "close", _("closed (销号)")
        LOOK_BACK = "look_back", _("look-back recorded")
        PUBLISH = "publish", _("publication changed")
        LOCK = "lock", _("login locked")
        UNLOCK = "unlock", _("login unlocked")
        INSTRUCTION = "instruction", _("instruction (批示)")

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    campaign = models.ForeignKey(
        "campaigns.Campaign", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    # [{"field": name, "label": verbose name, "old": text, "new": text}, ...]
    changes = models.JSONField(_("changes"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)
    # A note written from one of our own messages keeps its msgid and arguments, so each reader reads it
    # in their language (``display_note``); ``note`` holds it in the site's language, and free text as typed.
    note_key = models.CharField(max_length=200, blank=True, editable=False)
    note_args = models.JSONField(default=dict, blank=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"], name="history_subject_idx")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.content_type.model}#{self.object_id}"

    @property
    def display_note(self) -> str:
        """The note in the reader's language where it came from our messages, else as it was written."""
        if not self.note_key:
            return self.note
        from .recording import render_note

        return render_note(self.note_key, self.note_args) or self.note
