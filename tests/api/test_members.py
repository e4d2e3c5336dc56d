"""``/api/v1/members/``: who may list, read, register and change members, what they see, and how they find them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from members.models import Channel, Member, MembershipEvent, MemberStatus
from members.services import member_end

from ..members.factories import make_member
from ..organisations.factories import make_enterprise
from .support import error_attrs, ids, member_payload, member_state

LIST = reverse("v1:member-list")


def detail(member) -> str:
    return reverse("v1:member-detail", args=[member.pk])


# --- who may do what -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "list_status", "listed", "read", "create", "update"),
    [
        ("anonymous", 401, None, 401, 401, 401),
        ("member_user", 403, None, 403, 403, 403),
        ("town_b_staff", 200, False, 404, 403, 404),
        ("auditor", 200, True, 200, 403, 403),
        # sees only what they filed (issue 18.4), may file applications but not register members
        ("proxy_a", 200, False, 404, 403, 403),
        ("officer_a", 200, True, 200, 201, 200),
        ("town_a_staff", 200, True, 200, 201, 200),
        ("district_staff", 200, True, 200, 201, 200),
    ],
)
def test_member_permission_matrix(tree, people, api, actor, list_status, listed, read, create, update):
    # given a member of union A and a caller
    member = make_member(tree.union_a)
    client = api(None if actor == "anonymous" else getattr(people, actor))
    before, count = member_state(member), Member.objects.count()

    response = client.get(LIST)
    assert response.status_code == list_status
    if listed is not None:
        assert (member.pk in ids(response)) is listed

    assert client.get(detail(member)).status_code == read

    response = client.post(LIST, member_payload(tree.union_a))
    assert response.status_code == create
    assert Member.objects.count() == count + (1 if create == 201 else 0)

    response = client.patch(detail(member), {"job": "叉车司机"})
    assert response.status_code == update
    if update == 200:
        assert Member.objects.get(pk=member.pk).job == "叉车司机"
    else:
        assert member_state(member) == before


def test_nothing_is_deleted_and_put_is_not_offered(tree, people, api):
    member = make_member(tree.union_a)
    client = api(people.district_staff)
    before = member_state(member)

    assert client.delete(detail(member)).status_code == 405
    assert client.put(detail(member), {"job": "x"}).status_code == 405
    assert member_state(member) == before


# --- what a caller sees ------------------------------------------------------------------------------


def test_member_is_shown_masked(tree, people, api):
    member = make_member(tree.union_a, name="张三明")

    response = api(people.town_a_staff).get(detail(member))

    assert response.status_code == 200
    body = response.json()
    assert body == {
        "id": member.pk,
        "name": "张三明",
        "sex": member.sex,
        "birth_date": member.birth_date.isoformat(),
        "masked_id_number": member.id_number[:6] + "********" + member.id_number[-4:],
        "masked_mobile": member.mobile[:3] + "****" + member.mobile[-4:],
        "status": "active",
        "union": {"id": tree.union_a.pk, "name": "健力宝集团工会委员会"},
        "employer": {"id": tree.union_a.enterprise_id, "name": "健力宝集团有限公司"},
        "card_number": member.card_number,
        "join_date": member.join_date.isoformat(),
        "household_type": "local",
        "is_migrant_worker": False,
        "job": "操作工",
        "skill_grade": "",
    }
    listed = api(people.town_a_staff).get(LIST).content.decode()
    for raw in (member.id_number, member.mobile):
        assert raw not in response.content.decode()
        assert raw not in listed


# --- register and change ----------------------------------------------------------------------------


def test_officer_registers_a_member_through_the_service(tree, people, api):
    payload = member_payload(tree.union_a, name=" 李四 ", mobile="+86 139-0000-1234")

    response = api(people.officer_a).post(LIST, payload)

    assert response.status_code == 201
    member = Member.objects.get(pk=response.json()["id"])
    assert (member.name, member.mobile, member.status, member.channel) == (
        "李四", "13900001234", MemberStatus.ACTIVE, Channel.API,
    )  # fmt: skip
    assert response.json()["masked_mobile"] == "139****1234"
    assert response.json()["card_number"] == member.card_number
    assert list(member.events.values_list("kind", "by__username")) == [
        ("registered", "officer_a"),
        ("approved", "officer_a"),
    ]


@pytest.mark.parametrize(
    ("override", "attr", "code"),
    [
        ({"id_number": "440607199001011234"}, "id_number", "id_checksum"),
        ({"id_number": "12345"}, "id_number", "id_length"),
        ({"mobile": "12345678901"}, "mobile", "mobile_invalid"),
        ({"name": "   "}, "name", "required"),
        ({"union": "town"}, "union", "union_kind"),
        ({"union": 999999}, "union", "does_not_exist"),
        ({"household_type": "martian"}, "household_type", "invalid_choice"),
    ],
)
def test_register_rejects_bad_input_as_field_errors(tree, people, api, override, attr, code):
    if override.get("union") == "town":
        override = {"union": tree.town_a.pk}
    count = Member.objects.count()

    response = api(people.district_staff).post(LIST, member_payload(tree.union_a, **override))

    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    assert error_attrs(response) == [(attr, code)]
    assert Member.objects.count() == count


def test_register_refuses_a_second_open_membership(tree, people, api):
    existing = make_member(tree.union_b)

    response = api(people.district_staff).post(
        LIST, member_payload(tree.union_a, id_number=existing.id_number.lower())
    )

    assert response.status_code == 400
    assert error_attrs(response) == [("id_number", "duplicate")]
    assert Member.objects.filter(id_number_hash=existing.id_number_hash).count() == 1


def test_register_in_a_union_outside_the_scope_is_refused(tree, people, api):
    count = Member.objects.count()

    response = api(people.town_a_staff).post(LIST, member_payload(tree.union_b))

    assert response.status_code == 403
    assert error_attrs(response) == [(None, "permission_denied")]
    assert Member.objects.count() == count


def test_update_goes_through_the_service(tree, people, api):
    member = make_member(tree.union_a)
    employer = make_enterprise(tree.town_a, name="南山制衣厂")

    response = api(people.town_a_staff).patch(
        detail(member),
        {"mobile": "13700001111", "skill_grade": "senior", "employer": employer.pk, "note": "换手机"},
    )

    assert response.status_code == 200
    member.refresh_from_db()
    assert (member.mobile, member.skill_grade, member.employer_id) == ("13700001111", "senior", employer.pk)
    assert response.json()["masked_mobile"] == "137****1111"
    event = member.events.get(kind=MembershipEvent.Kind.UPDATED)
    assert (event.by, event.note) == (people.town_a_staff, "换手机")


def test_update_cannot_move_a_member_or_change_the_status(tree, people, api):
    member = make_member(tree.union_a)
    before = member_state(member)

    response = api(people.district_staff).patch(
        detail(member), {"union": tree.union_b.pk, "status": "lapsed"}
    )

    assert response.status_code == 400
    assert error_attrs(response) == [("non_field_errors", "invalid")]
    assert "status" in response.json()["errors"][0]["detail"]
    assert member_state(member) == before


def test_update_to_someone_elses_id_number_is_a_duplicate(tree, people, api):
    first, second = make_member(tree.union_a), make_member(tree.union_a)
    before = member_state(second)

    response = api(people.town_a_staff).patch(detail(second), {"id_number": first.id_number})

    assert response.status_code == 400
    assert error_attrs(response) == [("id_number", "duplicate")]
    assert member_state(second) == before


# --- scope: town A never sees town B ---------------------------------------------------------------


def test_town_staff_never_see_another_towns_members(tree, people, api):
    mine = make_member(tree.union_a, name="王小明")
    theirs = make_member(tree.union_b, name="王大明")
    client = api(people.town_a_staff)

    assert ids(client.get(LIST)) == [mine.pk]
    assert client.get(detail(theirs)).status_code == 404
    assert ids(client.get(LIST, {"union": tree.union_b.pk})) == []
    assert ids(client.get(LIST, {"within": tree.town_b.pk})) == []
    assert ids(client.get(LIST, {"within": tree.district.pk})) == []  # a node above the scope is not visible
    for term in ("王大明", "wangdaming", "wdm", theirs.id_number, theirs.mobile, theirs.card_number):
        assert ids(client.get(LIST, {"q": term})) == [], term
    assert ids(client.get(LIST, {"q": "王"})) == [mine.pk]


# --- filters, search, ordering -----------------------------------------------------------------------


def test_filters(tree, people, api):
    local = make_member(tree.union_a, skill_grade="technician")
    migrant = make_member(tree.branch_a, household_type="non_local", is_migrant_worker=True)
    pending = make_member(tree.union_b, active=False)
    ended = make_member(tree.union_b)
    member_end(member=ended, status="lapsed", by=people.district_staff, reason="欠缴会费")
    client = api(people.district_staff)

    def listed(**params):
        response = client.get(LIST, params)
        assert response.status_code == 200, response.json()
        return sorted(ids(response))

    assert listed(status="pending") == [pending.pk]
    assert listed(status="lapsed") == [ended.pk]
    assert listed(within=tree.union_a.pk) == sorted([local.pk, migrant.pk])
    assert listed(within=tree.branch_a.pk) == [migrant.pk]
    assert listed(within=tree.town_b.pk) == sorted([pending.pk, ended.pk])
    assert listed(union=tree.union_a.pk) == [local.pk]
    assert listed(household_type="non_local") == [migrant.pk]
    assert listed(is_migrant_worker="true") == [migrant.pk]
    assert listed(skill_grade="technician") == [local.pk]
    assert listed(within=999999) == []


def test_bad_filter_values_are_field_errors(tree, people, api):
    response = api(people.district_staff).get(LIST, {"status": "sleeping", "within": "abc"})

    assert response.status_code == 400
    assert sorted(error_attrs(response)) == [("status", "invalid_choice"), ("within", "invalid")]


def test_search_by_name_pinyin_initials_id_number_mobile_and_card(tree, people, api):
    target = make_member(tree.union_a, name="张三明")
    make_member(tree.union_a, name="李四")
    client = api(people.town_a_staff)

    spaced_id = f"{target.id_number[:6]} {target.id_number[6:14]} {target.id_number[14:]}"
    for term in ("张三", "zhangsan", "zsm", target.id_number, spaced_id, target.mobile, target.card_number):
        assert ids(client.get(LIST, {"q": term})) == [target.pk], term


def test_ordering_by_name_join_date_and_pk(tree, people, api):
    zhang = make_member(tree.union_a, name="张伟")
    an = make_member(tree.union_a, name="安娜")
    li = make_member(tree.union_a, name="李娜")
    Member.objects.filter(pk=an.pk).update(join_date="2020-05-01")
    Member.objects.filter(pk=zhang.pk).update(join_date="2021-05-01")
    Member.objects.filter(pk=li.pk).update(join_date="2019-05-01")
    client = api(people.town_a_staff)

    assert ids(client.get(LIST, {"ordering": "name"})) == [an.pk, li.pk, zhang.pk]  # by pinyin: an, li, zhang
    assert ids(client.get(LIST, {"ordering": "-join_date"})) == [zhang.pk, an.pk, li.pk]
    assert ids(client.get(LIST, {"ordering": "pk"})) == [zhang.pk, an.pk, li.pk]
    assert ids(client.get(LIST)) == [li.pk, an.pk, zhang.pk]  # newest first
    assert ids(client.get(LIST, {"ordering": "masked_id_number"})) == [li.pk, an.pk, zhang.pk]  # ignored
