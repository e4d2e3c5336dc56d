"""Webhooks against a real HTTP receiver: who receives what, the signature, retries, failure, replay."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from members import services as member_services
from members.models import MemberStatus
from tests.accounts.factories import make_user
from tests.members.factories import make_member, member_data
from union_portal.accounts.roles import Role
from union_portal.core.errors import ApplicationError
from union_portal.webhooks import signing
from union_portal.webhooks.models import Attempt, Delivery, DeliveryState, Subscription
from union_portal.webhooks.services import (
    backoff,
    deliveries_due,
    delivery_attempt,
    delivery_replay,
    subscription_create,
)

pytestmark = pytest.mark.django_db


def _approve_pending(union, by):
    member = member_services.member_apply(
        data=member_data(union), by=by, channel=member_services.Channel.OFFICER
    )
    return member_services.member_approve(member=member, by=by)


# --- subscribing ---------------------------------------------------------------------------------------


def test_the_secret_is_returned_once_and_stored_encrypted(tree, subscribe, receiver):
    subscription, secret = subscribe(tree.town_a, receiver.url)

    assert secret.startswith("whsec_") and len(secret) > 40
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM webhooks_subscription WHERE id = %s", [subscription.pk])
        stored = cursor.fetchone()[0]
    assert secret not in stored
    assert Subscription.objects.get(pk=subscription.pk).secret == secret


def test_a_key_cannot_subscribe_to_events_beyond_its_scopes_or_permissions(tree, subscribe, receiver):
    with pytest.raises(ApplicationError) as scope:
        subscribe(tree.town_a, receiver.url, scopes=["assistance:read"])
    assert (scope.value.code, scope.value.field) == ("scope", "events")
    # a partner's service user may not read aid applications (figures only), whatever its key's scopes
    with pytest.raises(ApplicationError) as permission:
        subscribe(tree.town_a, receiver.url, events=["aid.application_state_changed"], scopes=["*"])
    assert permission.value.code == "scope"
    with pytest.raises(ApplicationError) as unknown:
        subscribe(tree.town_a, receiver.url, events=["membership.exploded"])
    assert unknown.value.code == "unknown_event"
    assert Subscription.objects.count() == 0


def test_plain_http_endpoints_only_when_allowed(tree, subscribe, settings):
    settings.WEBHOOK_ALLOW_HTTP = False
    with pytest.raises(ApplicationError) as error:
        subscribe(tree.town_a, "http://partner.example.org/hook")
    assert error.value.code == "url_scheme"
    subscription, _secret = subscribe(tree.town_a, "https://partner.example.org/hook")
    assert subscription.url == "https://partner.example.org/hook"


def test_only_an_admin_with_the_permission_subscribes(tree, people, receiver):
    from union_portal.api.models import APIKey

    key, _secret = APIKey.issue(name="p", user=make_user(Role.PARTNER, tree.town_a), scopes=["*"])
    with pytest.raises(ApplicationError) as error:
        subscription_create(
            by=people.town_a_staff, key=key, name="p", url=receiver.url, events=["membership.approved"]
        )
    assert error.value.code == "permission_denied"


# --- who receives what -------------------------------------------------------------------------------------


def test_an_event_reaches_the_subscribers_of_its_subtree_signed_after_commit(
    tree, people, subscribe, receiver, django_capture_on_commit_callbacks
):
    # given a partner of town A, one of town B, and one of town A not subscribed to approvals
    sub_a, secret_a = subscribe(tree.town_a, receiver.url)
    subscribe(tree.town_b, receiver.url)
    subscribe(tree.town_a, receiver.url, events=["membership.ended"])

    # when a member of union A is approved
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        member = _approve_pending(tree.union_a, people.district_staff)
        # then nothing was sent before the commit
        assert receiver.received == []
    for callback in callbacks:
        callback()

    # then town A's partner alone received one signed delivery
    assert len(receiver.received) == 1
    got = receiver.received[0]
    assert got.path == "/hooks/portal"
    assert got.headers["Content-Type"] == "application/json; charset=utf-8"
    assert got.headers["X-Portal-Event"] == "membership.approved"
    assert signing.verify(secret_a, got.headers["X-Portal-Signature"], got.body)
    assert not signing.verify("whsec_another", got.headers["X-Portal-Signature"], got.body)
    assert not signing.verify(secret_a, got.headers["X-Portal-Signature"], got.body + b" ")
    body = json.loads(got.body)
    assert body["event"] == "membership.approved"
    assert body["id"] == got.headers["X-Portal-Event-Id"]
    assert body["data"]["member"] == {
        "id": member.pk,
        "status": "active",
        "union": {"id": tree.union_a.pk, "name": tree.union_a.name},
        "card_number": member.card_number,
        "join_date": member.join_date.isoformat(),
        "ended_on": None,
    }
    delivery = Delivery.objects.get()
    assert (delivery.subscription, delivery.state, delivery.attempts, delivery.last_status) == (
        sub_a,
        DeliveryState.DELIVERED,
        1,
        200,
    )
    assert list(Attempt.objects.values_list("status", flat=True)) == [200]


def test_a_change_that_rolls_back_sends_nothing(tree, people, subscribe, receiver):
    subscribe(tree.town_a, receiver.url)

    def failing_request():
        with transaction.atomic():
            _approve_pending(tree.union_a, people.district_staff)
            raise RuntimeError("the request failed after the approval")

    with pytest.raises(RuntimeError):
        failing_request()

    assert Delivery.objects.count() == 0
    assert receiver.received == []


def test_a_revoked_key_receives_nothing(
    tree, people, subscribe, receiver, django_capture_on_commit_callbacks
):
    from union_portal.api.services import api_key_revoke

    subscription, _secret = subscribe(tree.town_a, receiver.url)
    api_key_revoke(key=subscription.key)

    with django_capture_on_commit_callbacks(execute=True):
        _approve_pending(tree.union_a, people.district_staff)

    assert Delivery.objects.count() == 0
    assert receiver.received == []


def test_a_transfer_out_of_the_subtree_reaches_the_old_and_the_new_side(
    tree, people, subscribe, receiver, django_capture_on_commit_callbacks
):
    member = make_member(tree.union_a)
    sub_a, _s = subscribe(tree.town_a, receiver.url, events=["membership.transferred"])
    sub_b, _s = subscribe(tree.town_b, receiver.url, events=["membership.transferred"])

    with django_capture_on_commit_callbacks(execute=True):
        member_services.member_transfer(
            member=member, to_union=tree.union_b, by=people.district_staff, reason="调动"
        )

    assert sorted(d.subscription_id for d in Delivery.objects.all()) == sorted([sub_a.pk, sub_b.pk])
    body = json.loads(receiver.received[0].body)
    assert body["data"]["from_union"] == {"id": tree.union_a.pk, "name": tree.union_a.name}
    assert body["data"]["to_union"] == {"id": tree.union_b.pk, "name": tree.union_b.name}
    assert body["data"]["reason"] == "调动"


def test_an_ended_membership_is_an_event(
    tree, people, subscribe, receiver, django_capture_on_commit_callbacks
):
    member = make_member(tree.union_a)
    subscribe(tree.district, receiver.url, events=["membership.ended"])

    with django_capture_on_commit_callbacks(execute=True):
        member_services.member_end(
            member=member, status=MemberStatus.WITHDRAWN, by=people.district_staff, reason="退会"
        )

    body = json.loads(receiver.received[0].body)
    assert (body["event"], body["data"]["member"]["status"], body["data"]["reason"]) == (
        "membership.ended",
        "withdrawn",
        "退会",
    )


def test_emitting_costs_one_query_when_nobody_subscribes(tree, people, django_assert_num_queries):
    from union_portal.webhooks.services import webhook_emit

    member = make_member(tree.union_a)
    with django_assert_num_queries(1):
        assert webhook_emit("membership.approved", member) == 0


# --- retries, failure, replay ------------------------------------------------------------------------------


def test_a_failed_attempt_is_retried_with_exponential_backoff_until_delivered(
    tree, people, subscribe, receiver, django_capture_on_commit_callbacks, settings
):
    settings.WEBHOOK_BACKOFF_SECONDS = 60
    receiver.answers = [500, 503, 200]
    sub, secret = subscribe(tree.town_a, receiver.url)

    with django_capture_on_commit_callbacks(execute=True):
        _approve_pending(tree.union_a, people.district_staff)
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status) == (DeliveryState.PENDING, 1, 500)
    first_wait = delivery.next_attempt_at - Attempt.objects.get().at
    assert first_wait == dt.timedelta(seconds=60)

    # not due yet: the sweeper leaves it, a stray task does nothing
    assert deliveries_due() == []
    assert delivery_attempt(delivery_id=delivery.pk) is None

    later = delivery.next_attempt_at + dt.timedelta(seconds=1)
    assert deliveries_due(now=later) == [delivery.pk]
    assert delivery_attempt(delivery_id=delivery.pk, now=later) == DeliveryState.PENDING
    delivery.refresh_from_db()
    attempts = list(Attempt.objects.order_by("pk"))
    assert delivery.next_attempt_at - attempts[-1].at == dt.timedelta(seconds=120)  # doubled

    later = delivery.next_attempt_at + dt.timedelta(seconds=1)
    assert delivery_attempt(delivery_id=delivery.pk, now=later) == DeliveryState.DELIVERED
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status) == (DeliveryState.DELIVERED, 3, 200)
    assert [a.status for a in Attempt.objects.order_by("pk")] == [500, 503, 200]
    # every attempt is signed afresh, and carries the same event id
    assert len({r.headers["X-Portal-Event-Id"] for r in receiver.received}) == 1
    assert all(signing.verify(secret, r.headers["X-Portal-Signature"], r.body) for r in receiver.received)
    assert delivery_attempt(delivery_id=delivery.pk, now=later) is None  # safe twice


def test_backoff_doubles_up_to_its_cap(settings):
    settings.WEBHOOK_BACKOFF_SECONDS = 60
    settings.WEBHOOK_BACKOFF_MAX_SECONDS = 3600
    assert [backoff(n).total_seconds() for n in range(1, 9)] == [60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_after_a_day_of_failures_a_delivery_is_marked_failed_and_can_be_replayed(
    tree, people, subscribe, receiver, admin_user, django_capture_on_commit_callbacks
):
    receiver.answers = [500]
    subscribe(tree.town_a, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        _approve_pending(tree.union_a, people.district_staff)
    delivery = Delivery.objects.get()
    # a day has passed since the event
    Delivery.objects.filter(pk=delivery.pk).update(created_at=timezone.now() - dt.timedelta(hours=24))
    later = delivery.next_attempt_at + dt.timedelta(seconds=1)

    assert delivery_attempt(delivery_id=delivery.pk, now=later) == DeliveryState.FAILED
    delivery.refresh_from_db()
    assert (delivery.state, delivery.next_attempt_at) == (DeliveryState.FAILED, None)
    assert deliveries_due(now=later + dt.timedelta(days=1)) == []

    # the partner fixed their endpoint: staff replay the event
    receiver.answers = [200]
    with django_capture_on_commit_callbacks(execute=True):
        replay = delivery_replay(delivery=delivery, by=admin_user)
    replay.refresh_from_db()
    assert (replay.state, replay.replay_of, replay.event_id) == (
        DeliveryState.DELIVERED,
        delivery,
        delivery.event_id,
    )
    assert json.loads(receiver.received[-1].body)["id"] == str(delivery.event_id)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED  # the log keeps what happened


def test_a_down_endpoint_is_an_error_not_a_crash(tree, people, subscribe, django_capture_on_commit_callbacks):
    subscribe(tree.town_a, "http://127.0.0.1:9/nothing-listens-here")
    with django_capture_on_commit_callbacks(execute=True):
        _approve_pending(tree.union_a, people.district_staff)
    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.PENDING
    assert delivery.last_status is None
    assert delivery.last_error.startswith("URLError")


def test_a_slow_endpoint_is_cut_off_by_the_timeout(
    tree, people, subscribe, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    receiver.delay = 1.0
    subscribe(tree.town_a, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        _approve_pending(tree.union_a, people.district_staff)
    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.PENDING
    assert "timed out" in delivery.last_error


def test_a_slow_endpoint_never_slows_the_request_that_caused_the_event(
    tree, people, subscribe, receiver, django_capture_on_commit_callbacks
):
    """With Celery not in-process (as in production), the request only enqueues; the worker waits."""
    from union_portal.celery import app

    receiver.delay = 2.0
    subscribe(tree.town_a, receiver.url)
    member = member_services.member_apply(
        data=member_data(tree.union_a),
        by=people.district_staff,
        channel=member_services.Channel.OFFICER,
    )
    client = APIClient()
    client.force_login(people.district_staff)
    app.conf.task_always_eager = False
    try:
        with django_capture_on_commit_callbacks(execute=True):
            started = time.perf_counter()
            response = client.post(f"/api/v1/applications/{member.pk}/approve/", {}, format="json")
            elapsed = time.perf_counter() - started
    finally:
        app.conf.task_always_eager = True
    assert response.status_code == 200
    assert elapsed < 1.0  # the receiver takes 2 s
    assert receiver.received == []

    # the worker's side: the same delivery, sent by the task, waits for the partner
    delivery = Delivery.objects.get()
    started = time.perf_counter()
    assert delivery_attempt(delivery_id=delivery.pk) == DeliveryState.DELIVERED
    assert time.perf_counter() - started >= 2.0
