"""Fixtures of the webhook tests: a live receiver, partner keys and their subscriptions."""

from __future__ import annotations

import pytest

from tests.accounts.factories import make_user
from union_portal.accounts.roles import Role
from union_portal.api.models import APIKey
from union_portal.webhooks.services import subscription_create

from .receiver import Receiver


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def admin_user(db):
    return make_user(None, None, username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def subscribe(admin_user):
    """``subscribe(org, url, events=[...], scopes=[...], role=Role.PARTNER)`` -> (subscription, secret)."""

    def make(org, url, events=("membership.approved",), scopes=("members:read",), role=Role.PARTNER):
        user = make_user(role, org)
        key, _secret = APIKey.issue(name=f"partner of {org.name}", user=user, scopes=scopes)
        return subscription_create(by=admin_user, key=key, name=key.name, url=url, events=events)

    return make
