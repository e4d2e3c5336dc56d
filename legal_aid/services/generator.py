"""The roster generator: fills a month of duty shifts for the stations with CP-SAT (OR-Tools).

Slots: every opening period of every station on every day of the month (a public holiday closes a
station that closes on holidays; a make-up working day opens with Monday's hours). A slot that
already has a live shift at its station is kept as it is; every lawyer's live shifts count towards
their load and block the hours they cover.

The model's constraints, each named where it is added (``_Model.constraint``) and tested one by one:

- ``cover_once``: each slot gets exactly one lawyer, or is left uncovered;
- ``eligible``: a lawyer only gets slots on days they are on the panel, not on leave, available on
  that weekday, and free of their own shifts at that time;
- ``no_overlap``: a lawyer is never in two slots that overlap (different stations, same hour);
- ``max_per_month``: at most the lawyer's ``max_shifts_per_month``, kept shifts included;
- ``rest_per_week``: at most ``LEGAL_MAX_SHIFTS_PER_WEEK`` in a week (Monday to Sunday);
- ``fair_spread``: the busiest and the least busy lawyer differ as little as possible, where a
  lawyer who has reached what they can take (their cap, their availability) does not count as least
  busy.

The objective is lexicographic by weights: first every coverable slot covered, then the spread,
then preferences (a lawyer's preferred station) where they cost nothing. A plan is a preview: it
writes nothing; :func:`roster_save` writes it through :func:`~legal_aid.services.roster.shift_add`.
"""

from __future__ import annotations

import datetime as dt
import functools
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from union_portal.core.permissions import require_perm, require_visible
from union_portal.core.workdays import is_working_day

from ..models import Lawyer, LawyerStatus, Leave, Shift, Station
from .common import invalid

SIGNING_SALT = "legal_aid.roster_plan"
NOBODY = "nobody_available"
AT_CAP = "at_cap"


@functools.lru_cache(maxsize=1024)  # asked once per station and day: the answer depends on the day only
def is_public_holiday(day: dt.date) -> bool:
    """A statutory public holiday (weekend days inside a holiday break included)."""
    import chinese_calendar

    try:
        return chinese_calendar.is_holiday(day) and chinese_calendar.get_holiday_detail(day)[1] is not None
    except NotImplementedError:  # a year the calendar does not know yet: no holidays but weekends
        return False


def opening_periods(station: Station, day: dt.date) -> list[list[str]]:
    """The opening periods of ``station`` on ``day``."""
    hours = station.opening_hours or [[] for _ in range(7)]
    if day.weekday() >= 5 and is_working_day(day):
        return hours[0]  # a make-up working day (调休) opens with Monday's hours
    if station.closed_on_holidays and is_public_holiday(day):
        return []
    return hours[day.weekday()]


def month_days(first: dt.date) -> list[dt.date]:
    first = first.replace(day=1)
    days, day = [], first
    while day.month == first.month:
        days.append(day)
        day += dt.timedelta(days=1)
    return days


def _aware(day: dt.date, hhmm: str) -> dt.datetime:
    hour, minute = map(int, hhmm.split(":"))
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@dataclass(frozen=True)
class Slot:
    station_id: int
    start: dt.datetime
    end: dt.datetime

    # Cached: the model asks for them once per lawyer and slot (localtime is slow in bulk).
    @functools.cached_property
    def day(self) -> dt.date:
        return timezone.localtime(self.start).date()

    @functools.cached_property
    def week(self) -> tuple[int, int]:
        return self.day.isocalendar()[:2]


@dataclass
class RosterPlan:
    """What the generator proposes: slot → lawyer, the slots left uncovered and why, and the measures."""

    month: dt.date
    station_ids: list[int]
    assignments: list[tuple[Slot, int]] = field(default_factory=list)
    uncovered: list[tuple[Slot, str]] = field(default_factory=list)
    kept: int = 0
    loads: dict[int, int] = field(default_factory=dict)
    spread: int = 0
    status: str = ""
    seconds: float = 0.0
    #: An upper bound on the slots that can be covered (:func:`coverage_bound`), kept slots excluded.
    coverable: int = 0
    #: (phase, solver status, seconds) of each solve; status ``BOUND`` when the greedy start was optimal.
    phases: list[tuple[str, str, float]] = field(default_factory=list)

    @property
    def covered(self) -> int:
        return len(self.assignments)

    def reason_text(self, reason: str) -> str:
        if reason == NOBODY:
            return _("nobody available (leave, weekdays, term or another shift)")
        return _("everyone available is at their cap (monthly maximum or weekly rest rule)")

    def signed(self) -> str:
        """The plan as a signed string, for the confirm step of the preview (nothing is trusted back)."""
        rows = [
            [s.station_id, s.start.isoformat(), s.end.isoformat(), lawyer] for s, lawyer in self.assignments
        ]
        rows += [
            [s.station_id, s.start.isoformat(), s.end.isoformat(), None] for s, _reason in self.uncovered
        ]
        return signing.dumps(
            {"month": self.month.isoformat(), "rows": rows}, salt=SIGNING_SALT, compress=True
        )


def month_slots(stations: list[Station], month: dt.date) -> list[Slot]:
    slots = []
    for station in stations:
        for day in month_days(month):
            for start, end in opening_periods(station, day):
                slots.append(Slot(station.pk, _aware(day, start), _aware(day, end)))
    return sorted(slots, key=lambda s: (s.start, s.station_id))


class _Model:
    """A CP-SAT model whose constraints carry their names, so tests and reports can refer to them."""

    def __init__(self):
        from ortools.sat.python import cp_model

        self.cp = cp_model
        self.model = cp_model.CpModel()
        self.counts: dict[str, int] = defaultdict(int)

    def constraint(self, name: str, ct, only_if=None):
        self.counts[name] += 1
        ct.WithName(f"{name}#{self.counts[name]}")
        if only_if is not None:
            ct.OnlyEnforceIf(only_if)
        return ct


def roster_generate(
    *,
    stations: list[Station],
    month: dt.date,
    by=None,
    lawyers: list[Lawyer] | None = None,
    max_per_week: int | None = None,
    time_limit: float | None = None,
) -> RosterPlan:
    """Propose the month's roster for ``stations`` (a preview: nothing is written)."""
    if by is not None:
        require_perm(by, "legal_aid.add_shift")
        for station in stations:
            require_visible(by, station)
    month = month.replace(day=1)
    max_per_week = settings.LEGAL_MAX_SHIFTS_PER_WEEK if max_per_week is None else max_per_week
    time_limit = settings.LEGAL_ROSTER_SOLVER_SECONDS if time_limit is None else time_limit
    started = time.perf_counter()
    days = month_days(month)
    period_start, period_end = _aware(days[0], "00:00"), _aware(days[-1], "00:00") + dt.timedelta(days=1)
    if lawyers is None:
        organisations = {s.organisation_id for s in stations}
        lawyers = list(Lawyer.objects.filter(status=LawyerStatus.ACTIVE))
        del organisations  # every active lawyer of the panel may sit at any station
    lawyers = sorted(lawyers, key=lambda lw: lw.pk)
    existing = list(
        Shift.objects.live()
        .filter(start__lt=period_end, end__gt=period_start)
        .values("station_id", "lawyer_id", "start", "end")
    )
    all_slots = month_slots(stations, month)
    taken = defaultdict(list)
    for row in existing:
        taken[row["station_id"]].append((row["start"], row["end"]))
    slots = [
        s for s in all_slots if not any(a < s.end and s.start < b for a, b in taken.get(s.station_id, []))
    ]
    plan = RosterPlan(month=month, station_ids=[s.pk for s in stations], kept=len(all_slots) - len(slots))

    busy = defaultdict(list)  # lawyer -> [(start, end)] of their live shifts
    kept_month, kept_week = defaultdict(int), defaultdict(int)
    for row in existing:
        if row["lawyer_id"] is None:
            continue
        busy[row["lawyer_id"]].append((row["start"], row["end"]))
        day = timezone.localtime(row["start"]).date()
        if day.month == month.month:
            kept_month[row["lawyer_id"]] += 1
            kept_week[(row["lawyer_id"], day.isocalendar()[:2])] += 1
    leave = defaultdict(set)
    for lawyer_id, starts, ends in Leave.objects.filter(
        lawyer__in=lawyers, starts_on__lte=days[-1], ends_on__gte=days[0]
    ).values_list("lawyer_id", "starts_on", "ends_on"):
        day = max(starts, days[0])
        while day <= min(ends, days[-1]):
            leave[lawyer_id].add(day)
            day += dt.timedelta(days=1)

    def eligible(lawyer: Lawyer, slot: Slot) -> bool:
        return (
            lawyer.is_available_on(slot.day)
            and slot.day not in leave[lawyer.pk]
            and not any(a < slot.end and slot.start < b for a, b in busy[lawyer.pk])
        )

    # Eligibility depends on a slot's hours, not its station: it is computed once per distinct hours
    # and shared by every slot with those hours, so this part grows with lawyers × hours, not × slots.
    groups: dict[tuple[dt.datetime, dt.datetime], list[int]] = defaultdict(list)
    for si, slot in enumerate(slots):
        groups[(slot.start, slot.end)].append(si)
    by_hours = {key: [lw.pk for lw in lawyers if eligible(lw, slots[sis[0]])] for key, sis in groups.items()}
    by_slot = {si: by_hours[(slot.start, slot.end)] for si, slot in enumerate(slots)}
    weeks = sorted({slot.week for slot in slots})
    room = {lw.pk: max(lw.max_shifts_per_month, kept_month[lw.pk]) - kept_month[lw.pk] for lw in lawyers}
    week_room = {
        (lw.pk, week): max(max_per_week - kept_week[(lw.pk, week)], 0) for lw in lawyers for week in weeks
    }
    hours_in_week = defaultdict(int)  # (lawyer, week) -> distinct hours they could sit (one slot each)
    for (start, _end), sis in groups.items():
        for lawyer_id in by_hours[(start, _end)]:
            hours_in_week[(lawyer_id, slots[sis[0]].week)] += 1
    caps = {
        lw.pk: min(
            max(lw.max_shifts_per_month, kept_month[lw.pk]),
            kept_month[lw.pk] + sum(min(week_room[(lw.pk, w)], hours_in_week[(lw.pk, w)]) for w in weeks),
        )
        for lw in lawyers
    }
    counted = [lw for lw in lawyers if caps[lw.pk] > 0]
    plan.coverable = coverage_bound(slots, by_slot, room, week_room)
    chosen = _greedy_hint(groups, by_hours, slots, lawyers, caps, max_per_week, kept_week, kept_month)
    station_ids = {s.pk for s in stations}
    wants = any(lw.preferred_station_id in station_ids for lw in lawyers)
    if (
        len(chosen) >= plan.coverable
        and _spread(chosen, lawyers, counted, caps, kept_month) <= 1
        and not wants
    ):
        # The greedy start covers all the flow bound allows, fairly, and nobody has a preference: it
        # is optimal as it is, and the model (lawyers × slots variables) is not even built.
        plan.phases.append(("cover", "BOUND", 0.0))
    else:
        chosen = _solve(
            plan, slots, by_slot, groups, lawyers, caps, counted, room, kept_month, kept_week, max_per_week,
            chosen, deadline=started + time_limit, time_limit=time_limit,
        )  # fmt: skip
    plan.status = ", ".join(f"{name} {state}" for name, state, _s in plan.phases)
    for si, slot in enumerate(slots):
        lawyer_id = chosen.get(si)
        if lawyer_id is None:
            plan.uncovered.append((slot, NOBODY if not by_slot[si] else AT_CAP))
        else:
            plan.assignments.append((slot, lawyer_id))
    totals = Counter(lawyer for _slot, lawyer in plan.assignments)
    plan.loads = {lw.pk: kept_month[lw.pk] + totals[lw.pk] for lw in lawyers}
    plan.spread = _spread(chosen, lawyers, counted, caps, kept_month)
    plan.seconds = time.perf_counter() - started
    return plan


class _StopAt:
    """A solution callback that stops the search once ``objective`` reaches ``target``: the goal of a
    phase is met, proving that nothing better exists is not worth the wait."""

    def __new__(cls, objective, target):
        from ortools.sat.python import cp_model

        class Callback(cp_model.CpSolverSolutionCallback):
            def on_solution_callback(self):
                if self.Value(objective) >= target:
                    self.StopSearch()

        return Callback()


def _spread(chosen: dict[int, int], lawyers, counted, caps, kept_month) -> int:
    """Busiest minus least busy counted lawyer, where a lawyer at their cap is never the least busy."""
    loads = {lw.pk: kept_month[lw.pk] for lw in lawyers}
    for lawyer_id in chosen.values():
        loads[lawyer_id] += 1
    counted_loads = [loads[lw.pk] for lw in counted]
    open_loads = [loads[lw.pk] for lw in counted if loads[lw.pk] < caps[lw.pk]]
    return max(counted_loads) - min(open_loads) if counted_loads and open_loads else 0


def coverage_bound(slots, by_slot, room, week_room) -> int:
    """The most slots that could be covered, as a maximum flow: source → lawyer (what is left of their
    monthly maximum) → the lawyer's week (what is left under the rest rule) → the lawyer's hours (one
    slot per start and end) → slot (one lawyer) → sink. Slots that overlap without sharing their hours
    are not tied together here, so this is an upper bound in general, and exact when overlapping slots
    share their hours (stations opening at the same periods, as in the demo and the benchmark)."""
    from ortools.graph.python import max_flow

    flow = max_flow.SimpleMaxFlow()
    ids: dict = {}
    seen: set = set()

    def arc(tail, head, capacity: int) -> None:
        tail_id, head_id = ids.setdefault(tail, len(ids)), ids.setdefault(head, len(ids))
        if (tail, head) not in seen:
            seen.add((tail, head))
            flow.add_arc_with_capacity(tail_id, head_id, capacity)

    # Slots with the same hours and the same eligible lawyers are interchangeable: one node for them
    # all, with their number as its capacity, so the network grows with lawyers × hours, not × slots.
    groups: dict[tuple, list[int]] = defaultdict(list)
    for si, slot in enumerate(slots):
        groups[(slot.start, slot.end, id(by_slot[si]))].append(si)
    for key, sis in groups.items():
        start, end, _ = key
        for lawyer_id in by_slot[sis[0]]:
            week = (lawyer_id, slots[sis[0]].week)
            if not room[lawyer_id] or not week_room[week]:
                continue
            arc("source", ("lawyer", lawyer_id), room[lawyer_id])
            arc(("lawyer", lawyer_id), ("week", *week), week_room[week])
            arc(("week", *week), ("hours", lawyer_id, start, end), 1)
            arc(("hours", lawyer_id, start, end), ("slots", key), 1)
        arc(("slots", key), "sink", len(sis))
    if "source" not in ids:
        return 0
    if flow.solve(ids["source"], ids["sink"]) != flow.OPTIMAL:
        return len(slots)
    return flow.optimal_flow()


def _greedy_hint(
    groups, by_hours, slots, lawyers, caps, max_per_week, kept_week, kept_month
) -> dict[int, int]:
    """Slot index -> lawyer id: the slots of each hours, in time order, to the least-loaded eligible
    lawyers under their caps (one slot each: those slots are at the same time)."""
    load = {lw.pk: kept_month[lw.pk] for lw in lawyers}
    week_load = defaultdict(int)
    taken = defaultdict(list)
    chosen = {}
    for (start, end), sis in sorted(groups.items()):
        week = slots[sis[0]].week
        candidates = sorted(
            (
                lp for lp in by_hours[(start, end)]
                if load[lp] < caps[lp]
                and week_load[(lp, week)] + kept_week[(lp, week)] < max_per_week
                and not any(a < end and start < b for a, b in taken[lp])
            ),
            key=lambda lp: (load[lp], lp),
        )  # fmt: skip
        for si, lp in zip(sis, candidates, strict=False):
            chosen[si] = lp
            load[lp] += 1
            week_load[(lp, week)] += 1
            taken[lp].append((start, end))
    return chosen


def _solve(plan, slots, by_slot, groups, lawyers, caps, counted, room, kept_month, kept_week, max_per_week,
           chosen, *, deadline: float, time_limit: float) -> dict[int, int]:  # fmt: skip
    """The CP-SAT model, solved in phases from the greedy start ``chosen``; returns slot -> lawyer.

    Lexicographic, in up to three solves, each stopped as soon as its goal is reached rather than when
    it is proven optimal: (1) the most slots covered, stopped at the flow bound; (2) with that coverage
    fixed, the spread, stopped at one shift or less; (3) with both fixed, the preferences (only when
    some lawyer has one). Each starts from the previous solution."""
    m = _Model()
    model, cp = m.model, m.cp
    x: dict[tuple[int, int], object] = {}
    for si in range(len(slots)):
        for lawyer_id in by_slot[si]:
            x[lawyer_id, si] = model.NewBoolVar(f"x_{lawyer_id}_{si}")
    uncovered = [model.NewBoolVar(f"u_{si}") for si in range(len(slots))]
    for si in range(len(slots)):
        m.constraint("cover_once", model.Add(sum(x[lp, si] for lp in by_slot[si]) + uncovered[si] == 1))
    # no_overlap: in an interval graph the maximal cliques are the slots containing some slot's start;
    # computed once for all lawyers (slots are sorted by start), then each lawyer's eligible part of it
    cliques = []
    for point in sorted({slot.start for slot in slots}):
        members = [si for si, slot in enumerate(slots) if slot.start <= point < slot.end]
        if len(members) > 1:
            cliques.append(members)
    mine_of = defaultdict(list)
    for lawyer_id, si in x:
        mine_of[lawyer_id].append(si)
    for lawyer in lawyers:
        mine_set = set(mine_of[lawyer.pk])
        for clique in cliques:
            mine = [x[lawyer.pk, si] for si in clique if si in mine_set]
            if len(mine) > 1:
                m.constraint("no_overlap", model.AddAtMostOne(mine))
    loads = {}
    for lawyer in lawyers:
        mine = mine_of[lawyer.pk]
        kept = kept_month[lawyer.pk]
        loads[lawyer.pk] = load = model.NewIntVar(
            0, max(kept, lawyer.max_shifts_per_month) + len(mine), f"load_{lawyer.pk}"
        )
        model.Add(load == kept + sum(x[lawyer.pk, si] for si in mine))
        m.constraint("max_per_month", model.Add(load <= max(lawyer.max_shifts_per_month, kept)))
        weeks = defaultdict(list)
        for si in mine:
            weeks[slots[si].week].append(si)
        for week, week_slots in weeks.items():
            limit = max(max_per_week - kept_week[(lawyer.pk, week)], 0)
            m.constraint("rest_per_week", model.Add(sum(x[lawyer.pk, si] for si in week_slots) <= limit))
    spread = model.NewIntVar(0, len(slots) + 62, "spread")
    if counted:
        top = model.NewIntVar(0, len(slots) + 62, "busiest")
        low = model.NewIntVar(0, len(slots) + 62, "least_busy")
        for lawyer in counted:
            load = loads[lawyer.pk]
            m.constraint("fair_spread", model.Add(top >= load))
            full = model.NewBoolVar(f"full_{lawyer.pk}")
            m.constraint("fair_spread", model.Add(load >= caps[lawyer.pk]), only_if=full)
            m.constraint("fair_spread", model.Add(low <= load), only_if=full.Not())
        model.Add(spread == top - low)
    preferred = [
        x[lawyer.pk, si]
        for lawyer in lawyers
        if lawyer.preferred_station_id
        for si in mine_of[lawyer.pk]
        if slots[si].station_id == lawyer.preferred_station_id
    ]
    covered = sum(1 - u for u in uncovered)
    values = {key: int(chosen.get(key[1]) == key[0]) for key in x}
    solver = cp.CpSolver()
    solver.parameters.num_workers = settings.LEGAL_ROSTER_SOLVER_WORKERS
    solver.parameters.random_seed = 2026

    def solve(phase: str, objective, stop_at, seconds: float) -> None:
        nonlocal values
        phase_started = time.perf_counter()
        model.ClearHints()
        for key, var in x.items():
            model.AddHint(var, values[key])
        model.Maximize(objective)
        solver.parameters.max_time_in_seconds = max(seconds, 0.5)
        status = solver.Solve(model, _StopAt(objective, stop_at))
        if status in (cp.OPTIMAL, cp.FEASIBLE):
            values = {key: solver.Value(var) for key, var in x.items()}
        plan.phases.append((phase, solver.StatusName(status), round(time.perf_counter() - phase_started, 3)))

    def current() -> dict[int, int]:
        return {si: lawyer_id for (lawyer_id, si), value in values.items() if value}

    best = len(chosen)
    if best < plan.coverable:  # the greedy start may already be optimal: the flow bound proves it
        model.Add(covered <= plan.coverable)
        solve("cover", covered, plan.coverable, (deadline - time.perf_counter()) / 2)
        best = sum(values.values())
    else:
        plan.phases.append(("cover", "BOUND", 0.0))
    model.Add(covered >= best)
    if _spread(current(), lawyers, counted, caps, kept_month) > 1:
        solve("spread", -spread, -1, (deadline - time.perf_counter()) * 2 / 3)
    found = _spread(current(), lawyers, counted, caps, kept_month)
    if preferred:
        # At most: each lawyer's room (or their preferred slots, if fewer), and each slot once.
        wished = defaultdict(set)
        for lawyer in lawyers:
            for si in mine_of[lawyer.pk]:
                if slots[si].station_id == lawyer.preferred_station_id:
                    wished[lawyer.pk].add(si)
        most = min(
            sum(min(room[lp], len(sis)) for lp, sis in wished.items()), len(set().union(*wished.values()))
        )
        model.Add(spread <= max(found, 0))
        seconds = min(deadline - time.perf_counter(), time_limit / 4)
        solve("preferences", sum(preferred), most, seconds)
    return current()


def greedy_roster(
    *, stations: list[Station], month: dt.date, lawyers: list[Lawyer], max_per_week: int
) -> RosterPlan:
    """The baseline the benchmark compares with: round-robin, each slot to the next lawyer in turn who
    is eligible and under their caps. Same inputs, no solver."""
    started = time.perf_counter()
    slots = month_slots(stations, month)
    leave = defaultdict(set)
    for lawyer_id, starts, ends in Leave.objects.filter(lawyer__in=lawyers).values_list(
        "lawyer_id", "starts_on", "ends_on"
    ):
        day = starts
        while day <= ends:
            leave[lawyer_id].add(day)
            day += dt.timedelta(days=1)
    plan = RosterPlan(month=month.replace(day=1), station_ids=[s.pk for s in stations])
    load, week_load, busy = defaultdict(int), defaultdict(int), defaultdict(list)
    turn = 0
    for slot in slots:
        for k in range(len(lawyers)):
            lawyer = lawyers[(turn + k) % len(lawyers)]
            if (
                lawyer.is_available_on(slot.day)
                and slot.day not in leave[lawyer.pk]
                and load[lawyer.pk] < lawyer.max_shifts_per_month
                and week_load[(lawyer.pk, slot.week)] < max_per_week
                and not any(a < slot.end and slot.start < b for a, b in busy[lawyer.pk])
            ):
                plan.assignments.append((slot, lawyer.pk))
                load[lawyer.pk] += 1
                week_load[(lawyer.pk, slot.week)] += 1
                busy[lawyer.pk].append((slot.start, slot.end))
                turn = (turn + k + 1) % len(lawyers)
                break
        else:
            plan.uncovered.append((slot, AT_CAP))
    plan.loads = {lw.pk: load[lw.pk] for lw in lawyers}
    available = [v for lw, v in plan.loads.items()]
    plan.spread = max(available) - min(available) if available else 0
    plan.seconds = time.perf_counter() - started
    return plan


@transaction.atomic
def roster_save(*, signed_plan: str, by) -> list[Shift]:
    """Write a previewed plan (as signed by :meth:`RosterPlan.signed`): every slot a planned shift, with
    its lawyer or without one (the uncovered ones, for staff to fill). All or nothing: when a
    lawyer's time was taken since the preview, nothing is written and the error says whose."""
    from .roster import shift_add

    require_perm(by, "legal_aid.add_shift")
    try:
        data = signing.loads(signed_plan, salt=SIGNING_SALT, max_age=3600)
    except signing.BadSignature:
        raise invalid(_("The preview is too old or damaged; generate it again."), code="bad_plan") from None
    stations = {s.pk: s for s in Station.objects.filter(pk__in={row[0] for row in data["rows"]})}
    lawyers = {lw.pk: lw for lw in Lawyer.objects.filter(pk__in={row[3] for row in data["rows"] if row[3]})}
    created = []
    for station_id, start, end, lawyer_id in data["rows"]:
        start, end = dt.datetime.fromisoformat(start), dt.datetime.fromisoformat(end)
        station = stations[station_id]
        if Shift.objects.live().filter(station=station).overlapping(start, end).exists():
            continue  # filled by hand since the preview: kept
        created.append(shift_add(station=station, start=start, end=end, lawyer=lawyers.get(lawyer_id), by=by))
    return created
