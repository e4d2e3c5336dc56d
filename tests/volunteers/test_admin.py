"""Staff screens: lists in scope with a fixed number of queries, the verification queue, the hours sheet."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from volunteers import services
from volunteers.models import Activity, RecordStatus, ServiceRecord

from .factories import make_activity, make_volunteer


def _pending(corps, volunteer, *, days_ago=10, hours=3):
    activity = make_activity(corps.team_a, corps.leader_a, hours=hours)
    start = timezone.now().replace(microsecond=0) - dt.timedelta(days=days_ago)
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=start, ends_at=start + dt.timedelta(hours=hours), signup_opens_at=start - dt.timedelta(days=1),
        signup_closes_at=start,
    )  # fmt: skip
    activity.refresh_from_db()
    return services.record_enter(
        activity=activity, volunteer=volunteer, by=corps.leader_a, started_at=activity.starts_at,
        ended_at=activity.ends_at, note="补录",
    )  # fmt: skip


@pytest.mark.parametrize(
    "url",
    [
        "/admin/volunteers/team/",
        "/admin/volunteers/volunteer/",
        "/admin/volunteers/activity/",
        "/admin/volunteers/signup/",
        "/admin/volunteers/servicerecord/",
        "/admin/volunteers/starlevelevent/",
        "/admin/volunteers/trainingsession/",
        "/admin/volunteers/volunteer/hours/",
        "/admin/volunteers/activity/add/",
        "/admin/volunteers/volunteer/add/",
    ],
)
def test_pages_open(client, corps, people, url):
    client.force_login(people.district_staff)
    assert client.get(url).status_code == 200


def test_the_verification_queue_costs_the_same_at_2_and_10_rows(client, corps, people, tree):
    client.force_login(people.town_a_staff)
    url = "/admin/volunteers/servicerecord/?state=pending"
    volunteers = [make_volunteer(tree.union_a) for _ in range(10)]
    for v in volunteers[:2]:
        _pending(corps, v)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for i, v in enumerate(volunteers[2:]):
        _pending(corps, v, days_ago=20 + i)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert len(response.context["cl"].result_list) == 10
    assert len(large) == len(small)


def test_town_staff_see_only_their_towns_records(client, corps, people):
    mine = _pending(corps, corps.volunteer)
    client.force_login(people.town_b_staff)
    response = client.get("/admin/volunteers/servicerecord/")
    assert mine.pk not in {r.pk for r in response.context["cl"].result_list}
    assert client.get(f"/admin/volunteers/servicerecord/{mine.pk}/change/").status_code in (302, 404)


def test_verifying_from_the_admin_calls_the_service(client, corps, people):
    record = _pending(corps, corps.volunteer)
    client.force_login(people.town_a_staff)
    client.post(
        "/admin/volunteers/servicerecord/", {"action": "verify_selected", "_selected_action": [record.pk]}
    )
    assert ServiceRecord.objects.get(pk=record.pk).status == RecordStatus.VERIFIED
    assert corps.volunteer.__class__.objects.get(pk=corps.volunteer.pk).verified_hours == record.hours


def test_rejecting_from_the_admin_asks_for_the_reason(client, corps, people):
    record = _pending(corps, corps.volunteer)
    client.force_login(people.town_a_staff)
    data = {"action": "reject_selected", "_selected_action": [record.pk]}
    assert client.post("/admin/volunteers/servicerecord/", data).status_code == 200  # the reason page
    client.post("/admin/volunteers/servicerecord/", {**data, "confirm": "1", "reason": "未到场"})
    record.refresh_from_db()
    assert record.status == RecordStatus.REJECTED and record.reason == "未到场"


def test_the_hours_spreadsheet_counts_only_verified_hours_in_the_period(client, corps, people):
    import openpyxl

    verified = _pending(corps, corps.volunteer, hours=3)
    services.record_verify(record=verified, by=corps.leader_a)
    _pending(corps, corps.other, days_ago=12, hours=5)  # pending: not counted
    old = _pending(corps, corps.other, days_ago=200, hours=4)
    services.record_verify(record=old, by=corps.leader_a)  # outside the period
    client.force_login(people.district_staff)
    today = timezone.localdate()
    response = client.get(
        "/admin/volunteers/volunteer/hours/",
        {"start": today - dt.timedelta(days=60), "end": today, "by": "volunteer"},
    )
    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1:] == [("陈晓明", "健力宝集团工会委员会", 3, 1, 0)]
    team_rows = client.get(
        "/admin/volunteers/volunteer/hours/",
        {"start": today - dt.timedelta(days=60), "end": today, "by": "team"},
    )
    sheet = openpyxl.load_workbook(io.BytesIO(team_rows.content)).active
    assert ("西南街道志愿服务队", "西南街道总工会", 3, 1, 1) in list(sheet.iter_rows(values_only=True))


def test_the_hours_spreadsheet_needs_its_permission(client, corps, people):
    client.force_login(people.officer_a)
    assert client.get("/admin/volunteers/volunteer/hours/").status_code == 403
