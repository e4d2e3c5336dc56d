"""Commands on one member: transfer, end, reveal (``POST /api/v1/members/{id}/<command>/``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import MembershipEvent, MemberStatus
from union_portal.core.models import AccessLog

from ..members.factories import make_member
from .support import error_attrs, member_state


def command(member, name: str) -> str:
    return reverse(f"v1:member-{name}", args=[member.pk])


# --- transfer ----------------------------------------------------------------------------------------


def test_transfer_moves_the_member_and_keeps_the_card(tree, people, api):
    member = make_member(tree.union_a)

    response = api(people.district_staff).post(
        command(member, "transfer"), {"to_union": tree.union_b.pk, "reason": "换工作"}
    )

    assert response.status_code == 200
    assert response.json()["union"] == {"id": tree.union_b.pk, "name": "新明珠陶瓷工会委员会"}
    member.refresh_from_db()
    assert (member.union_id, member.card_number) == (tree.union_b.pk, response.json()["card_number"])
    event = member.events.get(kind=MembershipEvent.Kind.TRANSFERRED)
    assert (event.from_union_id, event.to_union_id, event.by, event.note) == (
        tree.union_a.pk, tree.union_b.pk, people.district_staff, "换工作",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"to_union": "B"}, [("reason", "required")]),
        ({"to_union": "B", "reason": "   "}, [("reason", "required")]),
        ({"to_union": "town", "reason": "换工作"}, [("to_union", "union_kind")]),
        ({"to_union": "A", "reason": "换工作"}, [("to_union", "same_union")]),
        ({"to_union": 999999, "reason": "换工作"}, [("to_union", "does_not_exist")]),
        ({"reason": "换工作"}, [("to_union", "required")]),
    ],
)
def test_transfer_errors_are_field_errors_and_change_nothing(tree, people, api, body, errors):
    member = make_member(tree.union_a)
    unions = {"A": tree.union_a.pk, "B": tree.union_b.pk, "town": tree.town_b.pk}
    body = {**body, "to_union": unions.get(body.get("to_union"), body.get("to_union"))}
    body = {key: value for key, value in body.items() if value is not None}
    before = member_state(member)

    response = api(people.district_staff).post(command(member, "transfer"), body)

    assert response.status_code == 400
    assert error_attrs(response) == errors
    assert member_state(member) == before


def test_only_an_active_member_is_transferred(tree, people, api):
    member = make_member(tree.union_a, active=False)
    before = member_state(member)

    response = api(people.district_staff).post(
        command(member, "transfer"), {"to_union": tree.union_b.pk, "reason": "换工作"}
    )

    assert response.status_code == 400
    assert error_attrs(response) == [("non_field_errors", "not_active")]
    assert member_state(member) == before


@pytest.mark.parametrize(
    ("actor", "status"),
    [("anonymous", 401), ("member_user", 403), ("town_b_staff", 404), ("proxy_a", 404), ("auditor", 403)],
)
def test_transfer_denied_changes_nothing(tree, people, api, actor, status):
    member = make_member(tree.union_a)
    before = member_state(member)
    client = api(None if actor == "anonymous" else getattr(people, actor))

    response = client.post(command(member, "transfer"), {"to_union": tree.branch_a.pk, "reason": "调岗"})

    assert response.status_code == status
    assert member_state(member) == before


# --- end ---------------------------------------------------------------------------------------------


def test_end_records_the_state_and_the_date(tree, people, api):
    member = make_member(tree.union_a)
    on = timezone.localdate() - dt.timedelta(days=3)

    response = api(people.officer_a).post(
        command(member, "end"), {"status": "withdrawn", "reason": "本人申请退会", "on": on.isoformat()}
    )

    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    member.refresh_from_db()
    assert (member.status, member.ended_on, member.end_reason) == (MemberStatus.WITHDRAWN, on, "本人申请退会")
    assert member.events.filter(kind=MembershipEvent.Kind.WITHDRAWN, by=people.officer_a).count() == 1


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"status": "active", "reason": "x"}, [("status", "invalid_choice")]),
        ({"status": "lapsed", "reason": ""}, [("reason", "required")]),
        ({"status": "lapsed", "reason": "欠费", "on": "2999-01-01"}, [("on", "invalid")]),
        ({"status": "lapsed", "reason": "欠费", "on": "yesterday"}, [("on", "invalid")]),
    ],
)
def test_end_errors(tree, people, api, body, errors):
    member = make_member(tree.union_a)
    before = member_state(member)

    response = api(people.officer_a).post(command(member, "end"), body)

    assert response.status_code == 400
    assert error_attrs(response) == errors
    assert member_state(member) == before


def test_end_outside_the_scope_is_not_found(tree, people, api):
    member = make_member(tree.union_a)
    before = member_state(member)

    response = api(people.officer_b).post(command(member, "end"), {"status": "deceased", "reason": "病故"})

    assert response.status_code == 404
    assert member_state(member) == before


# --- reveal ------------------------------------------------------------------------------------------


def test_reveal_returns_the_full_data_and_logs_it(tree, people, api):
    member = make_member(tree.union_a, name="张三明")

    response = api(people.town_a_staff).post(command(member, "reveal"), {"reason": "核对工伤申请"})

    assert response.status_code == 200
    assert response.json() == {
        "id": member.pk,
        "name": "张三明",
        "id_number": member.id_number,
        "mobile": member.mobile,
    }
    assert response["Cache-Control"] == "no-store"
    log = AccessLog.objects.get()
    assert (log.actor, log.action, log.target_type, log.target_id, log.reason) == (
        people.town_a_staff, AccessLog.Action.REVEAL, "members.Member", str(member.pk), "核对工伤申请",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("actor", "body", "status"),
    [
        ("anonymous", {"reason": "x"}, 401),
        ("member_user", {"reason": "x"}, 403),
        ("officer_a", {"reason": "核对"}, 403),  # sees the member but may not reveal
        ("town_b_staff", {"reason": "核对"}, 404),  # may reveal, but not this member
        ("town_a_staff", {"reason": "  "}, 400),
        ("town_a_staff", {}, 400),
    ],
)
def test_reveal_refused_logs_nothing(tree, people, api, actor, body, status):
    member = make_member(tree.union_a)
    client = api(None if actor == "anonymous" else getattr(people, actor))

    response = client.post(command(member, "reveal"), body)

    assert response.status_code == status
    assert member.id_number not in response.content.decode()
    assert AccessLog.objects.count() == 0
    if status == 400:
        assert [attr for attr, _code in error_attrs(response)] == ["reason"]
