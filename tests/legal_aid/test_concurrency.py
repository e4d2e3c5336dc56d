"""A lawyer is never in two overlapping shifts, even when twenty assignments race (PostgreSQL)."""

import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction

from legal_aid import services
from legal_aid.models import Shift
from union_portal.core.errors import ApplicationError

from .factories import at, make_shift, next_weekday

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks and btree_gist"),
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


def test_twenty_concurrent_assignments_leave_exactly_one(legal, people):
    staff, day = people.district_staff, next_weekday(0)
    # twenty unstaffed shifts at the same hour, at the two stations
    shifts = [
        make_shift(legal.station_a if i % 2 else legal.station_b, staff, day, f"09:{i:02d}", f"11:{i:02d}")
        for i in range(20)
    ]
    results = run_together(
        *[lambda s=s: services.shift_assign(shift=s, lawyer=legal.wang, by=staff) for s in shifts]
    )
    assigned = [r for r in results if isinstance(r, Shift)]
    refused = [r for r in results if isinstance(r, ApplicationError)]
    assert len(assigned) == 1 and len(refused) == 19, results
    assert {e.code for e in refused} == {"overlap"}
    assert Shift.objects.filter(lawyer=legal.wang).count() == 1


def test_the_database_refuses_an_overlap_that_skipped_the_services(legal, people):
    staff, day = people.district_staff, next_weekday(1)
    make_shift(legal.station_a, staff, day, "09:00", "12:00", lawyer=legal.wang)
    with pytest.raises(IntegrityError, match="shift_no_overlap_per_lawyer"), transaction.atomic():
        Shift.objects.create(
            station=legal.station_b,
            lawyer=legal.wang,
            start=at(day, "11:00"),
            end=at(day, "13:00"),
            created_by=staff,
        )
    # back to back is allowed by the range's [start, end) bounds
    Shift.objects.create(
        station=legal.station_b,
        lawyer=legal.wang,
        start=at(day, "12:00"),
        end=at(day, "13:00"),
        created_by=staff,
    )
