import pytest


@pytest.fixture(autouse=True)
def _mail_to_outbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
