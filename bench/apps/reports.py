"""Reports on the bench district (``generate_scale``: members, enterprises, unions and the aid data):
the annual district report with every area of the figures registry.

* build time (figures of the period, the previous period and last year, the split by town, the
  spreadsheet with its charts, the file saved) against the summed time of the same grouped queries
  run alone, in the same process, just before: goal ≤ 2× (the cost is the database);
* the number of queries of the build on two districts of different sizes (towns, unions, members):
  goal the same;
* the peak resident memory of the worker process that built it: goal < 500 MB.

A row is "met" only when the report had data: members and aid paid in the year of the report.
"""

from __future__ import annotations

from bench import common
from bench.common import Row

GOAL_RATIO = 2.0
GOAL_MB = 500


def section(ctx):
    rows, notes = [], []
    large = common.run_worker("reports:annual", ctx.large_url, {"repeat": 3})
    small_url = ctx.small_url if ctx.small_url != ctx.large_url else ctx.medium_url
    small = common.run_worker("reports:annual", small_url, {"repeat": 1})
    has_data = large["members"] > 0 and large["money_paid"] > 0
    ratio = large["build"] / large["bare"] if large["bare"] else None
    rows.append(
        Row(
            f"annual district report {large['year']}: build ({large['members']:,} members, "
            f"{large['towns']} towns, {large['unions']:,} unions)",
            common.ms(large["build"]),
            f"bare grouped queries alone: {common.ms(large['bare'])}",
            ratio,
            f"≤ {GOAL_RATIO:g}×",
            bool(has_data and ratio is not None and ratio <= GOAL_RATIO),
        )
    )
    different = (small["towns"], small["unions"], small["members"]) != (
        large["towns"], large["unions"], large["members"],
    )  # fmt: skip
    rows.append(
        Row(
            "annual district report: queries of the build",
            f"{large['queries']} ({large['towns']} towns, {large['unions']:,} unions, {large['members']:,} members)",
            f"{small['queries']} ({small['towns']} towns, {small['unions']:,} unions, {small['members']:,} members)",
            None,
            "the same at both sizes",
            bool(has_data and different and large["queries"] == small["queries"]),
        )
    )
    rows.append(
        Row(
            "annual district report: peak memory of the worker",
            f"{large['peak_mb']:.0f} MB",
            f"before the build: {large['before_mb']:.0f} MB",
            None,
            f"< {GOAL_MB} MB",
            bool(has_data and large["peak_mb"] < GOAL_MB),
        )
    )
    notes.append(
        f"Reports: {large['figures']} figures in {large['sheets']} area sheets, {large['calls']} grouped queries "
        f"planned; in {large['year']} the large district paid {large['money_paid']} yuan of aid to "
        f"{large['households']:,} households; the file is {large['bytes'] / 1024:.0f} KB. Build and bare "
        f"times are the fastest of {large['repeat']} runs."
    )
    if not has_data:
        notes.append("Reports: not met for want of data (no members or no aid paid in the report's year).")
    if not different:
        notes.append("Reports: the two districts have the same tree, so the query-count row proves nothing.")
    return rows, notes


# --- workers (run in a subprocess with the bench settings) ------------------------------------------------


def _rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def annual(payload: dict) -> dict:
    import os
    import tempfile
    import time

    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="bench-reports-")
    common.django_setup()
    from django.conf import settings
    from django.db import transaction
    from django.db.models import Max

    from assistance.models import Payment
    from bench.workers import staff_user
    from union_portal.core.figures import Period, figure
    from union_portal.organisations.models import Organisation, OrganisationKind
    from union_portal.reports import services
    from union_portal.reports.areas import figures_by_area
    from union_portal.reports.compute import planned_calls, run_call
    from union_portal.reports.models import PeriodKind, ReportRun, RunState

    settings.MEDIA_ROOT = os.environ["MEDIA_ROOT"]
    repeat = int(payload.get("repeat", 1))
    user = staff_user()
    district = Organisation.get_root_nodes().first()
    last_paid = Payment.objects.aggregate(last=Max("paid_on"))["last"]
    year = last_paid.year if last_paid else 2025
    period = Period.year(year)
    areas = list(figures_by_area())
    calls = planned_calls(areas=areas)

    def bare() -> float:
        started = time.perf_counter()
        for fig, span in calls:
            run_call(fig, span, scope=district, period=period)
        return time.perf_counter() - started

    bare()  # warm the database's cache, as the build would find it
    bare_times = [bare() for _ in range(repeat)]
    before = _rss_mb()
    build_times, run = [], None
    for _ in range(repeat):
        with transaction.atomic():
            run = ReportRun.objects.create(
                organisation=district, period_kind=PeriodKind.YEAR, period_start=period.start,
                period_end=period.end, areas=areas, requested_by=user,
            )  # fmt: skip
            started = time.perf_counter()
            run = services.report_build(run=run)
            build_times.append(time.perf_counter() - started)
            assert run.state == RunState.DONE, run.error
            size = run.file.size
            queries = run.queries
            stored = run.figures
            transaction.set_rollback(True)  # leave the bench database as it was
    value = figure("members.members").value(scope=district, period=period)
    return {
        "year": year,
        "repeat": repeat,
        "bare": min(bare_times),
        "build": min(build_times),
        "queries": queries,
        "calls": len(calls),
        "figures": len(stored["figures"]),
        "sheets": len(stored["areas"]),
        "bytes": size,
        "before_mb": before,
        "peak_mb": _rss_mb(),
        "members": value,
        "money_paid": stored["figures"]["aid.money_paid"]["current"]
        and float(stored["figures"]["aid.money_paid"]["current"]),
        "households": stored["figures"]["aid.households_helped"]["current"],
        "towns": Organisation.objects.filter(kind=OrganisationKind.TOWN).count(),
        "unions": Organisation.objects.filter(kind=OrganisationKind.GRASSROOTS).count(),
    }
