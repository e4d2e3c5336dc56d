"""Generic per-model tests (NetBox's style): every role that MAY do something gets to do it.

The scope walk (``test_scope_walk.py``) proves that the roles who may not reach town B's records are
refused. This is its other half. For every domain model that has a victim in ``rules.VICTIMS`` (town
B's record, declared once per model by its app's ``scope_rules.py``) and an admin or an API viewset,
and for every staff role that sees town B, it checks that the role can do what its permissions
(``<app>/roles.py``, merged by ``role_permissions``) say, no less and no more:

- admin: the list opens (and holds the victim) with the view or change permission, the record's page
  opens and is editable with the change permission, the add page opens with the add permission;
- API: the list holds the victim and the record reads with the view permission.

A new model needs no line here: its victim (which the walk needs anyway) brings it in. Where an
admin answers by a rule of its own on purpose (records changed only through their steps), one line
in ``rules.ADMIN_OWN_RULES`` says so and why; a route whose record is not the model's victim names
it in ``rules.API_VICTIMS``.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from rest_framework.test import APIClient

from union_portal.accounts.roles import role_permissions

from . import rules
from .test_scope_walk import _api_routes, _fill
from .world import user_for

#: Roles that see town B (its staff, the district's staff and auditor), with the role they hold.
SEEING_ROLES = {"district_staff": "district_staff", "town_b_staff": "town_staff", "auditor": "auditor"}


def _may(role: str, model, action: str) -> bool:
    perms = set(role_permissions()[role])
    label = f"{model._meta.app_label}.%s_{model._meta.model_name}"
    if action == "view":  # the admin lets a change permission view, as Django does
        return bool({label % "view", label % "change"} & perms)
    return label % action in perms


def _admin_models():
    return [model for model in rules.VICTIMS if model in admin.site._registry]


def _editable(response) -> bool:
    """The admin's own answer for this record (``has_change_permission(request, obj)``)."""
    return bool(response.context.get("has_change_permission"))


@pytest.mark.parametrize("role", sorted(SEEING_ROLES))
def test_admin_allows_what_the_role_may(world, role):
    wrong = admin_refusals(world, role)
    assert wrong == [], "\n".join(wrong)


def admin_refusals(world, role) -> list[str]:
    """What the admin does not allow (or allows beyond) the role's permissions, model by model."""
    client = Client()
    client.force_login(user_for(world, role))
    held = SEEING_ROLES[role]
    wrong = []
    for model in _admin_models():
        victim = rules.VICTIMS[model](world)
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        own = rules.ADMIN_OWN_RULES.get(model._meta.label, {})

        may_view = _may(held, model, "view")
        response = client.get(base)
        if may_view:
            if response.status_code != 200:
                wrong.append(f"{model._meta.label}: list {response.status_code}, but {held} may view")
            elif victim.pk not in set(response.context["cl"].root_queryset.values_list("pk", flat=True)):
                wrong.append(f"{model._meta.label}: list does not hold town B's record")
        elif response.status_code == 200:
            wrong.append(f"{model._meta.label}: list opens, but {held} may not view")

        response = client.get(f"{base}{victim.pk}/change/")
        if may_view and response.status_code != 200:
            wrong.append(f"{model._meta.label}: record {response.status_code}, but {held} may view")
        elif not may_view and response.status_code == 200:
            wrong.append(f"{model._meta.label}: record opens, but {held} may not view")
        elif may_view and "change" not in own and _editable(response) != _may(held, model, "change"):
            wrong.append(
                f"{model._meta.label}: record editable={_editable(response)}, "
                f"but may change={_may(held, model, 'change')}"
            )

        if "add" not in own:
            status = client.get(f"{base}add/").status_code
            if _may(held, model, "add") != (status == 200):
                wrong.append(
                    f"{model._meta.label}: add page {status}, but may add={_may(held, model, 'add')}"
                )
    return wrong


def test_every_admin_rule_of_its_own_names_an_admin_model_with_a_victim():
    labels = {model._meta.label for model in _admin_models()}
    assert set(rules.ADMIN_OWN_RULES) - labels == set()
    assert all(set(own) <= {"add", "change"} and all(own.values()) for own in rules.ADMIN_OWN_RULES.values())


@pytest.mark.parametrize("role", sorted(SEEING_ROLES))
def test_api_allows_what_the_role_may(world, role):
    wrong, checked = api_refusals(world, role)
    assert wrong == [], "\n".join(wrong)
    assert checked >= 5, "too few API routes checked: the test would prove little"


def api_refusals(world, role) -> tuple[list[str], int]:
    """What the API's lists and records do not show (or show beyond) the role's permissions."""
    client = APIClient()
    client.force_authenticate(user_for(world, role))
    held = SEEING_ROLES[role]
    wrong, checked = [], 0
    for api_route in _api_routes():
        if "get" not in api_route.methods or api_route.model not in rules.VICTIMS:
            continue
        if not api_route.name.endswith(("-list", "-detail")):
            continue  # an action's GET (a sub-list, a figure) has its own tests
        model = api_route.model
        basename = api_route.name.removeprefix("v1:").rsplit("-", 1)[0]
        victim = rules.API_VICTIMS.get(basename, rules.VICTIMS[model])(world)
        url = "/api/v1/" + _fill(api_route.route, {"pk": victim.pk})
        response = client.get(url)
        if not _may(held, model, "view"):
            if response.status_code == 200 and api_route.detail:
                wrong.append(f"GET {url}: 200, but {held} may not view {model._meta.label}")
            continue
        checked += 1
        if response.status_code != 200:
            wrong.append(f"GET {url}: {response.status_code}, but {held} may view {model._meta.label}")
        elif api_route.detail:
            if response.json().get("id") != victim.pk:
                wrong.append(f"GET {url}: another record")
        elif victim.pk not in {row.get("id") for row in response.json().get("results", [])}:
            wrong.append(f"GET {url}: town B's record is not listed")
    return wrong, checked


def test_the_generic_tests_fail_when_an_admin_refuses_an_allowed_role(world, monkeypatch):
    """A mutation test: an admin that forgets to let town staff add, or hides town B's record from its
    list, is caught (so the generic tests can fail at all)."""
    from members.models import BenefitMerchant

    merchant_admin = admin.site._registry[BenefitMerchant]
    monkeypatch.setattr(type(merchant_admin), "has_add_permission", lambda self, request, obj=None: False)
    monkeypatch.setattr(
        type(merchant_admin), "get_queryset", lambda self, request: BenefitMerchant.objects.none()
    )

    wrong = admin_refusals(world, "district_staff")

    assert "members.BenefitMerchant: list does not hold town B's record" in wrong
    assert "members.BenefitMerchant: add page 403, but may add=True" in wrong


def test_the_generic_tests_fail_when_the_api_hides_a_record_or_shows_one_without_permission(
    world, monkeypatch
):
    """A mutation test: the members API losing town B's member, and the quiz attempts shown to a role
    without the view permission (as they were before this test existed), are both caught."""
    from competitions.quiz.api import AttemptViewSet
    from competitions.quiz.models import Attempt
    from members.api import MemberViewSet

    original = MemberViewSet.get_queryset
    monkeypatch.setattr(
        MemberViewSet, "get_queryset", lambda self: original(self).exclude(pk=world.victim_member.pk)
    )
    monkeypatch.setattr(
        AttemptViewSet, "get_queryset", lambda self: Attempt.objects.visible_to(self.request.user)
    )

    wrong, _checked = api_refusals(world, "auditor")

    assert any(line.startswith("GET /api/v1/members/") for line in wrong), wrong
    assert any("auditor may not view quiz.Attempt" in line for line in wrong), wrong
