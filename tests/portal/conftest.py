import uuid

import pytest


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """Rate limits and submission tokens live in the cache: each test gets an empty one of its own
    (a private in-memory cache, so that a shared Redis is never flushed by the tests)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"portal-tests-{uuid.uuid4().hex}",
        }
    }
