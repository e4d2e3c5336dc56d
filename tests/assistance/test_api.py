"""API of hardship aid: scoped reads, submission and workflow commands through the services, figures."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from assistance import services
from assistance.models import AidApplication, AidStep, HardshipFile, State
from union_portal.accounts.roles import Role
from union_portal.api.models import APIKey

from ..accounts.factories import make_user
from ..members.factories import make_member
from .factories import make_file, submit_festival


@pytest.fixture
def api():
    return APIClient()


def _ids(response):
    return sorted(row["id"] for row in response.json()["results"])


def test_lists_are_scoped(api, tree, people, aid):
    mine, theirs = submit_festival(aid), submit_festival(aid, member=aid.other_member)
    url = reverse("v1:aid-application-list")
    api.force_authenticate(people.town_a_staff)
    assert _ids(api.get(url)) == [mine.pk]
    assert api.get(reverse("v1:aid-application-detail", args=[theirs.pk])).status_code == 404
    api.force_authenticate(people.district_staff)
    assert _ids(api.get(url)) == sorted([mine.pk, theirs.pk])
    api.force_authenticate(people.officer_b)
    assert _ids(api.get(url)) == [theirs.pk]
    # a member without model permissions reads nothing through the API
    api.force_authenticate(aid.member_user)
    assert api.get(url).status_code == 403


def test_file_incomes_need_the_household_permission(api, tree, people, aid):
    url = reverse("v1:aid-file-detail", args=[aid.file.pk])
    api.force_authenticate(people.town_a_staff)
    assert api.get(url).json()["income_per_head"] == "700.00"
    api.force_authenticate(people.officer_a)
    body = api.get(url).json()
    assert "income_per_head" not in body and "household" not in body
    api.force_authenticate(people.town_b_staff)
    assert api.get(url).status_code == 404


def test_workflow_through_the_commands(api, tree, people, aid, django_capture_on_commit_callbacks):
    api.force_authenticate(people.proxy_a)
    response = api.post(
        reverse("v1:aid-application-list"),
        {"member": aid.member.pk, "kind": "festival", "campaign": aid.campaign.pk, "reason": "代为申请"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["filed_by_proxy"] is True

    def command(user, name, data=None):
        api.force_authenticate(user)
        return api.post(reverse(f"v1:aid-application-{name}", args=[pk]), data or {}, format="json")

    # skipping the union's check is refused, and changes nothing
    response = command(people.district_staff, "approve")
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "wrong_state"
    assert command(people.officer_a, "check", {"note": "属实"}).json()["state"] == "checked"
    # the officer may not approve; above the standard needs a reason
    assert command(people.officer_a, "approve").status_code == 403
    response = command(people.district_staff, "approve", {"amount": "1500"})
    assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "override_reason"
    body = command(people.district_staff, "approve", {"amount": "1500", "override_reason": "特殊困难"}).json()
    assert (body["state"], body["amount_approved"], body["amount_limit"]) == (
        "approved",
        "1500.00",
        "1000.00",
    )
    response = command(people.district_staff, "pay", {"method": "bank"})
    assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "reference"
    # a bank transfer needs the payee's account, given here by the staff through the service
    response = command(people.district_staff, "pay", {"method": "bank", "reference": "TX-9"})
    assert response.status_code == 400
    assert (response.json()["errors"][0]["code"], response.json()["errors"][0]["attr"]) == (
        "no_payee_account",
        "payee_account",
    )
    services.application_payee_set(
        application=AidApplication.objects.get(pk=pk), by=people.district_staff, bank="工商银行",
        account="6222020000000001",
    )  # fmt: skip
    assert (
        command(people.district_staff, "pay", {"method": "bank", "reference": "TX-9"}).json()["state"]
        == "paid"
    )
    assert command(people.district_staff, "close").json()["state"] == "closed"
    assert list(AidStep.objects.filter(application_id=pk).values_list("to_state", flat=True)) == [
        "submitted",
        "checked",
        "approved",
        "paid",
        "closed",
    ]
    api.force_authenticate(people.district_staff)
    detail = api.get(reverse("v1:aid-application-detail", args=[pk])).json()
    assert [s["to_state"] for s in detail["steps"]] == ["submitted", "checked", "approved", "paid", "closed"]


def test_other_town_cannot_act_and_nothing_changes(api, tree, people, aid):
    application = submit_festival(aid)
    api.force_authenticate(people.officer_b)
    response = api.post(reverse("v1:aid-application-check", args=[application.pk]), {}, format="json")
    assert response.status_code == 404
    api.force_authenticate(people.town_b_staff)
    response = api.post(
        reverse("v1:aid-application-reject", args=[application.pk]), {"reason": "x"}, format="json"
    )
    assert response.status_code == 404
    application.refresh_from_db()
    assert application.state == State.SUBMITTED and application.steps.count() == 1


def test_member_withdraws_through_the_api(api, tree, people, aid):
    application = submit_festival(aid)
    api.force_authenticate(aid.other_user)
    assert (
        api.post(reverse("v1:aid-application-withdraw", args=[application.pk]), {}, format="json").status_code
        == 404
    )
    api.force_authenticate(aid.member_user)
    response = api.post(
        reverse("v1:aid-application-withdraw", args=[application.pk]), {"note": "不需要了"}, format="json"
    )
    assert response.status_code == 200 and response.json()["state"] == "withdrawn"


def test_submission_for_a_member_out_of_scope_is_refused(api, tree, people, aid):
    api.force_authenticate(people.proxy_a)
    response = api.post(
        reverse("v1:aid-application-list"),
        {"member": aid.other_member.pk, "kind": "relief", "reason": "x", "amount_requested": "100"},
        format="json",
    )
    assert response.status_code == 403
    assert AidApplication.objects.count() == 0


def test_partner_reads_figures_with_a_key(api, tree, people, aid):
    # given one festival payment and one education payment this year, and a file out of hardship
    today = timezone.localdate()
    application = services.application_check(application=submit_festival(aid), by=people.officer_a)
    services.application_approve(application=application, by=people.district_staff)
    services.application_pay(application=application, by=people.district_staff, method="cash")
    from .factories import make_campaign

    education = make_campaign(tree.district, people.district_staff, kind="education", standard="3000")
    student = services.application_submit(
        member=aid.other_member, by=aid.other_user, kind="education",
        data={"reason": "考上大学", "campaign": education, "student_name": "李小华", "university": "中山大学", "admission_year": today.year,
              "payee_bank": "工商银行", "payee_account": "6222020000000001"},
    )  # fmt: skip
    services.application_check(application=student, by=people.officer_b)
    services.application_approve(application=student, by=people.district_staff)
    services.application_pay(application=student, by=people.district_staff, method="bank", reference="R1")
    services.hardship_file_exit(file=aid.file, by=people.district_staff, reason="就业")
    # a partner system is a user attached to the node whose figures it reads (here the district)
    partner = make_user(Role.PARTNER, tree.district, username="partner")
    _key, secret = APIKey.issue(name="统计平台", user=partner)
    url = reverse("v1:aid-figures")
    assert api.get(url).status_code in (401, 403)
    response = api.get(
        url, {"date_from": today.replace(month=1, day=1).isoformat()}, HTTP_AUTHORIZATION=f"Api-Key {secret}"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["organisation"] == {"id": tree.district.pk, "name": "三水区总工会"}
    assert (body["households_helped"], body["students_helped"], body["money_total"]) == (2, 1, "4000.00")
    assert body["money_by_kind"] == {
        "festival": "1000.00", "education": "3000.00", "medical": "0.00",
        "mutual_aid": "0.00", "employment": "0.00", "relief": "0.00",
    }  # fmt: skip
    assert body["money_by_town"] == {"乐平镇总工会": "3000.00", "西南街道总工会": "1000.00"}
    months = {f"{today.year}-{m:02d}": "0.00" for m in range(1, today.month + 1)}
    assert body["money_by_month"] == {**months, today.strftime("%Y-%m"): "4000.00"}
    assert (body["files_open"], body["files_exited"], body["exit_rate"]) == (2, 1, 0.5)
    # town staff see their town only, split by its unions; another town is not found; a member is refused
    api.force_authenticate(people.town_a_staff)
    body = api.get(url).json()
    assert (body["organisation"]["id"], body["money_total"]) == (tree.town_a.pk, "1000.00")
    assert body["money_by_town"] == {"健力宝集团工会委员会": "1000.00"}
    assert api.get(url, {"organisation": tree.union_a.pk}).json()["money_total"] == "1000.00"
    assert api.get(url, {"organisation": tree.town_b.pk}).status_code == 404
    api.force_authenticate(aid.member_user)
    assert api.get(url).status_code == 403


def test_bad_period_is_a_400(api, tree, people):
    api.force_authenticate(people.district_staff)
    response = api.get(reverse("v1:aid-figures"), {"date_from": "2026-05-01", "date_to": "2026-01-01"})
    assert response.status_code == 400


def test_list_queries_do_not_grow(api, tree, people, aid):
    api.force_authenticate(people.district_staff)

    def add(count):
        for _ in range(count):
            member = make_member(tree.union_a)
            make_file(member, people.district_staff)
            submit_festival(aid, member=member, by=people.officer_a)

    add(3)
    urls = [reverse("v1:aid-application-list"), reverse("v1:aid-file-list")]
    with CaptureQueriesContext(connection) as few:
        for url in urls:
            assert api.get(url).status_code == 200
    add(20)
    with CaptureQueriesContext(connection) as many:
        for url in urls:
            assert api.get(url).status_code == 200
    assert len(many) == len(few)
    assert (HardshipFile.objects.count(), AidApplication.objects.count()) == (25, 23)
