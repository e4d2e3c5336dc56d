"""The member change feed: what changed since a cursor, in the caller's scope, never skipped nor repeated."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members import services
from members.models import Member, MemberStatus

from ..members.factories import make_member

FEED = reverse("v1:member-changes")


def read(client, cursor=None, limit=None):
    params = {k: v for k, v in (("cursor", cursor), ("limit", limit)) if v is not None}
    response = client.get(FEED, params)
    assert response.status_code == 200, response.content
    body = response.json()
    return [row["id"] for row in body["results"]], body["next_cursor"], body["has_more"]


def test_the_feed_lists_changes_in_scope_oldest_first_and_then_only_what_changed(tree, people, api):
    client = api(people.town_a_staff)
    first, second, third = (make_member(tree.union_a) for _ in range(3))
    make_member(tree.union_b)  # another town's: never in this feed

    ids, cursor, more = read(client)
    assert (ids, more) == ([first.pk, second.pk, third.pk], False)
    assert read(client, cursor) == ([], cursor, False)  # nothing new: the same cursor back

    services.member_update(member=first, by=people.town_a_staff, data={"job": "质检员"}, note="")
    services.member_end(
        member=Member.objects.get(pk=third.pk),
        status=MemberStatus.WITHDRAWN,
        by=people.town_a_staff,
        reason="退会",
    )
    ids, cursor, more = read(client, cursor)
    assert ids == [first.pk, third.pk]
    assert Member.objects.get(pk=third.pk).status == MemberStatus.WITHDRAWN


def test_a_member_transferred_in_appears_for_the_new_scope(tree, people, api):
    arriving = make_member(tree.union_b)
    _ids, cursor, _more = read(api(people.town_a_staff))
    services.member_transfer(member=arriving, to_union=tree.union_a, by=people.district_staff, reason="调动")
    assert read(api(people.town_a_staff), cursor)[0] == [arriving.pk]


def test_pages_neither_skip_nor_repeat(tree, people, api):
    client = api(people.town_a_staff)
    made = [make_member(tree.union_a).pk for _ in range(7)]
    seen, cursor, more = [], None, True
    while more:
        ids, cursor, more = read(client, cursor, limit=3)
        seen += ids
    assert seen == made


def read_items(client, cursor=None):
    """The page as (id, "removed" or "member") pairs, and the next cursor."""
    response = client.get(FEED, {"cursor": cursor} if cursor else {})
    assert response.status_code == 200, response.content
    body = response.json()
    items = [(row["id"], "removed" if row.get("removed") else "member") for row in body["results"]]
    return items, body["next_cursor"], body["results"]


def test_a_member_transferred_out_is_a_tombstone_once_for_the_area_left_only(tree, people, api):
    leaving, staying = make_member(tree.union_a), make_member(tree.union_a)
    town_a, town_b, district = api(people.town_a_staff), api(people.town_b_staff), api(people.district_staff)
    cursors = {
        name: read_items(client)[1] for name, client in (("a", town_a), ("b", town_b), ("d", district))
    }

    services.member_transfer(member=leaving, to_union=tree.union_b, by=people.district_staff, reason="调动")
    services.member_update(member=staying, by=people.town_a_staff, data={"job": "质检员"}, note="")

    items, cursor_a, results = read_items(town_a, cursors["a"])
    assert items == [(leaving.pk, "removed"), (staying.pk, "member")]
    assert results[0] == {"id": leaving.pk, "removed": True, "reason": "transferred_out"}
    assert read_items(town_a, cursor_a)[0] == []  # once
    assert read_items(town_b, cursors["b"])[0] == [(leaving.pk, "member")]  # the new side: the member
    # the district sees both unions: the member moved inside its area, no tombstone
    assert read_items(district, cursors["d"])[0] == [(leaving.pk, "member"), (staying.pk, "member")]

    # a move inside town A's area (to a branch) is a change of the member, not a departure
    services.member_transfer(
        member=staying, to_union=tree.branch_a, by=people.town_a_staff, reason="车间调整"
    )
    items, cursor_a, _results = read_items(town_a, cursor_a)
    assert items == [(staying.pk, "member")]

    # transferred back: the member is in town A's feed again, after the tombstone
    services.member_transfer(
        member=Member.objects.get(pk=leaving.pk),
        to_union=tree.union_a,
        by=people.district_staff,
        reason="调回",
    )
    assert read_items(town_a, cursor_a)[0] == [(leaving.pk, "member")]
    assert read_items(town_a, cursors["a"])[0] == [
        (leaving.pk, "removed"),
        (staying.pk, "member"),
        (leaving.pk, "member"),
    ]
    assert read_items(town_b, cursors["b"])[0] == [(leaving.pk, "removed")]


def test_a_transfer_waiting_for_the_receiving_union_is_no_departure_until_accepted(tree, people, api):
    leaving = make_member(tree.union_a)
    town_a = api(people.town_a_staff)
    _items, cursor, _results = read_items(town_a)
    transfer = services.member_transfer(
        member=leaving, to_union=tree.union_b, by=people.town_a_staff, reason="调动"
    )
    assert read_items(town_a, cursor)[0] == []
    services.transfer_accept(transfer=transfer, by=people.town_b_staff)
    assert read_items(town_a, cursor)[0] == [(leaving.pk, "removed")]


def test_a_page_with_departures_costs_the_same_queries_at_2_and_at_10_rows(tree, people, api):
    client = api(people.town_a_staff)
    _items, cursor, _results = read_items(client)
    for _ in range(1):
        services.member_transfer(
            member=make_member(tree.union_a), to_union=tree.union_b, by=people.district_staff, reason="调动"
        )
    make_member(tree.union_a)
    read_items(client, cursor)  # warm the session and permission caches
    with CaptureQueriesContext(connection) as two:
        assert [kind for _pk, kind in read_items(client, cursor)[0]] == ["removed", "member"]
    for _ in range(4):
        services.member_transfer(
            member=make_member(tree.union_a), to_union=tree.union_b, by=people.district_staff, reason="调动"
        )
        make_member(tree.union_a)
    with CaptureQueriesContext(connection) as ten:
        assert sorted(kind for _pk, kind in read_items(client, cursor)[0]) == ["member"] * 5 + ["removed"] * 5
    assert len(ten.captured_queries) == len(two.captured_queries)


@pytest.mark.parametrize(("params", "field"), [({"cursor": "abc"}, "cursor"), ({"limit": "0"}, "limit"),
                                               ({"limit": "1001"}, "limit"), ({"limit": "x"}, "limit")])  # fmt: skip
def test_a_bad_cursor_or_limit_is_a_clear_400(tree, people, api, params, field):
    response = api(people.town_a_staff).get(FEED, params)
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == field


def test_a_page_costs_the_same_queries_at_2_and_at_10_rows(tree, people, api):
    client = api(people.town_a_staff)
    for _ in range(2):
        make_member(tree.union_a)
    read(client)  # warm the session and permission caches
    with CaptureQueriesContext(connection) as two:
        assert len(read(client)[0]) == 2
    for _ in range(8):
        make_member(tree.union_a)
    with CaptureQueriesContext(connection) as ten:
        assert len(read(client)[0]) == 10
    assert len(ten.captured_queries) == len(two.captured_queries)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_write_that_commits_late_is_not_skipped(tree, people, api):
    """A transaction writes A and stays open; B commits after it. A reader in between must not move
    its cursor past B, or A (ordered before B) would never be read."""
    if connection.vendor != "postgresql":
        pytest.skip("transactions in flight are a PostgreSQL matter")
    client = api(people.town_a_staff)
    slow, quick = make_member(tree.union_a), make_member(tree.union_a)
    _ids, cursor, _more = read(client)
    slow_wrote, reader_done = threading.Event(), threading.Event()

    def slow_writer():
        try:
            with transaction.atomic():
                Member.objects.filter(pk=slow.pk).update(job="夜班")
                slow_wrote.set()
                reader_done.wait(timeout=30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert slow_wrote.wait(timeout=30)
    Member.objects.filter(pk=quick.pk).update(job="白班")  # commits while the slow one is open
    ids, during, _more = read(client, cursor)
    reader_done.set()
    thread.join(timeout=30)
    assert ids == []  # nothing is safe to hand out yet
    # Both have committed: the next read hands them out, in order. (Any transaction open elsewhere on
    # the server holds the horizon back for its duration: poll for a moment, as a partner would.)
    for _ in range(50):
        ids, _cursor, _more = read(client, during)
        if ids:
            break
        time.sleep(0.2)
    assert ids == [slow.pk, quick.pk]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_departure_that_commits_late_is_not_skipped_nor_repeated(tree, people, api):
    """As above, with the slow transaction a transfer out of the reader's area: its tombstone is handed
    out once, in its place before the quicker write, once both have committed."""
    if connection.vendor != "postgresql":
        pytest.skip("transactions in flight are a PostgreSQL matter")
    client = api(people.town_a_staff)
    leaving, quick = make_member(tree.union_a), make_member(tree.union_a)
    _items, cursor, _results = read_items(client)
    moved, reader_done = threading.Event(), threading.Event()

    def slow_transfer():
        try:
            with transaction.atomic():
                services.member_transfer(
                    member=leaving, to_union=tree.union_b, by=people.district_staff, reason="调动"
                )
                moved.set()
                reader_done.wait(timeout=30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=slow_transfer)
    thread.start()
    assert moved.wait(timeout=30)
    Member.objects.filter(pk=quick.pk).update(job="白班")  # commits while the transfer is open
    items, during, _results = read_items(client, cursor)
    reader_done.set()
    thread.join(timeout=30)
    assert items == []
    for _ in range(50):
        items, after, _results = read_items(client, during)
        if items:
            break
        time.sleep(0.2)
    assert items == [(leaving.pk, "removed"), (quick.pk, "member")]
    assert read_items(client, after)[0] == []
