from django import template

from taizhang.people import actions
from taizhang.people.forms import AcceptanceForm, CloseForm, LookBackForm, ReasonForm
from taizhang.people.models import PublicItem, RatingInvitation

register = template.Library()


@register.simple_tag
def people_panel(item, access) -> dict:
    """What the people's panel on an item page shows: sources, acceptance, ratings, closing, look-backs."""
    return {
        "demands": list(item.demands.all()),
        "acceptances": list(item.acceptances.prefetch_related("attachments")[:5]),
        "summary": actions.rating_summary(item),
        "comments": list(item.ratings.exclude(comment="")[:10]),
        "blockers": actions.closing_blockers(item) if access.is_office else [],
        "publication": PublicItem.objects.filter(item=item).first(),
        "invitation": RatingInvitation.objects.filter(item=item).first() if access.is_office else None,
        "lookbacks": list(item.lookbacks.all()),
        "objections": list(item.objections.all()[:10]),
        "today": actions.today(),
        "close_form": CloseForm(),
        "reason_form": ReasonForm(),
        "lookback_form": LookBackForm(),
        "acceptance_form": AcceptanceForm,
    }
