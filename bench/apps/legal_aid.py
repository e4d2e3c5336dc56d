"""Benchmarks of legal aid: the roster generator against a greedy round-robin baseline, at the demo's
size (28 lawyers, 11 stations, a month) and at 5×; the roster week page and a lawyer's shift list at
1× and 10× the demo's shifts (query counts, which must not grow with the data).

Each worker builds its own data through the services inside a transaction it rolls back, so it
leaves the bench database as it found it.
"""

from __future__ import annotations

from bench import common as bench_common
from bench.common import Row


def section(ctx):
    result = bench_common.run_worker("legal_aid:roster", ctx.small_url, {"quick": ctx.quick})
    rows = []
    one, five = result["1x"], result["5x"]
    for label, run in (("1×", one), (f"{five['stations'] // one['stations']}×", five)):
        rows.append(
            Row(
                f"legal roster generator {label} ({run['lawyers']} lawyers, {run['stations']} stations, a month)",
                f"{run['cp_seconds']:.2f} s, {run['cp_covered']} covered of {run['coverable']} coverable "
                f"({run['slots']} slots), spread {run['cp_spread']}",
                f"greedy {run['greedy_seconds'] * 1000:.0f} ms, {run['greedy_covered']} covered, spread {run['greedy_spread']}",
                None,
                "every coverable slot covered, spread ≤ 1",
                run["cp_covered"] == run["coverable"] and run["cp_spread"] <= 1,
            )
        )
    ratio = five["cp_seconds"] / one["cp_seconds"] if one["cp_seconds"] else None
    rows.append(Row(f"legal roster generator {five['stations'] // one['stations']}× vs 1× time", f"{five['cp_seconds']:.2f} s", f"{one['cp_seconds']:.2f} s",
                    ratio, "< 10×", ratio is not None and ratio < 10))  # fmt: skip
    times = result["queries"]["times"]
    for page in ("roster_week", "lawyer_shifts"):
        small, large = result["queries"][page]
        rows.append(Row(f"legal {page} queries at {times}× the demo's shifts (second request of each)", str(large), str(small),
                        large / small if small else None, "same count", small == large))  # fmt: skip
    notes = [
        "legal: the generator builds its data in a transaction it rolls back; 'coverable' is the maximum "
        "flow bound of legal_aid.services.generator.coverage_bound (lawyers' monthly and weekly room, one "
        "slot per hours), exact for these stations, which open at the same periods",
        f"legal: generator phases at 1×: {one['phases']}; at the larger size: {five['phases']}",
    ]
    return rows, notes


def _build(scale: int):
    import datetime as dt

    from django.contrib.auth import get_user_model

    from legal_aid import services
    from legal_aid.models import Station
    from union_portal.organisations.models import Organisation, OrganisationKind
    from union_portal.organisations.services import organisation_add

    root = Organisation.get_root_nodes().first() or organisation_add(
        parent=None, name="基准区总工会", kind=OrganisationKind.DISTRICT
    )
    by = get_user_model().objects.filter(
        is_superuser=True
    ).first() or get_user_model().objects.create_superuser(
        "bench-legal",
        password="x",  # noqa: S106
    )
    town = [[], [["14:30", "17:30"]], [], [["14:30", "17:30"]], [], [], []]
    weekly = [[["09:00", "12:00"]]] * 5 + [[], []]
    stations = [
        services.station_save(
            station=Station(name=f"基准站{scale}-{i}", organisation=root, address="基准路",
                            opening_hours=weekly if i % 11 == 0 else town),
            by=by,
        )
        for i in range(11 * scale)
    ]  # fmt: skip
    lawyers = [
        services.lawyer_add(
            data={"name": f"基准律师{i}", "firm": "基准所", "licence": f"14406201911{scale:02d}{i:04d}",
                  "mobile": f"137{scale:02d}{i:06d}", "term_starts_on": dt.date(2020, 1, 1),
                  "term_ends_on": dt.date(2035, 1, 1), "max_shifts_per_month": 6 if i % 28 < 12 else 3},
            organisation=root, by=by,
        )
        for i in range(28 * scale)
    ]  # fmt: skip
    return stations, lawyers, by


def roster(payload: dict) -> dict:
    bench_common.django_setup()  # a worker runs in a fresh process: Django first
    import datetime as dt

    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from legal_aid.services.generator import greedy_roster, month_slots, roster_generate, roster_save

    month = dt.date(2026, 12, 1)
    out = {}
    # Once-per-process costs are not the generator's: the solver's and the calendar's imports (OR-Tools
    # loads pandas) would otherwise be counted in the 1× run only.
    import chinese_calendar  # noqa: F401
    from ortools.graph.python import max_flow  # noqa: F401
    from ortools.sat.python import cp_model  # noqa: F401

    class Rollback(Exception):
        pass

    big = 2 if payload.get("quick") else 5  # the quick smoke run keeps to small sizes
    for label, scale in (("1x", 1), ("5x", big)):
        try:
            with transaction.atomic():
                stations, lawyers, _by = _build(scale)
                plan = roster_generate(
                    stations=stations, month=month, lawyers=lawyers, max_per_week=3, time_limit=60
                )
                greedy = greedy_roster(stations=stations, month=month, lawyers=lawyers, max_per_week=3)
                out[label] = {
                    "lawyers": len(lawyers), "stations": len(stations), "slots": len(month_slots(stations, month)),
                    "coverable": plan.coverable, "phases": plan.phases,
                    "cp_seconds": plan.seconds, "cp_covered": plan.covered, "cp_spread": plan.spread,
                    "greedy_seconds": greedy.seconds, "greedy_covered": greedy.covered, "greedy_spread": greedy.spread,
                }  # fmt: skip
                raise Rollback
        except Rollback:
            pass
    queries = {"roster_week": [], "lawyer_shifts": []}
    try:
        with transaction.atomic():
            stations, lawyers, by = _build(1)
            plan = roster_generate(
                stations=stations, month=month, lawyers=lawyers, max_per_week=3, time_limit=30
            )
            roster_save(signed_plan=plan.signed(), by=by)
            client = Client()
            client.force_login(by)
            lawyer_client = Client()
            lawyer_client.force_login(lawyers[0].user)
            times = 3 if payload.get("quick") else 10
            for _round in range(2):
                # The same thing at both sizes: a first request of each page warms what is cached per
                # process or session (content types, permissions, the session row); the second counts.
                client.get(reverse("admin:legal_aid_shift_roster") + "?week=2026-12-07")
                lawyer_client.get(reverse("legal:home"))
                connection.queries_log.clear()  # a full log (DEBUG) would hide the count
                with CaptureQueriesContext(connection) as week:
                    client.get(reverse("admin:legal_aid_shift_roster") + "?week=2026-12-07")
                connection.queries_log.clear()
                with CaptureQueriesContext(connection) as mine:
                    lawyer_client.get(reverse("legal:home"))
                queries["roster_week"].append(len(week.captured_queries))
                queries["lawyer_shifts"].append(len(mine.captured_queries))
                if _round == 0:  # ten times the shifts: nine more months of the same roster
                    for k in range(1, times):
                        later = dt.date(2027 + (k + 11) // 12 - 1, (11 + k) % 12 + 1, 1)
                        roster_save(
                            signed_plan=roster_generate(
                                stations=stations, month=later, lawyers=lawyers, max_per_week=3, time_limit=10
                            ).signed(),
                            by=by,
                        )
            raise Rollback
    except Rollback:
        pass
    queries["times"] = times
    out["queries"] = queries
    return out
