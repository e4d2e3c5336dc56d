"""Celery tasks of the webhooks: thin, safe twice; the rules are in services."""

from __future__ import annotations

from celery import shared_task

from . import services

SCHEDULES = {
    "webhooks: send deliveries that are due again": (
        "union_portal.webhooks.tasks.webhook_retry_due",
        "*",
        "*",
    ),
}


@shared_task(ignore_result=True)
def webhook_deliver(delivery_id: int) -> None:
    services.delivery_attempt(delivery_id=delivery_id)


@shared_task(ignore_result=True)
def webhook_retry_due() -> int:
    due = services.deliveries_due()
    for pk in due:
        webhook_deliver.delay(pk)
    return len(due)
