import pytest
from django.db import connection

from members import services
from members.models import Channel, Member, MembershipEvent, MemberStatus
from union_portal.core.errors import ApplicationError, PermissionDeniedError

from ..members.factories import make_member, member_data


def test_apply_then_approve_gives_a_card(tree, people):
    # given an application filed by the union officer
    member = services.member_apply(
        data=member_data(tree.union_a), by=people.officer_a, channel=Channel.OFFICER
    )
    assert member.status == MemberStatus.PENDING and member.card_number is None
    # when the officer approves it
    member = services.member_approve(member=member, by=people.officer_a, note="ok")
    # then the member is active with a well-formed card and the events tell the story
    assert member.status == MemberStatus.ACTIVE
    assert services.card_number_is_well_formed(member.card_number)
    assert list(member.events.values_list("kind", "by__username")) == [
        ("registered", "officer_a"),
        ("approved", "officer_a"),
    ]
    # approving twice changes nothing
    again = services.member_approve(member=member, by=people.officer_a)
    assert again.card_number == member.card_number
    assert member.events.count() == 2


def test_rejected_application_keeps_the_reason(tree, people):
    member = services.member_apply(
        data=member_data(tree.union_a), by=people.proxy_a, channel=Channel.PROXY, consent=True
    )
    with pytest.raises(ApplicationError) as info:
        services.member_reject(member=member, by=people.officer_a, reason="  ")
    assert info.value.field == "reason"
    member = services.member_reject(member=member, by=people.officer_a, reason="不在本单位工作")
    member.refresh_from_db()
    assert member.status == MemberStatus.REJECTED
    assert member.rejection_reason == "不在本单位工作"
    assert member.events.last().kind == MembershipEvent.Kind.REJECTED
    # the person can apply again after a rejection
    again = services.member_apply(
        data=member_data(tree.union_a, id_number=member.id_number),
        by=people.officer_a,
        channel=Channel.OFFICER,
    )
    assert again.pk != member.pk


def test_one_open_membership_per_person(tree, people):
    first = make_member(tree.union_a)
    with pytest.raises(ApplicationError) as info:
        services.member_apply(
            data=member_data(tree.union_b, id_number=first.id_number.lower()),
            by=people.officer_b,
            channel=Channel.OFFICER,
        )
    assert info.value.code == "duplicate" and info.value.field == "id_number"
    # the database says no too, whatever the caller checked
    twin = services.build_member(
        services.clean_member_input(member_data(tree.union_b, id_number=first.id_number)),
        channel=Channel.IMPORT,
    )
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
    assert Member.objects.filter(id_number_hash=first.id_number_hash).count() == 1


def test_transfer_keeps_row_and_history(tree, people):
    member = make_member(tree.union_a)
    card = member.card_number
    services.member_transfer(member=member, to_union=tree.union_b, by=people.district_staff, reason="换工作")
    member.refresh_from_db()
    assert member.union == tree.union_b and member.card_number == card
    event = member.events.get(kind="transferred")
    assert (event.from_union, event.to_union, event.note) == (tree.union_a, tree.union_b, "换工作")
    assert [h.union_id for h in member.history.order_by("history_id")][-2:] == [
        tree.union_a.pk,
        tree.union_b.pk,
    ]


def test_town_staff_cannot_act_outside_their_town(tree, people):
    member = make_member(tree.union_b)
    with pytest.raises(PermissionDeniedError):
        services.member_transfer(member=member, to_union=tree.union_a, by=people.town_a_staff, reason="x")
    member.refresh_from_db()
    assert member.union == tree.union_b


def test_end_membership_is_a_state_not_a_delete(tree, people):
    member = make_member(tree.union_a)
    services.member_end(member=member, status=MemberStatus.DECEASED, by=people.officer_a, reason="病故")
    member.refresh_from_db()
    assert member.status == MemberStatus.DECEASED and member.ended_on is not None
    with pytest.raises(ApplicationError):
        services.member_transfer(member=member, to_union=tree.union_b, by=people.district_staff, reason="x")


def test_id_number_is_encrypted_at_rest(tree):
    member = make_member(tree.union_a)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM members_member WHERE id = %s", [member.pk])
        (raw,) = cursor.fetchone()
        cursor.execute("SELECT id_number FROM members_historicalmember WHERE id = %s", [member.pk])
        history = [row[0] for row in cursor.fetchall()]
    assert member.id_number not in raw and raw.startswith("gAAAA")
    assert history and all(member.id_number not in h for h in history)
    assert services.find_by_id_number(member.id_number).get() == member


def test_card_verification_tells_only_valid_and_a_masked_name(tree):
    member = make_member(tree.union_a, name="张三明")
    check = services.card_verify(member.card_number)
    assert (check.valid, check.masked_name) == (True, "张*明")
    assert (
        services.card_verify(member.card_number[:-1] + "0" if member.card_number[-1] != "0" else "1").valid
        is False
    )
    services.member_end(member=member, status="withdrawn", by=member.events.first().by, reason="退会")
    assert services.card_verify(member.card_number).valid is False


def test_coverage_of_a_subtree(tree, people):
    from members.selectors import coverage

    from ..organisations.factories import make_enterprise

    make_enterprise(tree.town_a, name="未建会企业", headcount=100)  # no union yet
    for _ in range(3):
        make_member(tree.union_a)
    make_member(tree.branch_a)
    make_member(tree.union_a, active=False)  # pending: not counted
    make_member(tree.union_b)  # other town
    figures = coverage(organisation=tree.town_a)
    assert (figures.enterprises, figures.unionised_enterprises, figures.headcount, figures.members) == (
        2,
        1,
        500,
        4,
    )
    assert figures.union_rate == 0.5 and figures.membership_rate == 4 / 500
    assert coverage(organisation=tree.district).members == 5
