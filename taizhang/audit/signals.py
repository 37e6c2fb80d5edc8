"""What writes the audit log by itself: sign-ins, sign-outs, failures, lockouts, permission and admin changes."""

from django.contrib.admin.models import LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from taizhang.history.models import HistoryEntry

from .log import record_event
from .models import AuditEvent

# History entries that change who may do what: a role granted or revoked, an account locked, unlocked,
# deactivated or reactivated.
PERMISSION_ACTIONS = {
    HistoryEntry.Action.GRANT: AuditEvent.Kind.PERMISSION,
    HistoryEntry.Action.REVOKE: AuditEvent.Kind.PERMISSION,
    HistoryEntry.Action.DEACTIVATE: AuditEvent.Kind.PERMISSION,
    HistoryEntry.Action.ACTIVATE: AuditEvent.Kind.PERMISSION,
    HistoryEntry.Action.LOCK: AuditEvent.Kind.LOCKOUT,
    HistoryEntry.Action.UNLOCK: AuditEvent.Kind.PERMISSION,
}


@receiver(user_logged_in, dispatch_uid="audit_login")
def _logged_in(sender, request, user, **kwargs):
    record_event(AuditEvent.Kind.LOGIN, user.get_username(), actor=user, request=request)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record_event(AuditEvent.Kind.LOGOUT, user.get_username(), actor=user, request=request)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    record_event(AuditEvent.Kind.LOGIN_FAILED, username, username=username, request=request)


@receiver(post_save, sender=HistoryEntry, dispatch_uid="audit_permission_history")
def _permission_changed(sender, instance: HistoryEntry, created: bool, **kwargs):
    kind = PERMISSION_ACTIONS.get(instance.action)
    # On the account (or axes' attempt row for an unknown name): a grant is recorded on the grant too, once is enough.
    if created and kind and instance.content_type.model in ("user", "accessattempt"):
        record_event(
            kind,
            f"{instance.get_action_display()}: {instance.content_type.model}#{instance.object_id}",
            actor=instance.actor,
            campaign=instance.campaign,
            detail={"note": instance.note[:500], "changes": instance.changes},
        )


@receiver(post_save, sender=LogEntry, dispatch_uid="audit_admin_change")
def _admin_changed(sender, instance: LogEntry, created: bool, **kwargs):
    if created:
        record_event(
            AuditEvent.Kind.ADMIN,
            f"{instance.get_action_flag_display()} {instance.content_type.model if instance.content_type else ''}"
            f"#{instance.object_id}: {instance.object_repr}",
            actor=instance.user,
            detail={"change": instance.get_change_message()[:1000]},
        )
