"""The workflow of an aid application: every step, every forbidden skip, the three money rules."""

from decimal import Decimal

import pytest

from assistance import services
from assistance.models import AidApplication, AidStep, Campaign, FileStatus, Payment, State
from union_portal.core.errors import ApplicationError, PermissionDeniedError

from ..members.factories import make_member
from .factories import make_campaign, make_file, submit_festival


def _steps(application):
    return list(
        AidStep.objects.filter(application=application).values_list("from_state", "to_state", "by__username")
    )


def test_the_whole_way_from_submission_to_closure(tree, people, aid, django_capture_on_commit_callbacks):
    # given a member with a hardship file applying for the festival condolence
    with django_capture_on_commit_callbacks(execute=True):
        application = submit_festival(aid)
    assert application.state == State.SUBMITTED and application.hardship_file == aid.file
    # when the union checks, the district approves at the standard, pays, and closes
    application = services.application_check(application=application, by=people.officer_a, note="情况属实")
    application = services.application_approve(application=application, by=people.district_staff)
    application = services.application_pay(
        application=application, by=people.district_staff, method="bank", reference="BANK-0001"
    )
    application = services.application_close(application=application, by=people.district_staff)
    # then every step is recorded with who did it
    assert application.state == State.CLOSED
    assert application.amount_approved == Decimal("1000.00") == application.amount_limit
    assert _steps(application) == [
        ("", "submitted", "member1"),
        ("submitted", "checked", "officer_a"),
        ("checked", "approved", "district"),
        ("approved", "paid", "district"),
        ("paid", "closed", "district"),
    ]
    payment = Payment.objects.get(application=application)
    assert (payment.amount, payment.campaign, payment.member, payment.reference) == (
        Decimal("1000.00"),
        aid.campaign,
        aid.member,
        "BANK-0001",
    )
    campaign = Campaign.objects.get(pk=aid.campaign.pk)
    assert (campaign.approved_total, campaign.paid_total) == (Decimal("1000.00"), Decimal("1000.00"))


def test_each_step_is_safe_to_repeat(tree, people, aid):
    application = submit_festival(aid)
    for _ in range(2):
        services.application_check(application=application, by=people.officer_a)
    for _ in range(2):
        services.application_approve(application=application, by=people.district_staff)
    for _ in range(2):
        services.application_pay(application=application, by=people.district_staff, method="cash")
    assert AidStep.objects.filter(application=application).count() == 4
    assert Campaign.objects.get(pk=aid.campaign.pk).approved_total == Decimal("1000.00")
    assert Payment.objects.count() == 1


@pytest.mark.parametrize(
    ("step", "kwargs"),
    [
        ("application_approve", {}),
        ("application_pay", {"method": "cash"}),
        ("application_close", {}),
    ],
)
def test_no_step_can_be_skipped_from_submitted(tree, people, aid, step, kwargs):
    application = submit_festival(aid)
    with pytest.raises(ApplicationError) as info:
        getattr(services, step)(application=application, by=people.district_staff, **kwargs)
    assert info.value.code == "wrong_state"
    application.refresh_from_db()
    assert application.state == State.SUBMITTED
    assert Payment.objects.count() == 0
    assert Campaign.objects.get(pk=aid.campaign.pk).approved_total == 0


def test_no_payment_before_approval_and_no_closing_before_payment(tree, people, aid):
    application = services.application_check(application=submit_festival(aid), by=people.officer_a)
    with pytest.raises(ApplicationError):
        services.application_pay(application=application, by=people.district_staff, method="cash")
    with pytest.raises(ApplicationError):
        services.application_close(application=application, by=people.district_staff)
    services.application_approve(application=application, by=people.district_staff)
    with pytest.raises(ApplicationError):
        services.application_close(application=application, by=people.district_staff)
    assert AidApplication.objects.get(pk=application.pk).state == State.APPROVED


def test_the_union_cannot_approve_and_the_member_cannot_check(tree, people, aid):
    application = submit_festival(aid)
    with pytest.raises(PermissionDeniedError):
        services.application_check(application=application, by=aid.member_user)
    services.application_check(application=application, by=people.officer_a)
    for who in (people.officer_a, people.town_a_staff, aid.member_user):
        with pytest.raises(PermissionDeniedError):
            services.application_approve(application=application, by=who)
    assert AidApplication.objects.get(pk=application.pk).state == State.CHECKED


def test_reject_at_the_union_check_with_a_reason(tree, people, aid):
    application = submit_festival(aid)
    with pytest.raises(ApplicationError) as info:
        services.application_reject(application=application, by=people.officer_a, reason=" ")
    assert info.value.field == "reason"
    application = services.application_reject(
        application=application, by=people.officer_a, reason="家庭收入超过标准"
    )
    assert application.state == State.REJECTED and application.rejection_reason == "家庭收入超过标准"
    assert _steps(application)[-1] == ("submitted", "rejected", "officer_a")


def test_reject_at_the_district_needs_the_district(tree, people, aid):
    application = services.application_check(application=submit_festival(aid), by=people.officer_a)
    with pytest.raises(PermissionDeniedError):
        services.application_reject(application=application, by=people.officer_a, reason="不同意")
    application = services.application_reject(
        application=application, by=people.district_staff, reason="预算已用完"
    )
    assert application.state == State.REJECTED
    # a rejected application cannot be approved or withdrawn afterwards
    with pytest.raises(ApplicationError):
        services.application_approve(application=application, by=people.district_staff)
    with pytest.raises(ApplicationError):
        services.application_withdraw(application=application, by=aid.member_user)


def test_withdraw_before_approval_only_by_the_applicant(tree, people, aid):
    first = submit_festival(aid)
    with pytest.raises(PermissionDeniedError):
        services.application_withdraw(application=first, by=people.officer_a)
    first = services.application_withdraw(application=first, by=aid.member_user, note="情况好转")
    assert first.state == State.WITHDRAWN
    # after a withdrawal the member may apply again in the same campaign
    second = services.application_check(application=submit_festival(aid), by=people.officer_a)
    services.application_withdraw(application=second, by=aid.member_user)
    third = services.application_check(application=submit_festival(aid), by=people.officer_a)
    services.application_approve(application=third, by=people.district_staff)
    with pytest.raises(ApplicationError) as info:
        services.application_withdraw(application=third, by=aid.member_user)
    assert info.value.code == "wrong_state"


def test_one_live_application_per_member_and_campaign(tree, people, aid):
    submit_festival(aid)
    with pytest.raises(ApplicationError) as info:
        submit_festival(aid)
    assert info.value.code == "duplicate"
    # the database says no as well, whatever a caller checked
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    with pytest.raises(IntegrityError), transaction.atomic():
        AidApplication.objects.create(
            kind="festival",
            member=aid.member,
            campaign=aid.campaign,
            filed_by=aid.member_user,
            reason="x",
            submitted_at=timezone.now(),
            state_changed_at=timezone.now(),
        )


def test_campaign_rules_on_submission(tree, people, aid):
    from django.utils import timezone

    today = timezone.localdate()
    closed = make_campaign(
        tree.district,
        people.district_staff,
        opens_on=today.replace(year=today.year - 1),
        closes_on=today.replace(year=today.year - 1),
        year=today.year - 1,
    )
    with pytest.raises(ApplicationError) as info:
        submit_festival(aid, campaign=closed)
    assert info.value.code == "campaign_closed"
    # no hardship file, no festival condolence
    plain = make_member(tree.union_a, user=None)
    with pytest.raises(ApplicationError) as info:
        submit_festival(aid, member=plain, by=people.officer_a)
    assert info.value.code == "no_hardship_file"


def test_budget_is_never_exceeded(tree, people, aid):
    campaign = make_campaign(
        tree.district, people.district_staff, budget="1500", standard="1000", festival="new_year"
    )
    first = services.application_check(
        application=submit_festival(aid, campaign=campaign), by=people.officer_a
    )
    second = services.application_check(
        application=submit_festival(aid, member=aid.other_member, campaign=campaign), by=people.officer_b
    )
    services.application_approve(application=first, by=people.district_staff)
    with pytest.raises(ApplicationError) as info:
        services.application_approve(application=second, by=people.district_staff)
    assert info.value.code == "over_budget"
    # a smaller amount that fits is fine
    services.application_approve(application=second, by=people.district_staff, amount="500")
    assert Campaign.objects.get(pk=campaign.pk).approved_total == Decimal("1500.00")


def test_amount_above_the_standard_needs_a_district_override_with_reason(tree, people, aid):
    application = services.application_check(application=submit_festival(aid), by=people.officer_a)
    with pytest.raises(ApplicationError) as info:
        services.application_approve(application=application, by=people.district_staff, amount="1200")
    assert info.value.field == "override_reason"
    application = services.application_approve(
        application=application, by=people.district_staff, amount="1200", override_reason="重病住院，特批"
    )
    assert (application.amount_approved, application.amount_limit, application.override_reason) == (
        Decimal("1200.00"),
        Decimal("1000.00"),
        "重病住院，特批",
    )
    # and the database refuses an amount above the limit without a reason
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        AidApplication.objects.filter(pk=application.pk).update(override_reason="")


def test_budget_cannot_drop_below_what_is_approved(tree, people, aid):
    application = services.application_check(application=submit_festival(aid), by=people.officer_a)
    services.application_approve(application=application, by=people.district_staff)
    campaign = Campaign.objects.get(pk=aid.campaign.pk)
    campaign.budget = Decimal("500")
    with pytest.raises(ApplicationError) as info:
        services.campaign_save(campaign=campaign, by=people.district_staff)
    assert info.value.code == "below_approved"
    assert Campaign.objects.get(pk=aid.campaign.pk).budget == Decimal("10000.00")


def test_education_aid_needs_the_student(tree, people, aid):
    education = make_campaign(tree.district, people.district_staff, kind="education", standard="3000")
    data = {"reason": "孩子考上大学", "campaign": education}
    with pytest.raises(ApplicationError) as info:
        services.application_submit(member=aid.member, by=aid.member_user, kind="education", data=data)
    assert info.value.field == "student_name"
    application = services.application_submit(
        member=aid.member,
        by=aid.member_user,
        kind="education",
        data={
            **data,
            "student_name": "陈小华",
            "university": "华南理工大学",
            "admission_year": education.year,
        },
    )
    assert (application.student_name, application.university) == ("陈小华", "华南理工大学")


def test_medical_aid_limit_is_the_amount_requested(tree, people, aid):
    application = services.application_submit(
        member=aid.member,
        by=aid.member_user,
        kind="medical",
        data={"reason": "住院", "medical_expenses": "8000", "amount_requested": "3000"},
    )
    services.application_check(application=application, by=people.officer_a)
    application = services.application_approve(application=application, by=people.district_staff)
    assert application.amount_approved == Decimal("3000.00")


def test_proxy_agent_files_only_for_members_of_their_area(tree, people, aid):
    application = submit_festival(aid, by=people.proxy_a)
    assert application.filed_by == people.proxy_a
    with pytest.raises(PermissionDeniedError):
        submit_festival(aid, member=aid.other_member, by=people.proxy_a)
    assert AidApplication.objects.filter(member=aid.other_member).count() == 0


def test_hardship_file_income_per_head_and_exit(tree, people, aid):
    assert (aid.file.household_size, aid.file.household_income, aid.file.income_per_head) == (
        3,
        Decimal("2100.00"),
        Decimal("700.00"),
    )
    assert aid.file.causes == ["illness", "schooling"]
    with pytest.raises(ApplicationError):
        make_file(aid.member, people.district_staff)  # one active file per member
    file = services.hardship_file_exit(file=aid.file, by=people.town_a_staff, reason="子女就业，收入提高")
    assert file.status == FileStatus.OUT and file.exited_on is not None
    assert list(file.history.values_list("status", flat=True))[:2] == ["out", "active"]
    with pytest.raises(PermissionDeniedError):
        services.hardship_file_recheck(file=file, by=people.town_b_staff)


def test_unknown_cause_is_refused(tree, people, aid):
    with pytest.raises(ApplicationError) as info:
        make_file(make_member(tree.union_a), people.district_staff, causes=["illness", "gambling"])
    assert info.value.field == "causes"
