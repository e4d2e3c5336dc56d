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


@shared_task(acks_late=True, reject_on_worker_lost=True)
def dashboard_warm() -> int:
    """Refresh the dashboard snapshots of the district, its towns and every node with staff (safe twice)."""
    from union_portal.core.dashboard import warm

    return warm()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def dashboard_refresh(organisation_id: int) -> bool:
    """Recompute one node's dashboard snapshot (asked for by a view that showed a stale one); nothing
    when the node is gone or its snapshot is already fresh (safe twice)."""
    from django.core.cache import cache as shared_cache
    from django.utils import timezone

    from union_portal.core import dashboard
    from union_portal.core.models import DashboardSnapshot
    from union_portal.organisations.models import Organisation

    node = Organisation.objects.filter(pk=organisation_id).first()
    if node is None:
        shared_cache.delete(dashboard.refresh_lock_key(organisation_id))
        return False
    snapshot = DashboardSnapshot.objects.filter(organisation=node).first()
    if snapshot is not None and dashboard.is_fresh(dashboard.entry_of(snapshot), today=timezone.localdate()):
        shared_cache.delete(dashboard.refresh_lock_key(organisation_id))
        return False
    dashboard.refresh(node)
    return True
