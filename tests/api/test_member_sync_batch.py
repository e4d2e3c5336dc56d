"""Member sync in batches (issue 16): the new members of a request are written together, and get what
one record through ``member_sync`` would get; known numbers, repeats and races go one by one."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members.api import SyncRecordSerializer
from members.models import Channel, Member, MemberChange, MembershipEvent, MemberStatus
from members.services import card_number_is_well_formed
from members.sync import member_sync_many
from tests.accounts.factories import make_user
from union_portal.accounts.roles import Role
from union_portal.api.models import APIKey
from union_portal.webhooks.models import Delivery
from union_portal.webhooks.services import subscription_create

from ..members.factories import make_member, next_id_number
from ..members.test_input_rules import born, id_born_on
from .support import member_payload

SYNC = reverse("v1:member-sync")


def _sync(client, records):
    response = client.post(SYNC, {"members": records}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def test_new_members_are_registered_in_full_and_the_queries_do_not_grow_with_the_request(tree, people, api):
    client = api(people.town_a_staff)
    _sync(client, [member_payload(tree.union_a)])  # sessions, permissions and caches warmed

    def queries_for(count):
        records = [member_payload(tree.union_a if i % 2 else tree.branch_a) for i in range(count)]
        with CaptureQueriesContext(connection) as queries:
            body = _sync(client, records)
        assert body["created"] == count and body["failed"] == 0
        return len(queries), body

    # (SQLite takes at most 999 parameters a statement: Django splits an insert of 40 members in two)
    size = 30 if connection.vendor == "sqlite" else 40
    few, _body = queries_for(3)
    many, body = queries_for(size)

    assert many == few
    members = Member.objects.filter(pk__in=[r["id"] for r in body["results"]]).order_by("pk")
    assert len(members) == size
    for member in members:
        assert member.status == MemberStatus.ACTIVE and member.channel == Channel.API
        assert card_number_is_well_formed(member.card_number)
        assert member.join_date == timezone.localdate()
        assert member.filed_by == member.decided_by == people.town_a_staff
        assert member.name_pinyin and member.id_number_hash and member.birth_date
        assert member.history.count() == 1
        assert sorted(member.events.values_list("kind", "by", "to_union")) == [
            (MembershipEvent.Kind.APPROVED, people.town_a_staff.pk, None),
            (MembershipEvent.Kind.REGISTERED, people.town_a_staff.pk, member.union_id),
        ]
    assert MemberChange.objects.filter(member__in=members).count() == size  # in the change feed


def test_a_number_repeated_in_one_request_is_registered_once_then_updated(tree, people, api):
    number = next_id_number()
    records = [
        member_payload(tree.union_a, id_number=number, name=""),  # refused: the next one registers
        member_payload(tree.union_a, id_number=number, job="装配工"),
        member_payload(tree.union_a, id_number=number, job="质检员"),
    ]
    body = _sync(api(people.town_a_staff), records)

    assert [r["result"] for r in body["results"]] == ["error", "created", "updated"]
    assert body["results"][1]["id"] == body["results"][2]["id"]
    assert Member.objects.get(pk=body["results"][1]["id"]).job == "质检员"
    member = Member.objects.get(pk=body["results"][1]["id"])
    assert Member.objects.open().filter(id_number_hash=member.id_number_hash).count() == 1


def test_each_record_of_a_batch_is_checked_on_its_own(tree, people, api):
    young = id_born_on(born(12))
    records = [
        member_payload(tree.union_a, name="区小凤"),
        member_payload(tree.union_b, name="单田芳"),  # outside town A
        member_payload(tree.union_a, id_number=young),
        member_payload(tree.union_a, union=999_999),
        member_payload(tree.union_a, name="曾娜"),
    ]
    body = _sync(api(people.town_a_staff), records)

    assert [r["result"] for r in body["results"]] == ["created", "error", "error", "error", "created"]
    assert body["results"][1]["errors"][0]["code"] == "permission_denied"
    too_young = body["results"][2]["errors"][0]
    assert (too_young["attr"], too_young["code"]) == ("id_number", "too_young")
    assert "%(" not in too_young["detail"] and "16" in too_young["detail"]
    assert (body["results"][3]["errors"][0]["attr"], body["results"][3]["errors"][0]["code"]) == (
        "union",
        "does_not_exist",
    )
    assert sorted(Member.objects.values_list("name", flat=True)) == sorted(["区小凤", "曾娜"])


def test_a_caller_without_the_permission_registers_nobody(tree, people):
    # (the view refuses a reader before this: the service itself holds the rule too)
    records = []
    for _ in range(2):
        serializer = SyncRecordSerializer(data=member_payload(tree.union_a))
        assert serializer.is_valid(), serializer.errors
        records.append(serializer.validated_data)
    outcomes = member_sync_many(records, by=people.auditor)
    assert [(o.result, o.error.code) for o in outcomes] == [("error", "permission_denied")] * 2
    assert not Member.objects.exists()


def test_every_member_of_a_batch_is_its_own_webhook_event(
    tree, people, api, django_capture_on_commit_callbacks
):
    root = make_user(None, None, username="root", is_superuser=True, is_staff=True)
    key, _secret = APIKey.issue(name="p", user=make_user(Role.PARTNER, tree.town_a), scopes=["members:read"])
    subscription, _signing = subscription_create(
        by=root, key=key, name="p", url="https://partner.example.org/hook", events=["membership.approved"]
    )
    with django_capture_on_commit_callbacks(execute=False):
        body = _sync(api(people.district_staff), [member_payload(tree.union_a) for _ in range(3)]
                     + [member_payload(tree.union_b)])  # fmt: skip

    deliveries = Delivery.objects.filter(subscription=subscription)
    assert sorted(d.payload["data"]["member"]["id"] for d in deliveries) == sorted(
        r["id"] for r in body["results"][:3]
    )  # town A's partner hears of town A's three, not of town B's one
    assert len({d.event_id for d in deliveries}) == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_the_same_new_number_synced_by_two_requests_at_once_is_registered_once(tree, people):
    # given a number nobody has, sent by two partners' requests at the same moment
    record = member_payload(tree.union_a, name="欧阳娜娜")
    data = SyncRecordSerializer(data=record)
    assert data.is_valid(), data.errors
    barrier, results = threading.Barrier(2), [None, None]

    def request(slot):
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                results[slot] = member_sync_many([dict(data.validated_data)], by=people.district_staff)[0]
        finally:
            connections.close_all()

    threads = [threading.Thread(target=request, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # then one registered it, the other found it (its batch gave way and went record by record)
    assert sorted(r.result for r in results) == ["created", "unchanged"]
    assert results[0].member_id == results[1].member_id
    assert Member.objects.filter(name="欧阳娜娜").count() == 1
    member = Member.objects.get(name="欧阳娜娜")
    assert member.events.filter(kind=MembershipEvent.Kind.REGISTERED).count() == 1


def test_a_known_member_in_a_batch_is_updated_beside_the_new_ones(tree, people, api):
    known = make_member(tree.union_a, job="装配工")
    records = [
        member_payload(tree.union_a),
        {**member_payload(tree.union_a, name=known.name, mobile=known.mobile), "id_number": known.id_number,
         "job": "质检员"},
        member_payload(tree.union_a),
    ]  # fmt: skip
    body = _sync(api(people.town_a_staff), records)
    assert [r["result"] for r in body["results"]] == ["created", "updated", "created"]
    assert body["results"][1]["id"] == known.pk
    known.refresh_from_db()
    assert known.job == "质检员"
