"""The roster generator, one constraint at a time (CP-SAT)."""

import datetime as dt
from collections import Counter

import pytest
from django.core import signing

from legal_aid import services
from legal_aid.models import Shift, ShiftStatus
from legal_aid.services.generator import AT_CAP, NOBODY, month_slots, roster_generate, roster_save
from union_portal.core.errors import ApplicationError

from .factories import make_shift, make_station

pytestmark = pytest.mark.django_db

DECEMBER = dt.date(2026, 12, 1)  # 23 working days, no public holiday
MORNINGS = [[["09:00", "12:00"]]] * 5 + [[], []]


def _lawyers(legal):
    return [legal.wang, legal.li, legal.zhao]


def _per_lawyer(plan):
    return Counter(lawyer for _slot, lawyer in plan.assignments)


def test_every_coverable_slot_covered_and_spread_at_most_one(legal, people, tree):
    station = make_station(tree.town_a, people.district_staff, name="早班站", hours=MORNINGS)
    plan = roster_generate(stations=[station], month=DECEMBER, lawyers=_lawyers(legal), max_per_week=3)
    assert len(month_slots([station], DECEMBER)) == 23
    assert plan.covered == 23 and plan.uncovered == []
    assert sorted(plan.loads.values()) == [7, 8, 8] and plan.spread <= 1


def test_a_lawyer_on_leave_all_month_gets_nothing(legal, people, tree):
    station = make_station(tree.town_a, people.district_staff, name="早班站", hours=MORNINGS)
    services.leave_add(lawyer=legal.zhao, by=people.district_staff, starts_on=dt.date(2026, 11, 30),
                       ends_on=dt.date(2027, 1, 2))  # fmt: skip
    plan = roster_generate(stations=[station], month=DECEMBER, lawyers=_lawyers(legal), max_per_week=5)
    assert _per_lawyer(plan)[legal.zhao.pk] == 0
    assert plan.covered == 16  # two lawyers at their 8 each
    assert {reason for _slot, reason in plan.uncovered} == {AT_CAP}
    assert plan.spread <= 1  # zhao, who cannot take any, does not count as least busy


def test_more_hours_than_lawyers_can_cover_says_why(legal, people, tree):
    busy = make_station(tree.town_a, people.district_staff, name="全天站")  # 46 slots in December
    for lawyer in _lawyers(legal):  # nobody on 2026-12-14
        services.leave_add(lawyer=lawyer, by=people.district_staff, starts_on=dt.date(2026, 12, 14),
                           ends_on=dt.date(2026, 12, 14))  # fmt: skip
    plan = roster_generate(stations=[busy], month=DECEMBER, lawyers=_lawyers(legal), max_per_week=3)
    reasons = Counter(reason for _slot, reason in plan.uncovered)
    assert reasons[NOBODY] == 2  # the two periods of the 14th
    assert plan.covered == 24  # every lawyer at the monthly cap of 8
    assert reasons[AT_CAP] == 46 - 2 - 24
    assert "at their cap" in plan.reason_text(AT_CAP)


def test_a_holiday_week_is_closed_and_the_make_up_saturday_open(legal, people, tree):
    station = make_station(tree.town_a, people.district_staff, name="早班站", hours=MORNINGS)
    days = {slot.day for slot in month_slots([station], dt.date(2026, 10, 1))}
    assert not any(dt.date(2026, 10, d) in days for d in range(1, 8))  # National Day break
    assert dt.date(2026, 10, 10) in days  # a Saturday worked in exchange (调休), Monday's hours
    open_anyway = make_station(tree.town_b, people.district_staff, name="节日不休站", hours=MORNINGS,
                               closed_on_holidays=False)  # fmt: skip
    assert dt.date(2026, 10, 2) in {slot.day for slot in month_slots([open_anyway], dt.date(2026, 10, 1))}


def test_no_overlap_across_stations(legal, people, tree):
    a = make_station(tree.town_a, people.district_staff, name="甲站", hours=MORNINGS)
    b = make_station(tree.town_b, people.district_staff, name="乙站", hours=MORNINGS)
    legal.wang.max_shifts_per_month = 62
    plan = roster_generate(stations=[a, b], month=DECEMBER, lawyers=[legal.wang], max_per_week=7)
    assert plan.covered == 23 and len(plan.uncovered) == 23
    assert plan.coverable == 23  # the flow bound ties the two stations' same hours to one lawyer
    starts = [slot.start for slot, _lawyer in plan.assignments]
    assert len(starts) == len(set(starts))


def test_rest_rule_per_week(legal, people, tree):
    station = make_station(tree.town_a, people.district_staff, name="早班站", hours=MORNINGS)
    legal.wang.max_shifts_per_month = 62
    plan = roster_generate(stations=[station], month=DECEMBER, lawyers=[legal.wang], max_per_week=2)
    weeks = Counter(slot.week for slot, _lawyer in plan.assignments)
    assert max(weeks.values()) == 2
    assert plan.covered == sum(
        min(2, n) for n in Counter(s.week for s in month_slots([station], DECEMBER)).values()
    )


def test_confirmed_shifts_are_kept_and_counted(legal, people, tree):
    station = make_station(tree.town_a, people.district_staff, name="早班站", hours=MORNINGS)
    kept = make_shift(station, people.district_staff, dt.date(2026, 12, 1), "09:00", "12:00", lawyer=legal.zhao,
                      status=ShiftStatus.CONFIRMED)  # fmt: skip
    plan = roster_generate(stations=[station], month=DECEMBER, lawyers=_lawyers(legal), max_per_week=3)
    assert plan.kept == 1 and plan.covered == 22
    assert all(slot.start != kept.start for slot, _lawyer in plan.assignments)
    assert sum(plan.loads.values()) == 23 and plan.spread <= 1


def test_preferences_honoured_when_they_cost_nothing(legal, people, tree):
    a = make_station(tree.town_a, people.district_staff, name="甲站", hours=MORNINGS)
    b = make_station(tree.town_b, people.district_staff, name="乙站", hours=MORNINGS)
    services.lawyer_update(
        lawyer=legal.wang, by=people.district_staff, data={"preferred_station": b, "max_shifts_per_month": 30}
    )
    services.lawyer_update(
        lawyer=legal.li, by=people.district_staff, data={"preferred_station": a, "max_shifts_per_month": 30}
    )
    wang, li = (type(legal.wang).objects.get(pk=p) for p in (legal.wang.pk, legal.li.pk))
    plan = roster_generate(stations=[a, b], month=DECEMBER, lawyers=[wang, li], max_per_week=5)
    assert plan.covered == 46
    assert {slot.station_id for slot, lawyer in plan.assignments if lawyer == wang.pk} == {b.pk}


def test_preview_then_save_writes_the_plan_and_refuses_a_forged_one(legal, people, tree):
    station = make_station(tree.town_a, people.district_staff, name="早班站", hours=MORNINGS)
    plan = roster_generate(
        stations=[station], month=DECEMBER, lawyers=_lawyers(legal), by=people.district_staff
    )
    assert Shift.objects.count() == 0  # a preview writes nothing
    created = roster_save(signed_plan=plan.signed(), by=people.district_staff)
    assert len(created) == 23 and Shift.objects.filter(lawyer__isnull=False).count() == 23
    forged = signing.dumps({"month": "2026-12-01", "rows": []}, salt="other")
    with pytest.raises(ApplicationError, match="generate it again"):
        roster_save(signed_plan=forged, by=people.district_staff)
    # saving twice adds nothing: the slots are taken
    assert roster_save(signed_plan=plan.signed(), by=people.district_staff) == []


def test_the_flow_bound_counts_what_the_lawyers_can_take(legal, people, tree):
    busy = make_station(tree.town_a, people.district_staff, name="全天站")  # 46 slots in December
    plan = roster_generate(stations=[busy], month=DECEMBER, lawyers=_lawyers(legal), max_per_week=3)
    assert plan.coverable == 24 and plan.covered == 24  # three lawyers at their monthly 8
    # One shift a week: December 2026 touches five ISO weeks (49 to 53), so five each.
    plan = roster_generate(stations=[busy], month=DECEMBER, lawyers=_lawyers(legal), max_per_week=1)
    assert plan.coverable == 15 and plan.covered == 15
    # The greedy start already reaches the bound: the coverage solve is skipped, not run to its limit.
    assert plan.phases[0] == ("cover", "BOUND", 0.0)
    assert plan.spread == 0 and [name for name, _status, _s in plan.phases] == ["cover"]


def test_the_solver_takes_over_when_the_greedy_start_falls_short_of_the_bound(legal, people, tree):
    station = make_station(tree.town_a, people.district_staff, name="早班站", hours=MORNINGS)
    services.leave_add(lawyer=legal.li, by=people.district_staff, starts_on=dt.date(2026, 12, 2),
                       ends_on=dt.date(2026, 12, 31))  # fmt: skip  # li can only take Tuesday the 1st
    legal.wang.max_shifts_per_month = legal.li.max_shifts_per_month = 1
    plan = roster_generate(stations=[station], month=DECEMBER, lawyers=[legal.wang, legal.li], max_per_week=3)
    # the greedy start gives the 1st to wang (least loaded, first), leaving li nothing: one covered of two
    assert plan.coverable == 2 and plan.covered == 2
    assert plan.phases[0][0] == "cover" and plan.phases[0][1] in ("OPTIMAL", "FEASIBLE")
    assert {slot.day: lawyer for slot, lawyer in plan.assignments}[dt.date(2026, 12, 1)] == legal.li.pk
