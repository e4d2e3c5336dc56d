"""Beat jobs of the partner API: thin, each calls one service."""

from __future__ import annotations

from celery import shared_task

from . import calllog, services

SCHEDULES = {
    "api: forget idempotent answers older than a day": (
        "union_portal.api.tasks.idempotent_requests_purge",
        "17",
        "3",
    ),
    # the call that fills a batch writes it; this writes the rest of a quiet minute (a Redis list)
    "api: write the buffered call log": ("union_portal.api.tasks.api_calls_drain", "*", "*"),
}


@shared_task(ignore_result=True)
def idempotent_requests_purge() -> int:
    return services.idempotent_requests_purge()


@shared_task(ignore_result=True)
def api_calls_drain() -> int:
    return calllog.drain()
