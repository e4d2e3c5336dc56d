"""Transfers between areas are requests the receiving union decides (会员组织关系转接, issue 18.4).

A town's staff could move their member into another town's union without that union knowing. Now a
move into the requester's own area happens at once (and is recorded, accepted by the requester);
a move into a union outside it waits for the receiving union, which accepts or declines it.
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from members import services
from members.models import Member, MembershipEvent, MemberStatus, TransferRequest
from members.queues import QUEUES
from union_portal.core.errors import ApplicationError, PermissionDeniedError
from union_portal.notifications.models import Notification

from ..accounts.factories import make_user
from .factories import make_member

State = TransferRequest.State


def _queue_count(user) -> int:
    queue = next(q for q in QUEUES if q.key == "members.transfers")
    return queue.count(user)


def test_a_move_within_the_requesters_area_happens_at_once_and_is_recorded(tree, people):
    member = make_member(tree.union_a)

    transfer = services.member_transfer(
        member=member, to_union=tree.branch_a, by=people.town_a_staff, reason="调到灌装车间"
    )

    member.refresh_from_db()
    assert member.union_id == tree.branch_a.pk
    assert (transfer.state, transfer.decided_by, transfer.from_union_id, transfer.to_union_id) == (
        State.ACCEPTED, people.town_a_staff, tree.union_a.pk, tree.branch_a.pk,
    )  # fmt: skip
    assert member.events.filter(kind=MembershipEvent.Kind.TRANSFERRED, to_union=tree.branch_a).count() == 1


def test_a_move_into_another_town_waits_for_the_receiving_union(
    tree, people, django_capture_on_commit_callbacks
):
    member = make_member(tree.union_a)

    with django_capture_on_commit_callbacks(execute=True):
        transfer = services.member_transfer(
            member=member, to_union=tree.union_b, by=people.town_a_staff, reason="到乐平镇工作"
        )

    member.refresh_from_db()
    assert member.union_id == tree.union_a.pk  # not moved yet
    assert not member.events.filter(kind=MembershipEvent.Kind.TRANSFERRED).exists()
    assert (transfer.state, transfer.decided_by) == (State.PENDING, None)
    # the receiving side is told, and has it in its queue; the sender sees it but does not decide it
    told = set(
        Notification.objects.filter(kind="members.transfer_requested").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"town_b", "officer_b"}
    assert (_queue_count(people.town_b_staff), _queue_count(people.officer_b)) == (1, 1)
    assert (_queue_count(people.town_a_staff), _queue_count(people.officer_a)) == (0, 0)
    assert TransferRequest.objects.visible_to(people.town_a_staff).filter(pk=transfer.pk).exists()
    assert TransferRequest.objects.visible_to(people.town_b_staff).filter(pk=transfer.pk).exists()


def test_the_receiving_union_accepts_and_the_member_moves(tree, people, django_capture_on_commit_callbacks):
    worker = make_user("member", None, username="worker", mobile="13922331111")
    member = make_member(tree.union_a, user=worker)
    transfer = services.member_transfer(
        member=member, to_union=tree.union_b, by=people.town_a_staff, reason="到乐平镇工作"
    )

    with django_capture_on_commit_callbacks(execute=True):
        accepted = services.transfer_accept(transfer=transfer, by=people.officer_b, note="欢迎")
        again = services.transfer_accept(transfer=transfer, by=people.officer_b)  # a second click

    member.refresh_from_db()
    assert member.union_id == tree.union_b.pk
    assert (accepted.state, accepted.decided_by, accepted.decision_note) == (
        State.ACCEPTED,
        people.officer_b,
        "欢迎",
    )
    assert (
        again.pk == accepted.pk and member.events.filter(kind=MembershipEvent.Kind.TRANSFERRED).count() == 1
    )
    event = member.events.get(kind=MembershipEvent.Kind.TRANSFERRED)
    assert (event.from_union_id, event.to_union_id, event.by, event.note) == (
        tree.union_a.pk, tree.union_b.pk, people.officer_b, "到乐平镇工作",
    )  # fmt: skip
    assert (
        Notification.objects.filter(recipient=people.town_a_staff, kind="members.transfer_accepted").count()
        == 1
    )
    assert Notification.objects.filter(recipient=worker, kind="members.transferred").count() == 1
    # the member is the receiving town's now, and no longer the sender's
    assert Member.objects.visible_to(people.town_b_staff).filter(pk=member.pk).exists()
    assert not Member.objects.visible_to(people.town_a_staff).filter(pk=member.pk).exists()
    assert [h.state for h in accepted.history.order_by("history_id")] == [State.PENDING, State.ACCEPTED]


def test_the_receiving_union_declines_with_a_reason_and_the_member_stays(
    tree, people, django_capture_on_commit_callbacks
):
    worker = make_user("member", None, username="worker", mobile="13922331111")
    member = make_member(tree.union_a, user=worker)
    transfer = services.member_transfer(
        member=member, to_union=tree.union_b, by=people.town_a_staff, reason="调动"
    )

    with pytest.raises(ApplicationError) as refused:
        services.transfer_decline(transfer=transfer, by=people.town_b_staff, reason="  ")
    assert refused.value.field == "reason"
    with django_capture_on_commit_callbacks(execute=True):
        declined = services.transfer_decline(
            transfer=transfer, by=people.town_b_staff, reason="该员工未在本单位入职"
        )

    member.refresh_from_db()
    assert member.union_id == tree.union_a.pk
    assert (declined.state, declined.decision_note) == (State.DECLINED, "该员工未在本单位入职")
    assert (
        Notification.objects.filter(recipient=people.town_a_staff, kind="members.transfer_declined").count()
        == 1
    )
    told = Notification.objects.get(recipient=worker, kind="members.transfer_declined_member")
    assert "该员工未在本单位入职" in told.body
    with pytest.raises(ApplicationError) as late:
        services.transfer_accept(transfer=transfer, by=people.town_b_staff)
    assert late.value.code == "wrong_state"


def test_only_the_receiving_side_decides_and_only_the_sender_withdraws(tree, people):
    member = make_member(tree.union_a)
    transfer = services.member_transfer(
        member=member, to_union=tree.union_b, by=people.town_a_staff, reason="调动"
    )

    for outsider in (people.town_a_staff, people.officer_a):
        with pytest.raises(PermissionDeniedError):
            services.transfer_accept(transfer=transfer, by=outsider)
        with pytest.raises(PermissionDeniedError):
            services.transfer_decline(transfer=transfer, by=outsider, reason="不同意")
    with pytest.raises(PermissionDeniedError):
        services.transfer_cancel(transfer=transfer, by=people.town_b_staff)
    with pytest.raises(PermissionDeniedError):  # a proxy agent may not transfer at all
        services.transfer_accept(transfer=transfer, by=people.proxy_a)

    cancelled = services.transfer_cancel(transfer=transfer, by=people.town_a_staff, reason="员工不去了")

    assert cancelled.state == State.CANCELLED
    member.refresh_from_db()
    assert member.union_id == tree.union_a.pk


def test_one_waiting_transfer_per_member_in_the_service_and_the_database(tree, people):
    member = make_member(tree.union_a)
    first = services.member_transfer(
        member=member, to_union=tree.union_b, by=people.town_a_staff, reason="调动"
    )

    with pytest.raises(ApplicationError) as twice:
        services.member_transfer(member=member, to_union=tree.union_b, by=people.town_a_staff, reason="再次")
    assert (twice.value.code, twice.value.field) == ("transfer_pending", "to_union")
    with pytest.raises(ApplicationError):  # not even the district moves a member with a transfer waiting
        services.member_transfer(member=member, to_union=tree.branch_a, by=people.district_staff, reason="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        TransferRequest.objects.create(
            member=member,
            from_union=tree.union_a,
            to_union=tree.branch_a,
            reason="绕过",
            requested_by=first.requested_by,
        )
    assert TransferRequest.objects.filter(member=member).count() == 1


def test_an_ended_membership_withdraws_its_waiting_transfer(tree, people):
    member = make_member(tree.union_a)
    transfer = services.member_transfer(
        member=member, to_union=tree.union_b, by=people.town_a_staff, reason="调动"
    )

    services.member_end(member=member, status=MemberStatus.WITHDRAWN, by=people.officer_a, reason="离职")

    transfer.refresh_from_db()
    assert (transfer.state, transfer.decision_note) == (State.CANCELLED, "离职")
    with pytest.raises(ApplicationError) as late:
        services.transfer_accept(transfer=transfer, by=people.town_b_staff)
    assert late.value.code == "wrong_state"


# --- the ways in: API and admin ------------------------------------------------------------------------


def test_the_api_answers_202_with_the_request_and_the_receiving_union_accepts_it(tree, people):
    from rest_framework.test import APIClient

    def api(user):
        client = APIClient()
        client.force_login(user)
        return client

    member = make_member(tree.union_a)

    response = api(people.town_a_staff).post(
        reverse("v1:member-transfer", args=[member.pk]),
        {"to_union": tree.union_b.pk, "reason": "到乐平镇工作"},
    )

    assert response.status_code == 202
    body = response.json()
    assert (body["state"], body["to_union"]["id"], body["member"]) == ("pending", tree.union_b.pk, member.pk)
    assert body["member_name"] == member.masked_name
    incoming = api(people.town_b_staff).get(
        reverse("v1:transfer-list"), {"direction": "in", "state": "pending"}
    )
    assert [row["id"] for row in incoming.json()["results"]] == [body["id"]]
    outgoing = api(people.town_b_staff).get(reverse("v1:transfer-list"), {"direction": "out"})
    assert outgoing.json()["results"] == []
    refused = api(people.town_a_staff).post(reverse("v1:transfer-accept", args=[body["id"]]), {})
    assert refused.status_code == 403
    accepted = api(people.town_b_staff).post(
        reverse("v1:transfer-accept", args=[body["id"]]), {"note": "欢迎"}
    )
    assert (accepted.status_code, accepted.json()["state"]) == (200, "accepted")
    member.refresh_from_db()
    assert member.union_id == tree.union_b.pk


def test_the_admin_offers_each_side_its_own_steps(client, tree, people):
    member = make_member(tree.union_a)
    transfer = services.member_transfer(
        member=member, to_union=tree.union_b, by=people.town_a_staff, reason="调动"
    )
    page = reverse("admin:members_transferrequest_change", args=[transfer.pk])

    def steps(user):
        client.force_login(user)
        return [step.name for step, _url in client.get(page).context["record_steps"]]

    assert steps(people.town_b_staff) == ["accept", "decline"]
    assert steps(people.town_a_staff) == ["cancel"]
    client.force_login(people.officer_b)
    response = client.post(
        reverse("admin:members_transferrequest_step", args=[transfer.pk, "decline"]), {"reason": "未入职"}
    )
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert transfer.state == State.DECLINED


def test_the_member_page_says_a_transfer_into_another_town_was_only_requested(client, tree, people):
    member = make_member(tree.union_a)
    client.force_login(people.town_a_staff)

    response = client.post(
        reverse("admin:members_member_step", args=[member.pk, "transfer"]),
        {"to_union": tree.union_b.pk, "reason": "调动"},
        follow=True,
    )

    text = " ".join(str(m) for m in response.context["messages"])
    assert "the member moves when that union accepts it" in text
    member.refresh_from_db()
    assert member.union_id == tree.union_a.pk
