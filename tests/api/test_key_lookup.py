"""The API key lookup runs a statement compiled once per process (union_portal/core/frozen.py): it
finds the same key, user and organisation as the queryset it was built from, for every secret, and a
key revoked, expired or of a deactivated user is refused on the very next request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from union_portal.api.authentication import KEY_BY_HASH
from union_portal.api.models import APIKey, hash_key
from union_portal.api.services import api_key_revoke, api_key_rotate

from .test_api_keys import MEMBERS, assert_refused, town_a_partner


def test_the_frozen_lookup_finds_what_the_queryset_finds(tree):
    user = town_a_partner(tree)
    keys = [APIKey.issue(name=f"k{i}", user=user) for i in range(3)]
    now = timezone.now()
    for key, secret in keys:
        (found,) = KEY_BY_HASH.all(hashed_key=hash_key(secret), now=now)
        expected = APIKey.objects.usable(now=now).select_related("user__organisation").get(pk=key.pk)
        assert found == expected and found.scopes == expected.scopes == ["*"]
        assert found.expires_at == expected.expires_at and found.rate == expected.rate
        with CaptureQueriesContext(connection) as queries:
            assert found.user == user and found.user.organisation == tree.town_a
        assert queries.captured_queries == []  # loaded with the key
    assert KEY_BY_HASH.all(hashed_key=hash_key("0123abcd.not-a-key"), now=now) == []
    assert KEY_BY_HASH.all(hashed_key=hash_key(keys[0][1]), now=now + dt.timedelta(days=36500)) != []
    key = keys[0][0]
    key.expires_at = now + dt.timedelta(minutes=1)
    key.save(update_fields=["expires_at"])
    assert KEY_BY_HASH.all(hashed_key=hash_key(keys[0][1]), now=now + dt.timedelta(minutes=2)) == []


def test_revoked_and_rotated_keys_stop_on_the_next_request(tree, key_client, settings):
    settings.API_KEY_ROTATION_OVERLAP_HOURS = 0
    user = town_a_partner(tree)
    client = key_client(user)
    assert client.get(MEMBERS).status_code == 200
    api_key_rotate(key=APIKey.objects.get())
    assert_refused(client.get(MEMBERS))

    other = key_client(user)
    assert other.get(MEMBERS).status_code == 200
    api_key_revoke(key=APIKey.objects.filter(replaced_by=None, revoked_at=None).order_by("-pk").first())
    assert_refused(other.get(MEMBERS))


def test_the_statement_is_prepared_once_per_connection_and_survives_a_rollback(tree):
    from django.db import transaction

    if connection.vendor != "postgresql":
        return
    _key, secret = APIKey.issue(name="k", user=town_a_partner(tree))
    with CaptureQueriesContext(connection) as queries:
        with transaction.atomic():
            KEY_BY_HASH.all(hashed_key=hash_key(secret), now=timezone.now())
            transaction.set_rollback(True)
        assert len(KEY_BY_HASH.all(hashed_key=hash_key(secret), now=timezone.now())) == 1
    executed = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("EXECUTE prepared_")]
    assert len(executed) == 2 and len({sql.split(" (")[0] for sql in executed}) == 1  # one statement


@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_the_statement_again():
    from union_portal.accounts.models import User

    user = User.objects.create(username="partner-reconnect")
    _key, secret = APIKey.issue(name="k", user=user)
    assert len(KEY_BY_HASH.all(hashed_key=hash_key(secret), now=timezone.now())) == 1
    connection.close()  # as at the end of CONN_MAX_AGE, or after a lost connection
    assert len(KEY_BY_HASH.all(hashed_key=hash_key(secret), now=timezone.now())) == 1
