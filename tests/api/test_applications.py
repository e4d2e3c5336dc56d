"""``/api/v1/applications/``: membership applications, filed by partners and decided by union officers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from members.models import Channel, Member, MembershipEvent, MemberStatus
from members.services import card_number_is_well_formed, member_reject

from ..members.factories import make_member
from .support import error_attrs, ids, member_payload, member_state

LIST = reverse("v1:application-list")


def detail(member) -> str:
    return reverse("v1:application-detail", args=[member.pk])


def approve(member) -> str:
    return reverse("v1:application-approve", args=[member.pk])


def reject(member) -> str:
    return reverse("v1:application-reject", args=[member.pk])


def test_lists_pending_and_rejected_only(tree, people, api):
    pending = make_member(tree.union_a, active=False)
    rejected = make_member(tree.union_a, active=False)
    member_reject(member=rejected, by=people.officer_a, reason="非本单位职工")
    make_member(tree.union_a)  # active: a member, not an application
    make_member(tree.union_b, active=False)  # another town's
    client = api(people.town_a_staff)

    response = client.get(LIST)

    assert response.status_code == 200
    assert sorted(ids(response)) == sorted([pending.pk, rejected.pk])
    row = next(r for r in response.json()["results"] if r["id"] == rejected.pk)
    assert (row["status"], row["rejection_reason"]) == ("rejected", "非本单位职工")
    assert ids(client.get(LIST, {"status": "pending"})) == [pending.pk]
    assert client.get(LIST, {"status": "active"}).status_code == 400


@pytest.mark.parametrize(
    ("actor", "list_status", "listed", "read", "create"),
    [
        ("anonymous", 401, None, 401, 401),
        ("member_user", 403, None, 403, 403),
        ("town_b_staff", 200, False, 404, 403),
        ("auditor", 200, True, 200, 403),
        ("proxy_a", 200, False, 404, 201),  # sees only what they filed (issue 18.4)
        ("officer_a", 200, True, 200, 201),
        ("town_a_staff", 200, True, 200, 201),
    ],
)
def test_application_permission_matrix(tree, people, api, actor, list_status, listed, read, create):
    application = make_member(tree.union_a, active=False)
    client = api(None if actor == "anonymous" else getattr(people, actor))
    count = Member.objects.count()

    response = client.get(LIST)
    assert response.status_code == list_status
    if listed is not None:
        assert (application.pk in ids(response)) is listed
    assert client.get(detail(application)).status_code == read

    response = client.post(LIST, member_payload(tree.union_a))
    assert response.status_code == create
    assert Member.objects.count() == count + (1 if create == 201 else 0)


def test_filing_an_application_through_the_api(tree, people, api):
    response = api(people.proxy_a).post(LIST, member_payload(tree.branch_a, name="赵六"))

    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["status"], body["channel"], body["card_number"]) == (
        "赵六",
        "pending",
        "api",
        None,
    )
    member = Member.objects.get(pk=body["id"])
    assert (member.status, member.channel, member.filed_by, member.union_id) == (
        MemberStatus.PENDING, Channel.API, people.proxy_a, tree.branch_a.pk,
    )  # fmt: skip


def test_approve_gives_a_card_and_is_safe_twice(tree, people, api):
    application = make_member(tree.union_a, active=False)
    client = api(people.officer_a)

    first = client.post(approve(application), {"note": "资料齐全"})
    again = client.post(approve(application), {})

    assert (first.status_code, again.status_code) == (200, 200)
    assert first.json()["status"] == "active"
    assert card_number_is_well_formed(first.json()["card_number"])
    assert again.json()["card_number"] == first.json()["card_number"]
    events = application.events.filter(kind=MembershipEvent.Kind.APPROVED)
    assert list(events.values_list("by__username", "note")) == [("officer_a", "资料齐全")]


def test_reject_needs_a_reason(tree, people, api):
    application = make_member(tree.union_a, active=False)
    before = member_state(application)
    client = api(people.officer_a)

    missing = client.post(reject(application), {})
    blank = client.post(reject(application), {"reason": "   "})

    assert (missing.status_code, blank.status_code) == (400, 400)
    assert missing.json() == {
        "type": "validation_error",
        "errors": [{"code": "required", "detail": missing.json()["errors"][0]["detail"], "attr": "reason"}],
    }
    assert error_attrs(blank) == [("reason", "required")]
    assert member_state(application) == before


def test_reject_with_a_reason(tree, people, api):
    application = make_member(tree.union_a, active=False)

    response = api(people.officer_a).post(reject(application), {"reason": "非本单位职工"})

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["rejection_reason"]) == ("rejected", "非本单位职工")
    application.refresh_from_db()
    assert (application.status, application.decided_by) == (MemberStatus.REJECTED, people.officer_a)


def test_a_decided_application_cannot_be_decided_otherwise(tree, people, api):
    member = make_member(tree.union_a)
    before = member_state(member)

    response = api(people.officer_a).post(reject(member), {"reason": "弄错了"})

    assert response.status_code == 400
    assert error_attrs(response) == [("non_field_errors", "not_pending")]
    assert member_state(member) == before


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        ("anonymous", 401),
        ("member_user", 403),
        ("proxy_a", 404),
        ("town_b_staff", 404),
        ("officer_b", 404),
    ],  # an agent sees only what they filed
)
def test_denied_decisions_change_nothing(tree, people, api, actor, status):
    application = make_member(tree.union_a, active=False)
    before = member_state(application)
    client = api(None if actor == "anonymous" else getattr(people, actor))

    assert client.post(approve(application), {}).status_code == status
    assert client.post(reject(application), {"reason": "x"}).status_code == status
    assert member_state(application) == before
