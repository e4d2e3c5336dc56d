"""Member sync: up to 1,000 records a request, each on its own, and retries that change nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from members.models import Member, MembershipEvent

from ..members.factories import make_member, next_id_number, wrong_check_digit
from .support import member_payload

SYNC = reverse("v1:member-sync")


def test_each_record_gets_its_own_result_and_one_bad_record_stops_nothing(tree, people, api):
    known = make_member(tree.union_a, job="装配工")
    records = [
        member_payload(tree.union_a, name="区小凤"),  # new
        {**member_payload(tree.union_a, name=known.name, mobile=known.mobile), "id_number": known.id_number,
         "job": "质检员"},  # known: updated
        {**member_payload(tree.union_a, name="单田芳"), "id_number": wrong_check_digit(next_id_number())},  # bad
        {**member_payload(tree.union_a, name=known.name, mobile=known.mobile), "id_number": known.id_number,
         "job": "质检员"},  # the same again: unchanged
        {"name": "", "mobile": "1380013", "union": tree.union_a.pk, "id_number": next_id_number()},  # bad fields
    ]  # fmt: skip

    response = api(people.town_a_staff).post(SYNC, {"members": records}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert [r["result"] for r in body["results"]] == ["created", "updated", "error", "unchanged", "error"]
    assert (body["created"], body["updated"], body["unchanged"], body["failed"]) == (1, 1, 1, 2)
    assert body["results"][2]["errors"][0]["attr"] == "id_number"
    assert "name" in {e["attr"] for e in body["results"][4]["errors"]}
    assert Member.objects.get(pk=known.pk).job == "质检员"
    assert Member.objects.filter(name="区小凤").count() == 1
    assert not Member.objects.filter(name="单田芳").exists()  # nothing half written


def test_a_member_of_another_union_is_not_moved_by_a_sync(tree, people, api):
    known = make_member(tree.union_a)
    record = {**member_payload(tree.union_a), "id_number": known.id_number, "union": tree.branch_a.pk}
    body = api(people.district_staff).post(SYNC, {"members": [record]}, format="json").json()
    assert body["results"][0]["errors"][0]["code"] == "transfer_needed"
    assert Member.objects.get(pk=known.pk).union == tree.union_a


def test_a_member_outside_the_callers_scope_is_refused(tree, people, api):
    theirs = make_member(tree.union_b)
    record = {**member_payload(tree.union_b), "id_number": theirs.id_number, "job": "改"}
    body = api(people.town_a_staff).post(SYNC, {"members": [record]}, format="json").json()
    assert body["results"][0]["result"] == "error"
    assert Member.objects.get(pk=theirs.pk).job != "改"


def test_a_retry_with_the_same_key_returns_the_first_answer_and_changes_nothing(tree, people, api):
    client = api(people.town_a_staff)
    payload = {"members": [member_payload(tree.union_a, name="欧阳娜娜")]}
    first = client.post(SYNC, payload, format="json", headers={"Idempotency-Key": "batch-0001"})
    events = MembershipEvent.objects.count()
    again = client.post(SYNC, payload, format="json", headers={"Idempotency-Key": "batch-0001"})

    assert again.status_code == first.status_code == 200
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    assert Member.objects.filter(name="欧阳娜娜").count() == 1
    assert MembershipEvent.objects.count() == events


def test_the_same_key_with_another_body_is_refused(tree, people, api):
    client = api(people.town_a_staff)
    client.post(
        SYNC, {"members": [member_payload(tree.union_a)]}, format="json", headers={"Idempotency-Key": "k1"}
    )
    other = client.post(
        SYNC, {"members": [member_payload(tree.union_a)]}, format="json", headers={"Idempotency-Key": "k1"}
    )
    assert other.status_code == 409
    assert other.json()["errors"][0]["code"] == "idempotency_key_reused"


def test_keys_belong_to_their_caller(tree, people, api):
    payload = {"members": [member_payload(tree.union_a, name="甲")]}
    api(people.town_a_staff).post(SYNC, payload, format="json", headers={"Idempotency-Key": "same"})
    other = api(people.district_staff).post(
        SYNC,
        {"members": [member_payload(tree.union_b, name="乙")]},
        format="json",
        headers={"Idempotency-Key": "same"},
    )
    assert other.status_code == 200 and other.json()["created"] == 1


@pytest.mark.parametrize("members", [[], [{}] * 1001, "not a list"])
def test_an_empty_or_oversized_or_malformed_request_is_a_400(tree, people, api, members):
    response = api(people.town_a_staff).post(SYNC, {"members": members}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "members"


def test_a_reader_cannot_sync(tree, people, api):
    response = api(people.auditor).post(SYNC, {"members": [member_payload(tree.union_a)]}, format="json")
    assert response.status_code == 403 or response.json()["failed"] == 1
    assert not Member.objects.exists()
