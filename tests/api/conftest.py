"""Fixtures of the API tests: clients as each kind of caller, partner keys, a clean throttle cache."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from union_portal.api.models import APIKey


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Throttle counters live in the cache, which outlives a test: start every test at zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    """A client for the caller given: ``api(user)`` logs in with a session, ``api()`` is anonymous."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def key_client():
    """A client authenticating with a new partner key that acts as ``user``: ``key_client(user, **key_fields)``."""

    def make(user, **fields) -> APIClient:
        _key, secret = APIKey.issue(name=f"partner of {user.username}", user=user, **fields)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")
        return client

    return make
