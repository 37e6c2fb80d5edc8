from django import template

from taizhang.acceptance import actions, queries
from taizhang.acceptance.forms import LookBackForm

register = template.Library()


@register.simple_tag
def acceptance_panel(item, access) -> dict:
    """What the acceptance panel on an item page shows: acceptances with evidence, look-backs, what blocks closing."""
    return {
        "acceptances": list(item.acceptances.prefetch_related("attachments")[:5]),
        "blockers": actions.closing_blockers(item) if access.is_office else [],
        "lookbacks": list(item.lookbacks.all()),
        "lookback_form": LookBackForm(),
    }


@register.simple_tag
def lookbacks_due(campaign) -> list:
    """Look-backs whose day has come, for the office's problem list."""
    return list(queries.lookbacks_due(campaign, actions.today()))
