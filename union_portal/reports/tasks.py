"""Celery tasks of the reports: thin, each calls one service, safe twice."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

#: Beat schedules (Asia/Shanghai), installed after migrate by union_portal.core.schedules. Every
#: night the schedule makes the runs of the month, quarter and year just ended if they are missing.
SCHEDULES = {
    "reports: monthly, quarterly and annual reports of the district and each town": (
        "union_portal.reports.tasks.schedule_reports", "30", "2",
    ),
}  # fmt: skip


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def build_report(*, run_id: int) -> str:
    from .models import ReportRun
    from .services import report_build

    run = ReportRun.objects.filter(pk=run_id).first()
    if run is None:
        return "missing"
    return report_build(run=run).state


@shared_task
def schedule_reports() -> int:
    from .services import reports_schedule

    return len(reports_schedule())
