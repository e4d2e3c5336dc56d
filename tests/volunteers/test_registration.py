"""Volunteers who are not members: a verified mobile (SMS code) and resident ID number, encrypted,
masked, one registration per person; members keep their own registration."""

import re

import pytest
from django.db import connection

from tests.members.factories import next_id_number
from union_portal.core.errors import ApplicationError, PermissionDeniedError
from union_portal.notifications import backends
from union_portal.notifications.models import Notification
from volunteers import services
from volunteers.models import Volunteer

ID = "440604199003070014"  # a valid check digit


def _code(mobile: str) -> str:
    sent_to, text = backends.outbox[-1]
    assert sent_to == mobile
    return re.search(r"\d{6}", text).group()


def _register(by, tree, *, mobile="13922223333", id_number=ID, **extra):
    services.volunteer_code_request(mobile=mobile, client="10.0.0.1")
    return services.volunteer_register_person(
        by=by,
        name="周小燕",
        id_number=id_number,
        mobile=mobile,
        organisation=tree.town_a,
        code=_code(mobile),
        password=extra.pop("password", "Volunteer-2026!"),
        emergency_contact="周大年",
        emergency_phone="13900001111",
        **extra,
    )


def test_a_person_registers_with_an_sms_code_and_gets_a_login(tree, committed):
    from django.contrib.auth.models import AnonymousUser

    with committed():
        volunteer = _register(AnonymousUser(), tree)
    volunteer.refresh_from_db()
    assert volunteer.member is None
    assert volunteer.user.username == "13922223333"
    assert volunteer.user.check_password("Volunteer-2026!")
    assert volunteer.mobile_verified_at is not None
    assert volunteer.id_number == ID
    assert volunteer.masked_id_number == "440604********0014"
    assert volunteer.organisation == tree.town_a
    # stored encrypted: the column holds no digits of the number
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM volunteers_volunteer WHERE id = %s", [volunteer.pk])
        stored = cursor.fetchone()[0]
    assert ID not in stored and "199003" not in stored
    assert Notification.objects.filter(recipient=volunteer.user, kind="volunteers.registered").count() == 1


def test_a_wrong_code_registers_nobody_and_a_right_one_works_once(tree):
    from django.contrib.auth.models import AnonymousUser

    services.volunteer_code_request(mobile="13922224444", client="10.0.0.2")
    code = _code("13922224444")
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(ApplicationError) as exc:
        services.volunteer_register_person(
            by=AnonymousUser(), name="周小燕", id_number=ID, mobile="13922224444",
            organisation=tree.town_a, code=wrong, password="Volunteer-2026!",
        )  # fmt: skip
    assert exc.value.code == "bad_code"
    assert Volunteer.objects.count() == 0
    services.volunteer_register_person(
        by=AnonymousUser(), name="周小燕", id_number=ID, mobile="13922224444",
        organisation=tree.town_a, code=code, password="Volunteer-2026!",
    )  # fmt: skip
    with pytest.raises(ApplicationError) as again:
        services.volunteer_register_person(
            by=AnonymousUser(), name="周小燕", id_number=next_id_number(), mobile="13922224444",
            organisation=tree.town_a, code=code, password="Volunteer-2026!",
        )  # fmt: skip
    assert again.value.code == "bad_code"  # the code was spent


@pytest.mark.parametrize(
    ("number", "code"),
    [("440604199003070019", "id_checksum"), ("44060419900307001", "id_length"), ("", "id_required")],
)
def test_the_id_number_is_checked_by_the_members_validator(tree, people, number, code):
    with pytest.raises(ApplicationError) as exc:
        services.volunteer_register_person(
            by=people.town_a_staff, name="周小燕", id_number=number, mobile="13922225555",
            organisation=tree.town_a,
        )  # fmt: skip
    assert (exc.value.code, exc.value.field) == (code, "id_number")


def test_the_same_person_cannot_register_twice_in_any_spelling(tree, people):
    services.volunteer_register_person(
        by=people.town_a_staff, name="周小燕", id_number=ID, mobile="13922226666", organisation=tree.town_a
    )
    with pytest.raises(ApplicationError) as exc:
        services.volunteer_register_person(
            by=people.district_staff, name="周小燕", id_number=" 440604 19900307 0014 ", mobile="13922227777",
            organisation=tree.town_b,
        )  # fmt: skip
    assert exc.value.code == "duplicate_id_number"
    assert str(exc.value) == "A volunteer with this ID number is already registered."
    assert Volunteer.objects.count() == 1


def test_a_members_id_number_is_sent_to_the_members_own_registration(tree, people):
    from tests.members.factories import make_member

    member = make_member(tree.union_a, id_number=ID)
    with pytest.raises(ApplicationError) as exc:
        services.volunteer_register_person(
            by=people.town_a_staff,
            name=member.name,
            id_number=ID,
            mobile="13922228888",
            organisation=tree.town_a,
        )
    assert exc.value.code == "member_id_number"
    # and a member registered as a volunteer holds the person's ID index too
    volunteer = services.volunteer_register(member=member, by=people.town_a_staff)
    assert volunteer.id_number_hash == member.id_number_hash
    assert services.id_number_refusal(member.id_number_hash).code == "duplicate_id_number"


def test_staff_register_only_in_their_subtree_and_without_a_proved_mobile(tree, people):
    with pytest.raises(PermissionDeniedError):
        services.volunteer_register_person(
            by=people.town_a_staff,
            name="周小燕",
            id_number=ID,
            mobile="13922229999",
            organisation=tree.town_b,
        )
    volunteer = services.volunteer_register_person(
        by=people.town_a_staff, name="周小燕", id_number=ID, mobile="13922229999", organisation=tree.town_a
    )
    assert volunteer.user is None and volunteer.mobile_verified_at is None


def test_the_portal_join_pages_on_a_phone(client, tree):
    page = client.get("/portal/volunteers/join/")
    assert page.status_code == 200
    sent = client.post("/portal/volunteers/join/", {"step": "request", "mobile": "139 2222 0000"})
    assert sent.status_code == 200 and sent.context["step"] == "register"
    code = _code("13922220000")
    form = {
        "step": "register", "mobile": "13922220000", "code": code, "name": "周小燕", "id_number": ID,
        "organisation": tree.town_a.pk, "password1": "Volunteer-2026!", "password2": "Volunteer-2026!",
        "emergency_contact": "周大年", "emergency_phone": "13900001111",
    }  # fmt: skip
    done = client.post("/portal/volunteers/join/", form)
    assert done.status_code == 302 and done["Location"] == "/portal/volunteers/"
    volunteer = Volunteer.objects.get()
    assert int(client.session["_auth_user_id"]) == volunteer.user_id
    # the same person again, from another browser: refused with the reason on the form
    client.logout()
    client.post("/portal/volunteers/join/", {"step": "request", "mobile": "13922220001"})
    again = client.post(
        "/portal/volunteers/join/", {**form, "mobile": "13922220001", "code": _code("13922220001")}
    )
    assert again.status_code == 200
    assert again.context["form"].errors["id_number"] == [
        "A volunteer with this ID number is already registered."
    ]
    assert Volunteer.objects.count() == 1


def test_the_admin_shows_the_id_number_masked(client, tree, people):
    volunteer = services.volunteer_register_person(
        by=people.town_a_staff, name="周小燕", id_number=ID, mobile="13922221212", organisation=tree.town_a
    )
    client.force_login(people.town_a_staff)
    page = client.get(f"/admin/volunteers/volunteer/{volunteer.pk}/change/")
    text = page.content.decode()
    assert "440604********0014" in text
    assert ID not in text


def test_staff_register_a_non_member_in_the_admin_and_a_duplicate_comes_back_on_the_form(
    client, tree, people
):
    client.force_login(people.town_a_staff)
    form = {
        "name": "周小燕", "id_card_number": ID, "mobile": "13922221313", "organisation": tree.town_a.pk,
        "status": "active", "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
    }  # fmt: skip
    added = client.post("/admin/volunteers/volunteer/add/", form)
    assert added.status_code == 302
    volunteer = Volunteer.objects.get()
    assert (volunteer.id_number, volunteer.organisation, volunteer.member) == (ID, tree.town_a, None)
    again = client.post("/admin/volunteers/volunteer/add/", {**form, "mobile": "13922221414"})
    assert again.status_code == 200
    assert "A volunteer with this ID number is already registered." in again.content.decode()
    assert Volunteer.objects.count() == 1
