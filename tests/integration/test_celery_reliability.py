"""A task survives the death of its worker (real Redis, real worker processes).

Two ways to die: the pool process running the task is killed (the OOM killer's way): the worker
rejects the message back to the queue at once (``task_reject_on_worker_lost``); or the whole
worker is killed (a machine gone): the message, never acknowledged (``task_acks_late``), comes
back to the next worker after the visibility timeout.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings as django_settings
from django.core.cache.backends.redis import RedisCache

from union_portal.core.tasks import probe_key

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
TASK_SECONDS = 4


# --- the settings ---------------------------------------------------------------------------------


def test_production_settings_do_not_lose_a_task_when_a_worker_dies():
    from union_portal.celery import app

    assert django_settings.CELERY_TASK_ACKS_LATE is True
    assert django_settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True
    assert django_settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    visibility = django_settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert (
        visibility > django_settings.CELERY_TASK_TIME_LIMIT > django_settings.CELERY_TASK_SOFT_TIME_LIMIT > 0
    )
    # and the app reads them
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.broker_transport_options["visibility_timeout"] == visibility


# --- real workers ---------------------------------------------------------------------------------


@pytest.fixture
def redis_cache():
    """The cache the worker's probe writes to (Django's Redis cache at REDIS_URL), or a skip."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError):
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    return RedisCache(REDIS_URL, {})


class Workers:
    """Start and kill `celery worker` processes on a queue of this test alone."""

    def __init__(self, log_dir: Path):
        self.queue = f"probe-{uuid.uuid4().hex[:12]}"
        self.log_dir = log_dir
        self.processes: list[subprocess.Popen] = []
        self.client = Celery("probe-client", broker=REDIS_URL, set_as_current=False)

    def start(self, visibility_timeout: int) -> subprocess.Popen:
        env = {
            **os.environ,
            "REDIS_URL": REDIS_URL,
            "DJANGO_SETTINGS_MODULE": "union_portal.settings",
            "PROBE_VISIBILITY_TIMEOUT": str(visibility_timeout),
            "PROBE_TIME_LIMIT": "8",
        }
        log = (self.log_dir / f"worker-{len(self.processes)}.log").open("w")
        process = subprocess.Popen(  # noqa: S603 - celery of our own venv
            [
                sys.executable, "-m", "celery", "-A", "tests.integration.celery_probe_app", "worker",
                "--pool=prefork", "--concurrency=1", "--queues", self.queue,
                "--hostname", f"{self.queue}-{len(self.processes)}@%h",
                "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
            ],
            cwd=django_settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killing it kills its pool too
        )  # fmt: skip
        self.processes.append(process)
        return process

    def send(self, token: str, seconds: float) -> None:
        self.client.send_task("core.probe", args=[token, seconds], queue=self.queue)

    @staticmethod
    def kill(process: subprocess.Popen) -> None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    self.kill(process)
        with self.client.connection_for_write() as connection:
            connection.default_channel.client.delete(self.queue)
        self.client.close()

    def logs(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.log_dir.glob("worker-*.log")))


@pytest.fixture
def workers(redis_cache, tmp_path):
    workers = Workers(tmp_path)
    yield workers
    workers.stop_all()


def wait_for(condition, timeout: float, workers: Workers, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}\n--- worker logs ---\n{workers.logs()}")


def counts(cache: RedisCache, token: str) -> tuple[int, int]:
    return cache.get(probe_key(token, "started"), 0), cache.get(probe_key(token, "finished"), 0)


@pytest.mark.integration
def test_a_task_whose_pool_process_is_killed_runs_again_at_once(workers, redis_cache):
    token = uuid.uuid4().hex
    # given: a worker whose visibility timeout is far away, so only the reject can bring the task back
    worker = workers.start(visibility_timeout=300)
    workers.send(token, TASK_SECONDS)
    wait_for(lambda: counts(redis_cache, token)[0] == 1, 60, workers, "the task to start")
    child = redis_cache.get(probe_key(token, "pid"))
    assert child not in (None, worker.pid)

    # when: the pool process running it is killed in the middle of the task
    os.kill(child, signal.SIGKILL)
    killed_at = time.monotonic()

    # then: the worker puts the message back and a new pool process runs it to the end, once
    wait_for(lambda: counts(redis_cache, token)[1] == 1, 60, workers, "the task to finish")
    assert counts(redis_cache, token) == (2, 1)
    assert time.monotonic() - killed_at < 60 < 300
    assert redis_cache.get(probe_key(token, "pid")) != child


@pytest.mark.integration
def test_a_task_whose_worker_is_killed_runs_to_the_end_on_the_next_worker(workers, redis_cache):
    token = uuid.uuid4().hex
    # given: a worker in the middle of the task
    first = workers.start(visibility_timeout=10)
    workers.send(token, TASK_SECONDS)
    wait_for(lambda: counts(redis_cache, token)[0] == 1, 60, workers, "the task to start")

    # when: the worker and its pool are killed (SIGKILL: no warm shutdown, no chance to requeue)
    workers.kill(first)
    assert counts(redis_cache, token) == (1, 0)
    workers.start(visibility_timeout=10)

    # then: the unacknowledged message comes back after the visibility timeout and runs to the end
    wait_for(lambda: counts(redis_cache, token)[1] == 1, 60, workers, "the task to finish on the new worker")
    time.sleep(1)
    assert counts(redis_cache, token) == (2, 1)
