"""The writes on chase-up notices: the office issues one on a yellow or red item, the owner unit answers."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from taizhang.history.models import HistoryEntry
from taizhang.history.recording import note, record
from taizhang.ledger.models import Item, Light
from taizhang.lib.locks import lock_one
from taizhang.orgs.access import Access

from .models import ChaseNotice

CHASEABLE = (Light.YELLOW, Light.RED)


def notice_number(campaign, seq: int) -> str:
    """The campaign's year and a running number, "2026-007", the same in every language."""
    return f"{campaign.starts_on.year}-{seq:03d}"


def can_answer(access: Access, notice: ChaseNotice) -> bool:
    return access.is_office or access.speaks_for(notice.unit)


@transaction.atomic
def issue_notice(
    item: Item, *, required_by: datetime.date, contact: str, requirements: str = "", acting_user
) -> ChaseNotice:
    campaign = item.campaign
    access = Access.for_user(acting_user, campaign)
    if not access.is_office:
        raise PermissionDenied(_("Only the campaign office issues chase-up notices."))
    item = lock_one(Item.objects.select_related("owner_unit"), pk=item.pk)
    if item.light not in CHASEABLE:
        raise ValidationError(_("Chase-up notices are for yellow and red items only."))
    if required_by < timezone.localdate():
        raise ValidationError({"required_by": _("The response date cannot be in the past.")})
    contact = (contact or "").strip()
    if not contact:
        raise ValidationError({"contact": _("Give a contact person and phone.")})
    # The campaign row is the lock that keeps numbers in sequence when two people issue at once.
    lock_one(type(campaign), pk=campaign.pk)
    seq = (ChaseNotice.objects.filter(campaign=campaign).aggregate(m=Max("seq"))["m"] or 0) + 1
    notice = ChaseNotice.objects.create(
        campaign=campaign,
        seq=seq,
        number=notice_number(campaign, seq),
        item=item,
        unit=item.owner_unit,
        light=item.light,
        light_code=item.light_code,
        light_n=item.light_n,
        due=item.due,
        percent=item.percent,
        required_by=required_by,
        contact=contact,
        requirements=(requirements or "").strip(),
        issued_by=acting_user,
        issued_at=timezone.now(),
    )
    record(
        item,
        HistoryEntry.Action.COMMENT,
        actor=acting_user,
        campaign=campaign,
        note=note(
            gettext_noop("Chase-up notice %(number)s issued; response required by %(date)s."),
            number=notice.number,
            date=required_by.isoformat(),
        ),
    )
    transaction.on_commit(lambda: _notify_unit(notice))
    return notice


def _notify_unit(notice: ChaseNotice) -> None:
    """Tell the owner unit's liaisons (in the app, and by email where they chose it)."""
    from taizhang.notices.models import Reason
    from taizhang.notices.rhythm import _liaisons, liaisons_for
    from taizhang.notices.sending import notify

    url = reverse("supervision:notice_detail", args=[notice.campaign.slug, notice.pk])
    subject = _("Chase-up notice %(number)s: %(code)s") % {"number": notice.number, "code": notice.item.code}
    body = _("%(title)s — %(reason)s. Please respond by %(date)s.") % {
        "title": notice.item.title,
        "reason": notice.reason,
        "date": notice.required_by.isoformat(),
    }
    for user in liaisons_for(notice.unit, _liaisons(notice.campaign)):
        notify(
            reason=Reason.CHASE,
            scope=f"chase-notice:{notice.pk}",
            subject=subject,
            body=body,
            url=url,
            campaign=notice.campaign,
            user=user,
        )


@transaction.atomic
def respond_notice(notice: ChaseNotice, *, response: str, acting_user) -> ChaseNotice:
    access = Access.for_user(acting_user, notice.campaign)
    if not can_answer(access, notice):
        raise PermissionDenied(_("Only the responsible unit answers its chase-up notices."))
    notice = lock_one(ChaseNotice, pk=notice.pk)
    if notice.is_answered:
        raise ValidationError(_("This notice has already been answered."))
    response = (response or "").strip()
    if not response:
        raise ValidationError({"response": _("Write the response first.")})
    notice.response = response
    notice.responded_by = acting_user
    notice.responded_at = timezone.now()
    notice.save(update_fields=["response", "responded_by", "responded_at"])
    record(
        notice.item,
        HistoryEntry.Action.COMMENT,
        actor=acting_user,
        campaign=notice.campaign,
        note=note(
            gettext_noop("Response to chase-up notice %(number)s: %(text)s"), number=notice.number, text=response[:400]
        ),
    )
    return notice
