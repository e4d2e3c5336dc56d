"""Figures of legal aid (``legal_aid/figures.py``) against a hand-counted January 2026.

consultations  town A: 2 on wages (10 Jan); town B: 1 on injury (15 Jan)
case 1 (town A)  mediated 20 Jan 2026, closed 25 Jan with 14,000 recovered
case 2 (town A)  mediation failed 22 Jan 2026
case 3 (town B)  mediated 28 Dec 2025, closed 5 Jan 2026 with 5,000 recovered
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from legal_aid import services
from legal_aid.models import CaseStep, Consultation, DisputeCase, Stage
from union_portal.core.figures import Period, figure

JAN_2026 = Period.month(2026, 1)
DEC_2025 = Period.month(2025, 12)


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


def _case(tree, people, legal, town, employer, end: str, on: dt.date, closed=None, recovered=None):
    staff = people.district_staff
    case = services.case_open(by=staff, data={
        "applicant_name": "张三", "applicant_mobile": "13712345678", "employer": employer,
        "claims": [{"type": "wages", "amount": "20000"}], "arose_on": on - dt.timedelta(days=30),
        "details": "拖欠工资", "organisation": town,
    })  # fmt: skip
    case = services.case_assign_lawyer(case=case, lawyer=legal.wang, by=staff)
    case = services.case_advance(case=case, to_stage=Stage.MEDIATION, by=legal.wang.user)
    case = services.case_advance(case=case, to_stage=end, by=legal.wang.user)
    CaseStep.objects.filter(case=case, to_stage=end).update(at=at(on))
    if closed:
        services.case_close(case=case, by=legal.wang.user, outcome="mediated", amount_recovered=recovered)
        DisputeCase.objects.filter(pk=case.pk).update(closed_at=at(closed))
    return case


@pytest.fixture
def january(tree, people, legal):
    for station, topic, day, n in ((legal.station_a, "wages", 10, 2), (legal.station_b, "injury", 15, 1)):
        for _ in range(n):
            c = services.consultation_record(by=legal.wang.user, channel="phone", topic=topic, question="?",
                                             advice="答复", name="陈先生", station=station)  # fmt: skip
            Consultation.objects.filter(pk=c.pk).update(asked_at=at(dt.date(2026, 1, day)))
    a, b = tree.union_a.enterprise, tree.union_b.enterprise
    _case(
        tree,
        people,
        legal,
        tree.town_a,
        a,
        Stage.MEDIATED,
        dt.date(2026, 1, 20),
        dt.date(2026, 1, 25),
        "14000",
    )
    _case(tree, people, legal, tree.town_a, a, Stage.MEDIATION_FAILED, dt.date(2026, 1, 22))
    _case(
        tree,
        people,
        legal,
        tree.town_b,
        b,
        Stage.MEDIATED,
        dt.date(2025, 12, 28),
        dt.date(2026, 1, 5),
        "5000",
    )
    return tree


def value(key, scope, period):
    return figure(key).value(scope=scope, period=period)


def test_consultations_by_topic_and_town(january):
    t = january
    assert value("legal.consultations", t.district, JAN_2026) == 3
    assert value("legal.consultations_by_topic", t.district, JAN_2026)["wages"] == 2
    assert value("legal.consultations_by_topic", t.district, JAN_2026)["injury"] == 1
    assert sum(value("legal.consultations_by_topic", t.district, JAN_2026).values()) == 3
    assert figure("legal.consultations").value_by_child(scope=t.district, period=JAN_2026) == {
        t.town_a.path: 2, t.town_b.path: 1,
    }  # fmt: skip
    assert value("legal.consultations", t.district, DEC_2025) == 0


def test_disputes_mediated_and_the_success_rate(january):
    t = january
    assert value("legal.disputes_mediated", t.district, JAN_2026) == 1
    assert value("legal.disputes_mediated", t.district, DEC_2025) == 1
    assert value("legal.disputes_mediated", t.town_a, JAN_2026) == 1
    assert value("legal.disputes_mediated", t.town_b, JAN_2026) == 0
    assert figure("legal.disputes_mediated").value_by_child(scope=t.district, period=Period.quarter(2025, 4)) == {
        t.town_b.path: 1,
    }  # fmt: skip
    assert value("legal.mediation_success_rate", t.district, JAN_2026) == 0.5


def test_amounts_recovered_when_the_case_closed(january):
    t = january
    assert value("legal.amount_recovered", t.district, JAN_2026) == Decimal("19000.00")
    assert figure("legal.amount_recovered").value_by_child(scope=t.district, period=JAN_2026) == {
        t.town_a.path: Decimal("14000.00"), t.town_b.path: Decimal("5000.00"),
    }  # fmt: skip
    assert value("legal.amount_recovered", t.district, DEC_2025) == Decimal("0.00")
