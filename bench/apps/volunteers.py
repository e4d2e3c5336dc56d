"""Benchmarks of volunteer service (issue 14):

- concurrent sign-ups: activities of 30 places, each with 200 volunteers signing up through the API
  at once (50 concurrent clients, every request a first sign-up of its own volunteer); goal: each
  activity ends with exactly 30 places and 170 on the waiting list in arrival order (the order the
  sign-ups took the activity's lock: the 30 first are the places, the waiting list follows), at
  >= 50% of a static page's requests per second through the same gunicorn;
- the hours-per-volunteer list (the admin's spreadsheet of verified hours for funding) at 3,000
  volunteers with a year of records against the same list at 30 volunteers; goal: the same number
  of queries (and the time of each, for the record).

Data: built here, in the small bench database, by :func:`hours_data` and :func:`signup_prepare`
(bulk inserts: a bench team, volunteers with logins, a year of verified records; activities and
their would-be volunteers with API keys). Nothing is measured on empty data: the rows say how many
volunteers, records and sign-ups were there.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from bench import common
from bench.common import Row

PLACES, SIGNUPS = 30, 200
HOURS_VOLUNTEERS, HOURS_SMALL = 3000, 30
RECORDS_PER_VOLUNTEER = 6  # about 18,000 records (the district: 16,000 for 48,000 hours)
#: The prepared sign-ups (activity, volunteer, API key), from the prepare worker to the load worker.
_WORK_FILE = Path(tempfile.gettempdir()) / "bench_volunteers_signups.json"


def section(ctx) -> tuple[list[Row], list[str]]:
    rows: list[Row] = []
    notes: list[str] = []
    volunteers = 600 if ctx.quick else HOURS_VOLUNTEERS
    data = common.run_worker(
        "volunteers:hours_data", ctx.small_url, {"volunteers": volunteers, "small": HOURS_SMALL}
    )
    counts = common.run_worker("volunteers:hours_queries", ctx.small_url, {})
    big, small = counts["large"], counts["small"]
    rows.append(
        Row(
            f"volunteers hours-per-volunteer spreadsheet, {big['rows']:,} volunteers, "
            f"{data['records']:,} records in the year",
            f"{big['queries']} queries, {big['ms']:.0f} ms",
            f"{small['queries']} queries, {small['ms']:.0f} ms at {small['rows']} volunteers",
            None,
            "same query count",
            (big["queries"] == small["queries"]) if big["rows"] >= HOURS_VOLUNTEERS else None,
        )
    )
    if big["rows"] < HOURS_VOLUNTEERS:
        notes.append(f"volunteers: hours list measured at {big['rows']:,} volunteers (quick), not judged")
    activities = 3 if ctx.quick else 10
    common.run_worker("volunteers:signup_prepare", ctx.small_url, {"activities": activities})
    result = common.run_worker("volunteers:signup_load", ctx.small_url, {"duration": ctx.duration})
    ratio = result["signup"]["rps"] / result["static"]["rps"] if result["static"]["rps"] else 0.0
    exact = result["activities_exact"] == result["activities"]
    rows.append(
        Row(
            f"volunteers: {SIGNUPS} concurrent sign-ups for {PLACES} places (API, 50 clients), "
            f"{result['activities']} activities",
            f"{result['activities_exact']}/{result['activities']} exact ({PLACES} places, "
            f"{SIGNUPS - PLACES} waiting in arrival order); {common.per_s(result['signup']['rps'])} "
            f"p95 {result['signup']['p95']:.0f} ms",
            f"{common.per_s(result['static']['rps'])} static page",
            ratio,
            "exact and ≥ 0.50×",
            (exact and ratio >= 0.5) if not result["signup"]["errors"] else False,
        )
    )
    if not exact:
        notes.append(f"volunteers sign-ups: not exact: {result['wrong'][:3]}")
    if result["signup"]["errors"]:
        notes.append(f"volunteers sign-ups: errors {result['signup']['error_sample']}")
    return rows, notes


# --- workers ----------------------------------------------------------------------------------------

TEAM = "bench volunteer team"


def _team():
    from bench.workers import _root
    from volunteers.models import Team

    team, _created = Team.objects.get_or_create(name=TEAM, organisation=_root(), defaults={"kind": "corps"})
    return team


def _volunteers(prefix: str, n: int, organisation) -> list[int]:
    """``n`` active volunteers with logins (bulk), named ``prefix``; their primary keys."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from volunteers.models import Volunteer

    User = get_user_model()
    have = User.objects.filter(username__startswith=prefix).count()
    unusable = make_password(None)
    users = User.objects.bulk_create(
        [User(username=f"{prefix}{i}", password=unusable) for i in range(have, n)], batch_size=5000
    )
    Volunteer.objects.bulk_create(
        [
            Volunteer(
                user=u, name=f"测试{u.username[-6:]}", mobile="13800138000", organisation=organisation,
                registered_on=timezone.localdate(),
            )
            for u in users
        ],
        batch_size=5000,
    )  # fmt: skip
    return list(
        Volunteer.objects.filter(user__username__startswith=prefix)
        .order_by("pk")
        .values_list("pk", flat=True)
    )[:n]


def hours_data(payload: dict) -> dict:
    """A year of verified records for ``volunteers`` volunteers (in the last 365 days), and a past
    year (2019) with records of only ``small`` of them: the same list at two sizes."""
    common.django_setup()
    import datetime as dt
    from decimal import Decimal

    from django.db import connection, transaction
    from django.utils import timezone

    from bench.workers import staff_user
    from volunteers.models import Activity, ServiceRecord

    team = _team()
    n, small = payload["volunteers"], payload["small"]
    staff = staff_user()
    with transaction.atomic():
        ids = _volunteers("vhb_", n, team.organisation)
        if (
            ServiceRecord.objects.filter(activity__team=team, volunteer_id__in=ids).count()
            < n * RECORDS_PER_VOLUNTEER
        ):
            now = timezone.now().replace(minute=0, second=0, microsecond=0)
            days = [now - dt.timedelta(days=7 + 58 * k) for k in range(RECORDS_PER_VOLUNTEER)]
            days += [dt.datetime(2019, 6, 1, 1, tzinfo=dt.UTC)]
            activities = Activity.objects.bulk_create(
                [
                    Activity(
                        team=team, title=f"bench 活动 {d:%Y-%m-%d}", category="patrol", place="bench",
                        starts_at=d, ends_at=d + dt.timedelta(hours=3), capacity=100000,
                        signup_opens_at=d - dt.timedelta(days=7), signup_closes_at=d, status="finished",
                        checkin_key="bench", created_by=staff,
                    )
                    for d in days
                ]
            )  # fmt: skip
            records = []
            for activity in activities:
                who = ids[:small] if activity.starts_at.year == 2019 else ids
                records += [
                    ServiceRecord(
                        volunteer_id=v, activity=activity, source="leader", started_at=activity.starts_at,
                        ended_at=activity.ends_at, hours=Decimal("3.00"), status="verified", note="bench",
                    )
                    for v in who
                ]  # fmt: skip
            ServiceRecord.objects.bulk_create(records, batch_size=5000)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE volunteers_servicerecord")
            cursor.execute("ANALYZE volunteers_volunteer")
    records = ServiceRecord.objects.filter(activity__team=team, started_at__year__gte=2020).count()
    return {"volunteers": len(ids), "records": records}


def hours_queries(payload: dict) -> dict:
    """Queries and time of the admin's hours-per-volunteer spreadsheet for the past year (all the
    bench volunteers) and for 2019 (the small set)."""
    common.django_setup()
    import datetime as dt
    import time

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from bench.workers import _no_connection_closing, staff_user

    _no_connection_closing()
    client = Client()
    client.force_login(staff_user())
    today = timezone.localdate()
    periods = {
        "large": (today - dt.timedelta(days=365), today),
        "small": (dt.date(2019, 1, 1), dt.date(2019, 12, 31)),
    }
    out = {}
    for name, (start, end) in periods.items():
        params = {"start": start.isoformat(), "end": end.isoformat(), "by": "volunteer"}
        client.get("/admin/volunteers/volunteer/hours/", params)  # warm
        with CaptureQueriesContext(connection) as ctx:
            began = time.perf_counter()
            response = client.get("/admin/volunteers/volunteer/hours/", params)
            ms = (time.perf_counter() - began) * 1000
        assert response.status_code == 200, response.status_code
        import io

        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
        out[name] = {"queries": len(ctx.captured_queries), "ms": ms, "rows": sheet.max_row - 1}
    return out


def signup_prepare(payload: dict) -> dict:
    """``activities`` open activities of 30 places, each with 200 volunteers (with API keys) who have
    not signed up; written to a file the load worker reads."""
    common.django_setup()
    import datetime as dt
    import json

    from django.utils import timezone

    from bench.workers import staff_user
    from union_portal.api.models import APIKey
    from volunteers import services
    from volunteers.models import Activity

    team = _team()
    staff = staff_user()
    run = Activity.objects.filter(team=team, title__startswith="bench 报名").count()
    work = []
    for k in range(payload["activities"]):
        now = timezone.now()
        activity = services.activity_save(
            activity=Activity(
                team=team, title=f"bench 报名 {run + k}", category="care", place="bench",
                starts_at=now + dt.timedelta(days=3, hours=k), ends_at=now + dt.timedelta(days=3, hours=k + 2),
                capacity=PLACES, signup_opens_at=now - dt.timedelta(hours=1),
                signup_closes_at=now + dt.timedelta(days=3),
            ),
            by=staff,
        )  # fmt: skip
        services.activity_publish(activity=activity, by=staff)
        ids = _volunteers(f"vsb{run + k}_", SIGNUPS, team.organisation)
        from volunteers.models import Volunteer

        for volunteer in Volunteer.objects.filter(pk__in=ids).select_related("user").order_by("pk"):
            _key, secret = APIKey.issue(name="bench volunteers", user=volunteer.user)
            work.append([activity.pk, volunteer.pk, secret])
    path = _WORK_FILE
    path.write_text(json.dumps(work))
    return {"work": len(work)}


async def _post(host: str, port: int, path: str, headers: dict[str, str]) -> int:
    import asyncio

    reader, writer = await asyncio.open_connection(host, port)
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close",
             "Content-Type: application/json", "Content-Length: 2"]  # fmt: skip
    lines += [f"{k}: {v}" for k, v in headers.items()]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + b"{}")
    await writer.drain()
    data = await reader.read()
    writer.close()
    return int(data[9:12]) if len(data) >= 12 else 0


def signup_load(payload: dict) -> dict:
    """The prepared sign-ups, activity after activity, 50 at a time; then the static page; then each
    activity checked: 30 places, 170 waiting, places and waiting list in the order of the sign-ups."""
    common.django_setup()
    import asyncio
    import json
    import statistics
    import time

    from bench.workers import gunicorn, load
    from volunteers.models import Activity, Signup

    work = json.loads((_WORK_FILE).read_text())
    with gunicorn(2, extra_env=dict(os.environ)) as port:
        static = load(
            port, lambda i, n_: ("/bench/static/", {}), concurrency=50, duration=payload["duration"]
        )
        counter = {"next": 0}
        latencies, errors = [], []

        async def client():
            while counter["next"] < len(work):
                activity, _volunteer, secret = work[counter["next"]]
                counter["next"] += 1
                path = f"/api/v1/volunteers/open-activities/{activity}/signup/"
                started = time.perf_counter()
                try:
                    status = await _post("127.0.0.1", port, path, {"Authorization": f"Api-Key {secret}"})
                except OSError as exc:
                    errors.append(str(exc))
                    continue
                latencies.append(time.perf_counter() - started)
                if status != 200:
                    errors.append(status)

        async def main():
            started = time.perf_counter()
            await asyncio.gather(*(client() for _ in range(50)))
            return time.perf_counter() - started

        elapsed = asyncio.run(main())
    latencies.sort()
    q = statistics.quantiles(latencies, n=20) if len(latencies) >= 20 else [max(latencies or [0])] * 19
    activities = sorted({a for a, _v, _s in work})
    exact, wrong = 0, []
    for pk in activities:
        activity = Activity.objects.get(pk=pk)
        signups = list(
            Signup.objects.filter(activity=activity).order_by("pk").values_list("status", "created_at")
        )
        statuses = [s for s, _at in signups]
        in_order = all(a <= b for (_s, a), (_t, b) in zip(signups, signups[1:], strict=False))
        good = (
            statuses == ["confirmed"] * PLACES + ["waiting"] * (SIGNUPS - PLACES)
            and activity.confirmed_count == PLACES
            and activity.status == "full"
            and in_order
        )
        exact += good
        if not good:
            wrong.append(
                {
                    "activity": pk,
                    "confirmed": statuses.count("confirmed"),
                    "waiting": statuses.count("waiting"),
                }
            )
    signup = {
        "rps": len(latencies) / elapsed, "p95": q[18] * 1000, "requests": len(latencies),
        "errors": len(errors), "error_sample": [str(e) for e in errors[:3]],
    }  # fmt: skip
    return {
        "static": static,
        "signup": signup,
        "activities": len(activities),
        "activities_exact": exact,
        "wrong": wrong,
    }
