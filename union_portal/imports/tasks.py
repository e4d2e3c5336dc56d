"""Celery tasks of spreadsheet imports: thin, safe to run twice, each calls one service."""

from __future__ import annotations

import logging

from celery import shared_task

from union_portal.core.errors import ApplicationError

logger = logging.getLogger(__name__)

#: Beat schedules, installed after migrate by union_portal.core.schedules (editable in the admin).
SCHEDULES = {
    "imports: expire abandoned import jobs": ("union_portal.imports.tasks.import_expire_task", "15", "3"),
}


@shared_task(ignore_result=True)
def import_check_task(job_id: int) -> None:
    """Check an uploaded spreadsheet; a job already checked (or cancelled) is left as it is."""
    from .models import ImportJob
    from .services import import_check

    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.status != ImportJob.Status.CHECKING:
        return
    import_check(job=job)


@shared_task(ignore_result=True)
def import_confirm_task(job_id: int, user_id: int) -> None:
    """Write a confirmed job; a job already imported returns at once, a second run writes nothing twice."""
    from django.contrib.auth import get_user_model

    from .models import ImportJob
    from .services import import_confirm

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
    from .services import import_expire

    return import_expire()
