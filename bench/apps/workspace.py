"""The staff workspace: the dashboard (the admin's first page) at a million members and at a thousand.

Figures are cached per (node, day) and kept warm by ``dashboard_warm``; the work queues are counted on
every view. The goal of issue 10 is the dashboard opening at the large size within 3× of the small one.
"""

from __future__ import annotations

from bench.common import Row, median_time, ms, run_worker


def section(ctx):
    large = run_worker("workspace:dashboard", ctx.large_url, {})
    small = run_worker("workspace:dashboard", ctx.small_url, {})
    ratio = large["warm"] / small["warm"]
    rows = [
        Row(
            f"dashboard: open the admin's first page, figures cached ({ctx.sizes['large']:,})",
            ms(large["warm"]),
            f"at {ctx.sizes['small']:,}: {ms(small['warm'])}",
            ratio,
            "≤ 3×",
            ratio <= 3,
        )
    ]
    notes = [
        f"Dashboard with an empty cache (what dashboard_warm computes every 10 minutes for the district and "
        f"its towns): {ms(large['cold'])} at {ctx.sizes['large']:,}, {ms(small['cold'])} at "
        f"{ctx.sizes['small']:,}; {large['queries']} queries per warm view."
    ]
    return rows, notes


def dashboard(payload: dict) -> dict:
    import time

    from bench.common import django_setup

    django_setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.workers import staff_user

    client = Client()
    client.force_login(staff_user())
    cache.clear()
    started = time.perf_counter()
    assert client.get("/admin/").status_code == 200
    cold = time.perf_counter() - started
    warm = median_time(lambda: client.get("/admin/"), repeat=7, warmup=1)
    with CaptureQueriesContext(connection) as queries:
        client.get("/admin/")
    return {"cold": cold, "warm": warm, "queries": len(queries)}
