"""Celery tasks of the members app: thin, idempotent, each calls one service.

(The import tasks moved to ``union_portal.imports.tasks`` with the one import pipeline.)
"""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=5, acks_late=True, ignore_result=True)
def member_sms_task(self, *, mobile: str, text: str, key: str) -> None:
    """An SMS to a worker without a portal login (see ``members.notices``): sent once per key,
    retried while the provider refuses it."""
    from django.conf import settings
    from django.core.cache import cache

    from union_portal.notifications.backends import SMSDeliveryError, get_sms_backend

    from .notices import SMS_KEY_TTL

    if not settings.SMS_ENABLED or not mobile:
        return
    sent_key = f"members:sms:{key}"
    if not cache.add(sent_key, "sending", SMS_KEY_TTL):
        return  # sent already (or being sent by another run)
    try:
        get_sms_backend().send(mobile, f"【{settings.SMS_SIGN_NAME}】{text}"[: settings.SMS_MAX_LENGTH])
    except SMSDeliveryError as exc:
        cache.delete(sent_key)
        if self.request.retries >= self.max_retries:
            logger.warning("SMS %s to a member gave up: %s", key, exc)
            return
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc


@shared_task(acks_late=True, ignore_result=True)
def activation_code_task(*, id_number_hash: str, mobile: str) -> bool:
    """The activation code, looked up and sent outside the request (see ``member_activation_request``)."""
    from .services import activation_code_deliver

    return activation_code_deliver(id_number_hash=id_number_hash, mobile=mobile)
