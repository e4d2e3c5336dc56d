"""Tasks of the core: a probe that shows the workers run tasks, and run them to the end."""

from __future__ import annotations

import os
import time

from celery import shared_task
from django.core.cache import cache

PROBE_TTL = 60 * 60
PROBE_MAX_SLEEP = 10 * 60


def probe_key(token: str, what: str) -> str:
    return f"core:probe:{token}:{what}"


@shared_task(name="core.probe")
def probe_task(token: str, sleep_seconds: float = 0.0) -> str:
    """Record the start (and the worker process), sleep, record the end; in the cache, i.e. Redis
    when ``REDIS_URL`` is set. Operators use it to see that the workers take tasks; the reliability
    test kills a worker in the middle of it and checks that it runs again to the end."""
    cache.add(probe_key(token, "started"), 0, PROBE_TTL)
    cache.incr(probe_key(token, "started"))
    cache.set(probe_key(token, "pid"), os.getpid(), PROBE_TTL)
    time.sleep(max(0.0, min(float(sleep_seconds), PROBE_MAX_SLEEP)))
    cache.add(probe_key(token, "finished"), 0, PROBE_TTL)
    cache.incr(probe_key(token, "finished"))
    return token


SCHEDULES = {
    "core: keep the dashboard's figures warm": ("union_portal.core.tasks.dashboard_warm", "*/10", "*"),
}


@shared_task
def dashboard_warm() -> int:
    """Compute the dashboard's figures of the district and its towns into the cache (safe twice)."""
    from union_portal.core.dashboard import warm

    return warm()
