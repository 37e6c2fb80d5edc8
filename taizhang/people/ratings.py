"""Putting an item up for rating (邀请测评): the office opens it, hands out codes, closes it.

Why codes and not phone numbers: there is no SMS gateway here, and a number typed without a
confirmation is as easy to invent as a cookie is to clear. A code printed on the slip handed
out with the QR code (at the canteen, at the hearing) is one rating per slip, whoever holds it;
the office decides how many people it asks. The submitter of a problem needs no code: their
tracking code already names them.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from taizhang.history.models import HistoryEntry
from taizhang.history.recording import note, record
from taizhang.ledger.models import Item, Status
from taizhang.lib.locks import locked

from .actions import _require_office
from .models import RatingBallot, RatingInvitation

MAX_BALLOTS_AT_ONCE = 500


def rating_invitation(item: Item) -> RatingInvitation | None:
    return RatingInvitation.objects.filter(item=item).first()


def _ballots(invitation: RatingInvitation, count: int) -> list[RatingBallot]:
    if not 1 <= count <= MAX_BALLOTS_AT_ONCE:
        raise ValidationError(
            {"count": _("Choose between 1 and %(max)d codes.") % {"max": MAX_BALLOTS_AT_ONCE}},
        )
    return RatingBallot.objects.bulk_create(RatingBallot(invitation=invitation) for _ in range(count))


@transaction.atomic
def open_rating(item: Item, *, ballots: int, acting_user) -> RatingInvitation:
    """Put the item up for rating with ``ballots`` new codes (again after a close: the same link reopens)."""
    _require_office(item.campaign, acting_user, _("Only the campaign office puts items up for rating."))
    if item.status == Status.WITHDRAWN:
        raise ValidationError(_("A withdrawn item is not rated."))
    invitation, created = RatingInvitation.objects.select_for_update().get_or_create(
        item=item, defaults={"opened_by": acting_user}
    )
    if not created and invitation.closed_at is not None:
        invitation.closed_at = None
        invitation.save(update_fields=["closed_at"])
    _ballots(invitation, ballots)
    record(
        item,
        HistoryEntry.Action.PUBLISH,
        actor=acting_user,
        campaign=item.campaign,
        note=note(gettext_noop("Put up for rating with %(n)d new codes."), n=ballots),
    )
    return invitation


@transaction.atomic
def close_rating(item: Item, *, acting_user) -> RatingInvitation:
    """No more ratings through the link; unused codes stop working (ratings given stay)."""
    _require_office(item.campaign, acting_user, _("Only the campaign office puts items up for rating."))
    invitation = locked(RatingInvitation, item=item, closed_at__isnull=True).first()
    if invitation is None:
        raise ValidationError(_("The item is not open for rating."))
    invitation.closed_at = timezone.now()
    invitation.save(update_fields=["closed_at"])
    record(
        item,
        HistoryEntry.Action.PUBLISH,
        actor=acting_user,
        campaign=item.campaign,
        note=note(gettext_noop("Rating closed.")),
    )
    return invitation
