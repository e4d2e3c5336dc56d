"""The workspace's tests use the hardship-aid fixtures (a campaign, members with files)."""

import pytest
from django.core.cache import cache

from ..assistance.fixtures import _empty_sms_outbox, _private_media, aid  # noqa: F401 - fixtures


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()
