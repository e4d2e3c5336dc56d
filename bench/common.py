"""What every benchmark shares: the environment of the production shape, databases of a given size,
workers run in subprocesses, timing, and the result rows of the table."""

from __future__ import annotations

import dataclasses
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench"

#: The environment of every bench process: production settings (DEBUG off, whitenoise, JSON-only API),
#: fixed keys (data generated in one run is read in the next), no HTTPS redirect on 127.0.0.1, and
#: throttles raised so that a load test measures the code, not the limit.
BENCH_ENV = {
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "DEBUG": "false",
    "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789abcdef",
    "FIELD_ENCRYPTION_KEY": "YmVuY2gtb25seS1maWVsZC1lbmNyeXB0aW9uLWtleSE=",
    "BLIND_INDEX_KEY": "bench-only-blind-index-key",
    "SECURE_SSL_REDIRECT": "false",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "API_KEY_RATE": "100000000/hour",
    "API_USER_RATE": "100000000/hour",
    "API_ANON_RATE": "100000000/hour",
    "LOG_LEVEL": "WARNING",
    "AXES_ENABLED": "false",
    "PYTHONWARNINGS": "ignore",
}
PASSWORD = "bench-Password-2025"  # noqa: S105 - bench users in a bench database


def bench_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {**os.environ, **BENCH_ENV, "DATABASE_URL": database_url, **extra}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    if "REDIS_URL" not in extra:
        env.pop("REDIS_URL", None)  # the cache and Celery as embedded unless a benchmark asks for Redis
    return env


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


# --- results -----------------------------------------------------------------------------------------


@dataclasses.dataclass
class Row:
    """One line of the table: what was measured against which baseline of the same run."""

    benchmark: str
    measured: str
    baseline: str = ""
    ratio: float | None = None
    goal: str = ""
    met: bool | None = None
    ratio_format: str = "{:.2f}×"

    def cells(self) -> list[str]:
        ratio = "" if self.ratio is None else self.ratio_format.format(self.ratio)
        met = "" if self.met is None else ("yes" if self.met else "**no**")
        return [self.benchmark, self.measured, self.baseline, ratio, self.goal, met]


HEADER = ["benchmark", "measured", "baseline", "ratio", "goal", "met"]


def markdown_table(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "|".join(["---"] * len(HEADER)) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in row.cells()) + " |")
    return "\n".join(lines)


def plain_table(rows: list[Row]) -> str:
    table = [HEADER] + [r.cells() for r in rows]

    def width(text: str) -> int:  # CJK characters take two columns in a terminal
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)

    widths = [max(width(r[i]) for r in table) for i in range(len(HEADER))]
    out = []
    for n, r in enumerate(table):
        out.append("  ".join(c + " " * (widths[i] - width(c)) for i, c in enumerate(r)).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def per_s(value: float, unit: str = "/s") -> str:
    return f"{value:,.0f}{unit}"


# --- timing ------------------------------------------------------------------------------------------


def median_time(fn, *, repeat: int = 7, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


# --- subprocesses ---------------------------------------------------------------------------------


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def manage(database_url: str, *args: str, quiet: bool = True) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=bench_env(database_url),
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )


def run_worker(name: str, database_url: str, payload: dict | None = None, **extra_env: str) -> dict:
    """Run ``bench/run.py --worker name`` against one database; it prints one JSON object last."""
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "run.py"),
            "--worker",
            name,
            "--payload",
            json.dumps(payload or {}),
        ],
        env=bench_env(database_url, **extra_env),
        cwd=ROOT,
        check=False,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"worker {name} failed on {database_name(database_url)}:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def django_setup() -> None:
    """Inside a worker: Django with the bench settings."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()


def postgres_version(database_url: str) -> str:
    import psycopg2

    with psycopg2.connect(database_url) as conn, conn.cursor() as cur:
        cur.execute("SHOW server_version")
        return cur.fetchone()[0]


#: ``union_portal.core.scale.SCALE_VERSION`` (read here without Django): a district built with older
#: scale data is built again.
SCALE_VERSION = 2


def ensure_database(database_url: str, *, members: int, seed: int) -> bool:
    """A migrated database holding a district of ``members`` members from ``seed``; True if built now.

    Reused when its ``scale:*`` counters say it holds that district already.
    """
    import psycopg2

    name = database_name(database_url)
    if name in ("test", "postgres") or name.startswith("test_"):
        raise SystemExit(f"Refusing to run benchmarks on the database {name!r}.")
    admin_url = with_database(database_url, "postgres")
    conn = psycopg2.connect(admin_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cur.fetchone() is None:
            log(f"creating database {name}")
            cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    manage(database_url, "migrate", "--no-input")
    with psycopg2.connect(database_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT name, value FROM core_counter WHERE name IN ('scale:members', 'scale:seed', 'scale:version')"
        )
        markers = dict(cur.fetchall())
    if (
        markers.get("scale:members") == members
        and markers.get("scale:seed") == seed
        and markers.get("scale:version") == SCALE_VERSION
    ):
        return False
    log(f"generating {members:,} members in {name} (seed {seed})")
    started = time.perf_counter()
    manage(database_url, "generate_scale", "--members", str(members), "--seed", str(seed), "--reset")
    log(f"generated {members:,} members in {time.perf_counter() - started:.0f} s")
    return True


def drop_database(database_url: str) -> None:
    import psycopg2

    conn = psycopg2.connect(with_database(database_url, "postgres"))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{database_name(database_url)}" WITH (FORCE)')
    conn.close()


def clone_database(source_url: str, target_url: str) -> None:
    """A fresh copy of ``source`` (``CREATE DATABASE ... TEMPLATE``): a clean target for each import."""
    import psycopg2

    drop_database(target_url)
    conn = psycopg2.connect(with_database(source_url, "postgres"))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [database_name(source_url)],
        )
        cur.execute(f'CREATE DATABASE "{database_name(target_url)}" TEMPLATE "{database_name(source_url)}"')
    conn.close()
