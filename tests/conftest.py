"""Shared fixtures: a small district with two towns, and a user of every role.

三水区总工会 (district)
├── 西南街道总工会 (town A) ── 健力宝工会 (union A, enterprise A) ── 灌装车间分会 (branch A)
└── 乐平镇总工会 (town B) ── 新明珠工会 (union B, enterprise B)
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from union_portal.accounts.roles import Role
from union_portal.organisations.models import Organisation, OrganisationKind
from union_portal.organisations.services import organisation_add

from .accounts.factories import make_user
from .organisations.factories import make_enterprise, make_union


@dataclass
class District:
    district: Organisation
    town_a: Organisation
    town_b: Organisation
    union_a: Organisation
    branch_a: Organisation
    union_b: Organisation


@pytest.fixture(autouse=True)
def _no_axes_lockouts(settings):
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def _key_check_settled(request):
    """The start-up key check (``union_portal.core.keycheck``) reads the database once per process:
    settle it before the test runs, so that it never counts among a test's queries."""
    from union_portal.core.keycheck import key_check

    if not request.node.get_closest_marker("django_db"):
        for name in ("db", "transactional_db"):
            if name in request.fixturenames:
                request.getfixturevalue(name)
                break
        else:
            return
    key_check()


@pytest.fixture(autouse=True)
def _english_unless_asked(settings):
    """Tests read messages in English, the msgids; tests of the Chinese default set
    ``settings.LANGUAGE_CODE = "zh-hans"`` themselves (tests/core/test_translations.py)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True, scope="session")
def _celery_in_process():
    """Unit tests run tasks in the test's own process and transaction; tests/integration/ starts real workers."""
    from union_portal.celery import app

    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture
def tree(db) -> District:
    district = organisation_add(parent=None, name="三水区总工会", kind=OrganisationKind.DISTRICT)
    town_a = organisation_add(parent=district, name="西南街道总工会", kind=OrganisationKind.TOWN)
    town_b = organisation_add(parent=district, name="乐平镇总工会", kind=OrganisationKind.TOWN)
    ent_a = make_enterprise(town_a, name="健力宝集团有限公司", headcount=400)
    ent_b = make_enterprise(town_b, name="新明珠陶瓷集团有限公司", headcount=300)
    union_a = make_union(town_a, "健力宝集团工会委员会", ent_a)
    branch_a = make_union(union_a, "灌装车间分会", kind=OrganisationKind.BRANCH)
    union_b = make_union(town_b, "新明珠陶瓷工会委员会", ent_b)
    return District(district, town_a, town_b, union_a, branch_a, union_b)


@dataclass
class People:
    district_staff: object
    town_a_staff: object
    town_b_staff: object
    officer_a: object
    officer_b: object
    proxy_a: object
    member_user: object
    auditor: object


@pytest.fixture
def people(tree) -> People:
    def refresh(org):
        return Organisation.objects.get(pk=org.pk)

    return People(
        district_staff=make_user(Role.DISTRICT_STAFF, refresh(tree.district), username="district"),
        town_a_staff=make_user(Role.TOWN_STAFF, refresh(tree.town_a), username="town_a"),
        town_b_staff=make_user(Role.TOWN_STAFF, refresh(tree.town_b), username="town_b"),
        officer_a=make_user(Role.UNION_OFFICER, refresh(tree.union_a), username="officer_a"),
        officer_b=make_user(Role.UNION_OFFICER, refresh(tree.union_b), username="officer_b"),
        proxy_a=make_user(Role.PROXY_AGENT, refresh(tree.town_a), username="proxy_a"),
        member_user=make_user(Role.MEMBER, None, username="member1", mobile="13900000001"),
        auditor=make_user(Role.AUDITOR, refresh(tree.district), username="auditor"),
    )
