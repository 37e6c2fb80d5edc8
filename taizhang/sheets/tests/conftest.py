import pytest
from huey.contrib.djhuey import HUEY


@pytest.fixture(autouse=True)
def _huey_immediate():
    """settings.HUEY_IMMEDIATE (set by the root conftest) is read only when djhuey is imported; run tasks inline here."""
    previous = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = previous
