"""Partner systems authenticate with ``Authorization: Api-Key <secret>``; the key's user gives scope and permissions."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from members.models import Member
from union_portal.accounts.roles import Role
from union_portal.api.models import APIKey

from ..factories import make_member, make_user
from .support import error_attrs, ids, member_payload, member_state

MEMBERS = reverse("v1:member-list")


def town_a_partner(tree):
    """The service user of a town-A partner system: town staff attached to town A."""
    return make_user(Role.TOWN_STAFF, tree.town_a, username="sync-town-a")


def test_a_valid_key_acts_as_its_user_within_its_scope(tree, key_client):
    mine, theirs = make_member(tree.union_a), make_member(tree.union_b)
    client = key_client(town_a_partner(tree))

    response = client.get(MEMBERS)

    assert response.status_code == 200
    assert ids(response) == [mine.pk]
    assert client.get(reverse("v1:member-detail", args=[theirs.pk])).status_code == 404
    key = APIKey.objects.get()
    assert key.last_used_at is not None


def test_a_keys_scope_applies_to_writes(tree, key_client):
    theirs = make_member(tree.union_b, active=False)
    before = member_state(theirs)
    client = key_client(town_a_partner(tree))

    approve = client.post(reverse("v1:application-approve", args=[theirs.pk]), {})
    register = client.post(MEMBERS, member_payload(tree.union_b))

    assert approve.status_code == 404
    assert register.status_code == 403
    assert member_state(theirs) == before
    assert Member.objects.count() == 1


def test_a_key_without_permissions_reads_nothing(tree, key_client):
    make_member(tree.union_a)
    client = key_client(make_user(None, tree.town_a, username="no-rights"))

    assert client.get(MEMBERS).status_code == 403


def assert_refused(response):
    assert response.status_code == 401
    assert error_attrs(response) == [(None, "authentication_failed")]


def test_a_wrong_key_is_refused(tree, api):
    make_member(tree.union_a)
    client = api()
    client.credentials(HTTP_AUTHORIZATION="Api-Key 0123abcd.not-a-real-secret")

    assert_refused(client.get(MEMBERS))


def test_a_revoked_key_is_refused(tree, key_client):
    client = key_client(town_a_partner(tree))
    APIKey.objects.update(is_active=False)

    assert_refused(client.get(MEMBERS))


def test_an_expired_key_is_refused(tree, key_client):
    client = key_client(town_a_partner(tree), expires_at=timezone.now() - dt.timedelta(minutes=1))

    assert_refused(client.get(MEMBERS))


def test_a_key_of_a_deactivated_user_is_refused(tree, key_client):
    user = town_a_partner(tree)
    client = key_client(user)
    user.is_active = False
    user.save(update_fields=["is_active"])

    assert_refused(client.get(MEMBERS))


def test_a_key_still_valid_tomorrow_works(tree, key_client):
    client = key_client(town_a_partner(tree), expires_at=timezone.now() + dt.timedelta(days=1))

    assert client.get(MEMBERS).status_code == 200


def test_no_credentials_is_a_401_naming_the_scheme(tree, api):
    response = api().get(MEMBERS)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Api-Key"
    assert error_attrs(response) == [(None, "not_authenticated")]
