"""Scheduled jobs of hardship aid. Thin: each calls one service; safe to run twice (the
notifications' keys name the person and the day)."""

from __future__ import annotations

from celery import shared_task

#: Beat schedules installed after migrate (editable in the admin afterwards; not overwritten).
SCHEDULES = {
    "assistance: remind staff of annual re-checks": ("assistance.tasks.remind_rechecks", "0", "8"),
    "assistance: remind staff of waiting applications": ("assistance.tasks.remind_waiting", "30", "8"),
}
SCHEDULE_TIMEZONE = "Asia/Shanghai"


@shared_task
def remind_rechecks() -> int:
    from .services import recheck_reminders_send

    return recheck_reminders_send()


@shared_task
def remind_waiting() -> int:
    from .services import waiting_reminders_send

    return waiting_reminders_send()


def install_schedules(sender=None, using="default", **kwargs) -> None:
    """Create the beat rows (every day at 08:00 and 08:30, Shanghai time) if they are missing."""
    from django.db import connections

    tables = connections[using].introspection.table_names()
    if "django_celery_beat_periodictask" not in tables:
        return
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    for name, (task, minute, hour) in SCHEDULES.items():
        if PeriodicTask.objects.using(using).filter(name=name).exists():
            continue
        crontab, _created = CrontabSchedule.objects.using(using).get_or_create(
            minute=minute,
            hour=hour,
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone=SCHEDULE_TIMEZONE,
        )
        PeriodicTask.objects.using(using).create(name=name, task=task, crontab=crontab)
