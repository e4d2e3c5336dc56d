"""Scheduled jobs of legal aid. Thin: each calls one service; safe to run twice (a shift is reminded
once, ``reminded_at``; a limitation warning once per threshold, ``limitation_warned_days``; the
notifications' keys name the record, the threshold and the person)."""

from __future__ import annotations

from celery import shared_task

#: Beat schedules (Asia/Shanghai), installed after migrate by union_portal.core.schedules.
SCHEDULES = {
    "legal_aid: remind lawyers the evening before a shift": ("legal_aid.tasks.remind_shifts", "0", "18"),
    "legal_aid: warn of arbitration limitation dates": ("legal_aid.tasks.warn_limitations", "0", "8"),
}


@shared_task(acks_late=True, reject_on_worker_lost=True)
def remind_shifts() -> int:
    from .services import shift_reminders_send

    return shift_reminders_send()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def warn_limitations() -> int:
    from .services import limitation_warnings_send

    return limitation_warnings_send()
