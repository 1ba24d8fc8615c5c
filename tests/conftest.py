from __future__ import annotations

import pytest
from django.core.cache import cache
from django.utils import translation

from kawal.testing import flush
from tests.helpers import load_regions

# Transactional tests empty PostgreSQL with DELETE instead of TRUNCATE (see the module).
flush.install()


@pytest.fixture(autouse=True)
def _isolate(settings, tmp_path):
    # Lockout counters live in the database (reset by the test transaction);
    # clear the cache too so no state leaks between tests.
    cache.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Uploaded files of a test go to its own temporary folder.
    settings.KAWAL_PRIVATE_MEDIA_ROOT = tmp_path / "private"
    # The language middleware activates the request's language for the thread,
    # as a server does per request; a test starts with no language activated
    # whatever the previous test in this worker asked for.
    translation.deactivate()
    yield
    cache.clear()


@pytest.fixture
def regions_loaded() -> None:
    """For transactional tests (``tests.helpers.CONCURRENT_WRITERS``)."""
    load_regions()
