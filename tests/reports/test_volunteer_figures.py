"""Figures of volunteer service (``volunteers/figures.py``) against a hand-counted January 2026.

team A (town A): patrol 10 Jan 2026 10:00-13:00   volunteer 1 (union A) 3 h verified;
                                                  volunteer 2 (union B) 3 h entered, not verified
team B (town B): patrol 20 Jan 2026 09:00-11:00   volunteer 2 (union B) 2 h verified
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from union_portal.core.figures import Period, figure
from volunteers import services
from volunteers.models import Activity

from ..volunteers.factories import make_activity, make_leader, make_team, make_volunteer

JAN_2026 = Period.month(2026, 1)


def at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def held(team, by, start: dt.datetime, hours: int) -> Activity:
    """An activity made through the services, then moved to the story's past date."""
    activity = make_activity(team, by, hours=hours)
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=start, ends_at=start + dt.timedelta(hours=hours),
        signup_opens_at=start - dt.timedelta(days=3), signup_closes_at=start,
    )  # fmt: skip
    activity.refresh_from_db()
    return activity


@pytest.fixture
def january(tree, people):
    staff = people.district_staff
    leader_a, leader_b = make_leader("leader_a"), make_leader("leader_b")
    team_a, team_b = make_team(tree.town_a, leader=leader_a), make_team(tree.town_b, leader=leader_b)
    one, two = make_volunteer(tree.union_a), make_volunteer(tree.union_b)
    patrol_a = held(team_a, staff, at(dt.date(2026, 1, 10), 10), 3)
    patrol_b = held(team_b, staff, at(dt.date(2026, 1, 20), 9), 2)
    for activity, volunteer, leader, verify in (
        (patrol_a, one, leader_a, True), (patrol_a, two, leader_a, False), (patrol_b, two, leader_b, True),
    ):  # fmt: skip
        record = services.record_enter(
            activity=activity, volunteer=volunteer, by=leader, started_at=activity.starts_at,
            ended_at=activity.ends_at, note="未扫码，队长补录",
        )  # fmt: skip
        if verify:
            services.record_verify(record=record, by=leader)
    return tree


def test_verified_hours_by_town_category_and_month(january):
    t = january
    hours = figure("volunteers.hours")
    assert hours.value(scope=t.district, period=JAN_2026) == Decimal(
        "5.00"
    )  # the 3 h not verified do not count
    assert hours.value_by_child(scope=t.district, period=JAN_2026) == {
        t.town_a.path: Decimal("3.00"), t.town_b.path: Decimal("2.00"),
    }  # fmt: skip
    assert hours.value(scope=t.district, period=Period.month(2025, 12)) == Decimal("0.00")
    assert figure("volunteers.hours_by_category").value(scope=t.district, period=JAN_2026)[
        "patrol"
    ] == Decimal("5.00")
    assert figure("volunteers.hours_by_month").value(scope=t.district, period=Period(dt.date(2025, 12, 1), JAN_2026.end)) == {
        "2025-12": Decimal("0.00"), "2026-01": Decimal("5.00"),
    }  # fmt: skip


def test_active_volunteers_and_activities(january):
    t = january
    assert figure("volunteers.active").value(scope=t.district, period=JAN_2026) == 2
    assert figure("volunteers.active").value_by_child(scope=t.district, period=JAN_2026) == {
        t.town_a.path: 1, t.town_b.path: 1,
    }  # fmt: skip
    assert figure("volunteers.activities").value(scope=t.district, period=JAN_2026) == 2
    assert figure("volunteers.activities").value(scope=t.town_b, period=JAN_2026) == 1
