from django import template

from taizhang.ledger.models import Light
from taizhang.lib.periods import period_name as _period_name

register = template.Library()


@register.filter
def change_value(value: str, field: str) -> str:
    """A recorded history value as the reader should see it: light changes are kept as codes, shown as labels."""
    if field == "light" and value in Light.values:
        return Light(value).label
    return value


@register.filter
def period_name(key: str) -> str:
    """A progress entry's period key (2026-W48) as people read it (lib.periods)."""
    return _period_name(key)
