"""Benchmarks of the knowledge quiz (competitions.quiz):

- the leaderboard page (top 100 + the viewer's own rank) with 1,000,000 attempts in the month
  against the same page with 1,000 attempts, through gunicorn, from the database and (when
  ``REDIS_URL`` is set for the bench) from Redis sorted sets; goal: >= 80% of the small one's rps;
- the allowance race: pairs of simultaneous starts (threads released at a barrier, each on its own
  PostgreSQL connection) for members with one attempt left; goal: 0 third attempts (no member gets
  more than their allowance).

- submitting an attempt through the API with 50 concurrent users against a static page through the
  same gunicorn; goal: >= 50% of the static page's rps. Each submit scores a fresh open attempt of its
  own member (started beforehand); when the prepared attempts run out, the rest are second submits
  (scored once: the cheap path), and the row says how many were first submits. A few first submits
  warm the workers before either side is timed.

Data: two quizzes in the small bench database, one with ``attempts`` rows (25 days x 2 attempts per
participant) and one with 1,000, written in bulk (the ranking rows with them).
"""

from __future__ import annotations

import os

from bench import common
from bench.common import Row

LARGE = 1_000_000
#: First submits sent before the submit load, untimed, so that the workers' one-time loading is charged
#: to neither side (the static page is served from the start).
WARMUP_SUBMITS = 20
SMALL = 1_000
PER_PARTICIPANT = 50  # 25 days x 2 attempts


def section(ctx) -> tuple[list[Row], list[str]]:
    # quick: at most 100,000, and ten attempts a member of the district (the smoke test runs 2,000 members)
    large = min(100_000, 10 * ctx.sizes["large"]) if ctx.quick else LARGE
    pairs = 50 if ctx.quick else 1000
    rows: list[Row] = []
    notes: list[str] = []
    common.run_worker("quiz:board_data", ctx.small_url, {"attempts": [SMALL, large]})
    backends = [("database", {})]
    redis_url = os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL")
    if redis_url:
        backends.append(("redis", {"REDIS_URL": redis_url}))
    else:
        notes.append("quiz: leaderboard from Redis not measured (no REDIS_URL for the bench)")
    for backend, env in backends:
        result = common.run_worker(
            "quiz:board_load", ctx.small_url, {"attempts": [SMALL, large], "duration": ctx.duration}, **env
        )
        small, big = result["load"][str(SMALL)], result["load"][str(large)]
        ratio = big["rps"] / small["rps"] if small["rps"] else 0.0
        rows.append(
            Row(
                f"quiz leaderboard page ({backend}), {large:,} attempts in the month",
                f"{common.per_s(big['rps'])} p95 {big['p95']:.0f} ms",
                f"{common.per_s(small['rps'])} at {SMALL:,} attempts",
                ratio,
                "≥ 0.80×",
                (ratio >= 0.8) if large >= LARGE and not (big["errors"] or small["errors"]) else None,
            )
        )
        if big["errors"] or small["errors"]:
            notes.append(
                f"quiz leaderboard ({backend}): errors {big['error_sample'] or small['error_sample']}"
            )
    race = common.run_worker("quiz:allowance_race", ctx.small_url, {"pairs": pairs})
    rows.append(
        Row(
            f"quiz allowance race, {race['pairs']:,} pairs of simultaneous starts",
            f"{race['third_attempts']} over the allowance",
            f"{race['started']} started, {race['refused']} refused",
            None,
            "0 third attempts",
            (race["third_attempts"] == 0) if race["pairs"] >= 1000 else None,
        )
    )
    submit = common.run_worker(
        "quiz:submit_load", ctx.small_url, {"attempts": 300 if ctx.quick else 3000, "duration": ctx.duration}
    )
    ratio = submit["submit"]["rps"] / submit["static"]["rps"] if submit["static"]["rps"] else 0.0
    rows.append(
        Row(
            "quiz submit (API, 50 concurrent users)",
            f"{common.per_s(submit['submit']['rps'])} p95 {submit['submit']['p95']:.0f} ms "
            f"({submit['first']} first submits)",
            f"{common.per_s(submit['static']['rps'])} static page",
            ratio,
            "≥ 0.50×",
            (ratio >= 0.5)
            if not submit["submit"]["errors"] and submit["first"] >= submit["submit"]["requests"]
            else None,
        )
    )
    if submit["submit"]["errors"]:
        notes.append(f"quiz submit: errors {submit['submit']['error_sample']}")
    return rows, notes


# --- workers ----------------------------------------------------------------------------------------


def _bench_quiz(name: str):
    from competitions.quiz.models import Quiz, QuizStatus
    from union_portal.organisations.models import Organisation

    quiz = Quiz.objects.filter(name=name).first()
    if quiz is None:
        root = Organisation.get_root_nodes().first()
        quiz = Quiz.objects.create(organisation=root, name=name, status=QuizStatus.OPEN)
    return quiz


def _fill(quiz, attempts: int) -> None:
    """``attempts // 50`` participants with 50 submitted attempts each this month, and their scores."""
    import datetime as dt
    import random

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from competitions.quiz import ranking
    from competitions.quiz.models import Attempt, MonthScore, Participant
    from members.models import Member

    month = ranking.month_start(timezone.localdate())
    if Attempt.objects.filter(participant__quiz=quiz, month=month).count() == attempts:
        return
    rng = random.Random(attempts)
    n = attempts // PER_PARTICIPANT
    User = get_user_model()
    member = Member.objects.filter(status="active").select_related("union").first()
    with transaction.atomic():
        prefix = f"qb{quiz.pk}_"
        have = User.objects.filter(username__startswith=prefix).count()
        User.objects.bulk_create(
            [User(username=f"{prefix}{i}", password=make_password(None)) for i in range(have, n)],
            batch_size=5000,
        )
        users = list(
            User.objects.filter(username__startswith=prefix).order_by("pk").values_list("pk", flat=True)
        )[:n]
        Participant.objects.bulk_create(
            [
                Participant(
                    quiz=quiz,
                    user_id=pk,
                    member=member,
                    name=f"测试{i}",
                    mobile="13800138000",
                    union=member.union,
                )
                for i, pk in enumerate(users)
            ],
            batch_size=5000,
            ignore_conflicts=True,
        )
        participants = list(
            Participant.objects.filter(quiz=quiz).order_by("pk").values_list("pk", flat=True)
        )[:n]
        first = timezone.make_aware(dt.datetime.combine(month, dt.time(9)))
        scores = []
        for pk in participants:
            points = sum(rng.choice((0, 10, 20, 30, 40, 50)) for _ in range(PER_PARTICIPANT))
            reached = first + dt.timedelta(seconds=rng.randrange(0, 24 * 86400))
            scores.append(
                MonthScore(
                    quiz=quiz, participant_id=pk, month=month, points=points, attempts=PER_PARTICIPANT,
                    reached_at=reached, rank_key=ranking.rank_key(points=points, reached_at=reached, month=month),
                )
            )  # fmt: skip
        MonthScore.objects.bulk_create(scores, batch_size=5000, ignore_conflicts=True)
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO quiz_attempt (participant_id, union_id, day, month, number, started_at, deadline,
                                          submitted_at, state, correct, score)
                SELECT p.id, p.union_id, %s::date + d, %s::date, k, %s::timestamptz + d * interval '1 day',
                       %s::timestamptz + d * interval '1 day' + interval '5 minutes',
                       %s::timestamptz + d * interval '1 day' + interval '2 minutes', 'submitted', 3, 30
                FROM quiz_participant p, generate_series(0, 24) d, generate_series(1, 2) k
                WHERE p.quiz_id = %s
                ON CONFLICT DO NOTHING
                """,
                [month, month, first, first, first, quiz.pk],
            )
        cursor = connection.cursor()
        cursor.execute("ANALYZE quiz_attempt")
        cursor.execute("ANALYZE quiz_monthscore")


def board_data(payload: dict) -> dict:
    common.django_setup()
    for attempts in payload["attempts"]:
        _fill(_bench_quiz(f"bench quiz {attempts}"), attempts)
    return {"ok": True}


def board_load(payload: dict) -> dict:
    common.django_setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from bench.workers import get, gunicorn, load
    from competitions.quiz.models import Participant

    results = {}
    with gunicorn(2, extra_env=dict(os.environ)) as port:
        for attempts in payload["attempts"]:
            quiz = _bench_quiz(f"bench quiz {attempts}")
            cookies = []
            # viewers spread over the ranking: their own rank is outside the top 100 for most
            for participant in (
                Participant.objects.filter(quiz=quiz).select_related("user").order_by("?")[:50]
            ):
                session = SessionStore()
                session[SESSION_KEY] = str(participant.user.pk)
                session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
                session[HASH_SESSION_KEY] = participant.user.get_session_auth_hash()
                session.create()
                cookies.append({"Cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}"})
            path = f"/portal/quiz/{quiz.pk}/board/"
            status, body = get(port, path, cookies[0])
            assert status == 200, (status, body[:300])
            get(port, path, cookies[0])  # the Redis set is built on the first read
            results[str(attempts)] = load(
                port, lambda i, n_, path=path, cookies=cookies: (path, cookies[(i + n_) % len(cookies)]), concurrency=8,
                duration=payload["duration"],
            )  # fmt: skip
    return {"load": results}


def allowance_race(payload: dict) -> dict:
    """Pairs of starts released together for members who have one attempt left today."""
    common.django_setup()
    import threading

    from django.db import connections
    from django.db.models import Count

    from competitions.quiz import services
    from competitions.quiz.models import Attempt, Participant
    from union_portal.core.errors import ApplicationError

    quiz = _race_bank()
    n = payload["pairs"]
    _fill_participants = _bench_quiz(f"bench quiz {SMALL}")
    source = list(
        Participant.objects.filter(quiz=_fill_participants).select_related("user", "member", "union")[:1]
    )[0]
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    User = get_user_model()
    run = Attempt.objects.filter(participant__quiz=quiz).count()
    users = User.objects.bulk_create(
        [User(username=f"qrace{run}_{i}", password=make_password(None)) for i in range(n)]
    )
    players = Participant.objects.bulk_create(
        [
            Participant(
                quiz=quiz, user=u, member=source.member, name="测试", mobile="13800138000", union=source.union
            )
            for u in users
        ]
    )
    started = refused = 0
    lock = threading.Lock()

    def pair(player):
        nonlocal started, refused
        barrier = threading.Barrier(2)

        def one():
            nonlocal started, refused
            try:
                barrier.wait(timeout=10)
                services.attempt_start(participant=player, by=player.user)
                with lock:
                    started += 1
            except ApplicationError:
                with lock:
                    refused += 1
            finally:
                connections.close_all()

        threads = [threading.Thread(target=one) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)

    batch = 8
    for start in range(0, n, batch):
        group = [threading.Thread(target=pair, args=(p,)) for p in players[start : start + batch]]
        for t in group:
            t.start()
        for t in group:
            t.join(timeout=60)
    over = (
        Attempt.objects.filter(participant__in=players)
        .values("participant", "day")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    return {"pairs": n, "started": started, "refused": refused, "third_attempts": over}


def _race_bank():
    from bench.workers import staff_user
    from competitions.quiz import services
    from competitions.quiz.models import QuestionBank

    quiz = _bench_quiz("bench quiz race")
    bank, _created = QuestionBank.objects.get_or_create(quiz=quiz, name="bench")
    for i in range(bank.questions.count(), 8):
        services.question_add(
            bank=bank, by=staff_user(),
            data={"topic": "union", "kind": "single", "text": f"题{i}", "options": ["甲", "乙"], "answer": [0]},
        )  # fmt: skip
    return quiz


async def _post(host: str, port: int, path: str, headers: dict[str, str], body: bytes) -> int:
    import asyncio

    reader, writer = await asyncio.open_connection(host, port)
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close",
             "Content-Type: application/json", f"Content-Length: {len(body)}"]  # fmt: skip
    lines += [f"{k}: {v}" for k, v in headers.items()]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
    await writer.drain()
    data = await reader.read()
    writer.close()
    return int(data[9:12]) if len(data) >= 12 else 0


def submit_load(payload: dict) -> dict:
    common.django_setup()
    import asyncio
    import json
    import statistics
    import time

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from bench.workers import gunicorn, load
    from competitions.quiz import services
    from competitions.quiz.models import Attempt, Participant
    from union_portal.api.models import APIKey

    quiz = _race_bank()
    source = (
        Participant.objects.filter(quiz=_bench_quiz(f"bench quiz {SMALL}"))
        .select_related("member", "union")
        .first()
    )
    User = get_user_model()
    run = Attempt.objects.filter(participant__quiz=quiz).count()
    n = payload["attempts"]
    users = User.objects.bulk_create(
        [User(username=f"qsub{run}_{i}", password=make_password(None)) for i in range(n + WARMUP_SUBMITS)]
    )
    players = Participant.objects.bulk_create(
        [
            Participant(
                quiz=quiz, user=u, member=source.member, name="测试", mobile="13800138000", union=source.union
            )
            for u in users
        ]
    )
    work = []
    for player in players:
        attempt = services.attempt_start(participant=player, by=player.user)
        _key, secret = APIKey.issue(name="bench quiz", user=player.user)
        answers = {str(q): [0] for q in attempt.questions.values_list("question_id", flat=True)}
        work.append((f"/api/v1/quiz/attempts/{attempt.pk}/submit/", {"Authorization": f"Api-Key {secret}"},
                     json.dumps({"answers": answers}).encode()))  # fmt: skip
    # A phone's key is in use all evening: its "last used" time is recent, as after its first call.
    from django.utils import timezone

    APIKey.objects.filter(user__in=users).update(last_used_at=timezone.now())
    work, warmup = work[:n], work[n:]
    with gunicorn(2, extra_env=dict(os.environ)) as port:

        async def warm():  # untimed: each worker's one-time loading (the API's modules, first statements)
            await asyncio.gather(*(_post("127.0.0.1", port, *item) for item in warmup))

        asyncio.run(warm())
        static = load(
            port, lambda i, n_: ("/bench/static/", {}), concurrency=50, duration=payload["duration"]
        )
        counter = {"next": 0, "first": 0}
        latencies, errors = [], []

        async def client(deadline):
            while time.perf_counter() < deadline:
                index = counter["next"]
                counter["next"] += 1
                if index < len(work):
                    counter["first"] += 1
                path, headers, body = work[index % len(work)]
                started = time.perf_counter()
                try:
                    status = await _post("127.0.0.1", port, path, headers, body)
                except OSError as exc:
                    errors.append(str(exc))
                    continue
                latencies.append(time.perf_counter() - started)
                if status != 200:
                    errors.append(status)

        async def main():
            started = time.perf_counter()
            await asyncio.gather(*(client(started + payload["duration"]) for _ in range(50)))
            return time.perf_counter() - started

        elapsed = asyncio.run(main())
    latencies.sort()
    q = statistics.quantiles(latencies, n=20) if len(latencies) >= 20 else [latencies[-1]] * 19
    submit = {
        "rps": len(latencies) / elapsed, "p95": q[18] * 1000, "requests": len(latencies),
        "errors": len(errors), "error_sample": [str(e) for e in errors[:3]],
    }  # fmt: skip
    return {"static": static, "submit": submit, "first": min(counter["first"], len(work))}
