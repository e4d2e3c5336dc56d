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


def test_the_case_list_opens_with_a_board_by_stage_at_the_same_cost(tree, people, legal):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from legal_aid.selectors import case_board

    today = timezone.localdate()

    def open_one(days_ago, organisation=tree.town_a):
        return services.case_open(
            by=people.district_staff,
            data={"applicant_name": "钱多多", "employer_name": "甲厂", "organisation": organisation,
                  "claims": [{"type": "wages", "amount": "1"}], "arose_on": today - dt.timedelta(days=days_ago)},
        )  # fmt: skip

    open_one(365 - 20)  # near: 20 days left
    open_one(400)  # past
    assigned = services.case_assign_lawyer(case=open_one(10), lawyer=legal.wang, by=people.district_staff)
    open_one(365 - 5, organisation=tree.town_b)  # another town's: not on town A's board
    board = {
        c.stage: (c.total, c.near, c.past)
        for c in case_board(DisputeCase.objects.visible_to(people.town_a_staff))
    }
    assert board[Stage.INTAKE] == (2, 1, 1) and board[Stage.LAWYER_ASSIGNED] == (1, 0, 0)
    assert board[Stage.CLOSED] == (0, 0, 0) and assigned.stage == Stage.LAWYER_ASSIGNED
    client = _client(people.town_a_staff)
    url = reverse("admin:legal_aid_disputecase_changelist")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        page = client.get(url).content.decode()
    assert 'class="legal-stage-board"' in page and '<a href="?stage=intake">' in page
    for _i in range(6):
        open_one(30)
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(few.captured_queries) == len(more.captured_queries)
