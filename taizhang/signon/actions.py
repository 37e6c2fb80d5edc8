"""Writes on the group rules and on a person's second factor, each with its history."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from taizhang.history.models import HistoryEntry
from taizhang.history.recording import record
from taizhang.orgs.accounts import require_office
from taizhang.orgs.models import Role

from .models import GroupRule


def build_rule(*, campaign, group: str, role: str, unit=None, acting_user) -> GroupRule:
    """A rule as the form describes it, checked but not saved (the dry run reads it so)."""
    require_office(campaign, acting_user)
    group = " ".join(str(group or "").split())
    if not group:
        raise ValidationError({"group": _("Name the directory group.")})
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a role.")})
    if role != Role.LIAISON and unit is not None:
        raise ValidationError({"unit": _("Only a liaison speaks for a unit.")})
    rule = GroupRule(
        campaign=campaign, group=group, role=role, unit=unit, created_by=acting_user, created_at=timezone.now()
    )
    same = GroupRule.objects.filter(campaign=campaign, group__iexact=group, role=role, unit=unit)
    if same.exists():
        raise ValidationError({"group": _("This group already gives this role.")})
    return rule


@transaction.atomic
def add_rule(*, campaign, group: str, role: str, unit=None, acting_user) -> GroupRule:
    rule = build_rule(campaign=campaign, group=group, role=role, unit=unit, acting_user=acting_user)
    rule.save()
    record(rule, HistoryEntry.Action.CREATE, actor=acting_user, campaign=campaign, note=str(rule))
    return rule


@transaction.atomic
def remove_rule(rule: GroupRule, *, acting_user) -> None:
    """Grants the rule gave stay until each person's next sign-in, which takes them back."""
    require_office(rule.campaign, acting_user)
    record(rule, HistoryEntry.Action.WITHDRAW, actor=acting_user, campaign=rule.campaign, note=str(rule))
    rule.delete()


def code_matches(key: str, token: str) -> bool:
    """A TOTP code against a key not saved yet (setting up): the device is saved only once a code proves it."""
    device = TOTPDevice(key=key)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    try:
        return totp.verify(int(token), device.tolerance)
    except ValueError:
        return False


@transaction.atomic
def add_device(*, user, key: str, token: str) -> TOTPDevice:
    """Save a person's authenticator once it has given a right code."""
    if not code_matches(key, token):
        raise ValidationError({"token": _("That code is not right; check the time on your phone and try again.")})
    device = TOTPDevice(user=user, key=key, name=_("Authenticator app")[:64], confirmed=True)
    device.save()
    record(user, HistoryEntry.Action.UPDATE, actor=user, note=_("Second factor (authenticator app) set up"))
    return device


@transaction.atomic
def remove_devices(*, user) -> int:
    removed, _by_kind = TOTPDevice.objects.filter(user=user).delete()
    if removed:
        record(user, HistoryEntry.Action.UPDATE, actor=user, note=_("Second factor (authenticator app) removed"))
    return removed
