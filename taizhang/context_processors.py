from django.conf import settings


def site(request) -> dict:
    # Error pages (403/404) are rendered without the view's context: keep the campaign menu.
    return {"SITE_NAME": settings.SITE_NAME, "campaign": getattr(request, "campaign", None)}
