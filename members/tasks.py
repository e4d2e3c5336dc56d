"""Celery tasks of the members app: thin, idempotent, each calls one service."""

from __future__ import annotations

import logging

from celery import shared_task

from union_portal.core.errors import ApplicationError

logger = logging.getLogger(__name__)


#: Beat schedules, installed after migrate by union_portal.core.schedules (editable in the admin).
SCHEDULES = {
    "members: expire abandoned import jobs": ("members.tasks.import_expire_task", "15", "3"),
}


@shared_task(ignore_result=True)
def import_check_task(job_id: int) -> None:
    """Check an uploaded spreadsheet; a job already checked (or cancelled) is left as it is."""
    from .importing import import_check
    from .models import ImportJob

    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.status != ImportJob.Status.CHECKING:
        return
    import_check(job=job)


@shared_task(ignore_result=True)
def import_confirm_task(job_id: int, user_id: int) -> None:
    """Write a confirmed job; a job already imported returns at once, a second run writes nothing twice."""
    from django.contrib.auth import get_user_model

    from .importing import import_confirm
    from .models import ImportJob

    job = ImportJob.objects.filter(pk=job_id).first()
    user = get_user_model().objects.filter(pk=user_id).first()
    if job is None or user is None or job.status == ImportJob.Status.DONE:
        return
    try:
        import_confirm(job=job, by=user)
    except ApplicationError as exc:  # cancelled meanwhile, permission withdrawn: nothing to retry
        logger.info("import job %s not imported: %s", job_id, exc)


@shared_task(ignore_result=True)
def import_expire_task() -> int:
    """End import jobs abandoned for a day and remove their files (daily beat schedule)."""
    from .importing import import_expire

    return import_expire()


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
