"""The staff workspace: the dashboard (the admin's first page) at a million members and at a thousand.

The figures of a node are stored in its ``DashboardSnapshot`` (refreshed by the beat task
``dashboard_warm``) and fronted by the cache; the work queues are counted on every view. Issue 10:
the dashboard opens at the large size within 3× of the small one, with the cache warm and cold (a
flushed cache after a deploy or at midnight), for a district user and for a union-level user.
"""

from __future__ import annotations

import statistics

from bench.common import Row, ms, run_worker

USERS = {
    "district": "a district staff user (the root of the tree)",
    "union": "an officer of the enterprise union with the most members",
}


def section(ctx):
    rows, notes = [], []
    large_size, small_size = f"{ctx.sizes['large']:,}", f"{ctx.sizes['small']:,}"
    for who, described in USERS.items():
        large = run_worker("workspace:dashboard", ctx.large_url, {"user": who})
        small = run_worker("workspace:dashboard", ctx.small_url, {"user": who})
        for state, label in (("warm", "cache warm"), ("cold", "cache cold, snapshot stored")):
            ratio = large[state] / small[state]
            rows.append(
                Row(
                    f"dashboard of {who}: open the admin's first page, {label} ({large_size})",
                    ms(large[state]),
                    f"at {small_size}: {ms(small[state])}",
                    ratio,
                    "≤ 3×",
                    ratio <= 3,
                )
            )
        notes.append(
            f"Dashboard of {described}: {large['queries']} queries per view with the cache warm, "
            f"{large['cold_queries']} cold; the first view of a node without a snapshot (computes every "
            f"figure, as every cold view did before) took {ms(large['first'])} at {large_size} and "
            f"{ms(small['first'])} at {small_size} ({large['first'] / small['first']:.1f}×); refreshing the "
            f"node's snapshot (what dashboard_warm does per node) {ms(large['refresh'])} at {large_size}, "
            f"{ms(small['refresh'])} at {small_size}; the work queues alone {ms(large['queues'])} at "
            f"{large_size}, {ms(small['queues'])} at {small_size}."
        )
    return rows, notes


def _bench_user(who: str):
    """The user whose dashboard is opened: the district's staff user, or an officer of the grassroots
    union with the most members (the largest node a union-level user reads)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db.models import Count

    from bench.common import PASSWORD
    from bench.workers import staff_user
    from members.models import Member
    from union_portal.organisations.models import Organisation

    if who == "district":
        return staff_user()
    User = get_user_model()
    user = User.objects.filter(username="bench_union_officer").select_related("organisation").first()
    if user is None:
        top = Member.objects.values("union").annotate(n=Count("pk")).order_by("-n", "union").first()["union"]
        user = User.objects.create_user(
            username="bench_union_officer",
            password=PASSWORD,
            is_staff=True,
            organisation=Organisation.objects.get(pk=top),
        )
        user.groups.add(Group.objects.get(name="union_officer"))
        user = User.objects.select_related("organisation").get(pk=user.pk)
    return user


def dashboard(payload: dict) -> dict:
    import time

    from bench.common import django_setup

    django_setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.common import median_time
    from union_portal.core import dashboard as board
    from union_portal.core.models import DashboardSnapshot
    from union_portal.core.queues import queues_for

    user = _bench_user(payload.get("user", "district"))
    node = user.organisation
    client = Client()
    client.force_login(user)

    def timed(fn) -> float:
        started = time.perf_counter()
        fn()
        return time.perf_counter() - started

    def open_page():
        response = client.get("/admin/")
        assert response.status_code == 200, response.status_code

    # the first view of a node that has no snapshot: every figure computed in the request
    DashboardSnapshot.objects.filter(organisation=node).delete()
    cache.clear()
    first = timed(open_page)
    # what the beat task does for the node
    refresh = median_time(lambda: board.refresh(node), repeat=3, warmup=0)
    # cache cold (a deploy, a flush, midnight): the snapshot is read, not recomputed
    colds = []
    for _ in range(7):
        cache.clear()
        colds.append(timed(open_page))
    cache.clear()
    with CaptureQueriesContext(connection) as cold_queries:
        open_page()
    warm = median_time(open_page, repeat=7, warmup=1)
    with CaptureQueriesContext(connection) as queries:
        open_page()
    queues = median_time(lambda: queues_for(user), repeat=5, warmup=1)
    return {
        "first": first,
        "refresh": refresh,
        "cold": statistics.median(colds),
        "warm": warm,
        "queues": queues,
        "queries": len(queries),
        "cold_queries": len(cold_queries),
    }
