"""Beat jobs of the partner API: thin, each calls one service."""

from __future__ import annotations

from celery import shared_task

from . import services

SCHEDULES = {
    "api: forget idempotent answers older than a day": (
        "union_portal.api.tasks.idempotent_requests_purge",
        "17",
        "3",
    ),
}


@shared_task(ignore_result=True)
def idempotent_requests_purge() -> int:
    return services.idempotent_requests_purge()
