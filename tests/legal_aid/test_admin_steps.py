"""A case's moves as buttons on its admin page: only the steps its stage allows, only the stages it
may move to, the same services as the bulk actions; another town's case answers 404."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from legal_aid import services
from legal_aid.models import CaseStep, DisputeCase, Stage

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _case(tree, people):
    return services.case_open(
        by=people.district_staff,
        data={"applicant_name": "钱多多", "employer_name": "甲厂", "organisation": tree.town_a,
              "claims": [{"type": "wages", "amount": "500"}], "arose_on": timezone.localdate() - dt.timedelta(days=9)},
    )  # fmt: skip


def _steps(page) -> list[str]:
    html = page.content.decode()
    return [
        name for name in ("assign", "advance", "interrupt", "refer", "close") if f'data-step="{name}"' in html
    ]


def test_the_case_page_offers_the_steps_of_its_stage_and_moves_it(tree, people, legal):
    case = _case(tree, people)
    client = _client(people.town_a_staff)
    change = reverse("admin:legal_aid_disputecase_change", args=[case.pk])
    step = lambda name: reverse("admin:legal_aid_disputecase_step", args=[case.pk, name])  # noqa: E731
    assert _steps(client.get(change)) == ["assign", "interrupt", "refer", "close"]
    response = client.post(step("assign"), {"lawyer": legal.wang.pk, "note": "交王律师"})
    assert response.status_code == 302 and response["Location"] == change
    case.refresh_from_db()
    assert (case.stage, case.lawyer) == (Stage.LAWYER_ASSIGNED, legal.wang)
    assert _steps(client.get(change)) == ["advance", "interrupt", "refer", "close"]
    response = client.post(
        step("interrupt"), {"on": timezone.localdate().isoformat(), "note": "工人向单位主张权利"}
    )
    assert response.status_code == 302
    assert DisputeCase.objects.get(pk=case.pk).limitation_on > case.limitation_on
    page = client.get(step("advance")).content.decode()
    assert 'value="mediation"' in page and 'value="arbitration"' in page and 'value="judgment"' not in page
    assert client.post(step("advance"), {"to_stage": "judgment"}).status_code == 200  # not offered: refused
    assert DisputeCase.objects.get(pk=case.pk).stage == Stage.LAWYER_ASSIGNED
    client.post(step("advance"), {"to_stage": "mediation", "note": "调解中"})
    assert DisputeCase.objects.get(pk=case.pk).stage == Stage.MEDIATION
    page = client.post(step("close"), {"outcome": "", "amount_recovered": "0"})
    assert page.status_code == 200 and DisputeCase.objects.get(pk=case.pk).stage == Stage.MEDIATION
    client.post(step("close"), {"outcome": "mediated", "amount_recovered": "450.50"})
    case.refresh_from_db()
    assert (case.stage, str(case.amount_recovered)) == (Stage.CLOSED, "450.50")
    assert list(CaseStep.objects.filter(case=case).order_by("pk").values_list("to_stage", flat=True)) == [
        "intake", "lawyer_assigned", "lawyer_assigned", "mediation", "closed",
    ]  # the interruption keeps the stage  # fmt: skip
    assert _steps(client.get(change)) == []


def test_another_towns_case_and_a_viewer_get_no_step(tree, people, legal):
    case = _case(tree, people)
    url = reverse("admin:legal_aid_disputecase_step", args=[case.pk, "close"])
    assert (
        _client(people.town_b_staff).post(url, {"outcome": "withdrawn", "amount_recovered": "0"}).status_code
        == 404
    )
    assert _client(people.officer_a).get(url).status_code in (403, 404)
    assert DisputeCase.objects.get(pk=case.pk).stage == Stage.INTAKE
