"""The admin: subscribe a key (the secret shown once), read the delivery log, replay a delivery."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.accounts.factories import make_user
from tests.members.factories import make_member
from union_portal.accounts.roles import Role
from union_portal.api.models import APIKey
from union_portal.webhooks.models import Delivery, DeliveryState, Subscription

pytestmark = pytest.mark.django_db


def test_staff_subscribe_a_key_and_see_the_secret_once(tree, admin_user, client, receiver):
    key, _secret = APIKey.issue(
        name="省会员平台", user=make_user(Role.PARTNER, tree.town_a), scopes=["members:read"]
    )
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:webhooks_subscription_add"),
        {
            "name": "省会员平台",
            "key": key.pk,
            "url": receiver.url,
            "events": ["membership.approved"],
            "is_active": "on",
        },
        follow=True,
    )

    assert response.status_code == 200
    subscription = Subscription.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    assert any(subscription.secret in m for m in shown)
    assert (subscription.key, subscription.events, subscription.created_by) == (
        key,
        ["membership.approved"],
        admin_user,
    )
    # the change page never shows it again
    page = client.get(reverse("admin:webhooks_subscription_change", args=[subscription.pk]))
    assert subscription.secret not in page.content.decode()


def test_a_subscription_the_key_may_not_receive_stays_on_the_form(tree, admin_user, client, receiver):
    key, _secret = APIKey.issue(
        name="p", user=make_user(Role.PARTNER, tree.town_a), scopes=["certificates:read"]
    )
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:webhooks_subscription_add"),
        {
            "name": "p",
            "key": key.pk,
            "url": receiver.url,
            "events": ["membership.approved"],
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["events"] == [
        "This key may not receive membership.approved: it needs the scope members:read."
    ]
    assert Subscription.objects.count() == 0


def test_the_delivery_log_and_its_replay_action(
    tree, people, admin_user, client, subscribe, receiver, django_capture_on_commit_callbacks
):
    receiver.answers = [500]
    subscribe(tree.town_a, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        make_member(tree.union_a)
    failed = Delivery.objects.get()
    Delivery.objects.filter(pk=failed.pk).update(state=DeliveryState.FAILED, next_attempt_at=None)
    client.force_login(admin_user)

    page = client.get(reverse("admin:webhooks_delivery_changelist"))
    assert page.status_code == 200
    assert "membership.approved" in page.content.decode()
    detail = client.get(reverse("admin:webhooks_delivery_change", args=[failed.pk]))
    assert detail.status_code == 200

    receiver.answers = [200]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:webhooks_delivery_changelist"),
            {"action": "replay", "_selected_action": [failed.pk]},
            follow=True,
        )
    assert response.status_code == 200
    replay = Delivery.objects.exclude(pk=failed.pk).get()
    assert (replay.replay_of_id, replay.state) == (failed.pk, DeliveryState.DELIVERED)


def test_staff_who_are_not_superusers_see_no_webhooks(people, client):
    client.force_login(people.district_staff)
    assert client.get(reverse("admin:webhooks_delivery_changelist")).status_code == 403
    assert client.get(reverse("admin:webhooks_subscription_changelist")).status_code == 403
