from django import template
from django.conf import settings

register = template.Library()


@register.inclusion_tag("signon/_login_choices.html", takes_context=True)
def sign_on_choices(context):
    """The organisation's sign-in beside the password form, when a directory is switched on."""
    return {
        "oidc": settings.TAIZHANG_OIDC_ENABLED,
        "oidc_label": settings.TAIZHANG_OIDC_LABEL,
        "ldap": settings.TAIZHANG_LDAP_ENABLED,
        "next": context.get("next", ""),
    }
