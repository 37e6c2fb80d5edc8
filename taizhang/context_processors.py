from django.conf import settings


def site(request) -> dict:
    return {"SITE_NAME": settings.SITE_NAME}
