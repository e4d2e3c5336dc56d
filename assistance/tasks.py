"""Scheduled jobs of hardship aid. Thin: each calls one service; safe to run twice (the
notifications' keys name the person and the day)."""

from __future__ import annotations

from celery import shared_task

#: Beat schedules, installed after migrate by union_portal.core.schedules (editable in the admin).
SCHEDULES = {
    "assistance: remind staff of annual re-checks": ("assistance.tasks.remind_rechecks", "0", "8"),
    "assistance: remind staff of waiting applications": ("assistance.tasks.remind_waiting", "30", "8"),
}


@shared_task
def remind_rechecks() -> int:
    from .services import recheck_reminders_send

    return recheck_reminders_send()


@shared_task
def remind_waiting() -> int:
    from .services import waiting_reminders_send

    return waiting_reminders_send()
