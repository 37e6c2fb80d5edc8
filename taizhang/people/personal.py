"""The people's part of a person's own data (taizhang/audit/personal.py): their problems and ratings.

Found by tracking code or phone number. Anonymising blanks the name, phone, e-mail, photo and
the problem's words, and the comments of the ratings given through it; the problem, its status,
its items and the rating's value stay, so every figure of the ledger is what it was.
"""

from django.db.models import Q, Value
from django.db.models.functions import Replace
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from taizhang.history.models import HistoryEntry
from taizhang.history.recording import note, record

from .models import Demand, Rating

ERASED = gettext_noop("(erased at the person's request)")


def _demands(query: str, campaigns):
    digits = "".join(ch for ch in query if ch.isdigit())
    match = Q(tracking_code=query)
    demands = Demand.objects.all()
    if len(digits) >= 6:
        # Phones are kept as typed ("138-0013-8000", "138 0013 8000"): compared without their separators.
        bare = Replace(Replace(Replace("phone", Value("-"), Value("")), Value(" "), Value("")), Value("+86"), Value(""))
        demands = demands.annotate(bare_phone=bare)
        match |= Q(bare_phone__contains=digits)
    return demands.filter(match, campaign__in=campaigns).select_related("campaign").order_by("pk")


def find(query: str, campaigns) -> list[dict]:
    rows = []
    for demand in _demands(query, campaigns):
        rows.append(
            {
                "campaign": demand.campaign.slug,
                "tracking_code": demand.tracking_code,
                "channel": demand.channel,
                "text": demand.text,
                "name": demand.name,
                "phone": demand.phone,
                "email": demand.email,
                "place": demand.place,
                "photo": demand.photo.name,
                "status": demand.status,
                "reply": demand.reply,
                "received": demand.created_at.isoformat(),
                "ratings": [
                    {"item": r.item.code, "value": r.value, "comment": r.comment, "at": r.created_at.isoformat()}
                    for r in Rating.objects.filter(demand=demand).select_related("item")
                ],
            }
        )
    return rows


def anonymise(query: str, campaigns, *, acting_user) -> int:
    """Blank the personal data of the person's problems and ratings (in the caller's transaction)."""
    demands = list(_demands(query, campaigns).select_for_update(of=("self",)))
    for demand in demands:
        if demand.photo:
            demand.photo.delete(save=False)
            demand.photo = ""
        demand.name = demand.phone = demand.email = demand.place = ""
        demand.text = _(ERASED)
        demand.search_text = ""
        demand.save(update_fields=["name", "phone", "email", "place", "text", "search_text", "photo"])
        Rating.objects.filter(demand=demand).update(comment="", ip_hash="")
        record(
            demand,
            HistoryEntry.Action.UPDATE,
            actor=acting_user,
            campaign=demand.campaign,
            note=note(gettext_noop("Personal data erased at the person's request.")),
        )
    return len(demands)


def register_provider() -> None:
    from taizhang.audit import personal

    personal.register("people", find=find, anonymise=anonymise)
