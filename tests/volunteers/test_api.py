"""The API: open activities for anyone, sign-up for oneself, scoped sign-ups and records, commands."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from volunteers import services
from volunteers.models import Activity, RecordStatus, Signup

from .factories import make_activity, make_volunteer


def _client(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_open_activities_are_public_and_filtered(corps, tree):
    open_a = make_activity(corps.team_a, corps.leader_a, town=tree.town_a, category="patrol")
    make_activity(corps.team_b, corps.leader_b, town=tree.town_b, category="culture")
    make_activity(corps.team_a, corps.leader_a, publish=False)  # a draft is not listed
    body = _client().get("/api/v1/volunteers/open-activities/").json()
    assert body["count"] == 2
    only_a = _client().get(f"/api/v1/volunteers/open-activities/?town={tree.town_a.pk}").json()
    assert [a["id"] for a in only_a["results"]] == [open_a.pk]
    culture = _client().get("/api/v1/volunteers/open-activities/?category=culture").json()
    assert [a["category"] for a in culture["results"]] == ["culture"]


def test_the_open_list_costs_the_same_at_2_and_10_rows(corps):
    for _ in range(2):
        make_activity(corps.team_a, corps.leader_a)
    with CaptureQueriesContext(connection) as small:
        _client().get("/api/v1/volunteers/open-activities/")
    for _ in range(8):
        make_activity(corps.team_a, corps.leader_a)
    with CaptureQueriesContext(connection) as large:
        assert _client().get("/api/v1/volunteers/open-activities/").json()["count"] == 10
    assert len(large) == len(small)


def test_a_volunteer_signs_up_and_cancels_through_the_api(corps):
    activity = make_activity(corps.team_a, corps.leader_a, capacity=1)
    client = _client(corps.volunteer.user)
    response = client.post(f"/api/v1/volunteers/open-activities/{activity.pk}/signup/")
    assert response.status_code == 200 and response.json()["status"] == "confirmed"
    signup_id = response.json()["id"]
    mine = client.get("/api/v1/volunteers/signups/").json()
    assert [s["id"] for s in mine["results"]] == [signup_id]
    assert client.post(f"/api/v1/volunteers/signups/{signup_id}/cancel/").json()["status"] == "cancelled"
    assert Activity.objects.get(pk=activity.pk).confirmed_count == 0


def test_someone_not_registered_gets_a_clear_error(corps, people):
    activity = make_activity(corps.team_a, corps.leader_a)
    response = _client(people.proxy_a).post(f"/api/v1/volunteers/open-activities/{activity.pk}/signup/")
    assert response.status_code == 400 and "Register as a volunteer" in str(response.json())


def test_a_volunteer_sees_only_their_own_signups(corps, tree):
    activity = make_activity(corps.team_a, corps.leader_a)
    services.signup_create(activity=activity, volunteer=corps.other, by=corps.other.user)
    assert _client(corps.volunteer.user).get("/api/v1/volunteers/signups/").json()["count"] == 0
    assert Signup.objects.count() == 1


def test_the_leader_verifies_and_rejects_through_the_api(corps):
    activity = make_activity(corps.team_a, corps.leader_a)
    start = timezone.now() - dt.timedelta(days=3)
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=start, ends_at=start + dt.timedelta(hours=3), signup_opens_at=start - dt.timedelta(days=1),
        signup_closes_at=start,
    )  # fmt: skip
    activity.refresh_from_db()
    one, two = (
        services.record_enter(
            activity=activity, volunteer=v, by=corps.leader_a, started_at=activity.starts_at,
            ended_at=activity.ends_at, note="补录",
        )
        for v in (corps.volunteer, corps.other)
    )  # fmt: skip
    leader = _client(corps.leader_a)
    assert leader.get("/api/v1/volunteers/records/?status=pending").json()["count"] == 2
    assert (
        leader.post(f"/api/v1/volunteers/records/{one.pk}/verify/").json()["status"] == RecordStatus.VERIFIED
    )
    refused = leader.post(f"/api/v1/volunteers/records/{two.pk}/reject/", {"reason": ""})
    assert refused.status_code == 400
    assert (
        leader.post(f"/api/v1/volunteers/records/{two.pk}/reject/", {"reason": "未到场"}).json()["reason"]
        == "未到场"
    )
    # another team's leader does not find them
    assert _client(corps.leader_b).post(f"/api/v1/volunteers/records/{one.pk}/verify/").status_code == 404
    hours = _client(corps.volunteer.user).get("/api/v1/volunteers/volunteers/").json()["results"]
    assert [(h["verified_hours"], h["star_level"]) for h in hours] == [("3.00", 0)]


def test_a_partner_key_reads_no_volunteer_rows(corps, tree):
    from tests.accounts.factories import make_user
    from union_portal.accounts.roles import Role

    partner = make_user(Role.PARTNER, tree.town_a, username="p-vol")
    make_volunteer(tree.union_a)
    assert _client(partner).get("/api/v1/volunteers/volunteers/").status_code == 403
