"""Contest and honour fixtures: members of both towns, an open contest of the district, judges."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from union_portal.notifications import backends

from ..members.factories import make_member
from .factories import make_contest, make_judge


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    backends.outbox.clear()
    yield
    backends.outbox.clear()


@dataclass
class Scene:
    contest: object
    member: object  # union A, with the member login of ``people``
    others: list  # more members of union A (enterprise A)
    member_b: object  # union B (enterprise B)


@pytest.fixture
def scene(tree, people) -> Scene:
    staff = people.district_staff
    member = make_member(tree.union_a, user=people.member_user, name="陈晓明")
    others = [make_member(tree.union_a, name=f"健力宝员工{i}") for i in range(4)]
    member_b = make_member(tree.union_b, name="李四")
    return Scene(make_contest(tree.district, staff), member, others, member_b)


@pytest.fixture
def judges(tree, people):
    """Five judges: the first works at enterprise A, the others at no enterprise of the district."""
    staff = people.district_staff
    return [make_judge(tree.district, staff, enterprise=tree.union_a.enterprise, name="健力宝裁判")] + [
        make_judge(tree.district, staff, name=f"裁判{i}") for i in range(4)
    ]
