"""Scheduled jobs of contests and honours. Thin: each calls one service; safe to run twice (the
notifications' keys name the person and the day)."""

from __future__ import annotations

from celery import shared_task

#: Beat schedules, installed after migrate by union_portal.core.schedules (editable in the admin).
SCHEDULES = {
    "competitions: remind staff of model workers' health checks": (
        "competitions.tasks.remind_health_checks", "0", "9",
    ),
}  # fmt: skip


@shared_task
def remind_health_checks() -> int:
    from .services.reminders import health_check_reminders_send

    return health_check_reminders_send()
