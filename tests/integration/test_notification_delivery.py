"""A message delivered through a real Celery worker on Redis and PostgreSQL is sent once, however
often its task runs: the gateway fails the first try (the task retries with backoff), and the same
task is sent twice (a duplicate, as a redelivery after a lost acknowledgement would be)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

import pytest
from celery import Celery
from django.conf import settings as django_settings
from django.db import connection

from union_portal.notifications.models import Notification
from union_portal.notifications.services import notification_deliver, sms_text

from ..accounts.factories import make_user
from .sms_probe import client

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"


@pytest.fixture
def worker(transactional_db, tmp_path, monkeypatch):
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError):
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    if connection.vendor != "postgresql":
        pytest.skip("the worker must share the test database: run with DATABASE_URL on PostgreSQL")
    queue = f"notify-{uuid.uuid4().hex[:12]}"
    db = connection.settings_dict
    env = {
        **os.environ,
        "REDIS_URL": REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "union_portal.settings_test",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "SMS_BACKEND": "tests.integration.sms_probe.FlakyOnceSMS",
        "NOTIFICATION_RETRY_BACKOFF": "1",
    }
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - celery of our own venv
        [
            sys.executable, "-m", "celery", "-A", "union_portal.celery", "worker", "--pool=prefork",
            "--concurrency=2", "--queues", queue, "--hostname", f"{queue}@%h", "--without-gossip",
            "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
        ],
        cwd=django_settings.BASE_DIR, env={**env, "REDIS_URL": REDIS_URL}, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    sender = Celery("notify-client", broker=REDIS_URL, set_as_current=False)
    monkeypatch.setenv("REDIS_URL", REDIS_URL)  # for sms_probe.client() in this process too
    yield sender, queue, tmp_path / "worker.log"
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    with sender.connection_for_write() as conn:
        conn.default_channel.client.delete(queue)
    sender.close()


def _message(text: str, mobile: str) -> Notification:
    user = make_user(None, None, username=f"u-{mobile}", mobile=mobile, email="")
    return notification_deliver(
        user_id=user.pk, kind="test.message", title=text, body="", link="", key=f"t:{text}", send=False
    )


@pytest.mark.integration
def test_a_retried_and_a_duplicated_delivery_each_send_one_sms(worker):
    sender, queue, log = worker
    run = uuid.uuid4().hex[:8]
    # A: one task; the gateway fails its first try, so only the retry (after the backoff) can send it.
    # B: the same task sent twice (a duplicate); one of the runs fails first, the other sends it.
    retried = _message(f"重试送达{run}", "13700000077")
    duplicated = _message(f"重复送达{run}", "13700000078")
    redis_client = client()
    for notification, times in ((retried, 1), (duplicated, 2)):
        redis_client.delete(f"smsprobe:sent:{notification.recipient.mobile}")
        for _ in range(times):
            sender.send_task(
                "union_portal.notifications.tasks.send_notification",
                kwargs={"notification_id": notification.pk, "channel": "sms"},
                queue=queue,
            )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        statuses = set(
            Notification.objects.filter(pk__in=[retried.pk, duplicated.pk]).values_list(
                "sms_status", flat=True
            )
        )
        if statuses == {"sent"}:
            break
        time.sleep(0.2)
    time.sleep(3)  # time for a second send, if there were one, to show
    for notification in (retried, duplicated):
        notification.refresh_from_db()
        expected = sms_text(notification)
        sent = [
            t.decode() for t in redis_client.lrange(f"smsprobe:sent:{notification.recipient.mobile}", 0, -1)
        ]
        assert (notification.sms_status, notification.sms_error) == ("sent", ""), log.read_text()
        assert sent == [expected], log.read_text()
        # the failed first try, then exactly one send
        assert int(redis_client.get(f"smsprobe:calls:{expected}")) == 2, log.read_text()
