"""Sign-ups and verifications at the same instant, on PostgreSQL (real row locks).

Threads start at a barrier, each with its own database connection, calling the services a person
would. SQLite serialises writers on the whole file, so it cannot show this.
"""

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from volunteers import services
from volunteers.models import Activity, ServiceRecord, Signup, SignupStatus, StarLevelEvent, Volunteer

from .factories import make_activity, make_volunteer

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def run_together(*calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - reported by the test's assertions
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_volunteers_taking_the_last_place_do_not_both_get_it(corps):
    activity = make_activity(corps.team_a, corps.leader_a, capacity=1)
    results = run_together(
        lambda: services.signup_create(activity=activity, volunteer=corps.volunteer, by=corps.volunteer.user),
        lambda: services.signup_create(activity=activity, volunteer=corps.other, by=corps.other.user),
    )
    assert all(isinstance(r, Signup) for r in results), results
    assert sorted(r.status for r in results) == ["confirmed", "waiting"]
    assert Activity.objects.get(pk=activity.pk).confirmed_count == 1


def test_many_at_once_fill_the_places_exactly_and_queue_the_rest_in_order(corps, tree):
    activity = make_activity(corps.team_a, corps.leader_a, capacity=5)
    volunteers = [make_volunteer(tree.union_a) for _ in range(12)]
    results = run_together(
        *[lambda v=v: services.signup_create(activity=activity, volunteer=v, by=v.user) for v in volunteers]
    )
    assert all(isinstance(r, Signup) for r in results), results
    signups = list(Signup.objects.filter(activity=activity).order_by("pk"))
    assert [s.status for s in signups] == [SignupStatus.CONFIRMED] * 5 + [SignupStatus.WAITING] * 7
    assert Activity.objects.get(pk=activity.pk).confirmed_count == 5


def test_a_star_level_reached_by_two_verifications_at_once_is_recorded_once(corps):
    day = timezone.now() - dt.timedelta(days=60)
    records = []
    for i, hours in enumerate([24, 24, 24, 24, 3, 3]):  # 96 verified, then two of 3 hours at once
        activity = make_activity(corps.team_a, corps.leader_a, hours=hours)
        start = day + dt.timedelta(days=2 * i)
        Activity.objects.filter(pk=activity.pk).update(
            starts_at=start, ends_at=start + dt.timedelta(hours=hours), signup_opens_at=start - dt.timedelta(days=1),
            signup_closes_at=start,
        )  # fmt: skip
        activity.refresh_from_db()
        records.append(
            services.record_enter(
                activity=activity, volunteer=corps.volunteer, by=corps.leader_a,
                started_at=activity.starts_at, ended_at=activity.ends_at, note="补录",
            )
        )  # fmt: skip
    for record in records[:4]:
        services.record_verify(record=record, by=corps.leader_a)
    results = run_together(
        lambda: services.record_verify(record=records[4], by=corps.leader_a),
        lambda: services.record_verify(record=records[5], by=corps.leader_a),
    )
    assert all(isinstance(r, ServiceRecord) for r in results), results
    volunteer = Volunteer.objects.get(pk=corps.volunteer.pk)
    assert volunteer.star_level == 1 and str(volunteer.verified_hours) == "102.00"
    assert StarLevelEvent.objects.filter(volunteer=volunteer, level=1, change="reached").count() == 1
