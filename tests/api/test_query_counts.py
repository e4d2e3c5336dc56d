"""Every list endpoint costs the same number of queries for 10 rows as for 100 (no query per row)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import Member

from ..members.factories import make_member
from ..organisations.factories import make_enterprise, make_union


def add_unions(tree, n):
    for _ in range(n):
        make_union(tree.town_a)


def add_enterprises(tree, n):
    for _ in range(n):
        make_enterprise(tree.town_a)


def add_members(tree, n):
    for i in range(n):
        member = make_member(
            tree.branch_a if i % 3 else tree.union_a, name="王" + "伟芳娜敏静丽强磊军洋"[i % 10]
        )
        if i % 4 == 0:  # some without an employer: the null path renders too
            Member.objects.filter(pk=member.pk).update(employer=None)


def add_applications(tree, n):
    for i in range(n):
        make_member(tree.union_a if i % 2 else tree.branch_a, active=False)


CASES = {
    "organisations": ("v1:organisation-list", add_unions, {}),
    "organisations, filtered": (
        "v1:organisation-list",
        add_unions,
        {"within": "town_a", "kind": "grassroots"},
    ),
    "enterprises": ("v1:enterprise-list", add_enterprises, {}),
    "enterprises, filtered": (
        "v1:enterprise-list",
        add_enterprises,
        {"within": "town_a", "ordering": "name"},
    ),
    "members": ("v1:member-list", add_members, {}),
    "members, filtered": (
        "v1:member-list",
        add_members,
        {"within": "union_a", "q": "wang", "ordering": "name"},
    ),
    "applications": ("v1:application-list", add_applications, {}),
    "applications, filtered": (
        "v1:application-list",
        add_applications,
        {"within": "town_a", "status": "pending"},
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_list_query_count_does_not_grow_with_the_page(tree, people, api, case):
    url_name, add_rows, params = CASES[case]
    params = {key: getattr(tree, value, value) for key, value in params.items()}
    params = {key: getattr(value, "pk", value) for key, value in params.items()} | {"page_size": 200}
    client = api(people.district_staff)

    def measure(expected_rows):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(url_name), params)
        assert response.status_code == 200, response.json()
        assert len(response.json()["results"]) >= expected_rows
        return len(queries)

    add_rows(tree, 10)
    at_10 = measure(10)
    add_rows(tree, 90)
    at_100 = measure(100)

    assert at_10 == at_100
    # session, user, scope node, 2 for permissions, (the ``within`` node), count, page, session save (3)
    assert at_100 <= 12
