"""Benchmarks of skills contests and honours (``competitions/``):

- the results of a contest of 2,000 entries x 7 judges x 10 criteria (140,000 marks): the ranking
  query of ``results_rows`` (trimmed means per criterion, weighted parts, rank with the tie-breaks, all
  in one SQL statement) and the whole ``contest_compute_results`` service (ranking, prizes, and every
  entry's result written back with its history row), each against one bare aggregate query over the
  same marks (``SUM(marks) GROUP BY entry``) timed in the same run; goal: at most 3x;
- the public certificate check (``/portal/certificates/verify/<code>/``, anonymous, 50 concurrent
  clients, gunicorn with 2 sync workers) against a static page through the same gunicorn; goal: at
  least 50% of the static page's requests per second. The per-address rate limit is raised for the
  run (``CERTIFICATE_VERIFY_RATE_PER_MINUTE``), as the API throttles are, so the code is measured, not
  the limit.

Data: built by the ``results_data`` worker in the medium bench database (2,000 members in ``--quick``):
one contest with its scheme, 7 judges and 2,000 entries of distinct members, every sheet submitted,
marks drawn at random (seeded), written in bulk; 500 certificates issued through the certificate
service. A row is "met" only on the full 2,000 x 7 x 10.
"""

from __future__ import annotations

from bench import common
from bench.common import Row

ENTRIES, JUDGES, CRITERIA = 2000, 7, 10
CONTEST_NAME = "bench contest 2000x7x10"
CERTIFICATES = 500


def section(ctx) -> tuple[list[Row], list[str]]:
    rows: list[Row] = []
    notes: list[str] = []
    data = common.run_worker("competitions:results_data", ctx.medium_url, {"entries": ENTRIES})
    full = data["entries"] == ENTRIES and data["marks"] == ENTRIES * JUDGES * CRITERIA
    timing = common.run_worker(
        "competitions:results_timing", ctx.medium_url, {"repeat": 5 if ctx.quick else 9}
    )
    bare = timing["bare"]
    shape = f"{data['entries']:,} entries × {JUDGES} judges × {CRITERIA} criteria ({data['marks']:,} marks)"
    for key, label in (("ranking", "ranking query"), ("service", "compute service, results written")):
        ratio = timing[key] / bare if bare else 0.0
        rows.append(
            Row(
                f"contest results, {label}: {shape}",
                common.ms(timing[key]),
                f"bare aggregate {common.ms(bare)}",
                ratio,
                "≤ 3×",
                (ratio <= 3) if full else None,
            )
        )
    if not full:
        notes.append(f"contest results: not met for want of data ({shape}; members in the database too few)")
    notes.append(
        f"contest results: {timing['ranked']:,} entries ranked; the service run writes every entry's result "
        "(results cleared before each run) with one history row each (one UPDATE ... FROM the ranking, one INSERT ... SELECT of history rows per 1,000 entries)."
    )
    verify = common.run_worker(
        "competitions:verify_load",
        ctx.medium_url,
        {"duration": ctx.duration, "certificates": CERTIFICATES},
        CERTIFICATE_VERIFY_RATE_PER_MINUTE="100000000",
    )
    page, static = verify["verify"], verify["static"]
    ratio = page["rps"] / static["rps"] if static["rps"] else 0.0
    rows.append(
        Row(
            "public certificate check page, 50 concurrent clients",
            f"{page['rps']:.0f} req/s, p50 {page['p50']:.0f} ms, p95 {page['p95']:.0f} ms",
            f"static page {static['rps']:.0f} req/s, p50 {static['p50']:.0f} ms",
            ratio,
            "≥ 50% of static",
            (ratio >= 0.5) if not (page["errors"] or static["errors"]) else None,
            ratio_format="{:.0%}",
        )
    )
    if page["errors"] or static["errors"]:
        notes.append(f"certificate check: errors {page['error_sample'] or static['error_sample']}")
    notes.append(
        f"certificate check: {verify['certificates']} certificates, codes requested in turn "
        f"({verify['bytes']:,} bytes a page)."
    )
    return rows, notes


# --- workers (run in a subprocess with the bench settings) ------------------------------------------------


def _contest():
    from competitions.models import Contest

    return Contest.objects.filter(name=CONTEST_NAME).first()


def results_data(payload: dict) -> dict:
    """The contest of ``entries`` x 7 x 10 in the bench database (built once, then reused)."""
    common.django_setup()
    import datetime as dt
    import random
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from bench.workers import staff_user
    from competitions.models import (
        Contest,
        ContestStatus,
        Criterion,
        Entry,
        EntryPerson,
        Judge,
        Mark,
        ScoreSheet,
        ScoringPart,
        SheetState,
    )
    from members.models import Member
    from union_portal.organisations.models import Organisation

    contest = _contest()
    if contest is not None:
        return {
            "entries": Entry.objects.filter(contest=contest).count(),
            "marks": Mark.objects.filter(entry__contest=contest).count(),
        }
    staff = staff_user()
    root = Organisation.get_root_nodes().first()
    today = timezone.localdate()
    rng = random.Random(12)
    members = list(
        Member.objects.order_by("pk").values_list("pk", "union_id", "employer_id")[: payload["entries"]]
    )
    User = get_user_model()
    now = timezone.now()
    with transaction.atomic():
        contest = Contest.objects.create(
            name=CONTEST_NAME, occupation="叉车司机", year=today.year, organisation=root,
            registration_opens_on=today - dt.timedelta(days=30), registration_closes_on=today - dt.timedelta(days=10),
            status=ContestStatus.JUDGING, created_by=staff, quota_first=20, quota_second=40, quota_third=60,
        )  # fmt: skip
        theory = ScoringPart.objects.create(contest=contest, kind="theory", weight=Decimal(30))
        practical = ScoringPart.objects.create(contest=contest, kind="practical", weight=Decimal(70))
        criteria = [
            Criterion.objects.create(
                part=theory if i < 3 else practical, name=f"评分项{i + 1}", max_marks=Decimal(10), order=i
            )
            for i in range(CRITERIA)
        ]
        judges = []
        for i in range(JUDGES):
            user = User.objects.create(username=f"bench_judge_{contest.pk}_{i}", password=make_password(None))
            judges.append(Judge.objects.create(user=user, name=f"裁判{i + 1}", organisation=root))
        entries = Entry.objects.bulk_create(
            [
                Entry(
                    contest=contest,
                    number=n + 1,
                    member_id=pk,
                    union_id=union,
                    enterprise_id=employer,
                    registered_by=staff,
                    practical_seconds=rng.randint(300, 900),
                )  # fmt: skip
                for n, (pk, union, employer) in enumerate(members)
            ],
            batch_size=2000,
        )
        EntryPerson.objects.bulk_create(
            [EntryPerson(entry=e, contest=contest, member_id=e.member_id) for e in entries], batch_size=2000
        )
        sheets = ScoreSheet.objects.bulk_create(
            [
                ScoreSheet(entry=e, judge=j, assigned_by=staff, state=SheetState.SUBMITTED, submitted_at=now)
                for e in entries
                for j in judges
            ],
            batch_size=5000,
        )
        marks = []
        for sheet in sheets:
            for c in criteria:
                marks.append(
                    Mark(
                        sheet=sheet,
                        criterion=c,
                        entry_id=sheet.entry_id,
                        marks=Decimal(rng.randint(0, 40)) / 4,
                        max_marks=c.max_marks,
                    )  # fmt: skip
                )
            if len(marks) >= 20000:
                Mark.objects.bulk_create(marks, batch_size=5000)
                marks = []
        Mark.objects.bulk_create(marks, batch_size=5000)
    return {
        "entries": Entry.objects.filter(contest=contest).count(),
        "marks": Mark.objects.filter(entry__contest=contest).count(),
    }


def results_timing(payload: dict) -> dict:
    common.django_setup()
    from django.db.models import Sum

    from bench.workers import _no_connection_closing, staff_user
    from competitions import services
    from competitions.models import Entry, Mark

    _no_connection_closing()
    contest = _contest()
    staff = staff_user()
    repeat = payload["repeat"]

    def bare():
        list(Mark.objects.filter(entry__contest=contest).values("entry_id").annotate(s=Sum("marks")))

    def ranking():
        services.results_rows(contest)

    def clear():
        Entry.objects.filter(contest=contest).update(
            theory_score=None, practical_score=None, total=None, rank=None, prize=""
        )

    def service():
        services.contest_compute_results(contest=contest, by=staff)

    times = {
        "bare": common.median_time(bare, repeat=repeat),
        "ranking": common.median_time(ranking, repeat=repeat),
    }
    import statistics
    import time

    runs = []
    for _ in range(max(3, repeat // 2)):
        clear()  # every result changes: each run writes all of them, with history
        started = time.perf_counter()
        service()
        runs.append(time.perf_counter() - started)
    times["service"] = statistics.median(runs)
    times["ranked"] = Entry.objects.filter(contest=contest, rank__isnull=False).count()
    return times


def verify_load(payload: dict) -> dict:
    common.django_setup()
    import os

    from bench.workers import gunicorn, load
    from competitions.models import Entry
    from union_portal.certificates.models import Certificate
    from union_portal.certificates.services import certificate_issue

    contest = _contest()
    codes = list(Certificate.objects.filter(kind="bench.contest").values_list("code", flat=True))
    if len(codes) < payload["certificates"]:
        for entry in Entry.objects.filter(contest=contest).select_related("member", "union")[
            : payload["certificates"]
        ]:
            certificate = certificate_issue(
                by=None, kind="bench.contest", source=entry, holder_name=entry.member.name,
                title="获奖证书", subject=f"在{contest.name}中获奖", issuer="三水区总工会", organisation=entry.union,
            )  # fmt: skip
            codes.append(certificate.code)
    codes = sorted(set(codes))
    paths = [f"/portal/certificates/verify/{code}/" for code in codes]
    results = {}
    with gunicorn(2, extra_env=dict(os.environ)) as port:
        from bench.workers import get

        status, body = get(port, paths[0])
        assert status == 200, (status, body[:300])
        results["static"] = load(
            port, lambda i, n: ("/bench/static/", {}), concurrency=50, duration=payload["duration"]
        )
        results["verify"] = load(
            port,
            lambda i, n: (paths[(i * 7 + n) % len(paths)], {}),
            concurrency=50,
            duration=payload["duration"],
        )
    return {**results, "certificates": len(codes), "bytes": len(body)}
