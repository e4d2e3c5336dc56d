"""Figures of membership (``members/figures.py``) against a hand-counted district.

Members are made through the services and then given the join dates of the story (the services
date a membership today, and the periods below are in the past).

    三水区总工会
    ├── 西南街道总工会 (town A): 健力宝 union A (400 workers), its branch A; 无工会企业 (200, no union)
    └── 乐平镇总工会 (town B): 新明珠 union B (300 workers), established 2026-02-15

    union A   3 joined 2025-03-10 (one a migrant worker); 1 joined 2024-06-01, withdrew 2025-06-30
    branch A  1 joined 2025-12-20, a migrant worker
    union B   2 joined 2026-01-05, one lapsed 2026-02-01; 1 still pending
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from members import services
from members.models import Member
from union_portal.core.figures import Period, all_figures, figure
from union_portal.organisations.models import Organisation

from ..members.factories import make_member
from ..organisations.factories import make_enterprise

Q1_2026 = Period.quarter(2026, 1)
JAN_2026 = Period.month(2026, 1)
YEAR_2025 = Period.year(2025)


def joined(member: Member, on: dt.date) -> Member:
    Member.objects.filter(pk=member.pk).update(join_date=on)
    return member


@pytest.fixture
def district(tree, people):
    staff = people.district_staff
    make_enterprise(tree.town_a, name="无工会企业", headcount=200)
    Organisation.objects.filter(pk=tree.union_b.pk).update(established_on=dt.date(2026, 2, 15))
    for index in range(3):
        joined(make_member(tree.union_a, is_migrant_worker=index == 0), dt.date(2025, 3, 10))
    left = joined(make_member(tree.union_a), dt.date(2024, 6, 1))
    services.member_end(member=left, status="withdrawn", by=staff, reason="离职", on=dt.date(2025, 6, 30))
    joined(make_member(tree.branch_a, is_migrant_worker=True), dt.date(2025, 12, 20))
    b1 = joined(make_member(tree.union_b), dt.date(2026, 1, 5))
    joined(make_member(tree.union_b), dt.date(2026, 1, 5))
    services.member_end(member=b1, status="lapsed", by=staff, reason="停缴会费", on=dt.date(2026, 2, 1))
    make_member(tree.union_b, active=False)  # pending: never counted
    return tree


def value(key, scope, period):
    return figure(key).value(scope=scope, period=period)


def by_child(key, scope, period):
    return figure(key).value_by_child(scope=scope, period=period)


def test_members_at_the_end_of_a_period(district):
    t = district
    assert value("members.members", t.district, Q1_2026) == 5  # 3 + 1 in town A, 2 - 1 lapsed in town B
    assert value("members.members", t.district, JAN_2026) == 6  # the lapse came in February
    assert value("members.members", t.district, YEAR_2025) == 4  # the 2024 member withdrew in June 2025
    assert value("members.members", t.district, Period.year(2024)) == 1
    assert by_child("members.members", t.district, Q1_2026) == {t.town_a.path: 4, t.town_b.path: 1}
    # split below a town: by its unions (the branch counts in its union)
    assert by_child("members.members", t.town_a, Q1_2026) == {t.union_a.path: 4}
    assert value("members.members", t.union_a, Q1_2026) == 4
    assert value("members.members", t.town_b, Q1_2026) == 1


def test_new_members_and_those_who_left(district):
    t = district
    assert value("members.new_members", t.district, Q1_2026) == 2
    assert value("members.new_members", t.district, YEAR_2025) == 4
    assert value("members.new_members", t.district, Q1_2026.previous()) == 1  # Q4 2025: the branch's member
    assert by_child("members.new_members", t.district, YEAR_2025) == {t.town_a.path: 4}
    assert value("members.members_left_by_reason", t.district, Q1_2026) == {
        "lapsed": 1,
        "withdrawn": 0,
        "deceased": 0,
    }
    assert value("members.members_left_by_reason", t.district, YEAR_2025)["withdrawn"] == 1
    assert value("members.new_members_by_channel", t.district, YEAR_2025) == {
        "portal": 0,
        "officer": 4,
        "proxy": 0,
        "import": 0,
        "api": 0,
    }
    months = value("members.new_members_by_month", t.district, YEAR_2025)
    assert list(months) == [f"2025-{m:02d}" for m in range(1, 13)]
    assert (months["2025-03"], months["2025-12"], sum(months.values())) == (3, 1, 4)


def test_migrant_workers(district):
    t = district
    assert value("members.migrant_workers", t.district, Q1_2026) == 2
    assert value("members.new_migrant_workers", t.district, YEAR_2025) == 2
    assert value("members.new_migrant_workers", t.district, Q1_2026) == 0
    assert by_child("members.migrant_workers", t.district, Q1_2026) == {t.town_a.path: 2}


def test_coverage_at_the_end_of_a_period(district):
    t = district
    # three enterprises; union B was established on 15 February 2026
    assert value("members.enterprises", t.district, Q1_2026) == 3
    assert value("members.unionised_enterprises", t.district, Q1_2026) == 2
    assert value("members.unionised_enterprises", t.district, JAN_2026) == 1
    assert value("members.union_rate", t.district, Q1_2026) == round(2 / 3, 4)
    assert value("members.union_rate", t.district, JAN_2026) == round(1 / 3, 4)
    assert value("members.headcount", t.district, Q1_2026) == 900
    assert value("members.membership_rate", t.district, Q1_2026) == round(5 / 900, 4)
    # per town: town A counts its two enterprises (one in union A, one at the town itself)
    assert by_child("members.union_rate", t.district, Q1_2026) == {t.town_a.path: 0.5, t.town_b.path: 1.0}
    assert by_child("members.headcount", t.district, Q1_2026) == {t.town_a.path: 600, t.town_b.path: 300}
    assert by_child("members.membership_rate", t.district, Q1_2026) == {
        t.town_a.path: round(4 / 600, 4),
        t.town_b.path: round(1 / 300, 4),
    }
    # below town A: the enterprise without a union is held by the town itself
    assert by_child("members.enterprises", t.town_a, Q1_2026) == {t.union_a.path: 1, t.town_a.path: 1}


def test_a_node_with_nothing_has_zeros_and_no_rates(tree):
    group = Organisation.objects.get(pk=tree.branch_a.pk)
    period = Period.year(2026)
    assert value("members.members", group, period) == 0
    assert value("members.union_rate", group, period) is None
    assert value("members.membership_rate", group, period) is None
    assert by_child("members.membership_rate", group, period) == {}


def test_every_member_figure_is_one_query_whatever_the_size(district):
    members_figures = [f for f in all_figures() if f.app == "members"]
    assert len(members_figures) == 12
    for candidate in members_figures:
        with CaptureQueriesContext(connection) as whole:
            candidate.value(scope=district.district, period=Q1_2026)
        assert len(whole) == 1, candidate.key
        if candidate.by_child:
            with CaptureQueriesContext(connection) as split:
                candidate.value_by_child(scope=district.district, period=Q1_2026)
            assert len(split) == 1, candidate.key


def test_the_coverage_of_the_admin_and_the_api_is_the_registrys(district, people, client):
    from members.selectors import coverage

    today = timezone.localdate()
    figures = coverage(organisation=district.district)
    period = Period(today, today)
    assert (
        (figures.enterprises, figures.unionised_enterprises, figures.headcount, figures.members)
        == (
            value("members.enterprises", district.district, period),
            value("members.unionised_enterprises", district.district, period),
            value("members.headcount", district.district, period),
            value("members.members", district.district, period),
        )
        == (3, 2, 900, 5)
    )
