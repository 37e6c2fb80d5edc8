from django import template

from taizhang.people import actions
from taizhang.people.models import PublicItem, RatingInvitation

register = template.Library()


@register.simple_tag
def people_panel(item, access) -> dict:
    """What the people's panel on an item page shows: sources, ratings, objections, publication."""
    return {
        "demands": list(item.demands.all()),
        "summary": actions.rating_summary(item),
        "comments": list(item.ratings.exclude(comment="")[:10]),
        "publication": PublicItem.objects.filter(item=item).first(),
        "invitation": RatingInvitation.objects.filter(item=item).first() if access.is_office else None,
        "objections": list(item.objections.all()[:10]),
        "today": actions.today(),
    }
