"""The measurements, each run in a subprocess against one database (``bench/run.py --worker NAME``).

Every function takes a payload dict and returns a JSON-able dict; ``bench/run.py`` turns those into
rows of the table.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import re
import resource as os_resource
import socket
import statistics
import subprocess
import sys
import time

from bench.common import ROOT, django_setup, median_time

DATA_DIR = ROOT / "bench" / "data"


# --- shared setup -----------------------------------------------------------------------------------------


def _root():
    from union_portal.organisations.models import Organisation, OrganisationKind

    return Organisation.objects.filter(kind=OrganisationKind.DISTRICT).order_by("path").first()


def staff_user(username: str = "bench_staff", role: str = "district_staff"):
    """A district federation staff user attached to the root (sees everything through the scope rule)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from bench.common import PASSWORD

    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(
            username=username, password=PASSWORD, is_staff=True, organisation=_root()
        )
        user.groups.add(Group.objects.get(name=role))
    return User.objects.select_related("organisation").get(pk=user.pk)


def api_secret(user) -> str:
    from union_portal.api.models import APIKey

    _key, secret = APIKey.issue(name=f"bench {time.time():.0f}", user=user)
    return secret


def peak_mb() -> float:
    """The peak memory of this process plus the largest of its ended children (the import check's
    second process): counted in both, the pages they share make it an upper bound."""
    own = os_resource.getrusage(os_resource.RUSAGE_SELF).ru_maxrss
    return (own + os_resource.getrusage(os_resource.RUSAGE_CHILDREN).ru_maxrss) / 1024


def _no_connection_closing() -> None:
    """In-process requests must keep the connection (and an open transaction) between requests."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)


# --- a small async HTTP client and gunicorn -------------------------------------------------------------


async def _get(host: str, port: int, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection(host, port)
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    await writer.drain()
    data = await reader.read()
    writer.close()
    head, _sep, body = data.partition(b"\r\n\r\n")
    status = int(head[9:12]) if len(head) >= 12 else 0
    if b"transfer-encoding: chunked" in head.lower():
        body = _unchunk(body)
    return status, body


def _unchunk(body: bytes) -> bytes:
    out, rest = b"", body
    while rest:
        size_line, _sep, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out, rest = out + rest[:size], rest[size + 2 :]
    return out


def get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    return asyncio.run(_get("127.0.0.1", port, path, headers or {}))


def load(port: int, requests, *, concurrency: int, duration: float) -> dict:
    """``concurrency`` clients each sending ``requests(i)`` -> (path, headers) until ``duration`` passes."""

    async def client(i: int, deadline: float, latencies: list, errors: list):
        n = 0
        while time.perf_counter() < deadline:
            path, headers = requests(i, n)
            started = time.perf_counter()
            try:
                status, _body = await _get("127.0.0.1", port, path, headers)
            except OSError as exc:
                errors.append(str(exc))
                continue
            latencies.append(time.perf_counter() - started)
            if status != 200:
                errors.append(status)
            n += 1

    async def main():
        latencies, errors = [], []
        started = time.perf_counter()
        deadline = started + duration
        await asyncio.gather(*(client(i, deadline, latencies, errors) for i in range(concurrency)))
        return latencies, errors, time.perf_counter() - started

    latencies, errors, elapsed = asyncio.run(main())
    latencies.sort()
    q = statistics.quantiles(latencies, n=20) if len(latencies) >= 20 else [latencies[-1]] * 19
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p95": q[18] * 1000,
        "requests": len(latencies),
        "errors": len(errors),
        "error_sample": [str(e) for e in errors[:3]],
    }


@contextlib.contextmanager
def gunicorn(workers: int = 2, extra_env: dict | None = None):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, **(extra_env or {})}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "union_portal.wsgi:application", "-w", str(workers), "-k", "sync",
         "-b", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "120"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        deadline = time.time() + 60
        while True:
            try:
                status, _body = get(port, "/healthz/")
                if status == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline or proc.poll() is not None:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.3)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


# --- 1. import: bench/import_bench.py ----------------------------------------------------------------


# --- 2. API -------------------------------------------------------------------------------------------------


def api_load(payload: dict) -> dict:
    extra_env = {"BENCH_ESTIMATED_COUNT": "1"} if payload.get("estimated") else {}
    os.environ.update(extra_env)
    django_setup()
    from bench.plainviews import member_dict
    from members.api import MemberSerializer
    from members.models import Member
    from members.selectors import member_list
    from union_portal.organisations.models import Organisation, OrganisationKind

    user = staff_user()
    secret = api_secret(user)
    headers = {"Authorization": f"Api-Key {secret}", "Accept": "application/json"}
    top = Member.objects.order_by("-pk").values_list("pk", flat=True).first()
    rng = random.Random(3)
    ids = [rng.randint(1, top) for _ in range(500)]
    town = Organisation.objects.filter(kind=OrganisationKind.TOWN).order_by("path").first()
    cases = {
        "detail": lambda i, n, prefix: f"{prefix}members/{ids[(i * 997 + n) % len(ids)]}/",
        "list100": lambda i, n, prefix: f"{prefix}members/?page_size=100",
        "list100_filtered": lambda i, n, prefix: (
            f"{prefix}members/?page_size=100&status=active&within={town.pk}"
        ),
    }
    prefixes = {"api": "/api/v1/", "plain": "/bench/plain/"}
    identical = True
    results = {}
    concurrency = 4
    with gunicorn(2, extra_env) as port:
        for case, path_of in cases.items():
            bodies = {}
            for kind, prefix in prefixes.items():
                status, body = get(port, path_of(0, 0, prefix), headers)
                assert status == 200, (kind, case, status, body[:300])
                bodies[kind] = body
            # The only difference allowed: the "next" link names the plain view's own URL.
            if bodies["api"] != bodies["plain"].replace(b"/bench/plain/", b"/api/v1/"):
                identical = False
                sys.stderr.write(
                    f"{case}: API and plain differ:\n{bodies['api'][:400]}\n{bodies['plain'][:400]}\n"
                )
            for kind, prefix in prefixes.items():
                results[f"{kind}_{case}"] = load(
                    port,
                    lambda i, n, prefix=prefix, path_of=path_of: (path_of(i, n, prefix), headers),
                    concurrency=concurrency,
                    duration=payload["duration"],
                )
    members = list(member_list(viewer=user)[:100])
    serializer_s = median_time(lambda: MemberSerializer(members, many=True).data, repeat=15, warmup=2)
    dicts_s = median_time(lambda: [member_dict(m) for m in members], repeat=15, warmup=2)
    return {
        "load": results,
        "identical": identical,
        "concurrency": concurrency,
        "serialize": {"serializer_s": serializer_s, "dicts_s": dicts_s},
    }


# --- 3. admin changelist -------------------------------------------------------------------------------------


def changelist(payload: dict) -> dict:
    django_setup()
    _no_connection_closing()
    from django.contrib import admin
    from django.core.paginator import Paginator
    from django.db import connection, transaction
    from django.db.models.functions import Length
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from members.models import Member
    from members.selectors import member_list, member_search
    from union_portal.core.pagination import EstimatedCountPaginator
    from union_portal.organisations.models import Organisation, OrganisationKind

    user = staff_user()
    client = Client()
    client.force_login(user)
    model_admin = admin.site._registry[Member]
    base = Member.objects.annotate(n=Length("name")).filter(status="active", n=3).order_by("pk")
    sample = base[base.count() // 2]
    town = Organisation.objects.filter(kind=OrganisationKind.TOWN).order_by("path").first()
    fragment2 = sample.name[1:]
    cases = {
        "open": "",
        "filter_town": f"?org={town.pk}",
        "search_name": f"?q={sample.name}",
        "search_fragment2": f"?q={fragment2}",
        "search_id": f"?q={sample.id_number}",
        "search_phone": f"?q={sample.mobile}",
    }
    url = "/admin/members/member/"
    times: dict = {}
    full_counts: dict = {}
    for label, paginator in (("default", Paginator), ("estimated", EstimatedCountPaginator)):
        model_admin.paginator = paginator
        times[label], full_counts[label] = {}, {}
        for case, query in cases.items():

            def fetch(query=query):
                response = client.get(url + query)
                assert response.status_code == 200, (response.status_code, query)

            times[label][case] = median_time(fetch, repeat=5, warmup=1)
            with CaptureQueriesContext(connection) as ctx:
                fetch()
            full_counts[label][case] = sum(1 for q in ctx.captured_queries if "COUNT(*)" in q["sql"].upper())
    model_admin.paginator = Paginator
    qs = member_list(viewer=user)
    count_times = {
        "all": median_time(lambda: qs.count(), repeat=3),
        "town": median_time(lambda: qs.filter(union__path__startswith=town.path).count(), repeat=3),
        "2-char fragment": median_time(lambda: member_search(qs, fragment2).count(), repeat=3),
    }
    out = {
        "times": times,
        "full_counts": full_counts,
        "count_times": count_times,
        "terms": f"full name {sample.name}, fragment {fragment2}, an ID number, a mobile; town {town.name}",
    }
    if payload.get("index_check"):

        def search(term):
            found = member_search(qs, term)
            list(found[:50])
            found.count()

        index = {"name_with": median_time(lambda: search(sample.name), repeat=5)}
        # A full name without the pg_trgm index that serves it (dropped in a rolled-back transaction).
        with contextlib.suppress(_Rollback), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("DROP INDEX member_name_trgm")
            index["name_without"] = median_time(lambda: search(sample.name), repeat=3)
            raise _Rollback
        # A two-character fragment through the bigram index (members/migrations/0007), against the
        # query it replaced: name LIKE '%xy%', which pg_trgm cannot serve (no trigram in two characters).
        index["fragment2_with"] = median_time(lambda: search(fragment2), repeat=5)

        def like(term):
            found = qs.filter(name__contains=term)
            list(found[:50])
            found.count()

        index["fragment2_without"] = median_time(lambda: like(fragment2), repeat=3)
        out["index"] = index
        with connection.cursor() as cursor:
            cursor.execute("SHOW lc_ctype")
            out["lc_ctype"] = cursor.fetchone()[0]
            four = (
                Member.objects.annotate(n=Length("name")).filter(n=4).values_list("name", flat=True).first()
            )
            uses = {}
            for length, fragment in ((2, fragment2), (3, sample.name), (4, four or sample.name + "x")):
                # the query the changelist runs for this search, as the planner plans it
                found = member_search(Member.objects.all(), fragment).order_by("-pk")[:50]
                sql, params = found.query.sql_with_params()
                cursor.execute(f"EXPLAIN {sql}", params)
                plan = " ".join(r[0] for r in cursor.fetchall())
                uses[length] = next(
                    (name for name in ("member_name_bigrams", "member_name_trgm") if name in plan), None
                )
        labels = {"member_name_bigrams": "the bigram index", "member_name_trgm": "the trigram index"}
        out["trigram_note"] = "; ".join(
            f"{n} characters: {labels.get(used, 'no name index (pk scan with a filter)')}"
            for n, used in uses.items()
        )
    return out


class _Rollback(Exception):
    pass


# --- 4. portal ---------------------------------------------------------------------------------------------


def portal_load(payload: dict) -> dict:
    django_setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore

    from members.models import Member

    User = get_user_model()
    n = payload["users"]
    group = Group.objects.get(name="member")
    users = list(User.objects.filter(username__startswith="bench_member_").order_by("pk"))
    if len(users) < n:
        free = Member.objects.filter(status="active", user__isnull=True).order_by("pk")[: n - len(users)]
        for member in free:
            user = User.objects.create_user(username=f"bench_member_{member.pk}", password=None)
            user.groups.add(group)
            Member.objects.filter(pk=member.pk).update(user=user)
            users.append(user)
    cookies = []
    for user in users[:n]:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies.append({"Cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}"})
    cases = {
        "card": ("/portal/card/", True),
        "static": ("/bench/static/", True),
        "apply": ("/portal/apply/", False),
        "static_anonymous": ("/bench/static/", False),
    }
    results, errors, sizes = {}, {}, {}
    with gunicorn(2) as port:
        for case, (path, logged_in) in cases.items():
            headers = cookies[0] if logged_in else {}
            status, body = get(port, path, headers)
            assert status == 200, (case, status, body[:300])
            sizes[case] = len(body)
            results[case] = load(
                port,
                lambda i, n_, path=path, logged_in=logged_in: (
                    path,
                    cookies[i % len(cookies)] if logged_in else {},
                ),
                concurrency=n,
                duration=payload["duration"],
            )
            errors[case] = results[case]["errors"]
    return {"load": results, "errors": errors, "bytes": sizes}


# --- 5. query counts ---------------------------------------------------------------------------------------


def query_counts(payload: dict) -> dict:
    django_setup()
    _no_connection_closing()
    from django.contrib import admin
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    from members import api as members_api
    from members import portal
    from members.models import Member

    user = staff_user()
    secret = api_secret(user)
    client = Client()
    client.force_login(user)
    pages: dict = {}

    def measure(name, fetch, rows_of):
        counts = {}
        for size in (10, 100):
            fetch(size)  # warm: content types, permissions, translations
            with CaptureQueriesContext(connection) as ctx:
                response = fetch(size)
            if response.status_code == 403:  # not a page this role opens
                return
            if response.status_code != 200:
                counts[str(size)] = f"HTTP {response.status_code}"
                counts[f"rows{size}"] = 0
                continue
            counts[str(size)] = len(ctx.captured_queries)
            counts[f"rows{size}"] = rows_of(response)
        pages[name] = counts

    for model, model_admin in sorted(admin.site._registry.items(), key=lambda kv: kv[0]._meta.label):
        opts = model._meta
        try:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        except NoReverseMatch:
            continue

        def fetch(size, url=url, model_admin=model_admin):
            model_admin.list_per_page = size
            return client.get(url)

        def rows_of(response):
            cl = (getattr(response, "context_data", None) or {}).get("cl")
            return len(cl.result_list) if cl is not None else "?"

        measure(f"admin {opts.label}", fetch, rows_of)

    headers = {"HTTP_AUTHORIZATION": f"Api-Key {secret}"}
    for _prefix, _viewset, basename in members_api.ROUTES:
        try:
            url = reverse(f"v1:{basename}-list")
        except NoReverseMatch:
            continue

        def fetch_api(size, url=url):
            return client.get(url, {"page_size": size}, **headers)

        def api_rows(response):
            data = response.json()
            return len(data["results"]) if isinstance(data, dict) and "results" in data else len(data)

        measure(f"API {url}", fetch_api, api_rows)

    proxy = staff_user("bench_proxy", role="proxy_agent")
    filed = Member.objects.filter(filed_by=proxy).count()
    if filed < 100:
        ids = Member.objects.filter(filed_by__isnull=True).order_by("pk").values_list("pk", flat=True)[:100]
        Member.objects.filter(pk__in=list(ids)).update(filed_by=proxy)
    proxy_client = Client()
    proxy_client.force_login(proxy)

    def fetch_portal(size):
        portal.PROXY_PAGE_SIZE = size
        return proxy_client.get("/portal/proxy/")

    def portal_rows(response):
        return len(re.findall(rb'href="/portal/proxy/\d+/"', response.content))

    measure("portal /portal/proxy/ (proxy agent's applications)", fetch_portal, portal_rows)
    return {"pages": pages}
