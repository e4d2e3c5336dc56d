"""Scheduled jobs of the knowledge quiz. Thin: each calls one service; safe to run twice."""

from __future__ import annotations

from celery import shared_task

#: Beat schedules, installed after migrate by union_portal.core.schedules (editable in the admin).
SCHEDULES = {
    "quiz: close attempts past their time limit": ("competitions.quiz.tasks.expire_attempts", "*/10", "*"),
    "quiz: draw up last month's prize list": ("competitions.quiz.tasks.close_months", "30", "1"),
}


@shared_task
def expire_attempts() -> int:
    from .services import attempts_expire_overdue

    return attempts_expire_overdue()


@shared_task
def close_months() -> int:
    from .services import months_close_due, union_changes_apply

    closed = months_close_due()
    union_changes_apply()  # after the month's prizes are fixed (each keeps the union of its month)
    return closed
