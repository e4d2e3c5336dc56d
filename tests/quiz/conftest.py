"""Quiz fixtures: an open quiz of the district with a bank of questions."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from union_portal.notifications import backends

from .factories import make_bank, make_quiz


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    backends.outbox.clear()
    yield
    backends.outbox.clear()


@pytest.fixture(autouse=True)
def _empty_cache():
    """The cached leaderboard and the throttles' counters live in the cache, which outlives each test's
    rolled-back database (a quiz id comes back in the next test)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _database_leaderboard(settings):
    """Unit tests read the leaderboard from the database unless a test asks for Redis."""
    settings.REDIS_URL = ""


@pytest.fixture
def quiz(tree, people):
    quiz = make_quiz(tree.district)
    make_bank(quiz, people.district_staff, questions=8)
    return quiz
