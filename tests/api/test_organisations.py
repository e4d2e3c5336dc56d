"""``/api/v1/organisations/``: the tree below the caller's node, read-only, with coverage figures."""

from __future__ import annotations

import pytest
from django.urls import reverse

from members.selectors import coverage
from union_portal.organisations.models import Organisation

from ..members.factories import make_member
from ..organisations.factories import make_enterprise, make_union
from .support import ids

LIST = reverse("v1:organisation-list")


def detail(org) -> str:
    return reverse("v1:organisation-detail", args=[org.pk])


def coverage_url(org) -> str:
    return reverse("v1:organisation-coverage", args=[org.pk])


def test_town_staff_see_their_subtree_with_parents_and_depth(tree, people, api):
    response = api(people.town_a_staff).get(LIST)

    assert response.status_code == 200
    assert response.json()["results"] == [
        {"id": tree.town_a.pk, "name": "西南街道总工会", "kind": "town", "parent": tree.district.pk, "depth": 2,
         "enterprise": None, "is_active": True},
        {"id": tree.union_a.pk, "name": "健力宝集团工会委员会", "kind": "grassroots", "parent": tree.town_a.pk,
         "depth": 3, "enterprise": tree.union_a.enterprise_id, "is_active": True},
        {"id": tree.branch_a.pk, "name": "灌装车间分会", "kind": "branch", "parent": tree.union_a.pk, "depth": 4,
         "enterprise": None, "is_active": True},
    ]  # fmt: skip
    root = api(people.district_staff).get(detail(tree.district)).json()
    assert (root["parent"], root["depth"]) == (None, 1)


@pytest.mark.parametrize(
    ("actor", "list_status", "read"),
    [
        ("anonymous", 401, 401),
        ("member_user", 403, 403),
        ("town_b_staff", 200, 404),
        ("town_a_staff", 200, 200),
    ],
)
def test_organisation_permission_matrix(tree, people, api, actor, list_status, read):
    client = api(None if actor == "anonymous" else getattr(people, actor))

    response = client.get(LIST)
    assert response.status_code == list_status
    if list_status == 200:
        assert (tree.union_a.pk in ids(response)) is (read == 200)
    assert client.get(detail(tree.union_a)).status_code == read
    assert client.get(coverage_url(tree.union_a)).status_code == read


def test_the_tree_is_read_only(tree, people, api):
    client = api(people.district_staff)
    count = Organisation.objects.count()

    assert client.post(LIST, {"name": "云东海街道总工会", "kind": "town"}).status_code == 405
    assert client.patch(detail(tree.town_a), {"name": "改名"}).status_code == 405
    assert client.delete(detail(tree.branch_a)).status_code == 405
    assert Organisation.objects.count() == count
    assert Organisation.objects.get(pk=tree.town_a.pk).name == "西南街道总工会"


def test_filters(tree, people, api):
    closed = make_union(tree.town_b, "已撤销工会")
    Organisation.objects.filter(pk=closed.pk).update(is_active=False)
    client = api(people.district_staff)

    def listed(**params):
        response = client.get(LIST, params)
        assert response.status_code == 200, response.json()
        return ids(response)

    assert listed(kind="town") == [tree.town_a.pk, tree.town_b.pk]
    assert listed(within=tree.union_a.pk) == [tree.union_a.pk, tree.branch_a.pk]
    assert listed(within=tree.town_b.pk, is_active="true") == [tree.town_b.pk, tree.union_b.pk]
    assert listed(is_active="false") == [closed.pk]
    assert listed(kind="branch", within=tree.town_b.pk) == []
    # a node outside the caller's scope lists nothing, as an unknown one does
    assert ids(api(people.town_a_staff).get(LIST, {"within": tree.town_b.pk})) == []
    assert ids(api(people.town_a_staff).get(LIST, {"within": 999999})) == []


def test_coverage_figures(tree, people, api):
    make_enterprise(tree.town_a, name="无工会企业", headcount=100)  # not unionised
    for _ in range(3):
        make_member(tree.union_a)
    make_member(tree.branch_a, active=False)  # pending: not counted

    response = api(people.town_a_staff).get(coverage_url(tree.town_a))

    assert response.status_code == 200
    assert response.json() == {
        "enterprises": 2,
        "unionised_enterprises": 1,
        "union_rate": 0.5,
        "headcount": 500,
        "members": 3,
        "membership_rate": 3 / 500,
    }
    figures = coverage(organisation=tree.town_a)
    assert (figures.enterprises, figures.members) == (2, 3)


def test_coverage_of_an_empty_node_has_no_rates(tree, people, api):
    group = make_union(tree.branch_a, "灌装一组", kind="group")

    body = api(people.officer_a).get(coverage_url(group)).json()

    assert body == {
        "enterprises": 0,
        "unionised_enterprises": 0,
        "union_rate": None,
        "headcount": 0,
        "members": 0,
        "membership_rate": None,
    }
