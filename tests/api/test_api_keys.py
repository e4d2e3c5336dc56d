"""Partner systems authenticate with ``Authorization: Api-Key <secret>``; the key's user gives scope and permissions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import Member
from union_portal.accounts.roles import Role
from union_portal.api.models import APIKey

from ..accounts.factories import make_user
from ..members.factories import make_member
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


# --- scopes, rotation, revocation, per-key rates, the call log (issue 16) ----------------------------


def test_a_key_does_only_what_its_scopes_allow(tree, key_client):
    mine = make_member(tree.union_a, active=False)
    before = member_state(mine)
    reader = key_client(town_a_partner(tree), scopes=["members:read"])

    assert reader.get(MEMBERS).status_code == 200
    refused = reader.post(reverse("v1:application-approve", args=[mine.pk]), {})
    assert refused.status_code == 403
    assert "members:write" in refused.json()["errors"][0]["detail"]
    assert member_state(mine) == before

    aid_only = key_client(
        make_user(Role.TOWN_STAFF, tree.town_a, username="aid-partner"), scopes=["assistance:read"]
    )
    assert aid_only.get(MEMBERS).status_code == 403


def test_every_endpoint_has_a_scope_named_after_its_area():
    from union_portal.api.scopes import known_scopes

    scopes = known_scopes()
    assert {"members:read", "members:write", "assistance:read", "certificates:read"} <= set(scopes)
    assert not any(
        scope.startswith(("rest_framework", "drf_spectacular", "union_portal")) for scope in scopes
    )


def test_a_rotated_key_overlaps_then_stops(tree, settings):
    from rest_framework.test import APIClient

    from union_portal.api.services import api_key_rotate

    key, old_secret = APIKey.issue(
        name="省平台", user=town_a_partner(tree), scopes=["members:read"], rate="50/hour"
    )
    new, new_secret = api_key_rotate(key=key)

    def status(secret):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")
        return client.get(MEMBERS).status_code

    assert (new.scopes, new.rate, new.user_id) == (["members:read"], "50/hour", key.user_id)
    assert status(old_secret) == 200 and status(new_secret) == 200  # the overlap
    key.refresh_from_db()
    assert key.replaced_by == new
    overlap = key.expires_at - timezone.now()
    assert dt.timedelta(hours=settings.API_KEY_ROTATION_OVERLAP_HOURS - 1) < overlap
    APIKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert status(old_secret) == 401 and status(new_secret) == 200


def test_a_revoked_key_stops_at_once_and_cannot_be_rotated(tree, key_client):
    from union_portal.api.services import api_key_revoke, api_key_rotate
    from union_portal.core.errors import ApplicationError

    client = key_client(town_a_partner(tree))
    assert client.get(MEMBERS).status_code == 200
    key = api_key_revoke(key=APIKey.objects.get())
    assert key.revoked_at is not None
    assert client.get(MEMBERS).status_code == 401
    with pytest.raises(ApplicationError) as refused:
        api_key_rotate(key=key)
    assert refused.value.code == "wrong_state"


def test_each_key_has_its_own_rate(tree, key_client):
    slow = key_client(town_a_partner(tree), rate="2/minute")
    other = key_client(make_user(Role.TOWN_STAFF, tree.town_a, username="other-partner"))

    assert [slow.get(MEMBERS).status_code for _ in range(3)] == [200, 200, 429]
    assert other.get(MEMBERS).status_code == 200


def test_a_rate_is_validated():
    from django.core.exceptions import ValidationError

    from union_portal.api.models import validate_rate

    for good in ("1000/hour", "5/s", "20/minute", "100000/day"):
        validate_rate(good)
    for bad in ("1000", "/hour", "0/hour", "ten/minute", "5/week"):
        try:
            validate_rate(bad)
        except ValidationError:
            continue
        raise AssertionError(f"{bad!r} was accepted")


def test_every_key_call_is_logged_without_its_body(tree, key_client):
    from union_portal.api.models import APICall

    client = key_client(town_a_partner(tree), scopes=["members:read"])
    client.get(MEMBERS)
    client.get(reverse("v1:member-detail", args=[make_member(tree.union_b).pk]))
    client.post(MEMBERS, member_payload(tree.union_a))  # refused by the scope: logged too

    calls = list(APICall.objects.order_by("pk").values_list("method", "endpoint", "status"))
    assert calls == [
        ("GET", "v1:member-list", 200),
        ("GET", "v1:member-detail", 404),
        ("POST", "v1:member-list", 403),
    ]
    assert {field.name for field in APICall._meta.get_fields()} == {
        "id", "key", "at", "method", "endpoint", "status", "duration_ms",
    }  # fmt: skip
    assert all(call.duration_ms >= 0 for call in APICall.objects.all())


def test_session_calls_are_not_logged_as_partner_calls(tree, api):
    from union_portal.api.models import APICall

    api(town_a_partner(tree)).get(MEMBERS)
    assert not APICall.objects.exists()


def test_a_keys_own_rate_is_not_capped_by_the_user_rate(tree, key_client, settings):
    from rest_framework.test import APIClient

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "user": "2/minute"},
    }
    partner = town_a_partner(tree)
    fast = key_client(partner, rate="4/minute")
    assert [fast.get(MEMBERS).status_code for _ in range(5)] == [200, 200, 200, 200, 429]
    session = APIClient()  # the same user on a session: the user rate
    session.force_authenticate(partner)
    assert [session.get(MEMBERS).status_code for _ in range(3)] == [200, 200, 429]
