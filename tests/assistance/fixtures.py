"""Hardship-aid fixtures, shared by the aid tests and the workspace's (their conftests use them)."""

from __future__ import annotations

import pytest

from union_portal.notifications import backends

from .factories import Aid, make_aid


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    backends.outbox.clear()
    yield
    backends.outbox.clear()


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def aid(tree, people) -> Aid:
    """An open festival campaign, a mutual-aid scheme, and members with files (``make_aid``)."""
    return make_aid(tree, people)
