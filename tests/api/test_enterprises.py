"""``/api/v1/enterprises/``: list, read, create and change through ``clean_enterprise_input``; no delete."""

from __future__ import annotations

import random

import pytest
from django.urls import reverse

from members.fakes import fake_credit_code
from union_portal.organisations.models import Enterprise

from ..organisations.factories import make_enterprise
from .support import error_attrs, ids

LIST = reverse("v1:enterprise-list")
_rng = random.Random(2026)


def detail(enterprise) -> str:
    return reverse("v1:enterprise-detail", args=[enterprise.pk])


def payload(town, /, **overrides) -> dict:
    data = {
        "name": "白坭五金制品有限公司",
        "credit_code": fake_credit_code(_rng),
        "industry": "manufacturing",
        "ownership": "private",
        "town": town.pk,
        "headcount": 120,
        "address": "白坭镇工业大道3号",
        "is_active": True,
    }
    data.update(overrides)
    return data


def state(enterprise) -> tuple:
    row = Enterprise.objects.get(pk=enterprise.pk)
    return row.name, row.credit_code, row.town_id, row.headcount, row.history.count()


@pytest.mark.parametrize(
    ("actor", "list_status", "listed", "read", "create", "update"),
    [
        ("anonymous", 401, None, 401, 401, 401),
        ("member_user", 403, None, 403, 403, 403),
        ("town_b_staff", 200, False, 404, 403, 404),
        ("officer_a", 200, True, 200, 403, 403),  # sees its own enterprise, may not change it
        ("town_a_staff", 200, True, 200, 201, 200),
        ("district_staff", 200, True, 200, 201, 200),
    ],
)
def test_enterprise_permission_matrix(tree, people, api, actor, list_status, listed, read, create, update):
    enterprise = tree.union_a.enterprise
    client = api(None if actor == "anonymous" else getattr(people, actor))
    before, count = state(enterprise), Enterprise.objects.count()

    response = client.get(LIST)
    assert response.status_code == list_status
    if listed is not None:
        assert (enterprise.pk in ids(response)) is listed
    assert client.get(detail(enterprise)).status_code == read

    response = client.post(LIST, payload(tree.town_a))
    assert response.status_code == create
    assert Enterprise.objects.count() == count + (1 if create == 201 else 0)

    response = client.patch(detail(enterprise), {"headcount": 450})
    assert response.status_code == update
    if update == 200:
        assert Enterprise.objects.get(pk=enterprise.pk).headcount == 450
    else:
        assert state(enterprise) == before


def test_create_normalises_the_credit_code(tree, people, api):
    code = fake_credit_code(_rng)
    spaced = f"{code[:6].lower()} {code[6:12].lower()}-{code[12:]}"

    response = api(people.town_a_staff).post(LIST, payload(tree.town_a, credit_code=spaced))

    assert response.status_code == 201
    assert response.json()["credit_code"] == code
    assert Enterprise.objects.get(pk=response.json()["id"]).credit_code == code


@pytest.mark.parametrize(
    ("override", "errors", "status"),
    [
        ({"credit_code": "91440600MA4UKXXX0X"}, [("credit_code", "uscc_checksum")], 400),
        ({"credit_code": "123"}, [("credit_code", "uscc_length")], 400),
        ({"name": "  "}, [("name", "blank")], 400),
        ({"town": "union"}, [("town", "does_not_exist")], 400),  # enterprises sit in a town, not in a union
        ({"town": "other"}, [(None, "permission_denied")], 403),
        ({"headcount": -1}, [("headcount", "min_value")], 400),
    ],
)
def test_create_errors_change_nothing(tree, people, api, override, errors, status):
    if "town" in override:
        override = {**override, "town": {"union": tree.union_a.pk, "other": tree.town_b.pk}[override["town"]]}
    count = Enterprise.objects.count()

    response = api(people.town_a_staff).post(LIST, payload(tree.town_a, **override))

    assert response.status_code == status
    assert error_attrs(response) == errors
    assert Enterprise.objects.count() == count


def test_duplicate_credit_code_is_a_field_error(tree, people, api):
    existing = tree.union_b.enterprise

    response = api(people.district_staff).post(
        LIST, payload(tree.town_a, credit_code=existing.credit_code.lower())
    )

    assert response.status_code == 400
    assert error_attrs(response) == [("credit_code", "duplicate")]
    assert Enterprise.objects.filter(credit_code=existing.credit_code).count() == 1


def test_update_keeps_scope_and_uniqueness(tree, people, api):
    enterprise = make_enterprise(tree.town_a, name="乐平食品厂")
    other = tree.union_a.enterprise
    before = state(enterprise)
    client = api(people.town_a_staff)

    moved_away = client.patch(detail(enterprise), {"town": tree.town_b.pk})
    clash = client.patch(detail(enterprise), {"credit_code": other.credit_code})

    assert moved_away.status_code == 403
    assert (clash.status_code, error_attrs(clash)) == (400, [("credit_code", "duplicate")])
    assert state(enterprise) == before

    renamed = client.put(
        detail(enterprise), payload(tree.town_a, name="西南食品厂", credit_code=enterprise.credit_code)
    )
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "西南食品厂"
    assert Enterprise.objects.get(pk=enterprise.pk).name == "西南食品厂"


def test_enterprises_are_never_deleted(tree, people, api):
    enterprise = tree.union_a.enterprise

    response = api(people.district_staff).delete(detail(enterprise))

    assert response.status_code == 405
    assert Enterprise.objects.filter(pk=enterprise.pk).exists()


def test_filters(tree, people, api):
    food = make_enterprise(tree.town_b, name="乐平食品厂", industry="food", ownership="state")
    closed = make_enterprise(tree.town_a, name="旧厂", is_active=False)
    client = api(people.district_staff)

    def listed(**params):
        response = client.get(LIST, params)
        assert response.status_code == 200, response.json()
        return sorted(ids(response))

    assert listed(industry="food") == [food.pk]
    assert listed(ownership="state") == [food.pk]
    assert listed(is_active="false") == [closed.pk]
    assert listed(town=tree.town_b.pk) == sorted([food.pk, tree.union_b.enterprise_id])
    assert listed(within=tree.town_a.pk) == sorted([closed.pk, tree.union_a.enterprise_id])
    assert listed(within=tree.union_a.pk) == [tree.union_a.enterprise_id]  # through its union
    assert listed(q="食品") == [food.pk]
    assert listed(q=food.credit_code.lower()) == [food.pk]
    assert api(people.town_a_staff).get(LIST, {"within": tree.town_b.pk}).json()["results"] == []
