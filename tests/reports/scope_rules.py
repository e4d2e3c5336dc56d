"""Scope-walk rules of the reports: a report run of town B is invisible to town A's staff, to the
officers below town A and to members; its status and download views answer 404 to them."""

from __future__ import annotations

import datetime as dt


def _run(w):
    cached = w.__dict__.get("_report_run")
    if cached is None:
        from union_portal.reports.models import PeriodKind, ReportRun, RunState

        cached = ReportRun.objects.create(
            organisation=w.tree.town_b,
            period_kind=PeriodKind.YEAR,
            period_start=dt.date(2025, 1, 1),
            period_end=dt.date(2025, 12, 31),
            areas=["members"],
            requested_by=w.people.town_b_staff,
            state=RunState.DONE,
            progress=100,
            figures={"scope": {"name": "乐平镇总工会"}},
        )
        cached.file.name = "reports/2025/walk-secret.xlsx"  # no file written: the walk is denied first
        cached.save(update_fields=["file"])
        w.__dict__["_report_run"] = cached
    return cached


def register(rules) -> None:
    from union_portal.reports.models import ReportRun

    rules.VICTIMS[ReportRun] = _run
    rules.API_COMMAND_URLS["v1:figures"] = (
        "aggregate figures (no personal data) of a subtree the caller may see (figures_scope), only the "
        "figures whose permission the caller holds"
    )
