"""Workflow steps of contests, honours and volunteer service as buttons on the records' pages: offered
by state and right, a form showing what the decision needs, back to the record with a message, and a
refusal keeps the user on the form with the input."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from competitions import services as contests
from competitions.models import (
    EntryState,
    MentorPair,
    NominationRound,
    NominationState,
    ObjectionState,
    RoundStatus,
)
from volunteers import services as volunteering
from volunteers.models import ActivityStatus, RecordStatus

from ..competitions.factories import make_contest, make_round, make_title
from ..members.factories import make_member
from ..volunteers.factories import make_activity, make_leader, make_team, make_volunteer


def _page(name, obj):
    return reverse(f"admin:{name}_change", args=[obj.pk])


def _step(name, obj, step):
    return reverse(f"admin:{name}_step", args=[obj.pk, step])


def _offered(client, name, obj):
    response = client.get(_page(name, obj))
    assert response.status_code == 200
    return [step.name for step, _url in response.context["record_steps"]]


def test_an_entry_is_disqualified_from_its_page_with_the_reason(client, tree, people):
    staff = people.district_staff
    entry = contests.entry_register(
        contest=make_contest(tree.district, staff), member=make_member(tree.union_a, name="陈晓明"), by=staff
    )
    client.force_login(staff)
    assert _offered(client, "competitions_entry", entry) == ["disqualify"]
    # an empty reason keeps the user on the form
    refused = client.post(_step("competitions_entry", entry, "disqualify"), {"reason": ""})
    assert refused.status_code == 200
    assert "reason" in refused.context["form"].errors
    response = client.post(
        _step("competitions_entry", entry, "disqualify"), {"reason": "冒名顶替"}, follow=True
    )
    assert response.redirect_chain[-1][0] == _page("competitions_entry", entry)
    entry.refresh_from_db()
    assert (entry.state, entry.state_reason) == (EntryState.DISQUALIFIED, "冒名顶替")
    assert _offered(client, "competitions_entry", entry) == []


def test_a_union_officer_sees_no_disqualify_button_and_is_refused(client, tree, people):
    staff = people.district_staff
    entry = contests.entry_register(
        contest=make_contest(tree.district, staff), member=make_member(tree.union_a), by=staff
    )
    client.force_login(people.officer_a)
    assert client.post(_step("competitions_entry", entry, "disqualify"), {"reason": "x"}).status_code in (
        403,
        404,
    )
    entry.refresh_from_db()
    assert entry.state == EntryState.REGISTERED


def test_nominations_are_reviewed_and_titles_conferred_from_the_pages(client, tree, people):
    staff = people.district_staff
    round_ = make_round(tree.district, staff)
    nomination = contests.nomination_submit(
        round_=round_, title=make_title(tree.district, staff), union=tree.union_a, by=people.officer_a,
        member=make_member(tree.union_a, name="王大明"), deeds="十年无事故，带徒12人",
    )  # fmt: skip
    client.force_login(staff)
    assert _offered(client, "competitions_nomination", nomination) == ["shortlist", "reject", "withdraw"]
    client.post(_step("competitions_nomination", nomination, "shortlist"), {"note": "材料齐全"})
    nomination.refresh_from_db()
    assert nomination.state == NominationState.SHORTLISTED
    assert _offered(client, "competitions_nomination", nomination) == ["reject", "withdraw"]

    # the round: the public notice, then conferral (refused while the notice runs: the user stays)
    assert _offered(client, "competitions_nominationround", round_) == ["publicity"]
    client.post(_step("competitions_nominationround", round_, "publicity"), {})
    round_.refresh_from_db()
    assert round_.status == RoundStatus.PUBLICITY
    assert _offered(client, "competitions_nominationround", round_) == ["confer"]
    refused = client.post(_step("competitions_nominationround", round_, "confer"), {})
    assert refused.status_code == 200
    assert refused.context["form"].non_field_errors()
    round_.refresh_from_db()
    assert round_.status == RoundStatus.PUBLICITY
    NominationRound.objects.filter(pk=round_.pk).update(
        publicity_starts_on=timezone.localdate() - dt.timedelta(days=20),
        publicity_ends_on=timezone.localdate() - dt.timedelta(days=1),
    )
    client.post(_step("competitions_nominationround", round_, "confer"), {})
    round_.refresh_from_db()
    nomination.refresh_from_db()
    assert (round_.status, nomination.state) == (RoundStatus.CONCLUDED, NominationState.CONFERRED)


def test_an_objection_is_upheld_from_its_page_and_stops_the_nomination(client, tree, people):
    staff = people.district_staff
    round_ = make_round(tree.district, staff)
    nomination = contests.nomination_submit(
        round_=round_, title=make_title(tree.district, staff), union=tree.union_a, by=people.officer_a,
        member=make_member(tree.union_a), deeds="安全生产",
    )  # fmt: skip
    contests.nomination_review(nomination=nomination, by=staff, shortlist=True)
    contests.round_start_publicity(round_=round_, by=staff)
    today = timezone.localdate()  # the notice started two days ago (it starts on a working day)
    NominationRound.objects.filter(pk=round_.pk).update(
        publicity_starts_on=today - dt.timedelta(days=2), publicity_ends_on=today + dt.timedelta(days=5)
    )
    objection = contests.objection_record(
        nomination=nomination, by=staff, content="事迹材料与实际不符", received_on=timezone.localdate()
    )
    client.force_login(staff)
    assert _offered(client, "competitions_objection", objection) == ["uphold", "dismiss"]
    form_page = client.get(_step("competitions_objection", objection, "uphold"))
    assert "resolution" in form_page.context["form"].fields
    client.post(_step("competitions_objection", objection, "uphold"), {"resolution": "经核实，事迹有夸大"})
    objection.refresh_from_db()
    nomination.refresh_from_db()
    assert (objection.state, nomination.state) == (ObjectionState.UPHELD, NominationState.STOPPED)
    assert _offered(client, "competitions_objection", objection) == []


def test_a_mentor_pair_is_ended_with_its_outcome(client, tree, people):
    staff = people.district_staff
    today = timezone.localdate()
    pair = contests.mentor_pair_save(
        pair=MentorPair(
            organisation=tree.union_a, mentor=make_member(tree.union_a, name="王师傅"),
            apprentice=make_member(tree.union_a, name="李徒弟"), occupation="焊工", goals="取得高级工证书",
            starts_on=today - dt.timedelta(days=400), ends_on=today - dt.timedelta(days=1),
        ),
        by=staff,
    )  # fmt: skip
    client.force_login(staff)
    assert _offered(client, "competitions_mentorpair", pair) == ["end"]
    refused = client.post(_step("competitions_mentorpair", pair, "end"), {"outcome": ""})
    assert "outcome" in refused.context["form"].errors
    client.post(_step("competitions_mentorpair", pair, "end"), {"outcome": "取得高级焊工证书"})
    pair.refresh_from_db()
    assert (pair.status, pair.outcome) == ("ended", "取得高级焊工证书")


def test_an_activity_is_published_and_cancelled_from_its_page(client, tree, people):
    leader = make_leader("leader_steps")
    team = make_team(tree.town_a, leader=leader)
    activity = make_activity(team, leader, publish=False)
    client.force_login(people.district_staff)
    assert _offered(client, "volunteers_activity", activity) == ["publish", "cancel"]
    response = client.post(_step("volunteers_activity", activity, "publish"), {}, follow=True)
    assert response.redirect_chain[-1][0] == _page("volunteers_activity", activity)
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.OPEN
    # finishing before the end is refused on the form
    refused = client.post(_step("volunteers_activity", activity, "finish"), {})
    assert refused.status_code == 200
    assert refused.context["form"].non_field_errors()
    client.post(_step("volunteers_activity", activity, "cancel"), {"reason": "暴雨预警"})
    activity.refresh_from_db()
    assert (activity.status, activity.cancel_reason) == (ActivityStatus.CANCELLED, "暴雨预警")


def test_hours_are_verified_and_rejected_from_the_record_page(client, tree, people):
    leader = make_leader("leader_hours")
    team = make_team(tree.town_a, leader=leader)
    activity = make_activity(team, leader, publish=True)
    start = timezone.now().replace(microsecond=0) - dt.timedelta(days=10)
    type(activity).objects.filter(pk=activity.pk).update(
        starts_at=start, ends_at=start + dt.timedelta(hours=3), signup_opens_at=start - dt.timedelta(days=1),
        signup_closes_at=start,
    )  # fmt: skip
    activity.refresh_from_db()
    first, second = (
        volunteering.record_enter(
            activity=activity, volunteer=make_volunteer(tree.union_a), by=leader,
            started_at=activity.starts_at, ended_at=activity.ends_at, note="补录",
        )
        for _ in range(2)
    )  # fmt: skip
    client.force_login(people.district_staff)  # team leaders verify in the portal; staff in the admin
    assert _offered(client, "volunteers_servicerecord", first) == ["verify", "reject"]
    client.post(_step("volunteers_servicerecord", first, "verify"), {})
    first.refresh_from_db()
    assert first.status == RecordStatus.VERIFIED
    assert _offered(client, "volunteers_servicerecord", first) == ["unverify"]
    client.post(_step("volunteers_servicerecord", second, "reject"), {"reason": "未到场"})
    second.refresh_from_db()
    assert (second.status, second.reason) == (RecordStatus.REJECTED, "未到场")


def test_town_b_staff_cannot_move_a_town_a_activity(client, tree, people):
    leader_a = make_leader("la")
    activity = make_activity(make_team(tree.town_a, leader=leader_a), leader_a, publish=False)
    client.force_login(people.town_b_staff)
    assert client.post(_step("volunteers_activity", activity, "publish"), {}).status_code in (403, 404)
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.DRAFT
