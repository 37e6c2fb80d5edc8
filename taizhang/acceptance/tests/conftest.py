import pytest


@pytest.fixture(autouse=True)
def _mail_to_outbox(settings):
    """Mail to the people goes to the outbox (the root conftest gives each test a fresh rate-limit cache)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
