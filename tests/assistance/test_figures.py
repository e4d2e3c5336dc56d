"""Figures of hardship aid (``assistance/figures.py``) against a hand-counted story across a year end.

Everything is made through the services; dates of the story are then set on the rows (the services
date a step today). Member A is of union A (town A), member B of union B (town B), member C of
branch A (town A).

    file A   opened 2025-01-10, out of hardship 2026-01-20      visits 2025-12-25 (twice)
    file B   opened 2025-06-01, still open                      visit  2026-01-02
    file C   opened 2026-02-10, still open
    A  festival 1000   submitted 2025-12-10, paid 2025-12-20
    B  education 3000  submitted 2026-01-08, paid 2026-01-15
    A  relief          submitted 2026-02-01, rejected
    C  festival        submitted 2026-01-03, waiting
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assistance import services
from assistance.models import AidApplication, HardshipFile
from union_portal.core.figures import Period, all_figures, figure

from ..members.factories import make_member
from .factories import make_campaign, make_file, submit_festival

Q4_2025 = Period.quarter(2025, 4)
Q1_2026 = Period.quarter(2026, 1)


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


def submitted(application: AidApplication, on: dt.date) -> AidApplication:
    AidApplication.objects.filter(pk=application.pk).update(submitted_at=at(on))
    return application


def opened(file: HardshipFile, on: dt.date) -> HardshipFile:
    HardshipFile.objects.filter(pk=file.pk).update(opened_on=on)
    file.refresh_from_db()
    return file


@pytest.fixture
def story(tree, people, aid):
    staff = people.district_staff
    file_a = opened(aid.file, dt.date(2025, 1, 10))
    file_b = opened(HardshipFile.objects.get(member=aid.other_member), dt.date(2025, 6, 1))
    member_c = make_member(tree.branch_a)
    file_c = opened(make_file(member_c, staff), dt.date(2026, 2, 10))

    festival = submitted(submit_festival(aid), dt.date(2025, 12, 10))
    services.application_check(application=festival, by=people.officer_a)
    services.application_approve(application=festival, by=staff)
    services.application_pay(application=festival, by=staff, method="cash", paid_on=dt.date(2025, 12, 20))

    education = make_campaign(tree.district, staff, kind="education", standard="3000")
    student = services.application_submit(
        member=aid.other_member, by=aid.other_user, kind="education",
        data={"reason": "考上大学", "campaign": education, "student_name": "李小华", "university": "中山大学",
              "admission_year": 2026, "payee_bank": "工商银行", "payee_account": "6222020000000001"},
    )  # fmt: skip
    submitted(student, dt.date(2026, 1, 8))
    services.application_check(application=student, by=people.officer_b)
    services.application_approve(application=student, by=staff)
    services.application_pay(
        application=student, by=staff, method="bank", reference="R1", paid_on=dt.date(2026, 1, 15)
    )

    relief = services.application_submit(
        member=aid.member,
        by=aid.member_user,
        kind="relief",
        data={"reason": "失火", "amount_requested": "800"},
    )
    submitted(relief, dt.date(2026, 2, 1))
    services.application_reject(application=relief, by=people.officer_a, reason="材料不全")
    submitted(submit_festival(aid, member=member_c, by=people.officer_a), dt.date(2026, 1, 3))

    services.hardship_file_exit(file=file_a, by=staff, reason="就业", on=dt.date(2026, 1, 20))
    for day in (dt.date(2025, 12, 25), dt.date(2025, 12, 25)):
        services.visit_record(file=file_a, by=staff, visited_on=day, visitors="区总工会")
    services.visit_record(file=file_b, by=staff, visited_on=dt.date(2026, 1, 2), visitors="乐平镇总工会")
    return tree, file_c


def value(key, scope, period):
    return figure(key).value(scope=scope, period=period)


def by_child(key, scope, period):
    return figure(key).value_by_child(scope=scope, period=period)


def test_applications_received(story):
    tree, _file_c = story
    assert value("aid.applications", tree.district, Q4_2025) == 1
    assert value("aid.applications", tree.district, Q1_2026) == 3
    assert by_child("aid.applications", tree.district, Q1_2026) == {tree.town_a.path: 2, tree.town_b.path: 1}
    kinds = value("aid.applications_by_kind", tree.district, Q1_2026)
    assert kinds == {
        "festival": 1,
        "education": 1,
        "medical": 0,
        "mutual_aid": 0,
        "employment": 0,
        "relief": 1,
    }
    states = value("aid.applications_by_state", tree.district, Q1_2026)
    assert {k: v for k, v in states.items() if v} == {"submitted": 1, "paid": 1, "rejected": 1}


def test_money_paid_households_and_students(story):
    tree, _file_c = story
    assert value("aid.money_paid", tree.district, Q4_2025) == Decimal("1000.00")
    assert value("aid.money_paid", tree.district, Q1_2026) == Decimal("3000.00")
    assert value("aid.money_paid", tree.district, Period.year(2024)) == Decimal("0.00")
    assert by_child("aid.money_paid", tree.district, Q1_2026) == {tree.town_b.path: Decimal("3000.00")}
    assert value("aid.money_by_kind", tree.district, Q1_2026)["education"] == Decimal("3000.00")
    assert sum(value("aid.money_by_kind", tree.district, Q1_2026).values()) == Decimal("3000.00")
    months = value("aid.money_by_month", tree.district, Period(dt.date(2025, 11, 1), dt.date(2026, 2, 28)))
    assert months == {
        "2025-11": Decimal("0.00"),
        "2025-12": Decimal("1000.00"),
        "2026-01": Decimal("3000.00"),
        "2026-02": Decimal("0.00"),
    }
    assert (
        value("aid.households_helped", tree.district, Period(dt.date(2025, 12, 1), dt.date(2026, 1, 31))) == 2
    )
    assert value("aid.students_helped", tree.district, Q1_2026) == 1
    assert value("aid.students_helped", tree.town_a, Q1_2026) == 0


def test_files_and_the_exit_rate_across_the_year_end(story):
    tree, _file_c = story
    assert value("aid.files_open", tree.district, Q4_2025) == 2
    assert value("aid.files_exited", tree.district, Q4_2025) == 0
    assert value("aid.exit_rate", tree.district, Q4_2025) == 0.0
    assert value("aid.files_open", tree.district, Q1_2026) == 3
    assert value("aid.files_exited", tree.district, Q1_2026) == 1
    assert value("aid.exit_rate", tree.district, Q1_2026) == round(1 / 3, 4)
    # the period before Q1 2026 is Q4 2025; the same period a year earlier is Q1 2025 (file A only)
    assert Q1_2026.previous() == Q4_2025
    assert value("aid.files_open", tree.district, Q1_2026.shifted_years(-1)) == 1
    assert by_child("aid.exit_rate", tree.district, Q1_2026) == {tree.town_a.path: 0.5, tree.town_b.path: 0.0}
    assert value("aid.active_files_by_level", tree.district, Q1_2026)["severe"] == 2
    assert value("aid.active_files_by_level", tree.district, Q4_2025)["severe"] == 2
    assert value("aid.exit_rate", tree.district, Period.year(2024)) is None


def test_households_visited(story):
    tree, _file_c = story
    assert value("aid.households_visited", tree.district, Q4_2025) == 1  # two visits, one household
    assert value("aid.households_visited", tree.district, Q1_2026) == 1
    assert by_child("aid.households_visited", tree.district, Q1_2026) == {tree.town_b.path: 1}


def test_every_aid_figure_is_one_query(story):
    tree, _file_c = story
    aid_figures = [f for f in all_figures() if f.app == "assistance"]
    assert len(aid_figures) == 13
    for candidate in aid_figures:
        assert candidate.permission == "assistance.view_aid_figures"
        with CaptureQueriesContext(connection) as whole:
            candidate.value(scope=tree.district, period=Q1_2026)
        assert len(whole) == 1, candidate.key
        if candidate.by_child:
            with CaptureQueriesContext(connection) as split:
                candidate.value_by_child(scope=tree.district, period=Q1_2026)
            assert len(split) == 1, candidate.key


def test_the_api_gives_the_registrys_numbers(story, people):
    from django.urls import reverse
    from rest_framework.test import APIClient

    tree, _file_c = story
    api = APIClient()
    api.force_authenticate(people.district_staff)
    body = api.get(reverse("v1:aid-figures"), {"date_from": "2026-01-01", "date_to": "2026-03-31"}).json()
    assert body["money_total"] == str(value("aid.money_paid", tree.district, Q1_2026)) == "3000.00"
    assert body["households_helped"] == value("aid.households_helped", tree.district, Q1_2026) == 1
    assert body["files_open"] == value("aid.files_open", tree.district, Q1_2026) == 3
    assert body["exit_rate"] == value("aid.exit_rate", tree.district, Q1_2026)
    assert body["money_by_town"] == {"乐平镇总工会": "3000.00"}
