"""Fixtures of the scope walk and of the generic per-model tests (the world is in ``world.py``)."""

from __future__ import annotations

import pytest

from .world import World, make_world


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """The walk sends hundreds of requests: start every test with empty throttle counters."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(tree, people) -> World:
    return make_world(tree, people)
