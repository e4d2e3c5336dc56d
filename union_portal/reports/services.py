"""Report runs: asked for (by a staff member, or by the schedule), built, failed.

    request / schedule ──▶ QUEUED ──build──▶ RUNNING ──▶ DONE (figures + file; readers told)
                                                    └──▶ FAILED (error kept; ask again)

Every way in (the admin, the beat schedule) calls these services; the Celery task calls
:func:`report_build`. Building is safe twice: a run that is done is left alone.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from union_portal.core.errors import ApplicationError
from union_portal.core.figures import Period
from union_portal.core.permissions import require_perm
from union_portal.notifications.services import notify
from union_portal.organisations.models import Organisation, OrganisationKind

from .areas import area_permissions, areas_readable_by, figures_by_area
from .compute import report_figures
from .models import PeriodKind, ReportRun, RunState
from .spreadsheet import write_workbook

logger = logging.getLogger(__name__)

VIEW = "reports.view_reportrun"
ADD = "reports.add_reportrun"


def max_days() -> int:
    """The longest period a report may cover (``REPORT_MAX_DAYS``, three years by default)."""
    return int(getattr(settings, "REPORT_MAX_DAYS", 3 * 366))


def _enqueue(run: ReportRun) -> None:
    from .tasks import build_report

    run_id = run.pk
    transaction.on_commit(lambda: build_report.delay(run_id=run_id))


@transaction.atomic
def report_rebuild(*, run: ReportRun, by) -> ReportRun:
    """Build a failed run again (the same subtree, period and areas)."""
    require_perm(by, ADD)
    if not ReportRun.objects.visible_to(by).filter(pk=run.pk).exists():
        raise ApplicationError(_("This report is outside your organisation."), code="out_of_scope")
    run = _lock(run)
    if run.state != RunState.FAILED:
        raise ApplicationError(_("Only a failed report is built again."), code="not_failed")
    run.state, run.progress, run.error = RunState.QUEUED, 0, ""
    run.save(update_fields=["state", "progress", "error"])
    _enqueue(run)
    return run


@transaction.atomic
def report_request(
    *, by, organisation: Organisation, period: Period, period_kind: str, areas: list[str]
) -> ReportRun:
    """A staff member asks for a report of ``organisation``'s subtree (their own node or below) for
    ``period``, with the ``areas`` they may read. It is built by a Celery task after commit."""
    require_perm(by, ADD)
    if not Organisation.objects.visible_to(by).filter(pk=organisation.pk).exists():
        raise ApplicationError(
            _("You may ask for reports of your own organisation or those below it."),
            code="out_of_scope", field="organisation",
        )  # fmt: skip
    if period_kind not in PeriodKind.values:
        raise ApplicationError(_("Choose a kind of period."), code="invalid_period", field="period_kind")
    if period.days > max_days():
        raise ApplicationError(
            _("A report covers at most %(days)d days."), code="period_too_long", field="end",
            params={"days": max_days()},
        )  # fmt: skip
    readable = [area for area, _title in areas_readable_by(by)]
    areas = [area for area in readable if area in set(areas)]  # registry order, no duplicates
    if not areas:
        raise ApplicationError(_("Choose at least one area you may read."), code="no_area", field="areas")
    run = ReportRun.objects.create(
        organisation=organisation,
        period_kind=period_kind,
        period_start=period.start,
        period_end=period.end,
        areas=areas,
        requested_by=by,
    )
    _enqueue(run)
    return run


def _lock(run: ReportRun) -> ReportRun:
    return ReportRun.objects.select_for_update(of=("self",)).get(pk=run.pk)


def _abandoned(run: ReportRun) -> bool:
    """A run left "being built" longer than a task may run: its worker died (the task is delivered
    again, ``acks_late``), so the next delivery builds it."""
    limit = int(getattr(settings, "CELERY_TASK_TIME_LIMIT", 3600))
    return run.started_at is None or run.started_at < timezone.now() - dt.timedelta(seconds=limit)


def report_build(*, run: ReportRun) -> ReportRun:
    """Compute the run's figures (one grouped query each), write its spreadsheet, tell its readers.
    Safe twice: a run that is done or being built elsewhere is returned as it is (unless that build
    was abandoned by a dead worker)."""
    with transaction.atomic():
        run = _lock(run)
        if run.state == RunState.DONE or (run.state == RunState.RUNNING and not _abandoned(run)):
            return run
        run.state, run.started_at, run.progress, run.error = RunState.RUNNING, timezone.now(), 0, ""
        run.save(update_fields=["state", "started_at", "progress", "error"])

    run_pk, shown = run.pk, [0]

    def progress(done: int, total: int) -> None:
        # Most of the time goes to the queries; the spreadsheet is the last 10%. Written in steps of
        # 10 points: a handful of small updates, not one per query.
        percent = min(90, done * 90 // max(total, 1))
        if percent - shown[0] >= 10:
            shown[0] = percent
            ReportRun.objects.filter(pk=run_pk).update(progress=percent)

    counter, scope = QueryCounter(), run.organisation
    try:
        with connection.execute_wrapper(counter):
            stored = report_figures(
                scope=scope, period=run.period, areas=list(run.areas), on_progress=progress
            )
        content = write_workbook(run, stored)
    except Exception as exc:
        logger.exception("report run %s failed", run.pk)
        return report_fail(run=run, error=f"{type(exc).__name__}: {exc}")
    with transaction.atomic():
        run = _lock(run)
        if run.state != RunState.RUNNING:
            return run
        run.figures = stored
        run.queries = counter.count - counter.progress_updates
        name = (
            f"{slugify(run.organisation.name, allow_unicode=True) or 'report'}-{run.period_start:%Y%m%d}.xlsx"
        )
        run.file.save(name, ContentFile(content), save=False)
        run.state, run.progress, run.finished_at = RunState.DONE, 100, timezone.now()
        run.save(update_fields=["figures", "queries", "file", "state", "progress", "finished_at"])
        _tell_readers(run)
    return run


class QueryCounter:
    """Counts the queries of the figures (``connection.execute_wrapper``), the progress updates apart."""

    def __init__(self):
        self.count = 0
        self.progress_updates = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        if sql.lstrip().upper().startswith("UPDATE"):
            self.progress_updates += 1
        return execute(sql, params, many, context)


def report_fail(*, run: ReportRun, error: str) -> ReportRun:
    with transaction.atomic():
        run = _lock(run)
        if run.state == RunState.DONE:
            return run
        run.state, run.error, run.finished_at = RunState.FAILED, error[:2000], timezone.now()
        run.save(update_fields=["state", "error", "finished_at"])
    return run


def may_download(user, run: ReportRun) -> bool:
    """Whoever may see the run's subtree and read every figure in it."""
    if user is None or not user.is_active or not user.has_perm(VIEW):
        return False
    if not ReportRun.objects.visible_to(user).filter(pk=run.pk).exists():
        return False
    return all(user.has_perm(perm) for perm in area_permissions(list(run.areas)))


def readers(run: ReportRun) -> list:
    """Who is told that the run is ready: who asked, or, for a scheduled run, the staff of the
    run's own organisation node who may download it."""
    if run.requested_by_id is not None:
        return [run.requested_by] if may_download(run.requested_by, run) else []
    users = get_user_model().objects.filter(organisation=run.organisation, is_active=True, is_staff=True)
    return [user for user in users.order_by("pk") if may_download(user, run)]


def _tell_readers(run: ReportRun) -> None:
    link = reverse("admin:reports_reportrun_change", args=[run.pk])
    for user in readers(run):
        notify(
            user=user,
            event="reports.ready",
            key=f"reports.ready:{run.pk}:{user.pk}",
            context={
                "report": str(run),
                "organisation_name": run.organisation.name,
                "period": run.period_label,
            },
            link=link,
        )


# --- the schedule ----------------------------------------------------------------------------------


def last_complete_periods(today: dt.date) -> dict[str, Period]:
    """The month, the quarter and the year that ended most recently before ``today``."""
    month = Period.month(today.year, today.month).previous()
    quarter_now = Period.quarter(today.year, (today.month - 1) // 3 + 1)
    return {
        PeriodKind.MONTH: month,
        PeriodKind.QUARTER: quarter_now.previous(),
        PeriodKind.YEAR: Period.year(today.year - 1),
    }


def scheduled_nodes():
    """The district and each town: the nodes whose monthly, quarterly and annual reports are due."""
    return Organisation.objects.filter(
        Q(kind=OrganisationKind.DISTRICT) | Q(kind=OrganisationKind.TOWN), is_active=True
    ).order_by("path")


def reports_schedule(*, today: dt.date | None = None) -> list[ReportRun]:
    """Create (once) the scheduled runs of the last complete month, quarter and year for the
    district and each town, with every area, and build them. Safe to run every day and twice: a
    node's run of a period exists once (a unique constraint), so only missing runs are made."""
    today = today or timezone.localdate()
    areas = list(figures_by_area())
    created = []
    for node in scheduled_nodes():
        for kind, period in last_complete_periods(today).items():
            with transaction.atomic():
                run, made = ReportRun.objects.get_or_create(
                    organisation=node,
                    period_kind=kind,
                    period_start=period.start,
                    scheduled=True,
                    defaults={"period_end": period.end, "areas": areas},
                )
                if made:
                    _enqueue(run)
                    created.append(run)
    return created
