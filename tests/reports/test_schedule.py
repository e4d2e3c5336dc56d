"""Scheduled runs: the month, quarter and year just ended, for the district and each town, once each,
and their readers told through ``notify(event="reports.ready")``."""

from __future__ import annotations

import datetime as dt

from union_portal.core.schedules import declared_schedules
from union_portal.notifications.models import Notification
from union_portal.reports import services
from union_portal.reports.models import ReportRun, RunState


def test_the_schedule_is_declared_for_beat():
    assert declared_schedules()["reports: monthly, quarterly and annual reports of the district and each town"] == (
        "union_portal.reports.tasks.schedule_reports", "30", "2",
    )  # fmt: skip


def test_the_periods_just_ended_across_a_year_end():
    periods = services.last_complete_periods(dt.date(2026, 1, 3))
    assert {kind: (str(p.start), str(p.end)) for kind, p in periods.items()} == {
        "month": ("2025-12-01", "2025-12-31"),
        "quarter": ("2025-10-01", "2025-12-31"),
        "year": ("2025-01-01", "2025-12-31"),
    }


def test_scheduled_runs_are_made_once_and_their_readers_told(
    tree, people, django_capture_on_commit_callbacks
):
    # when the nightly job runs on 3 April 2026, then again the next night
    with django_capture_on_commit_callbacks(execute=True):
        made = services.reports_schedule(today=dt.date(2026, 4, 3))
    with django_capture_on_commit_callbacks(execute=True):
        again = services.reports_schedule(today=dt.date(2026, 4, 4))
    # then
    assert len(made) == 9  # the district and two towns, each a month, a quarter and a year
    assert again == []
    runs = ReportRun.objects.order_by("organisation__path", "period_kind")
    assert {(r.organisation.name, r.period_kind, str(r.period_start), str(r.period_end)) for r in runs} == {
        (node.name, kind, start, end)
        for node in (tree.district, tree.town_a, tree.town_b)
        for kind, start, end in (
            ("month", "2026-03-01", "2026-03-31"), ("quarter", "2026-01-01", "2026-03-31"),
            ("year", "2025-01-01", "2025-12-31"),
        )
    }  # fmt: skip
    assert {r.state for r in runs} == {RunState.DONE}
    assert all(r.scheduled and r.requested_by is None for r in runs)
    assert runs[0].areas == ["members", "aid", "volunteers", "quiz", "legal", "contests", "honours"]
    told = Notification.objects.filter(kind="reports.ready")
    assert sorted(told.values_list("recipient__username", flat=True)) == sorted(
        ["district"] * 3 + ["auditor"] * 3 + ["town_a"] * 3 + ["town_b"] * 3
    )  # the staff of each node who may download its reports; nobody of another node
    title = (
        told.filter(recipient=people.town_b_staff, key__startswith="reports.ready")
        .order_by("pk")
        .first()
        .title
    )
    assert title.startswith("Report ready: 乐平镇总工会")
