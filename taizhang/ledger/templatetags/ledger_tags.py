from django import template

from taizhang.ledger.models import Light

register = template.Library()


@register.filter
def change_value(value: str, field: str) -> str:
    """A recorded history value as the reader should see it: light changes are kept as codes, shown as labels."""
    if field == "light" and value in Light.values:
        return Light(value).label
    return value
