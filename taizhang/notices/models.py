from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Reason(models.TextChoices):
    REMINDER = "reminder", _("reminder before a report is due")
    CHASE = "chase", _("chase after a report is overdue")
    ESCALATION = "escalation", _("escalation of missed reports to the office")
    DEADLINE_DIGEST = "deadline_digest", _("digest of items near or past their deadline")
    BULLETIN = "bulletin", _("a new issue of the bulletin")
    DECISION = "decision", _("a meeting's decision for your unit: assigned, deadline near or missed")
    INSTRUCTION = "instruction", _("a leader's instruction, its answer and its deadline")
    ACTIVITY = "activity", _("a study activity coming up, or its record missing")
    RECTIFICATION = (
        "rectification",
        _("an inspection's finding for your unit: ordered, returned, deadline near or missed"),
    )
    DEMAND = "demand", _("a new problem from the public")


class Channel(models.TextChoices):
    IN_APP = "in_app", _("in the app")
    EMAIL = "email", _("email")
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk group robot")


class GroupRobot(models.Model):
    """A unit's WeCom or DingTalk group robot (webhook, and DingTalk's signing secret)."""

    unit = models.ForeignKey("orgs.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="robots")
    kind = models.CharField(
        _("kind"),
        max_length=10,
        choices=[(Channel.WECOM, Channel.WECOM.label), (Channel.DINGTALK, Channel.DINGTALK.label)],
    )
    webhook_url = models.URLField(_("webhook"), max_length=500)
    secret = models.CharField(
        _("signing secret"), max_length=200, blank=True, help_text=_("DingTalk: the robot's SEC… secret.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("group robot")
        verbose_name_plural = _("group robots")
        ordering = ["unit__path", "kind"]

    def __str__(self) -> str:
        return f"{self.unit} · {self.get_kind_display()}"


class Message(models.Model):
    """One message to one recipient (a person or a group robot) for one reason: made once, by its dedupe key."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    # reason:scope:recipient — a second worker, or the same one restarted, cannot make it twice.
    dedupe_key = models.CharField(max_length=200, unique=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    robot = models.ForeignKey(GroupRobot, null=True, blank=True, on_delete=models.CASCADE, related_name="messages")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    url = models.CharField(_("link"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="message_unread_idx")]

    def __str__(self) -> str:
        return self.subject


class Delivery(models.Model):
    """Sending one message on one channel: claimed by one worker, retried on failure, logged."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["message", "channel"], name="delivery_once_per_channel"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_queue_idx")]

    def __str__(self) -> str:
        return f"{self.message} · {self.get_channel_display()}"


class Attempt(models.Model):
    """One try at sending a delivery and how it ended: the send log shows every try, retries included."""

    class Outcome(models.TextChoices):
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed, will retry")
        GAVE_UP = "gave_up", _("failed, given up")

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField(_("attempt"))
    at = models.DateTimeField(_("time"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("send attempt")
        verbose_name_plural = _("send attempts")
        ordering = ["delivery", "number"]
        constraints = [
            # The claim numbers the try (Delivery.attempts); a second record of the same try is refused.
            models.UniqueConstraint(
                fields=["delivery", "number"],
                name="attempt_once_per_number",
                violation_error_message=_("This attempt is already recorded."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delivery} · {self.number}"


class Preference(models.Model):
    """A person's choice to get (or not) one kind of message on one channel; absent means yes."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preferences")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    enabled = models.BooleanField(_("on"), default=True)

    class Meta:
        verbose_name = _("notice preference")
        verbose_name_plural = _("notice preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "reason", "channel"], name="preference_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.reason} · {self.channel}"
