"""A partner manages its own key's webhook subscriptions through the API: list, subscribe (the secret
once), change, disable, rotate the secret; never another key's, never without a key or its scope."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.accounts.factories import make_user
from union_portal.accounts.roles import Role
from union_portal.api.models import APIKey
from union_portal.webhooks.models import Subscription
from union_portal.webhooks.services import SUBSCRIPTIONS_PER_KEY

pytestmark = pytest.mark.django_db

LIST = "/api/v1/webhooks/subscriptions/"


def partner(org, scopes=("members:read", "webhooks:read", "webhooks:write")):
    key, secret = APIKey.issue(
        name=f"partner of {org.name}", user=make_user(Role.PARTNER, org), scopes=list(scopes)
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")
    return key, client


def subscribe(client, url="https://partner.example.org/hook", events=("membership.approved",), **extra):
    return client.post(LIST, {"url": url, "events": list(events), **extra}, format="json")


def test_a_partner_subscribes_and_sees_the_secret_once(tree):
    key, client = partner(tree.town_a)

    response = subscribe(client, name="省平台")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["secret"].startswith("whsec_") and len(body["secret"]) > 40
    assert (body["name"], body["url"], body["events"], body["is_active"]) == (
        "省平台", "https://partner.example.org/hook", ["membership.approved"], True,
    )  # fmt: skip
    subscription = Subscription.objects.get(pk=body["id"])
    assert (subscription.key, subscription.secret, subscription.created_by) == (key, body["secret"], key.user)
    # read back: no secret, ever again
    read = client.get(f"{LIST}{body['id']}/").json()
    assert "secret" not in read and read["id"] == body["id"]
    listed = client.get(LIST).json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]
    assert all("secret" not in row for row in listed["results"])


def test_change_disable_enable_and_rotate(tree):
    _key, client = partner(tree.town_a)
    created = subscribe(client).json()
    url = f"{LIST}{created['id']}/"

    changed = client.patch(url, {"url": "https://partner.example.org/v2", "name": "新端点"}, format="json")
    assert changed.status_code == 200, changed.content
    assert (changed.json()["url"], changed.json()["name"], changed.json()["secret"]) == (
        "https://partner.example.org/v2", "新端点", None,
    )  # fmt: skip
    assert Subscription.objects.get(pk=created["id"]).secret == created["secret"]  # unchanged

    assert client.patch(url, {"is_active": False}, format="json").json()["is_active"] is False
    assert Subscription.objects.get(pk=created["id"]).is_active is False
    assert Subscription.objects.filter(pk=created["id"]).usable().count() == 0  # nothing is sent to it
    assert client.patch(url, {"is_active": True}, format="json").json()["is_active"] is True

    rotated = client.patch(url, {"rotate_secret": True}, format="json").json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != created["secret"]
    assert Subscription.objects.get(pk=created["id"]).secret == rotated["secret"]
    assert Subscription.objects.count() == 1  # nothing deleted, nothing duplicated


def test_another_keys_subscription_is_not_there(tree):
    _key_a, town_a = partner(tree.town_a)
    _key_b, town_b = partner(tree.town_b)
    theirs = subscribe(town_b).json()
    # even a second key of the same service user is another key
    _same_user_key, secret = APIKey.issue(
        name="second", user=_key_a.user, scopes=["members:read", "webhooks:read", "webhooks:write"]
    )
    second = APIClient()
    second.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")
    mine = subscribe(town_a).json()

    for client in (town_a, second):
        assert theirs["id"] not in {row["id"] for row in client.get(LIST).json()["results"]}
        assert client.get(f"{LIST}{theirs['id']}/").status_code == 404
        assert client.patch(f"{LIST}{theirs['id']}/", {"is_active": False}, format="json").status_code == 404
    assert second.get(f"{LIST}{mine['id']}/").status_code == 404
    assert Subscription.objects.get(pk=theirs["id"]).is_active is True


def test_scopes_and_keys_are_required(tree, people):
    _key, read_only = partner(tree.town_a, scopes=("members:read", "webhooks:read"))
    refused = subscribe(read_only)
    assert refused.status_code == 403
    assert "webhooks:write" in refused.json()["errors"][0]["detail"]
    assert read_only.get(LIST).status_code == 200
    _key, no_scope = partner(tree.town_a, scopes=("members:read",))
    assert no_scope.get(LIST).status_code == 403
    # staff in a browser session manage subscriptions in the admin, not here
    session = APIClient()
    session.force_login(people.district_staff)
    assert session.get(LIST).status_code == 403
    assert subscribe(session).status_code == 403
    assert APIClient().get(LIST).status_code in (401, 403)
    assert Subscription.objects.count() == 0


@pytest.mark.parametrize(
    ("payload", "attr", "code"),
    [
        ({"url": "http://partner.example.org/hook"}, "url", "url_scheme"),
        ({"url": "https://10.0.0.5/hook"}, "url", "private_host"),
        ({"url": "https://localhost/hook"}, "url", "private_host"),
        ({"url": "https://[::1]/hook"}, "url", "private_host"),
        ({"url": "https://exa mple.org/"}, "url", "invalid"),
        ({"events": ["aid.application_state_changed"]}, "events", "scope"),  # beyond the key's scopes
        ({"events": []}, "events", "min_length"),
        ({"events": ["membership.exploded"]}, "events.0", "invalid_choice"),
        ({"name": "a\u202eb"}, "name", "invalid_characters"),
    ],
)
def test_what_is_refused_and_how(tree, settings, payload, attr, code):
    settings.WEBHOOK_ALLOW_HTTP = False
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    _key, client = partner(tree.town_a)

    response = subscribe(
        client, **{"url": "https://partner.example.org/hook", "events": ["membership.approved"], **payload}
    )

    assert response.status_code == 400, response.content
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [(attr, code)]
    assert Subscription.objects.count() == 0


def test_a_key_has_a_bounded_number_of_subscriptions(tree):
    _key, client = partner(tree.town_a)
    for n in range(SUBSCRIPTIONS_PER_KEY):
        assert subscribe(client, name=f"端点{n}").status_code == 201
    refused = subscribe(client)
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "too_many"
    assert Subscription.objects.count() == SUBSCRIPTIONS_PER_KEY


def test_the_list_costs_the_same_queries_at_2_and_at_6_rows(tree):
    _key, client = partner(tree.town_a)
    for _ in range(2):
        subscribe(client)
    client.get(LIST)
    with CaptureQueriesContext(connection) as two:
        assert len(client.get(LIST).json()["results"]) == 2
    for _ in range(4):
        subscribe(client)
    with CaptureQueriesContext(connection) as six:
        assert len(client.get(LIST).json()["results"]) == 6
    assert len(six.captured_queries) == len(two.captured_queries)
