"""Beat schedules declared by the apps, installed after every migrate.

Each app's ``tasks.py`` may define ``SCHEDULES = {name: (task path, minute, hour)}``; the rows are
created in django-celery-beat's tables (crontab in Asia/Shanghai) if missing, and never overwritten:
staff may edit them in the admin afterwards.
"""

from __future__ import annotations

from django.conf import settings

from .registry import declared


def declared_schedules() -> dict[str, tuple[str, str, str]]:
    schedules: dict[str, tuple[str, str, str]] = {}
    for _config, app_schedules in declared("tasks", "SCHEDULES"):
        schedules.update(app_schedules)
    return schedules


def install_schedules(sender=None, using="default", **kwargs) -> None:
    from django.db import connections

    if "django_celery_beat_periodictask" not in connections[using].introspection.table_names():
        return
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    for name, (task, minute, hour) in declared_schedules().items():
        if PeriodicTask.objects.using(using).filter(name=name).exists():
            continue
        crontab, _created = CrontabSchedule.objects.using(using).get_or_create(
            minute=minute,
            hour=hour,
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone=settings.CELERY_TIMEZONE,
        )
        PeriodicTask.objects.using(using).create(name=name, task=task, crontab=crontab)
