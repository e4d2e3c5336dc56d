"""The portal on a phone: find, sign up, scan in and out, my hours and certificate; the leader's pages."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from volunteers import services
from volunteers.models import RecordStatus, ServiceRecord, Signup, SignupStatus, Volunteer

from .factories import make_activity, started_activity


def test_open_activities_are_listed_for_anyone_with_a_fixed_number_of_queries(client, corps, tree):
    for _ in range(2):
        make_activity(corps.team_a, corps.leader_a, town=tree.town_a)
    with CaptureQueriesContext(connection) as small:
        assert client.get("/portal/volunteers/").status_code == 200
    for _ in range(8):
        make_activity(corps.team_a, corps.leader_a, town=tree.town_a)
    with CaptureQueriesContext(connection) as large:
        response = client.get("/portal/volunteers/")
    assert len(response.context["activities"]) == 10
    assert len(large) == len(small)
    filtered = client.get("/portal/volunteers/", {"town": tree.town_b.pk})
    assert len(filtered.context["activities"]) == 0


def test_a_member_registers_then_signs_up_and_joins_the_waiting_list(client, corps, tree, people):
    from tests.accounts.factories import make_user
    from tests.members.factories import make_member
    from union_portal.accounts.roles import Role

    user = make_user(Role.MEMBER, None, username="newvol", mobile="13512345678")
    make_member(tree.union_a, user=user, name="周新")
    client.force_login(user)
    response = client.post(
        "/portal/volunteers/register/", {"emergency_contact": "周母", "emergency_phone": "13512345679"}
    )
    assert response.status_code == 302
    volunteer = Volunteer.objects.get(user=user)
    assert volunteer.name == "周新" and volunteer.organisation == tree.union_a
    full = make_activity(corps.team_a, corps.leader_a, capacity=1)
    services.signup_create(activity=full, volunteer=corps.other, by=corps.other.user)
    client.post(f"/portal/volunteers/activities/{full.pk}/signup/")
    assert Signup.objects.get(activity=full, volunteer=volunteer).status == SignupStatus.WAITING
    page = client.get(f"/portal/volunteers/activities/{full.pk}/").content.decode()
    assert "Number 1 on the waiting list" in page


def test_a_draft_activity_is_not_public(client, corps):
    draft = make_activity(corps.team_a, corps.leader_a, publish=False)
    assert client.get(f"/portal/volunteers/activities/{draft.pk}/").status_code == 404


def test_checking_in_and_out_by_scanning_the_leaders_code(client, corps):
    activity = started_activity(corps.team_a, corps.leader_a)
    services.signup_create(activity=activity, volunteer=corps.volunteer, by=corps.volunteer.user)
    # the leader's phone shows the code as a QR image with the scan address
    client.force_login(corps.leader_a)
    page = client.get(f"/portal/volunteers/lead/{activity.pk}/code/in/")
    assert page.status_code == 200 and 'http-equiv="refresh"' in page.content.decode()
    code = page.context["code"]
    # the volunteer opens the address in the code and confirms
    client.force_login(corps.volunteer.user)
    confirm = client.get(f"/portal/volunteers/scan/{code}/")
    assert confirm.status_code == 200 and code in confirm.content.decode()
    client.post("/portal/volunteers/scan/", {"code": code})
    assert ServiceRecord.objects.get(volunteer=corps.volunteer).status == RecordStatus.OPEN
    client.force_login(corps.leader_a)
    out = client.get(f"/portal/volunteers/lead/{activity.pk}/code/out/").context["code"]
    client.force_login(corps.volunteer.user)
    client.post("/portal/volunteers/scan/", {"code": out})
    assert ServiceRecord.objects.get(volunteer=corps.volunteer).status == RecordStatus.PENDING


def test_an_old_code_shows_a_clear_error(client, corps):
    activity = started_activity(corps.team_a, corps.leader_a)
    services.signup_create(activity=activity, volunteer=corps.volunteer, by=corps.volunteer.user)
    old = services.checkin_code(activity=activity, kind="in", by=corps.leader_a, at=1_700_000_000)
    client.force_login(corps.volunteer.user)
    response = client.post("/portal/volunteers/scan/", {"code": old})
    assert "has expired" in response.content.decode()
    assert not ServiceRecord.objects.exists()


def test_the_leader_verifies_on_the_phone_and_the_volunteer_sees_the_hours(client, corps):
    activity = started_activity(corps.team_a, corps.leader_a, hours=3)
    services.signup_create(activity=activity, volunteer=corps.volunteer, by=corps.volunteer.user)
    record = services.record_enter(
        activity=activity, volunteer=corps.volunteer, by=corps.leader_a,
        started_at=activity.starts_at, ended_at=activity.ends_at, note="补录",
    )  # fmt: skip
    client.force_login(corps.leader_a)
    assert "1 to verify" in client.get("/portal/volunteers/lead/").content.decode()
    client.post(f"/portal/volunteers/lead/records/{record.pk}/verify/")
    client.force_login(corps.volunteer.user)
    page = client.get("/portal/volunteers/hours/").content.decode()
    assert re.search(r'id="vol-hours">3\.00<', page)
    assert "97.00 more verified hours to the next star" in page


def test_another_teams_leader_gets_404s(client, corps):
    activity = started_activity(corps.team_a, corps.leader_a)
    record = services.record_enter(
        activity=activity, volunteer=corps.volunteer, by=corps.leader_a,
        started_at=activity.starts_at, ended_at=activity.ends_at, note="补录",
    )  # fmt: skip
    client.force_login(corps.leader_b)
    assert client.get(f"/portal/volunteers/lead/{activity.pk}/").status_code == 404
    assert client.get(f"/portal/volunteers/lead/{activity.pk}/code/in/").status_code == 404
    assert client.post(f"/portal/volunteers/lead/records/{record.pk}/verify/").status_code == 404
    assert ServiceRecord.objects.get(pk=record.pk).status == RecordStatus.PENDING


def test_the_certificate_of_hours_is_a_pdf_with_a_verification_code(client, corps):
    from union_portal.certificates.models import Certificate

    activity = started_activity(corps.team_a, corps.leader_a, hours=3)
    record = services.record_enter(
        activity=activity, volunteer=corps.volunteer, by=corps.leader_a,
        started_at=activity.starts_at, ended_at=activity.ends_at, note="补录",
    )  # fmt: skip
    client.force_login(corps.volunteer.user)
    assert client.get("/portal/volunteers/hours/certificate/").status_code == 302  # nothing verified yet
    services.record_verify(record=record, by=corps.leader_a)
    response = client.get("/portal/volunteers/hours/certificate/")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    certificate = Certificate.objects.get(kind="volunteers.hours")
    assert certificate.holder_user == corps.volunteer.user and "3.00" in certificate.subject
    client.get("/portal/volunteers/hours/certificate/")
    assert Certificate.objects.filter(kind="volunteers.hours").count() == 1  # the same hours, the same code
