"""Report runs: one spreadsheet of the figures of an organisation subtree for a period.

A run records who asked (nobody for a scheduled run), what was asked (the subtree, the period, the
areas), how far its build got, the figures it computed (as JSON, so that what was handed in can be
shown again whatever the data became) and the spreadsheet. A run is never deleted nor edited by
hand: its state moves queued → running → done (or failed), and its history keeps every step.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from union_portal.core.figures import Period
from union_portal.core.scoping import ScopedQuerySet
from union_portal.organisations.models import Organisation


class RunState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being built")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")
    CUSTOM = "custom", _("Custom dates")


class ReportRunQuerySet(ScopedQuerySet):
    """Staff see the runs of their subtree (the organisation the report is about)."""

    scope_org_lookups = ("organisation",)


def report_path(run: ReportRun, filename: str) -> str:
    return f"reports/{run.period_start:%Y}/{filename}"


class ReportRun(models.Model):
    """One report of an organisation subtree for a period, built by a Celery task."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="report_runs",
        help_text=_("The report covers this organisation and everything below it."),
    )
    period_kind = models.CharField(_("kind of period"), max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    areas = models.JSONField(_("areas"), default=list, help_text=_("The areas of work the report includes."))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty for a scheduled run."),
    )
    scheduled = models.BooleanField(_("scheduled"), default=False)
    state = models.CharField(_("state"), max_length=10, choices=RunState.choices, default=RunState.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    figures = models.JSONField(
        _("figures computed"),
        default=dict,
        blank=True,
        help_text=_("Every number the report shows, as it was computed: the report can be shown again."),
    )
    file = models.FileField(_("spreadsheet"), upload_to=report_path, blank=True, max_length=300)
    error = models.TextField(_("error"), blank=True)
    queries = models.PositiveIntegerField(_("database queries"), null=True, blank=True)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ReportRunQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["figures"])

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "period_kind", "period_start"],
                condition=Q(scheduled=True),
                name="reportrun_one_scheduled_per_period",
                violation_error_message=_("This period's scheduled report of this organisation exists already."),
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="reportrun_period_in_order",
                violation_error_message=_("A period cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="reportrun_progress_at_most_100",
                violation_error_message=_("Progress is a percentage."),
            ),
        ]  # fmt: skip
        indexes = [models.Index(fields=["organisation", "period_kind", "period_start"])]

    def __str__(self) -> str:
        return f"{self.organisation} {self.period_label}"

    @property
    def period(self) -> Period:
        return Period(self.period_start, self.period_end)

    @property
    def period_label(self) -> str:
        return period_label(self.period_kind, self.period)

    @property
    def is_done(self) -> bool:
        return self.state == RunState.DONE and bool(self.file)


def period_label(kind: str, period: Period) -> str:
    """How a period is named on screen and in the spreadsheet: 2026年1月, 2026年第1季度, 2026年."""
    from django.utils.translation import gettext

    start = period.start
    if kind == PeriodKind.MONTH:
        return gettext("%(year)d-%(month)02d") % {"year": start.year, "month": start.month}
    if kind == PeriodKind.QUARTER:
        return gettext("Q%(quarter)d %(year)d") % {"year": start.year, "quarter": (start.month - 1) // 3 + 1}
    if kind == PeriodKind.YEAR:
        return gettext("Year %(year)d") % {"year": start.year}
    return gettext("%(start)s to %(end)s") % {"start": start.isoformat(), "end": period.end.isoformat()}


def period_of(
    kind: str, *, year: int, number: int = 1, start: dt.date | None = None, end: dt.date | None = None
):
    """The Period of a kind: ``number`` is the month or the quarter; custom takes start and end."""
    if kind == PeriodKind.MONTH:
        return Period.month(year, number)
    if kind == PeriodKind.QUARTER:
        return Period.quarter(year, number)
    if kind == PeriodKind.YEAR:
        return Period.year(year)
    return Period(start, end)
