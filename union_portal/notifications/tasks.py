"""Delivery of notifications, outside the request. Thin: each task calls one service.

``deliver_notification`` writes the message once per key and queues one ``send_notification`` per
channel; each channel is retried on its own with exponential backoff (``NOTIFICATION_RETRY_BACKOFF``
seconds, doubled each time, ``NOTIFICATION_MAX_RETRIES`` times), then marked failed. Tasks are
acknowledged late: a worker that dies mid-send leaves the message for another, and the claim
(PENDING -> SENDING) keeps a redelivered or duplicated task from sending twice.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from .models import Delivery, Notification
from .services import (
    DeliveryError,
    notification_deliver,
    notification_failed,
    notification_send,
    waiting_sms_due,
)

SCHEDULES = {
    # the SMS that waited for the end of the quiet hours (and any whose queued send was lost)
    "notifications: send SMS held over the quiet hours": (
        "union_portal.notifications.tasks.send_waiting_sms",
        "*/10",
        "*",
    ),
}


def backoff(retries: int) -> int:
    """Seconds before retry number ``retries + 1``: the base, doubled each time."""
    return settings.NOTIFICATION_RETRY_BACKOFF * 2**retries


@shared_task(acks_late=True, ignore_result=True)
def deliver_notification(
    *,
    user_id: int,
    kind: str,
    title: str,
    body: str,
    link: str,
    key: str,
    sms: str = "",
    html: str = "",
    urgent: bool = False,
) -> int:
    notification = notification_deliver(
        user_id=user_id, kind=kind, title=title, body=body, link=link, key=key, sms=sms, html=html,
        urgent=urgent, send=False,
    )  # fmt: skip
    for channel in Notification.CHANNELS:
        if getattr(notification, f"{channel}_status") == Delivery.PENDING:
            send_notification.delay(notification_id=notification.pk, channel=channel)
    return notification.pk


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=None)
def send_notification(self, *, notification_id: int, channel: str) -> str:
    """Send one channel of one message; retried with backoff, then marked failed."""
    notification = Notification.objects.filter(pk=notification_id).first()
    if notification is None:
        return ""
    try:
        return notification_send(notification=notification, channel=channel)
    except DeliveryError as exc:
        if self.request.retries >= settings.NOTIFICATION_MAX_RETRIES:
            notification_failed(notification_id=notification_id, channel=channel)
            return Delivery.FAILED
        raise self.retry(exc=exc, countdown=backoff(self.request.retries)) from exc


@shared_task(acks_late=True, ignore_result=True)
def send_waiting_sms() -> int:
    """Beat: queue the SMS whose quiet hours are over."""
    due = list(waiting_sms_due())
    for pk in due:
        send_notification.delay(notification_id=pk, channel="sms")
    return len(due)
