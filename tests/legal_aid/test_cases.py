"""Labour-dispute cases: stages only forward, closing needs an outcome, limitation warnings once each."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from legal_aid import services
from legal_aid.models import CaseStep, DisputeCase, Stage, limitation_date
from union_portal.core.errors import ApplicationError, PermissionDeniedError
from union_portal.notifications.models import Notification

from ..members.factories import make_member

pytestmark = pytest.mark.django_db


def open_case(tree, people, *, arose_days_ago=30, **data):
    values = {
        "applicant_name": "张三",
        "applicant_mobile": "13712345678",
        "employer": tree.union_a.enterprise,
        "claims": [{"type": "wages", "amount": "12000"}, {"type": "double_wages", "amount": "3000.50"}],
        "arose_on": timezone.localdate() - dt.timedelta(days=arose_days_ago),
        "details": "公司拖欠三个月工资，未签劳动合同",
        "organisation": tree.town_a,
    }
    values.update(data)
    return services.case_open(by=people.district_staff, data=values)


def test_intake_computes_total_and_limitation_date(tree, people):
    case = open_case(tree, people, arose_on=dt.date(2024, 2, 29))
    assert case.claimed_total == Decimal("15000.50")
    assert case.limitation_on == dt.date(2025, 2, 28)  # one year, art. 27
    assert case.stage == Stage.INTAKE
    assert case.employer_name == "健力宝集团有限公司"
    assert list(case.steps.values_list("to_stage", flat=True)) == ["intake"]


def test_the_way_through_mediation_to_closure(tree, people, legal):
    staff = people.district_staff
    case = open_case(tree, people)
    case = services.case_assign_lawyer(case=case, lawyer=legal.wang, by=staff)
    # the lawyer moves their own case
    case = services.case_advance(case=case, to_stage=Stage.MEDIATION, by=legal.wang.user, note="约谈企业")
    case = services.case_advance(case=case, to_stage=Stage.MEDIATED, by=legal.wang.user)
    case = services.case_close(
        case=case, by=legal.wang.user, outcome="mediated", amount_recovered="14000", note="调解成功"
    )
    assert (case.stage, case.outcome, case.amount_recovered) == ("closed", "mediated", Decimal("14000.00"))
    steps = list(CaseStep.objects.filter(case=case).values_list("from_stage", "to_stage", "by"))
    assert steps == [
        ("", "intake", staff.pk),
        ("intake", "lawyer_assigned", staff.pk),
        ("lawyer_assigned", "mediation", legal.wang.user.pk),
        ("mediation", "mediated", legal.wang.user.pk),
        ("mediated", "closed", legal.wang.user.pk),
    ]


def test_stages_never_move_backwards_or_skip(tree, people, legal):
    staff = people.district_staff
    case = open_case(tree, people)
    with pytest.raises(ApplicationError) as refused:
        services.case_advance(case=case, to_stage=Stage.MEDIATION, by=staff)
    assert refused.value.code == "wrong_stage"
    case = services.case_assign_lawyer(case=case, lawyer=legal.wang, by=staff)
    case = services.case_advance(case=case, to_stage=Stage.MEDIATION, by=staff)
    case = services.case_advance(case=case, to_stage=Stage.MEDIATION_FAILED, by=staff)
    for backwards in (Stage.MEDIATION, Stage.MEDIATED, Stage.JUDGMENT):
        with pytest.raises(ApplicationError, match="only move forward"):
            services.case_advance(case=case, to_stage=backwards, by=staff)
    case = services.case_advance(case=case, to_stage=Stage.ARBITRATION, by=staff)
    assert DisputeCase.objects.get(pk=case.pk).stage == Stage.ARBITRATION


def test_closing_needs_an_outcome(tree, people, legal):
    case = open_case(tree, people)
    with pytest.raises(ApplicationError) as refused:
        services.case_close(case=case, by=people.district_staff, outcome="")
    assert refused.value.field == "outcome"
    with pytest.raises(ApplicationError, match="Close a case with its outcome"):
        services.case_advance(case=case, to_stage=Stage.CLOSED, by=people.district_staff)
    closed = services.case_close(case=case, by=people.district_staff, outcome="withdrawn")
    assert closed.stage == Stage.CLOSED


def test_another_lawyer_or_town_cannot_move_the_case(tree, people, legal):
    case = open_case(tree, people)
    case = services.case_assign_lawyer(case=case, lawyer=legal.wang, by=people.district_staff)
    with pytest.raises(PermissionDeniedError):
        services.case_advance(case=case, to_stage=Stage.MEDIATION, by=legal.li.user)
    with pytest.raises(PermissionDeniedError):
        services.case_advance(case=case, to_stage=Stage.MEDIATION, by=people.town_b_staff)


def test_a_member_asks_for_legal_aid_for_themselves(tree, people):
    member = make_member(tree.union_a, user=people.member_user)
    case = services.case_open(
        by=people.member_user,
        applicant=member,
        data={"employer_name": "某厂", "claims": [{"type": "wages", "amount": "5000"}],
              "arose_on": timezone.localdate() - dt.timedelta(days=3)},
    )  # fmt: skip
    assert (case.applicant, case.organisation) == (member, tree.union_a)
    other = make_member(tree.union_b)
    with pytest.raises(PermissionDeniedError):
        services.case_open(
            by=people.member_user, applicant=other,
            data={"employer_name": "某厂", "claims": [{"type": "wages", "amount": "1"}],
                  "arose_on": timezone.localdate()},
        )  # fmt: skip


def test_limitation_warnings_at_60_30_7_days_once_each(
    tree, people, legal, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    # a case whose limitation date is 61 days away
    case = open_case(tree, people, arose_on=today - dt.timedelta(days=365 - 61))
    case = services.case_assign_lawyer(case=case, lawyer=legal.wang, by=people.district_staff)
    days_left = (case.limitation_on - today).days

    def run(day):
        with django_capture_on_commit_callbacks(execute=True):
            return services.limitation_warnings_send(today=day)

    def warnings(user):
        return Notification.objects.filter(recipient=user, kind="legal.limitation_warning").count()

    assert run(today) == 0
    assert run(today + dt.timedelta(days=days_left - 60)) == 1
    assert run(today + dt.timedelta(days=days_left - 59)) == 0  # not again the next day
    assert warnings(legal.wang.user) == 1 and warnings(people.district_staff) == 1
    assert warnings(people.town_a_staff) == 1 and warnings(people.town_b_staff) == 0
    assert run(today + dt.timedelta(days=days_left - 30)) == 1
    assert run(today + dt.timedelta(days=days_left - 7)) == 1
    assert run(today + dt.timedelta(days=days_left - 3)) == 0
    assert warnings(legal.wang.user) == 3
    assert DisputeCase.objects.get(pk=case.pk).limitation_warned_days == 7


def test_a_case_found_late_gets_only_the_latest_warning(tree, people, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    open_case(tree, people, arose_on=today - dt.timedelta(days=365 - 5))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.limitation_warnings_send(today=today) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.limitation_warnings_send(today=today + dt.timedelta(days=1)) == 0
    assert (
        Notification.objects.filter(kind="legal.limitation_warning", recipient=people.district_staff).count()
        == 1
    )


def test_time_barred_and_arbitration_stop_the_clock(tree, people, legal):
    case = open_case(tree, people, arose_on=timezone.localdate() - dt.timedelta(days=400))
    assert case.is_time_barred
    case = services.case_assign_lawyer(case=case, lawyer=legal.wang, by=people.district_staff)
    case = services.case_advance(case=case, to_stage=Stage.ARBITRATION, by=people.district_staff)
    assert case.days_to_limitation() is None and not case.is_time_barred


def test_referral_to_a_partner_office_is_a_step(tree, people):
    case = open_case(tree, people, referred_from="justice_bureau")
    case = services.case_refer(case=case, to_office="arbitration", by=people.district_staff, note="一站式")
    assert case.referred_to == "arbitration" and case.stage == Stage.INTAKE
    assert case.steps.last().note.startswith("Referred to Labour arbitration court.")


def test_consultation_recorded_by_the_lawyer_on_duty(tree, people, legal):
    c = services.consultation_record(
        by=legal.wang.user, channel="phone", topic="wages", question="老板拖欠工资怎么办？",
        advice="先收集工资条，向劳动监察投诉", name="陈先生", station=legal.station_a,
    )  # fmt: skip
    assert (c.lawyer, c.status, c.organisation) == (legal.wang, "answered", tree.town_a)
    with pytest.raises(ApplicationError, match="Choose the member or enter a name"):
        services.consultation_record(by=legal.wang.user, channel="phone", topic="wages", question="?")


def test_member_asks_online_and_the_lawyer_answers(tree, people, legal, django_capture_on_commit_callbacks):
    member = make_member(tree.union_a, user=people.member_user)
    with django_capture_on_commit_callbacks(execute=True):
        c = services.consultation_request(
            member=member, by=people.member_user, topic="injury", question="工伤怎么认定？"
        )
    assert c.status == "requested"
    assert Notification.objects.filter(
        recipient=people.town_a_staff, kind="legal.consultation_requested"
    ).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.consultation_answer(consultation=c, by=legal.wang.user, advice="一年内申请工伤认定")
    assert Notification.objects.filter(
        recipient=people.member_user, kind="legal.consultation_answered"
    ).exists()


def test_an_interruption_restarts_the_period_and_the_warnings(
    tree, people, legal, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    case = open_case(tree, people, arose_on=today - dt.timedelta(days=365 - 5))  # five days left
    case = services.case_assign_lawyer(case=case, lawyer=legal.wang, by=people.district_staff)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.limitation_warnings_send(today=today) == 1  # the 7-day warning
    on = today - dt.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_limitation_interrupt(
            case=case, by=people.town_a_staff, on=on, note="工人书面向单位主张欠薪"
        )
    case.refresh_from_db()
    assert case.limitation_on == limitation_date(on)  # a full year from the interruption
    assert case.limitation_warned_days is None and case.stage == Stage.LAWYER_ASSIGNED
    step = CaseStep.objects.filter(case=case).latest("pk")
    assert (step.from_stage, step.to_stage, step.limitation_on, step.note, step.by) == (
        Stage.LAWYER_ASSIGNED, Stage.LAWYER_ASSIGNED, case.limitation_on, "工人书面向单位主张欠薪",
        people.town_a_staff,
    )  # fmt: skip
    assert (
        Notification.objects.filter(recipient=legal.wang.user, kind="legal.limitation_interrupted").count()
        == 1
    )
    with django_capture_on_commit_callbacks(execute=True):  # the warnings come again, 60 days before
        assert services.limitation_warnings_send(today=case.limitation_on - dt.timedelta(days=60)) == 1


def test_an_interruption_is_refused_when_it_cannot_hold(tree, people, legal):
    today = timezone.localdate()
    case = open_case(tree, people, arose_on=today - dt.timedelta(days=400))  # ran out 35 days ago
    for on, field in (
        (today + dt.timedelta(days=1), "on"),  # in the future
        (case.arose_on - dt.timedelta(days=1), "on"),  # before the dispute arose
        (today - dt.timedelta(days=10), "on"),  # after the period had run out: no revival
    ):
        with pytest.raises(ApplicationError) as error:
            services.case_limitation_interrupt(case=case, by=people.district_staff, on=on, note="理由")
        assert error.value.field == field
    fresh = open_case(tree, people, arose_days_ago=30)
    with pytest.raises(ApplicationError) as error:  # the reason is required
        services.case_limitation_interrupt(
            case=fresh, by=people.district_staff, on=timezone.localdate(), note=""
        )
    assert error.value.field == "note"
    with pytest.raises(PermissionDeniedError):  # another town's case
        services.case_limitation_interrupt(
            case=fresh, by=people.town_b_staff, on=timezone.localdate(), note="x"
        )
    fresh = services.case_assign_lawyer(case=fresh, lawyer=legal.wang, by=people.district_staff)
    fresh = services.case_advance(case=fresh, to_stage=Stage.ARBITRATION, by=people.district_staff)
    with pytest.raises(ApplicationError) as error:  # before the arbitrators the period no longer runs
        services.case_limitation_interrupt(
            case=fresh, by=people.district_staff, on=timezone.localdate(), note="x"
        )
    assert error.value.code == "wrong_state"
    assert CaseStep.objects.filter(limitation_on__isnull=False).count() == 0
