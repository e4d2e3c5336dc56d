"""``make bench``: measure the member core against its limits, on the production shape.

    uv run python bench/run.py                 # everything, 1,000,000 members (reuses generated data)
    uv run python bench/run.py --quick         # small sizes, to iterate (and for the smoke test)
    uv run python bench/run.py --only changelist --members 200000

Each benchmark is a ratio against a baseline measured in the same run on the same machine, so the
figures hold on a noisy shared machine; nothing here asserts a time. The table is printed and written
to ``bench/results/latest.md`` (``--output`` to change) with the CPU count and the versions.

Databases (PostgreSQL at ``DATABASE_URL``, default ``postgres://postgres@127.0.0.1:5432/bench``):
``<name>`` holds the large district (``<name>_<N>`` when ``--members`` is not the default),
``<name>_1000`` and ``<name>_10000`` the small ones; import targets are fresh copies of
``<name>_10000`` (``<name>_import``). Each is created, migrated and filled on first use and reused
while its ``scale:*`` counters match. Every measurement runs in a worker subprocess
(``--worker NAME``) with ``DJANGO_SETTINGS_MODULE=bench.settings``.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common, import_bench  # noqa: E402
from bench.common import Row, log  # noqa: E402

CORE_BENCHMARKS = ("import", "api", "changelist", "portal", "queries")
#: Each app's section: bench/apps/<app>.py with section(ctx) (see bench/apps/__init__.py).
APP_BENCHMARKS = tuple(
    sorted(p.stem for p in (Path(__file__).resolve().parent / "apps").glob("*.py") if p.stem != "__init__")
)
BENCHMARKS = CORE_BENCHMARKS + APP_BENCHMARKS
DEFAULT_MEMBERS = 1_000_000


@dataclasses.dataclass
class BenchContext:
    """What an app's ``section(ctx)`` gets: the databases, their sizes, how long load tests run."""

    small_url: str
    medium_url: str
    large_url: str
    sizes: dict
    quick: bool
    duration: float
    seed: int


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, short load tests")
    parser.add_argument("--only", action="append", choices=BENCHMARKS, help="run only these (repeatable)")
    parser.add_argument("--members", type=int, default=None, help="size of the large district")
    parser.add_argument("--import-rows", type=int, default=None, help="rows of the import files")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duration", type=float, default=None, help="seconds of each load test")
    parser.add_argument("--output", default=str(common.ROOT / "bench" / "results" / "latest.md"))
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--payload", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        if ":" in args.worker:  # "<app>:<function>" in bench/apps/<app>.py, or "<module path>:<function>"
            module_name, function = args.worker.split(":", 1)
            workers = importlib.import_module(
                module_name if "." in module_name else f"bench.apps.{module_name}"
            )
        else:
            from bench import workers

            function = args.worker
        result = getattr(workers, function)(json.loads(args.payload))
        print(json.dumps(result, ensure_ascii=False))
        return 0
    return run(args)


def run(args) -> int:
    quick = args.quick
    members = args.members or (20_000 if quick else DEFAULT_MEMBERS)
    small, medium = (1_000, 10_000) if not quick else (500, 2_000)
    import_rows = args.import_rows or (2_000 if quick else 100_000)
    base_url = os.environ.get("DATABASE_URL") or common.DEFAULT_URL
    if not base_url.startswith("postgres"):
        raise SystemExit("The benchmarks run on PostgreSQL: set DATABASE_URL=postgres://...")
    base = common.database_name(base_url)
    large_url = (
        base_url if members == DEFAULT_MEMBERS else common.with_database(base_url, f"{base}_{members}")
    )
    small_url = common.with_database(base_url, f"{base}_{small}")
    medium_url = common.with_database(base_url, f"{base}_{medium}")
    import_url = common.with_database(base_url, f"{base}_import")
    only = set(args.only or BENCHMARKS)
    started = time.perf_counter()
    sizes = {"large": members, "small": small, "medium": medium}

    for url, size in ((small_url, small), (medium_url, medium), (large_url, members)):
        if size == members and not only & {"api", "changelist", "portal", "queries", *APP_BENCHMARKS}:
            continue
        common.ensure_database(url, members=size, seed=args.seed)
    common.manage(small_url, "collectstatic", "--no-input")

    rows: list[Row] = []
    notes: list[str] = []
    sections = {
        "import": lambda: import_bench.section(medium_url, import_url, import_rows, quick),
        "api": lambda: bench_api(large_url, medium_url, sizes, args.duration or (2.0 if quick else 5.0)),
        "changelist": lambda: bench_changelist(large_url, small_url, sizes),
        "portal": lambda: bench_portal(large_url, args.duration or (2.0 if quick else 6.0)),
        # the large district: the one with every kind of record at scale (aid, cases, contests ...)
        "queries": lambda: bench_queries(large_url),
    }
    ctx = BenchContext(
        small_url=small_url,
        medium_url=medium_url,
        large_url=large_url,
        sizes=sizes,
        quick=quick,
        duration=args.duration or (2.0 if quick else 5.0),
        seed=args.seed,
    )
    for app in APP_BENCHMARKS:
        sections[app] = lambda app=app: importlib.import_module(f"bench.apps.{app}").section(ctx)
    for name in BENCHMARKS:
        if name not in only:
            continue
        log(f"benchmark: {name}")
        t = time.perf_counter()
        try:
            section_rows, section_notes = sections[name]()
        except Exception as exc:  # noqa: BLE001 - one broken benchmark must not hide the others
            log(f"{name} failed: {exc}")
            section_rows, section_notes = [Row(f"{name}: failed", str(exc).splitlines()[-1][:120])], []
        rows += section_rows
        notes += section_notes
        log(f"{name}: {time.perf_counter() - t:.0f} s")

    elapsed = time.perf_counter() - started
    report = render_report(rows, notes, small_url, sizes, import_rows, elapsed, quick)
    print(common.plain_table(rows))
    for note in notes:
        print(f"- {note}")
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(report, encoding="utf-8")
    log(f"written to {args.output} ({elapsed:.0f} s)")
    return 0


def render_report(rows, notes, url, sizes, import_rows, elapsed, quick) -> str:
    import django

    versions = (
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"PostgreSQL {common.postgres_version(url)}"
    )
    lines = [
        "# Benchmark results",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M %Z')} on {os.cpu_count()} CPUs ({platform.machine()}, "
        f"{platform.system()}); {versions}.",
        f"Sizes: {sizes['large']:,} members (large), {sizes['medium']:,} and {sizes['small']:,} (small); "
        f"import files of {import_rows:,} rows.{' Quick run.' if quick else ''} Took {elapsed / 60:.1f} min.",
        "",
        "Every ratio compares two measurements of the same run on the same machine.",
        "",
        common.markdown_table(rows),
        "",
    ]
    if notes:
        lines += ["Notes:", ""] + [f"- {n}" for n in notes] + [""]
    return "\n".join(lines)


# --- 1. import: bench/import_bench.py -----------------------------------------------------------------


# --- 2. API ----------------------------------------------------------------------------------------------


def bench_api(large_url: str, medium_url: str, sizes: dict, duration: float):
    rows, notes = [], []
    runs = {}
    for label, url, estimated in (
        ("large", large_url, False),
        ("medium", medium_url, False),
        ("large-estimated", large_url, True),
        ("medium-estimated", medium_url, True),
    ):
        runs[label] = common.run_worker("api_load", url, {"duration": duration, "estimated": estimated})
        log(f"  api {label}: " + ", ".join(f"{k} {v['rps']:.0f}/s" for k, v in runs[label]["load"].items()))
    big = runs["large"]
    for case, label in (
        ("detail", "API member detail"),
        ("list100", "API member list, page of 100"),
        ("list100_filtered", "API member list, page of 100, status + within filters"),
    ):
        api, plain = big["load"][f"api_{case}"], big["load"][f"plain_{case}"]
        ratio = api["rps"] / plain["rps"]
        rows.append(
            Row(
                f"{label} ({sizes['large']:,} members)",
                f"{api['rps']:.0f} req/s, p50 {api['p50']:.0f} ms, p95 {api['p95']:.0f} ms",
                f"plain view {plain['rps']:.0f} req/s, p50 {plain['p50']:.0f} ms, p95 {plain['p95']:.0f} ms",
                ratio,
                "≥ 60% of plain",
                ratio >= 0.6,
                ratio_format="{:.0%}",
            )
        )
    ser = big["serialize"]
    rows.append(
        Row(
            "serialising 100 members (MemberSerializer)",
            common.ms(ser["serializer_s"]),
            f"hand-built dicts {common.ms(ser['dicts_s'])}",
            ser["serializer_s"] / ser["dicts_s"],
            "≤ 2.5×",
            ser["serializer_s"] / ser["dicts_s"] <= 2.5,
        )
    )
    for suffix, paginator in (("", "Django's exact COUNT(*)"), ("-estimated", "EstimatedCountPaginator")):
        large, medium = (
            runs["large" + suffix]["load"]["api_list100"],
            runs["medium" + suffix]["load"]["api_list100"],
        )
        ratio = large["rps"] / medium["rps"]
        rows.append(
            Row(
                f"API list at {sizes['large']:,} vs {sizes['medium']:,} members ({paginator})",
                f"{large['rps']:.0f} req/s",
                f"{medium['rps']:.0f} req/s",
                ratio,
                "≥ 70%",
                ratio >= 0.7,
                ratio_format="{:.0%}",
            )
        )
    identical = all(r["identical"] for r in runs.values())
    notes.append(
        "API: gunicorn, 2 sync workers, keys in the Authorization header (no session), "
        f"{big['concurrency']} concurrent clients for {duration:.0f} s per case; the plain view's JSON is "
        f"byte-identical to the API's: {'yes' if identical else 'NO'}."
    )
    return rows, notes


# --- 3. admin changelist ----------------------------------------------------------------------------------


def bench_changelist(large_url: str, small_url: str, sizes: dict):
    rows, notes = [], []
    large = common.run_worker("changelist", large_url, {"index_check": True})
    small = common.run_worker("changelist", small_url, {"index_check": False})
    labels = {
        "open": "open the list",
        "filter_town": "filter by town",
        "search_name": "search by full name",
        "search_fragment2": "search by a 2-character name fragment",
        "search_id": "search by exact ID number (blind index)",
        "search_phone": "search by phone",
    }
    for paginator in ("default", "estimated"):
        for case, label in labels.items():
            big, little = large["times"][paginator][case], small["times"][paginator][case]
            ratio = big / little
            suffix = "" if paginator == "default" else ", EstimatedCountPaginator"
            rows.append(
                Row(
                    f"admin changelist: {label} ({sizes['large']:,}{suffix})",
                    common.ms(big) + f" ({large['full_counts'][paginator][case]} full count)",
                    f"at {sizes['small']:,}: {common.ms(little)}",
                    ratio,
                    "≤ 5×",
                    ratio <= 5,
                )
            )
    idx = large["index"]
    for term, label, baseline, goal in (
        ("name", "full name (3 characters): with the trigram index", "without", 20),
        ("fragment2", "2-character fragment: with the bigram index", "name LIKE (before)", 2),
    ):
        with_i, without = idx[f"{term}_with"], idx[f"{term}_without"]
        rows.append(
            Row(
                f"name search query, {label}",
                common.ms(with_i),
                f"{baseline}: {common.ms(without)}",
                without / with_i,
                f"≥ {goal}× faster",
                without / with_i >= goal,
                ratio_format="{:.1f}× faster",
            )
        )
    notes.append(f"Database locale: lc_ctype {large['lc_ctype']}. Name searches: {large['trigram_note']}")
    notes.append(
        "Admin: the paginator's COUNT(*) of the filtered list "
        + ", ".join(f"{k} {common.ms(v)}" for k, v in large["count_times"].items())
        + f" at {sizes['large']:,} members."
    )
    notes.append("Search terms used: " + large["terms"])
    return rows, notes


# --- 4. portal --------------------------------------------------------------------------------------------


def bench_portal(url: str, duration: float):
    result = common.run_worker("portal_load", url, {"duration": duration, "users": 50})
    rows = []
    for case, label, baseline in (
        ("card", "portal membership card page (logged in)", "static"),
        ("apply", "portal application form (anonymous)", "static_anonymous"),
    ):
        r, static = result["load"][case], result["load"][baseline]
        ratio = r["rps"] / static["rps"]
        rows.append(
            Row(
                f"{label}, 50 concurrent users",
                f"{r['rps']:.0f} req/s, p50 {r['p50']:.0f} ms, p95 {r['p95']:.0f} ms",
                f"static page {static['rps']:.0f} req/s, p50 {static['p50']:.0f} ms, p95 {static['p95']:.0f} ms",
                ratio,
                "≥ 50% of static",
                ratio >= 0.5,
                ratio_format="{:.0%}",
            )
        )
    return rows, [
        "Portal: gunicorn, 2 sync workers, 50 logged-in members (one session each) requesting concurrently; "
        f"errors: {result['errors']}; page sizes: "
        + ", ".join(f"{k} {v / 1024:,.0f} KB" for k, v in result["bytes"].items())
        + "."
    ]


# --- 5. query counts -------------------------------------------------------------------------------------


def bench_queries(url: str):
    result = common.run_worker("query_counts", url, {})
    rows, notes = [], []
    for name, counts in result["pages"].items():
        at10, at100 = counts["10"], counts["100"]
        rows10, rows100 = counts["rows10"], counts["rows100"]
        # Equal counts prove nothing unless the pages really held 10 and 100 rows.
        filled = rows10 == 10 and rows100 == 100
        rows.append(
            Row(
                f"queries: {name}",
                f"{at100} at {rows100} rows",
                f"{at10} at {rows10} rows",
                None,
                "same at 10 and 100 rows",
                at10 == at100 and filled,
            )
        )
        if not filled:
            notes.append(f"{name}: not met for want of data ({rows10} and {rows100} rows, not 10 and 100)")
    return rows, notes


if __name__ == "__main__":
    raise SystemExit(main())
