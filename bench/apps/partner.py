"""The partner API (issue 16): the change feed deep in the feed against its first page, and the call
log's cost against the same calls without it, measured in one run."""

from __future__ import annotations

from bench.common import Row, log, median_time, ms, run_worker

FEED_PAGE = 100


def section(ctx) -> tuple[list[Row], list[str]]:
    rows, notes = [], []
    feed = run_worker("partner:feed_pages", ctx.large_url, {"limit": FEED_PAGE, "page": 1000})
    log(f"change feed: {feed}")
    if feed["page"] < 10:
        rows.append(Row("change feed: a deep page against the first", "not measured: too few members",
                        goal="≤ 2×", met=False))  # fmt: skip
    else:
        ratio = feed["deep"] / feed["first"]
        rows.append(
            Row(
                f"change feed at {ctx.sizes['large']:,} members: page {feed['page']:,} of {FEED_PAGE} "
                f"(after {feed['offset']:,} changes) against the first",
                ms(feed["deep"]),
                ms(feed["first"]),
                ratio,
                "≤ 2×",
                ratio <= 2,
            )
        )
    calls = run_worker("partner:call_log_cost", ctx.medium_url, {"requests": 40 if ctx.quick else 200})
    log(f"call log: {calls}")
    ratio = calls["with"] / calls["without"]
    rows.append(
        Row(
            "API calls with a key: requests per second with the call log against without it",
            f"{calls['with']:.0f}/s",
            f"{calls['without']:.0f}/s",
            ratio,
            "≥ 95%",
            ratio >= 0.95,
            ratio_format="{:.0%}",
        )
    )
    notes.append(
        "The call log writes one row per partner call after the response is built; the feed reads "
        "a keyset page on (txid, seq) of the trigger-kept change table."
    )
    return rows, notes


# --- workers (run in a subprocess against one database) ----------------------------------------------


def feed_pages(payload: dict) -> dict:
    from bench.common import django_setup

    django_setup()
    from bench.workers import staff_user
    from members.models import MemberChange
    from members.selectors import member_changes

    limit = payload["limit"]
    total = MemberChange.objects.count()
    if total < 3 * limit:
        return {"first": 0, "deep": 0, "page": 0, "offset": 0}
    page = max(1, min(payload["page"], total // limit - 1))
    offset = (page - 1) * limit
    last = MemberChange.objects.order_by("txid", "seq").values_list("txid", "seq")[offset - 1 : offset]
    cursor = tuple(last[0]) if offset else None
    viewer = staff_user()

    def first():
        members, _cursor, _more = member_changes(viewer=viewer, after=None, limit=limit)
        assert len(members) == limit

    def deep():
        members, _cursor, _more = member_changes(viewer=viewer, after=cursor, limit=limit)
        assert len(members) == limit

    return {"first": median_time(first), "deep": median_time(deep), "page": page, "offset": offset}


def call_log_cost(payload: dict) -> dict:
    from bench.common import django_setup

    django_setup()
    from django.conf import settings
    from django.test import Client, override_settings

    from bench.workers import api_secret, staff_user

    secret = api_secret(staff_user())
    client = Client(HTTP_AUTHORIZATION=f"Api-Key {secret}", HTTP_HOST="localhost")
    n = payload["requests"]
    without = [m for m in settings.MIDDLEWARE if not m.endswith("APICallLogMiddleware")]
    assert len(without) == len(settings.MIDDLEWARE) - 1

    def burst():
        for _ in range(n):
            assert client.get("/api/v1/members/?page_size=20").status_code == 200

    def with_log():
        burst()

    def without_log():
        with override_settings(MIDDLEWARE=without):
            burst()

    # alternate, so that both see the same machine
    times_with, times_without = [], []
    for _ in range(5):
        times_with.append(median_time(with_log, repeat=1, warmup=0))
        times_without.append(median_time(without_log, repeat=1, warmup=0))
    import statistics

    return {"with": n / statistics.median(times_with), "without": n / statistics.median(times_without)}
