"""What members do in the portal themselves: a team leader enters their work team, anyone signed in
objects to a nomination under public notice, and a member's honours show on their profile."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from competitions import services
from competitions.models import (
    Entry,
    EntryKind,
    HolderKind,
    NominationRound,
    Objection,
    ObjectionState,
)
from union_portal.accounts.roles import Role
from union_portal.core.errors import ApplicationError
from union_portal.notifications.models import Notification

from ..accounts.factories import make_user
from ..members.factories import make_member
from .factories import make_contest, make_round, make_title

# --- team entries -------------------------------------------------------------------------------------------


@pytest.fixture
def team_contest(tree, people):
    return make_contest(
        tree.district,
        people.district_staff,
        name="安康杯安全知识竞赛",
        entry_kind=EntryKind.TEAM,
        team_min=3,
        team_max=4,
    )


def test_a_team_leader_enters_their_work_team_by_card_numbers(
    client, tree, people, team_contest, django_capture_on_commit_callbacks
):
    # given a leader and two team-mates of enterprise A, each with a portal login
    leader = make_member(tree.union_a, user=people.member_user, name="陈晓明")
    mates = [
        make_member(tree.union_a, user=make_user(Role.MEMBER, None, username=f"mate{i}"), name=f"班组成员{i}")
        for i in range(2)
    ]
    client.force_login(leader.user)
    page = client.get(f"/portal/contests/{team_contest.pk}/enter/").content.decode()
    assert 'name="team_members"' in page and 'name="team_name"' in page
    # when the leader names the team and the team-mates' card numbers (one with spaces, one after a comma)
    cards = f" {mates[0].card_number} ,{mates[1].card_number}"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/portal/contests/{team_contest.pk}/enter/", {"team_name": "灌装车间一班", "team_members": cards}
        )
    # then one team entry holds all three, and each of them is told
    entry = Entry.objects.get(contest=team_contest)
    assert response.status_code == 302 and response["Location"] == f"/portal/contests/entries/{entry.pk}/"
    assert entry.team_name == "灌装车间一班" and entry.member == leader
    assert sorted(entry.people.values_list("member__name", flat=True)) == ["班组成员0", "班组成员1", "陈晓明"]
    told = Notification.objects.filter(kind="contests.entry_registered").values_list("recipient", flat=True)
    assert sorted(told) == sorted([leader.user.pk, mates[0].user.pk, mates[1].user.pk])
    # and a team-mate sees the entry among theirs
    client.force_login(mates[0].user)
    assert client.get(f"/portal/contests/entries/{entry.pk}/").status_code == 200


def test_a_card_number_of_another_enterprise_is_refused_on_the_field(client, tree, people, team_contest):
    leader = make_member(tree.union_a, user=people.member_user, name="陈晓明")
    mate = make_member(tree.union_a, name="班组成员")
    elsewhere = make_member(tree.union_b, name="乐平工人")
    client.force_login(leader.user)
    response = client.post(
        f"/portal/contests/{team_contest.pk}/enter/",
        {"team_name": "一班", "team_members": f"{mate.card_number}\n{elsewhere.card_number}"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["team_members"] == [
        f"No member in good standing of your enterprise has the card number {elsewhere.card_number}."
    ]
    assert not Entry.objects.filter(contest=team_contest).exists()
    # too small a team is refused too (the leader and one team-mate, three needed)
    response = client.post(
        f"/portal/contests/{team_contest.pk}/enter/", {"team_name": "一班", "team_members": mate.card_number}
    )
    assert "A team has 3 to 4 members (this one has 2)." in response.context["form"].errors["team_members"][0]


def test_the_same_person_cannot_be_in_two_teams_of_one_contest(tree, people, team_contest):
    a, b, c = (make_member(tree.union_a, name=f"工人{i}") for i in range(3))
    d = make_member(tree.union_a, name="工人3")
    services.entry_register(
        contest=team_contest,
        member=a,
        by=people.district_staff,
        team_name="一班",
        team_cards=[b.card_number, c.card_number],
    )
    with pytest.raises(ApplicationError, match="has already entered"):
        services.entry_register(
            contest=team_contest, member=d, by=people.district_staff, team_name="二班",
            team_cards=[c.card_number, b.card_number],
        )  # fmt: skip


# --- objections on the public notice page ----------------------------------------------------------------


@pytest.fixture
def under_notice(tree, people):
    """A shortlisted nomination of union A whose public notice runs today."""
    staff = people.district_staff
    title = make_title(tree.district, staff)
    round_ = make_round(tree.district, staff)
    nominee = make_member(tree.union_a, name="王大明")
    nomination = services.nomination_submit(
        round_=round_,
        title=title,
        union=tree.union_a,
        by=people.officer_a,
        member=nominee,
        deeds="十年无事故",
    )
    services.nomination_review(nomination=nomination, by=staff, shortlist=True)
    services.round_start_publicity(round_=round_, by=staff)
    today = timezone.localdate()  # a weekend moves the start: set the window around today
    NominationRound.objects.filter(pk=round_.pk).update(
        publicity_starts_on=today - dt.timedelta(days=1), publicity_ends_on=today + dt.timedelta(days=5)
    )
    nomination.refresh_from_db()
    return nomination


def test_anyone_signed_in_objects_on_the_notice_page_and_is_told_the_outcome(
    client, people, under_notice, django_capture_on_commit_callbacks
):
    objector = people.member_user
    url = f"/portal/contests/honours/notice/{under_notice.pk}/object/"
    # the public page links to the form; the form needs a login
    assert url in client.get("/portal/contests/honours/notice/").content.decode()
    assert client.get(url).status_code == 302
    client.force_login(objector)
    assert "王*明" in client.get(url).content.decode()
    # an empty objection is refused on its field
    refused = client.post(url, {"content": "  "})
    assert refused.status_code == 200 and "content" in refused.context["form"].errors
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"content": "其事迹材料中的节能项目并非本人完成", "raised_by": ""})
    assert response.status_code == 302
    objection = Objection.objects.get(nomination=under_notice)
    assert (objection.raised_in_portal, objection.recorded_by, objection.raised_by) == (True, objector, "")
    assert objection.received_on == timezone.localdate()
    assert Notification.objects.filter(recipient=objector, kind="honours.objection_received").count() == 1
    # district staff (who resolve objections, above union A) are told
    assert (
        Notification.objects.filter(recipient=people.district_staff, kind="honours.objection_raised").count()
        == 1
    )
    assert not Notification.objects.filter(
        recipient=people.town_b_staff, kind="honours.objection_raised"
    ).exists()
    # when staff resolve it, the objector is told the outcome
    with django_capture_on_commit_callbacks(execute=True):
        services.objection_resolve(
            objection=objection, by=people.district_staff, upheld=True, resolution="经核实属实"
        )
    objection.refresh_from_db()
    under_notice.refresh_from_db()
    assert objection.state == ObjectionState.UPHELD and under_notice.state == "stopped"
    assert Notification.objects.filter(recipient=objector, kind="honours.objection_resolved").count() == 1
    # a stopped nomination is no longer under notice: its form is a 404
    assert client.get(url).status_code == 404


def test_a_nomination_not_under_notice_takes_no_objection(client, tree, people):
    staff = people.district_staff
    round_ = make_round(tree.district, staff)
    title = make_title(
        tree.district, staff, name="工人先锋号", holder_kind=HolderKind.TEAM, model_worker=False
    )
    nomination = services.nomination_submit(
        round_=round_,
        title=title,
        union=tree.union_a,
        by=people.officer_a,
        holder_name="一班",
        deeds="安全生产",
    )
    client.force_login(people.member_user)
    assert client.get(f"/portal/contests/honours/notice/{nomination.pk}/object/").status_code == 404
    with pytest.raises(ApplicationError, match="not under public notice"):
        services.objection_raise(nomination=nomination, by=people.member_user, content="异议")


def test_objections_per_person_are_limited(people, under_notice):
    for i in range(services.OBJECTIONS_PER_PERSON):
        services.objection_raise(nomination=under_notice, by=people.member_user, content=f"异议{i}")
    with pytest.raises(ApplicationError, match="already have 3 objections"):
        services.objection_raise(nomination=under_notice, by=people.member_user, content="再一次")


# --- the profile --------------------------------------------------------------------------------------------


def test_a_members_honours_show_on_their_portal_profile(client, tree, people):
    staff = people.district_staff
    member = make_member(tree.union_a, user=people.member_user, name="陈晓明")
    client.force_login(member.user)
    assert 'id="profile-honours"' not in client.get("/portal/profile/").content.decode()
    title = make_title(tree.district, staff, name="区劳动模范")
    services.honour_record(
        title=title, by=staff, organisation=tree.union_a, member=member, conferred_on=dt.date(2024, 4, 28)
    )
    page = client.get("/portal/profile/").content.decode()
    assert 'id="profile-honours"' in page and "区劳动模范" in page and "2024-04-28" in page
