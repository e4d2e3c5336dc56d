"""Beat schedules declared by the apps, installed after every migrate.

Each app's ``tasks.py`` may define ``SCHEDULES = {name: (task path, minute, hour)}``; the rows are
created in django-celery-beat's tables (crontab in Asia/Shanghai) if missing, and never overwritten:
staff may edit them in the admin afterwards.
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings


def declared_schedules() -> dict[str, tuple[str, str, str]]:
    schedules: dict[str, tuple[str, str, str]] = {}
    for config in apps.get_app_configs():
        if find_spec(f"{config.name}.tasks") is None:
            continue
        schedules.update(getattr(import_module(f"{config.name}.tasks"), "SCHEDULES", {}))
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
