"""Making messages (once per recipient, reason and scope) and delivering them (once per channel).

Making: :func:`notify` inserts a :class:`Message` under a unique dedupe key; a second worker or a
restarted one making the same message hits the constraint and makes nothing.

Delivering: :func:`send_pending` claims each delivery with a filtered ``UPDATE … WHERE status =
'pending'`` — only one worker's update matches — then sends it. A failure is recorded and retried
later with a growing delay; after ``MAX_ATTEMPTS`` it stays failed in the office's log. One
channel failing never stops the others: every delivery is tried on its own.
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from . import channels
from .models import Attempt, Channel, Delivery, GroupRobot, Message, Preference

MAX_ATTEMPTS = 5
STALE_CLAIM = datetime.timedelta(minutes=10)


def wants(user, reason: str, channel: str) -> bool:
    preference = Preference.objects.filter(user=user, reason=reason, channel=channel).first()
    return preference.enabled if preference else True


def notify(
    *,
    reason: str,
    scope: str,
    subject: str,
    body: str,
    url: str = "",
    campaign=None,
    user=None,
    robot: GroupRobot | None = None,
) -> Message | None:
    """Make a message for one person (in-app and email, as they chose) or one group robot.

    Returns ``None`` when the same message (reason, scope, recipient) was made before.
    """
    recipient = f"user:{user.pk}" if user is not None else f"robot:{robot.pk}"
    key = f"{reason}:{scope}:{recipient}"[:200]
    if user is not None:
        wanted = [c for c in (Channel.IN_APP, Channel.EMAIL) if wants(user, reason, c)]
        if not user.email and Channel.EMAIL in wanted:
            wanted.remove(Channel.EMAIL)
        if not wanted:
            return None
    try:
        with transaction.atomic():
            message = Message.objects.create(
                campaign=campaign,
                reason=reason,
                dedupe_key=key,
                recipient=user,
                robot=robot,
                subject=subject[:200],
                body=body,
                url=url,
            )
            if user is not None:
                for channel in wanted:
                    if channel == Channel.IN_APP:
                        # In the app it is delivered by being made: one attempt, sent.
                        now = timezone.now()
                        delivery = Delivery.objects.create(
                            message=message, channel=channel, status=Delivery.Status.SENT, sent_at=now, attempts=1
                        )
                        Attempt.objects.create(delivery=delivery, number=1, at=now, outcome=Attempt.Outcome.SENT)
                    else:
                        Delivery.objects.create(message=message, channel=channel, address=user.email)
            else:
                Delivery.objects.create(message=message, channel=robot.kind, address=robot.webhook_url)
    except IntegrityError:
        return None
    return message


def claim(delivery_id: int, now: datetime.datetime) -> bool:
    """Take a waiting delivery for this worker; False when another worker took it first."""
    return bool(
        Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING).update(
            status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    )


def _send(delivery: Delivery, absolute) -> None:
    message = delivery.message
    link = absolute(message.url) if message.url else ""
    if delivery.channel == Channel.EMAIL:
        body = f"{message.body}\n\n{link}" if link else message.body
        channels.send_email(delivery.address, message.subject, body)
    elif delivery.channel == Channel.WECOM:
        channels.send_wecom(delivery.address, message.subject, message.body, link)
    elif delivery.channel == Channel.DINGTALK:
        secret = message.robot.secret if message.robot_id else ""
        channels.send_dingtalk(delivery.address, message.subject, message.body, link, secret=secret)


def due_deliveries(now: datetime.datetime):
    return Delivery.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now), status=Delivery.Status.PENDING
    ).order_by("id")


def send_pending(*, now: datetime.datetime | None = None, absolute=lambda url: url, ids=None) -> dict[str, int]:
    """Send every waiting delivery this worker manages to claim; returns counts by outcome."""
    now = now or timezone.now()
    # Claims left by a worker that died mid-send go back in the queue.
    Delivery.objects.filter(status=Delivery.Status.SENDING, claimed_at__lt=now - STALE_CLAIM).update(
        status=Delivery.Status.PENDING
    )
    ids = list(due_deliveries(now).values_list("id", flat=True)) if ids is None else ids
    counts = {"sent": 0, "failed": 0, "retry": 0, "skipped": 0}
    for delivery_id in ids:
        if not claim(delivery_id, now):
            counts["skipped"] += 1
            continue
        delivery = Delivery.objects.select_related("message__robot").get(pk=delivery_id)
        try:
            _send(delivery, absolute)
        except channels.ChannelError as error:
            final = delivery.attempts >= MAX_ATTEMPTS
            with transaction.atomic():
                Delivery.objects.filter(pk=delivery_id).update(
                    status=Delivery.Status.FAILED if final else Delivery.Status.PENDING,
                    last_error=str(error)[:1000],
                    next_attempt_at=None if final else now + datetime.timedelta(minutes=2**delivery.attempts),
                )
                _record(delivery, Attempt.Outcome.GAVE_UP if final else Attempt.Outcome.FAILED, str(error)[:1000])
            counts["failed" if final else "retry"] += 1
        else:
            with transaction.atomic():
                Delivery.objects.filter(pk=delivery_id).update(
                    status=Delivery.Status.SENT, sent_at=timezone.now(), last_error=""
                )
                _record(delivery, Attempt.Outcome.SENT)
            counts["sent"] += 1
    return counts


def _record(delivery: Delivery, outcome: str, error: str = "") -> None:
    """Log the try the claim numbered; a try already logged (a worker retried after a crash) is not logged twice."""
    Attempt.objects.get_or_create(
        delivery=delivery,
        number=delivery.attempts,
        defaults={"at": timezone.now(), "outcome": outcome, "error": error},
    )
