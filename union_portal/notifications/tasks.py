"""Delivery of notifications, outside the request. Thin: each task calls one service."""

from __future__ import annotations

from celery import shared_task

from .backends import SMSDeliveryError
from .services import notification_deliver, notification_sms_failed


@shared_task(bind=True, max_retries=5, acks_late=True)
def deliver_notification(
    self,
    *,
    user_id: int,
    kind: str,
    title: str,
    body: str,
    link: str,
    key: str,
    sms: str = "",
    urgent: bool = False,
) -> int:
    try:
        return notification_deliver(
            user_id=user_id, kind=kind, title=title, body=body, link=link, key=key, sms=sms, urgent=urgent
        ).pk
    except SMSDeliveryError as exc:
        if self.request.retries >= self.max_retries:
            notification_sms_failed(key=key)
            return 0
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc
