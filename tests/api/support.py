"""Helpers of the API tests."""

from __future__ import annotations

from members.models import Member, MembershipEvent


def error_attrs(response) -> list[tuple[str | None, str]]:
    """``[(attr, code), ...]`` of a standardized error response."""
    return [(error["attr"], error["code"]) for error in response.json()["errors"]]


def ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


def member_state(member: Member) -> tuple:
    """Everything a write could change about a member, to show that a denied write changed nothing."""
    row = Member.objects.get(pk=member.pk)
    return (
        row.name, row.mobile, row.id_number, row.union_id, row.employer_id, row.job, row.status,
        row.card_number, row.ended_on, row.rejection_reason, row.updated_at,
        MembershipEvent.objects.filter(member=row).count(), row.history.count(),
    )  # fmt: skip


def member_payload(union, /, **overrides) -> dict:
    """What a partner posts for a new member of ``union``."""
    from tests.members.factories import member_data

    data = member_data(union)
    payload = {
        "name": data["name"],
        "id_number": data["id_number"],
        "mobile": data["mobile"],
        "union": union.pk,
        "employer": union.enterprise_id,
        "household_type": "local",
        "job": data["job"],
        "skill_grade": "",
    }
    payload.update(overrides)
    return payload
