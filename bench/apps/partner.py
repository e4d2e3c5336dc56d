"""The partner API (issue 16), each row against a baseline of the same run: the change feed deep in the
feed against its first page; the call log's cost against the same calls without it; the member sync
(bulk upsert in requests of 1,000) against the spreadsheet importer's rows per second."""

from __future__ import annotations

from bench import common
from bench.common import Row, log, median_time, ms, run_worker

FEED_PAGE = 100
SYNC_BATCH = 1000
#: Index of the first ID number the sync sends (the importer's file starts at IMPORT_ID_START).
SYNC_ID_OFFSET = 10_000_000
#: ... and of the numbers of the warm-up (untimed) before both are measured.
WARM_ID_OFFSET = 20_000_000
WARM_ROWS = 2 * SYNC_BATCH


def section(ctx) -> tuple[list[Row], list[str]]:
    rows, notes = [], []
    try:
        feed = run_worker("partner:feed_pages", ctx.large_url, {"limit": FEED_PAGE, "page": 1000})
    except Exception as exc:  # noqa: BLE001 - e.g. the server-wide xmin held back by another transaction
        log(f"change feed failed: {exc}")
        feed = {"page": 0}
    log(f"change feed: {feed}")
    if feed["page"] < 10:
        rows.append(Row("change feed: a deep page against the first", "not measured (too few members, or failed: see log)",
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
    try:
        small = run_worker("partner:feed_pages", ctx.small_url, {"limit": FEED_PAGE, "page": 2})
    except Exception as exc:  # noqa: BLE001 - as above
        log(f"change feed (small district) failed: {exc}")
        small = {"page": 0}
    if feed["page"] >= 10 and small["page"]:
        ratio = feed["first"] / small["first"]
        rows.append(
            Row(
                f"change feed: the first page at {ctx.sizes['large']:,} members against at "
                f"{ctx.sizes['small']:,} (a page costs the same however large the district)",
                ms(feed["first"]),
                ms(small["first"]),
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
    rows.append(_bulk_upsert_row(ctx))
    notes.append(
        "The call log keeps one row per partner call, written in batches (a Redis list drained by the "
        "call that fills a batch and by a beat job); the feed reads "
        "a keyset page on (txid, seq) of the trigger-kept change table. The sync posts JSON batches of "
        f"{SYNC_BATCH:,} new members through the API (checked record by record by the serializer and "
        "clean_member_input, written together as the importer writes: COPY, history, events, one webhook "
        "pass); the importer reads a csv of as "
        "many members of the same unions; both into the same fresh copy of the medium district, each "
        f"after an untimed warm-up of {WARM_ROWS // 2} rows."
    )
    return rows, notes


def _bulk_upsert_row(ctx) -> Row:
    n = 2_000 if ctx.quick else 100_000
    files = run_worker("bench.import_bench:import_files", ctx.medium_url, {"rows": n})
    target = common.with_database(ctx.medium_url, common.database_name(ctx.medium_url) + "_sync")
    common.clone_database(ctx.medium_url, target)
    try:
        result = run_worker("partner:bulk_upsert", target, {"rows": n, "csv": files["csv"]})
    finally:
        common.drop_database(target)
    log(f"bulk upsert: {result}")
    ratio = result["sync"] / result["import"]
    return Row(
        f"member sync: {n:,} new members in requests of {SYNC_BATCH:,}, rows per second against the importer",
        f"{result['sync']:,.0f} rows/s",
        f"{result['import']:,.0f} rows/s",
        ratio,
        "≥ 50%",
        ratio >= 0.5,
        ratio_format="{:.0%}",
    )


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
    from union_portal.api import calllog
    from union_portal.api.models import APICall

    secret = api_secret(staff_user())
    n = payload["requests"]
    without = [m for m in settings.MIDDLEWARE if not m.endswith("APICallLogMiddleware")]
    assert len(without) == len(settings.MIDDLEWARE) - 1
    # A test client builds its middleware chain at its first request and keeps it: the client without
    # the call log is made, and first used, under the settings without it.
    logged = Client(HTTP_AUTHORIZATION=f"Api-Key {secret}", HTTP_HOST="localhost")
    with override_settings(MIDDLEWARE=without):
        unlogged = Client(HTTP_AUTHORIZATION=f"Api-Key {secret}", HTTP_HOST="localhost")
        assert unlogged.get("/api/v1/members/?page_size=20").status_code == 200

    def burst(client):
        for _ in range(n):
            assert client.get("/api/v1/members/?page_size=20").status_code == 200

    def calls() -> int:
        return APICall.objects.count() + calllog.pending()

    before = calls()
    burst(unlogged)
    assert calls() == before, "the client without the call log logged calls"
    burst(logged)
    assert calls() == before + n, "the client with the call log missed calls"

    # alternate, so that both see the same machine
    times_with, times_without = [], []
    for _ in range(7):
        times_with.append(median_time(lambda: burst(logged), repeat=1, warmup=0))
        times_without.append(median_time(lambda: burst(unlogged), repeat=1, warmup=0))
    import statistics

    return {"with": n / statistics.median(times_with), "without": n / statistics.median(times_without)}


def bulk_upsert(payload: dict) -> dict:
    """The same number of new members through the sync endpoint and through the importer, one after
    the other in one database: rows per second of each."""
    import random
    import time

    from bench.common import django_setup

    django_setup()
    from django.test import Client

    from bench.workers import api_secret, staff_user
    from members.fakes import fake_mobile, fake_name
    from members.models import Member
    from members.resources import MemberResource
    from members.scale import IMPORT_ID_START, scale_id_number
    from union_portal.imports.reading import spreadsheet_rows
    from union_portal.organisations.models import MEMBER_UNION_KINDS, Organisation

    n = payload["rows"]
    user = staff_user()
    rng = random.Random(11)
    unions = list(
        Organisation.objects.filter(kind__in=MEMBER_UNION_KINDS, is_active=True).values_list(
            "pk", "enterprise_id"
        )
    )
    records = []
    for i in range(n):
        union, employer = rng.choice(unions)
        records.append(
            {
                "name": fake_name(rng),
                "id_number": scale_id_number(IMPORT_ID_START + SYNC_ID_OFFSET + i, rng.random() < 0.55),
                "mobile": fake_mobile(rng),
                "union": union,
                "employer": employer,
                "household_type": "local",
                "job": rng.choice(["操作工", "质检员", "焊工"]),
                "skill_grade": "",
            }
        )
    client = Client(HTTP_AUTHORIZATION=f"Api-Key {api_secret(user)}", HTTP_HOST="localhost")

    def sync(batch):
        response = client.post("/api/v1/members/sync/", {"members": batch}, content_type="application/json")
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        assert body["failed"] == 0, [r for r in body["results"] if r["result"] == "error"][:3]

    def import_file(path):
        with open(path, "rb") as fh, spreadsheet_rows(fh) as rows:
            outcome = MemberResource(by=user).import_rows(rows)
        assert outcome.valid, outcome.problems[:3]

    # Warm both ways in first (untimed, numbers of their own): the first call of a process pays
    # once for what it loads (the pinyin dictionaries, DRF's and the importer's modules), which
    # would otherwise be charged to whichever is measured first.
    warm = [dict(r, id_number=scale_id_number(IMPORT_ID_START + WARM_ID_OFFSET + i, True))
            for i, r in enumerate(records[:WARM_ROWS])]  # fmt: skip
    sync(warm[: WARM_ROWS // 2])
    import_file(_warm_csv(payload["csv"], warm[WARM_ROWS // 2 :]))
    before = Member.objects.count()
    started = time.perf_counter()
    for start in range(0, n, SYNC_BATCH):
        sync(records[start : start + SYNC_BATCH])
    sync_s = time.perf_counter() - started
    assert Member.objects.count() - before == n

    started = time.perf_counter()
    import_file(payload["csv"])
    import_s = time.perf_counter() - started
    assert Member.objects.count() - before == 2 * n
    return {"sync": n / sync_s, "import": n / import_s, "sync_s": sync_s, "import_s": import_s}


def _warm_csv(path: str, records: list[dict]) -> str:
    """A small csv in the import file's layout (its header, unions and employers) of ``records``' numbers."""
    import csv
    import tempfile

    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = [next(reader) for _record in records]
    number_column = 1  # bench.import_bench.HEADER: name, ID number, mobile, union, employer, ...
    with tempfile.NamedTemporaryFile(
        "w", suffix=".csv", delete=False, encoding="utf-8-sig", newline=""
    ) as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for row, record in zip(rows, records, strict=True):
            row[number_column] = record["id_number"]
            writer.writerow(row)
    return out.name
