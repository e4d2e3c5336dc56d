import pytest
from django.core.cache import cache

from ..members.factories import make_member


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def holder(tree, people):
    """A member of union A with a login (the people fixture's member user)."""
    return make_member(tree.union_a, user=people.member_user, name="陈晓明")
