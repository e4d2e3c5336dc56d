"""Twenty people doing the same thing at the same moment, on PostgreSQL.

Each thread has its own database connection (Django's connections are per thread) and starts at
a barrier, so the writes really race. SQLite serialises writers and proves nothing here.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.utils import translation

from members import services
from members.models import Channel, Member, MembershipEvent, MemberStatus
from union_portal.core.errors import ApplicationError

from ..members.factories import make_member, member_data

THREADS = 20

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL")


def race(action, count: int = THREADS) -> tuple[list, list[BaseException]]:
    """Run ``action`` in ``count`` threads released together; return results and exceptions."""
    barrier = threading.Barrier(count)
    results, errors, lock = [], [], threading.Lock()

    def run():
        try:
            barrier.wait(timeout=30)
            with translation.override("en"):  # messages in the msgid language, whatever the default
                result = action()
            with lock:
                results.append(result)
        except BaseException as exc:  # collected and asserted by the test
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results, errors


def test_twenty_applications_with_one_id_number_leave_one_member(tree, people):
    # given: twenty officers' forms with the same ID number (in different spellings)
    data = member_data(tree.union_a)
    number = data["id_number"]
    spellings = [number, number.lower(), f"{number[:6]} {number[6:14]} {number[14:]}", number]

    turns = iter(range(THREADS))  # next() on a range iterator is atomic

    def apply():
        spelling = spellings[next(turns) % len(spellings)]
        return services.member_apply(
            data={**data, "id_number": spelling}, by=people.officer_a, channel=Channel.OFFICER
        )

    # when: they are submitted at the same moment
    results, errors = race(apply)

    # then: one member, nineteen clear duplicate errors, nothing else
    assert len(results) == 1
    assert len(errors) == THREADS - 1
    assert {type(e) for e in errors} == {ApplicationError}
    assert {(e.code, e.field) for e in errors} == {("duplicate", "id_number")}
    assert {str(e) for e in errors} == {"This ID number already has an open membership or application."}
    assert list(services.find_by_id_number(number).values_list("pk", flat=True)) == [results[0].pk]
    assert Member.objects.count() == 1
    assert MembershipEvent.objects.filter(member=results[0]).count() == 1
    assert Member.history.count() == 1


def test_twenty_approvals_of_one_application_give_one_card(tree, people):
    # given: one pending application
    member = make_member(tree.union_a, active=False)
    assert member.status == MemberStatus.PENDING

    # when: twenty officers approve it at the same moment
    results, errors = race(lambda: services.member_approve(member=member, by=people.officer_a))

    # then: every call succeeds (approving twice is safe) and they all see the same single card
    assert errors == []
    member.refresh_from_db()
    assert member.status == MemberStatus.ACTIVE
    assert member.card_number is not None
    assert {r.card_number for r in results} == {member.card_number}
    assert member.events.filter(kind=MembershipEvent.Kind.APPROVED).count() == 1
    assert Member.objects.exclude(card_number=None).count() == 1
