"""Scheduled jobs of volunteer service. Thin: each calls one service; safe to run twice (the
notifications' keys name the activity and the person)."""

from __future__ import annotations

from celery import shared_task

#: Beat schedules, installed after migrate by union_portal.core.schedules (editable in the admin).
SCHEDULES = {
    "volunteers: finish activities that ended": ("volunteers.tasks.finish_ended", "10", "0"),
    "volunteers: remind volunteers of tomorrow's activities": ("volunteers.tasks.remind_tomorrow", "0", "18"),
    "volunteers: remind leaders of hours to verify": ("volunteers.tasks.remind_leaders", "30", "9"),
}


@shared_task
def finish_ended() -> int:
    from .services import activities_finish_ended

    return activities_finish_ended()


@shared_task
def remind_tomorrow() -> int:
    from .services import activity_reminders_send

    return activity_reminders_send()


@shared_task
def remind_leaders() -> int:
    from .services import verification_reminders_send

    return verification_reminders_send()
