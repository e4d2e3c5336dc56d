"""Members made the way the application makes them (apply, then approve), and their data."""

from __future__ import annotations

import itertools
import random

from members import services
from members.fakes import fake_name, unique_id_numbers
from members.models import Channel, Member
from union_portal.accounts.models import User
from union_portal.organisations.models import Organisation

from ..accounts.factories import system_user

_ids = unique_id_numbers(10_000_000, seed=99)
_rng = random.Random(13)
_mobiles = itertools.count(13800000000)


def next_id_number() -> str:
    return next(_ids)


def wrong_check_digit(id_number: str) -> str:
    """The same ID number with a check digit that is certainly wrong (replacing it with a fixed digit
    is right one time in eleven)."""
    return id_number[:17] + ("1" if id_number[17] != "1" else "2")


def next_mobile() -> str:
    return str(next(_mobiles))


def member_data(union: Organisation, **overrides) -> dict:
    data = {
        "name": fake_name(_rng),
        "id_number": next_id_number(),
        "mobile": next_mobile(),
        "union": union,
        "employer": union.enterprise,
        "household_type": "local",
        "job": "操作工",
        "skill_grade": "",
    }
    data.update(overrides)
    return data


def make_member(union: Organisation, *, active: bool = True, user: User | None = None, **overrides) -> Member:
    """A member made the way the application makes them (apply, then approve)."""
    admin = system_user()
    member = services.member_apply(data=member_data(union, **overrides), by=admin, channel=Channel.OFFICER)
    if user is not None:
        Member.objects.filter(pk=member.pk).update(user=user)
        member.user = user
    if active:
        member = services.member_approve(member=member, by=admin)
    return member
