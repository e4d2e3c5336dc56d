"""Honours: nomination, review, the public notice across a public holiday, objections, conferral,
the register and its certificates, model-worker care."""

from __future__ import annotations

import datetime as dt

import pytest

from competitions import services
from competitions.models import (
    CareKind,
    HolderKind,
    Honour,
    HonourStatus,
    Nomination,
    NominationRound,
    NominationState,
    NominationStep,
    ObjectionState,
    RoundStatus,
)
from union_portal.certificates.services import certificate_verify, certificates_for
from union_portal.core.errors import ApplicationError, PermissionDeniedError

from ..members.factories import make_member
from .factories import make_round, make_title


def test_the_public_notice_skips_the_national_day_holiday():
    # 2025: 1 to 8 October are holidays, Sunday 28 September and Saturday 11 October are working days
    assert services.publicity_window(dt.date(2025, 9, 29), 5) == (dt.date(2025, 9, 29), dt.date(2025, 10, 11))
    # a notice asked to start on a holiday starts on the next working day
    assert services.publicity_window(dt.date(2025, 10, 3), 5) == (dt.date(2025, 10, 9), dt.date(2025, 10, 14))
    # an ordinary week: Monday to Friday
    assert services.publicity_window(dt.date(2025, 11, 3), 5) == (dt.date(2025, 11, 3), dt.date(2025, 11, 7))


@pytest.fixture
def honours(tree, people):
    staff = people.district_staff
    title = make_title(tree.district, staff)
    team_title = make_title(
        tree.district, staff, name="工人先锋号", holder_kind=HolderKind.TEAM, model_worker=False
    )
    round_ = make_round(tree.district, staff)
    a = make_member(tree.union_a, user=people.member_user, name="陈晓明")
    b = make_member(tree.union_a, name="王大明")
    return title, team_title, round_, a, b


def _nominate(people, tree, title, round_, member, **kwargs):
    return services.nomination_submit(
        round_=round_,
        title=title,
        union=tree.union_a,
        by=people.officer_a,
        member=member,
        deeds="十年无事故，带徒12人",
        **kwargs,
    )


def test_a_round_from_nomination_to_conferral(tree, people, honours, django_capture_on_commit_callbacks):
    title, team_title, round_, a, b = honours
    staff = people.district_staff
    na = _nominate(people, tree, title, round_, a)
    nb = _nominate(people, tree, title, round_, b)
    team = services.nomination_submit(
        round_=round_,
        title=team_title,
        union=tree.union_a,
        by=people.officer_a,
        holder_name="灌装车间一班",
        deeds="安全生产",
    )
    with pytest.raises(ApplicationError, match="already nominated"):
        _nominate(people, tree, title, round_, a)
    with pytest.raises(PermissionDeniedError):  # union officers do not review
        services.nomination_review(nomination=na, by=people.officer_a, shortlist=True)
    with pytest.raises(ApplicationError, match="Review every nomination"):
        services.round_start_publicity(round_=round_, by=staff)
    for nomination in (na, nb, team):
        services.nomination_review(nomination=nomination, by=staff, shortlist=True, note="材料齐全")
    round_ = services.round_start_publicity(round_=round_, by=staff)
    assert round_.status == RoundStatus.PUBLICITY and round_.publicity_ends_on > round_.publicity_starts_on
    # the notice as it ran across the 2025 National Day holiday (dates in the past, set in the database)
    NominationRound.objects.filter(pk=round_.pk).update(
        publicity_starts_on=dt.date(2025, 9, 26), publicity_ends_on=dt.date(2025, 10, 10)
    )
    round_.refresh_from_db()
    objection = services.objection_record(
        nomination=nb, by=staff, content="事迹材料与实际不符", received_on=dt.date(2025, 10, 9)
    )
    with pytest.raises(ApplicationError, match="public notice ran"):
        services.objection_record(
            nomination=na, by=staff, content="迟到的异议", received_on=dt.date(2025, 10, 11)
        )
    with pytest.raises(ApplicationError, match="runs until"):
        services.round_conclude(round_=round_, by=staff, on=dt.date(2025, 10, 10))
    with pytest.raises(ApplicationError, match="Resolve every objection"):
        services.round_conclude(round_=round_, by=staff, on=dt.date(2025, 10, 13))
    services.objection_resolve(objection=objection, by=staff, upheld=True, resolution="经核实，事迹有夸大")
    objection.refresh_from_db()
    assert objection.state == ObjectionState.UPHELD
    with django_capture_on_commit_callbacks(execute=True):
        conferred = services.round_conclude(round_=round_, by=staff, on=dt.date(2025, 10, 13))
    assert {h.holder_name for h in conferred} == {"陈晓明", "灌装车间一班"}
    nb.refresh_from_db()
    assert nb.state == NominationState.STOPPED and not Honour.objects.filter(member=b).exists()
    round_.refresh_from_db()
    assert round_.status == RoundStatus.CONCLUDED
    assert list(NominationStep.objects.filter(nomination=na).values_list("to_state", flat=True)) == [
        "submitted", "shortlisted", "conferred",
    ]  # fmt: skip
    honour = Honour.objects.get(member=a)
    (certificate,) = certificates_for(honour)
    check = certificate_verify(certificate.code)
    assert check.valid and check.masked_name == "陈*明"
    team_check = certificate_verify(
        certificates_for(Honour.objects.get(holder_name="灌装车间一班")).get().code
    )
    assert team_check.masked_name == "灌装车间一班"  # a team is not a person: not masked
    assert people.member_user.notifications.filter(kind="honours.conferred").exists()


def test_a_rejection_needs_a_reason(tree, people, honours):
    title, _t, round_, a, _b = honours
    nomination = _nominate(people, tree, title, round_, a)
    with pytest.raises(ApplicationError):
        services.nomination_review(nomination=nomination, by=people.district_staff, shortlist=False)
    services.nomination_review(
        nomination=nomination, by=people.district_staff, shortlist=False, note="条件不符"
    )
    assert Nomination.objects.get(pk=nomination.pk).state == NominationState.REJECTED


def test_an_officer_nominates_only_in_their_union(tree, people, honours):
    title, _t, round_, _a, _b = honours
    member_b = make_member(tree.union_b, name="乐平会员")
    with pytest.raises(PermissionDeniedError):
        services.nomination_submit(
            round_=round_, title=title, union=tree.union_b, by=people.officer_a, member=member_b, deeds="事迹"
        )


def test_revoking_an_honour_revokes_its_certificate(tree, people, honours):
    title, _t, round_, a, _b = honours
    staff = people.district_staff
    nomination = _nominate(people, tree, title, round_, a)
    services.nomination_review(nomination=nomination, by=staff, shortlist=True)
    round_ = services.round_start_publicity(round_=round_, by=staff)
    (honour,) = services.round_conclude(
        round_=round_, by=staff, on=round_.publicity_ends_on + dt.timedelta(days=1)
    )
    services.honour_revoke(honour=honour, by=staff, reason="违纪")
    honour.refresh_from_db()
    assert honour.status == HonourStatus.REVOKED
    assert certificate_verify(certificates_for(honour).get().code).revoked


def test_past_honours_and_care(tree, people, honours):
    title, _t, _r, a, _b = honours
    staff = people.district_staff
    honour = services.honour_record(
        title=title, by=staff, organisation=tree.union_a, member=a, conferred_on=dt.date(2020, 5, 1)
    )
    with pytest.raises(ApplicationError, match="already in the register"):
        services.honour_record(
            title=title, by=staff, organisation=tree.union_a, member=a, conferred_on=dt.date(2020, 5, 1)
        )
    with pytest.raises(ApplicationError, match="amount"):
        services.care_record(honour=honour, by=staff, kind=CareKind.ALLOWANCE, on=dt.date(2025, 1, 20))
    services.care_record(honour=honour, by=staff, kind=CareKind.HEALTH_CHECK, on=dt.date(2025, 3, 1))
    assert honour.care.count() == 1
    assert list(Honour.objects.visible_to(people.town_b_staff)) == []
    assert list(Honour.objects.visible_to(people.member_user)) == [honour]
