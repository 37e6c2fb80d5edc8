from django import template

from taizhang.supervision import queries
from taizhang.supervision.forms import InstructionForm
from taizhang.supervision.models import Instruction, Responsibility

register = template.Library()


@register.simple_tag
def supervision_panel(item, access) -> dict:
    """What the item page shows of supervision: its instructions (批示) with their state, who holds which
    responsibility for it, and the leader's instruction form."""
    holders = queries.holders_for_item(item)
    return {
        "instructions": list(Instruction.objects.filter(item=item).select_related("leader").order_by("-given_at")[:20]),
        "responsibilities": [(label, holders[kind]) for kind, label in Responsibility.choices if kind in holders],
        "form": InstructionForm(campaign=item.campaign, initial={"item": item.pk}) if access.is_leader else None,
    }
