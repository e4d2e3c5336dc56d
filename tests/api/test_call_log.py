"""The call log is written in batches (union_portal/api/calllog.py): every call still ends up logged,
with its key, endpoint, status and duration, never its body."""

from __future__ import annotations

import os

import pytest
from django.urls import reverse

from union_portal.api import calllog
from union_portal.api.models import APICall, APIKey

from .test_api_keys import MEMBERS, town_a_partner


@pytest.fixture
def batches_of(settings):
    """Batches of ``n`` calls in this process's buffer (no Redis), starting empty."""

    def make(n: int):
        settings.REDIS_URL = ""
        settings.API_CALL_LOG_BATCH = n
        settings.API_CALL_LOG_FLUSH_SECONDS = 3600
        calllog.flush()
        APICall.objects.all().delete()

    yield make
    calllog.flush()


@pytest.fixture
def redis_batches_of(settings):
    """Batches of ``n`` calls in the Redis list (the ``REDIS_URL`` of the test run), starting empty."""
    import redis

    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("no REDIS_URL")
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.delete(calllog.REDIS_LIST)
    except redis.RedisError:
        pytest.skip("Redis not reachable")

    def make(n: int):
        settings.REDIS_URL = url
        settings.API_CALL_LOG_BATCH = n
        APICall.objects.all().delete()
        return client

    yield make
    client.delete(calllog.REDIS_LIST)


def _calls():
    return list(APICall.objects.order_by("at", "pk").values_list("key__name", "method", "endpoint", "status"))


def test_calls_are_written_a_batch_at_a_time_and_all_of_them_in_the_end(tree, key_client, batches_of):
    batches_of(3)
    client = key_client(town_a_partner(tree), scopes=["members:read"])
    for _ in range(4):
        assert client.get(MEMBERS).status_code == 200
    client.post(MEMBERS, {"name": "refused by the scope"})

    assert len(_calls()) == 3  # one batch written, two calls waiting
    assert calllog.pending() == 2

    assert calllog.drain() == 2
    assert _calls() == [("partner of sync-town-a", "GET", "v1:member-list", 200)] * 4 + [
        ("partner of sync-town-a", "POST", "v1:member-list", 403)
    ]
    assert calllog.pending() == 0
    assert all(call.duration_ms >= 0 for call in APICall.objects.all())


def test_a_buffer_older_than_the_flush_delay_is_written_with_the_next_call(
    tree, key_client, batches_of, settings
):
    batches_of(100)
    client = key_client(town_a_partner(tree))
    client.get(MEMBERS)
    assert _calls() == []

    settings.API_CALL_LOG_FLUSH_SECONDS = 0
    client.get(MEMBERS)
    assert len(_calls()) == 2


def test_with_redis_the_call_filling_a_batch_writes_it_and_the_beat_job_the_rest(
    tree, key_client, redis_batches_of
):
    from union_portal.api.tasks import api_calls_drain

    redis = redis_batches_of(3)
    client = key_client(town_a_partner(tree))
    detail = reverse("v1:member-detail", args=[0])
    for path in (MEMBERS, MEMBERS, detail, MEMBERS):
        client.get(path)

    assert _calls() == [
        ("partner of sync-town-a", "GET", "v1:member-list", 200),
        ("partner of sync-town-a", "GET", "v1:member-list", 200),
        ("partner of sync-town-a", "GET", "v1:member-detail", 404),
    ]
    assert redis.llen(calllog.REDIS_LIST) == 1

    api_calls_drain()  # the beat job
    assert len(_calls()) == 4
    assert redis.llen(calllog.REDIS_LIST) == 0


def test_the_buffer_holds_no_body(tree, key_client, batches_of):
    batches_of(100)
    client = key_client(town_a_partner(tree), scopes=["members:read"])
    client.post(MEMBERS, {"name": "秘密的名字", "id_number": "110101199003078515"}, format="json")

    assert "秘密" not in repr(calllog._buffer) and "110101" not in repr(calllog._buffer)
    calllog.drain()
    assert {f.name for f in APICall._meta.get_fields()} == {
        "id", "key", "at", "method", "endpoint", "status", "duration_ms",
    }  # fmt: skip
    assert APICall.objects.get().key == APIKey.objects.get()
