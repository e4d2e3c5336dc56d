"""A leader manages their team's activities on the phone (through the admin's services); the people
concerned are told of sign-ups and changes; the ranking and honours count verified hours only."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from union_portal.core.errors import ApplicationError, PermissionDeniedError
from union_portal.notifications.models import Notification
from volunteers import selectors, services
from volunteers.models import Activity, ActivityStatus, HonourRecommendation, RecommendationStatus

from .factories import make_activity, make_volunteer, started_activity


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _form(team, start, **over):
    data = {
        "team": team.pk, "title": "江滨公园清洁", "category": "patrol", "place": "江滨公园", "partner": "",
        "starts_at": _local(start), "ends_at": _local(start + dt.timedelta(hours=3)), "capacity": "2",
        "signup_opens_at": "", "signup_closes_at": "", "description": "带手套",
    }  # fmt: skip
    data.update(over)
    return data


def test_a_leader_creates_publishes_and_changes_an_activity_on_the_phone(client, corps, committed):
    client.force_login(corps.leader_a)
    start = (timezone.now() + dt.timedelta(days=3)).replace(second=0, microsecond=0)
    assert client.get("/portal/volunteers/lead/new/").status_code == 200
    created = client.post("/portal/volunteers/lead/new/", _form(corps.team_a, start))
    activity = Activity.objects.get(title="江滨公园清洁")
    assert created["Location"] == f"/portal/volunteers/lead/{activity.pk}/"
    assert (activity.status, activity.created_by, activity.capacity) == (
        ActivityStatus.DRAFT,
        corps.leader_a,
        2,
    )
    client.post(f"/portal/volunteers/lead/{activity.pk}/publish/")
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.OPEN
    # a volunteer takes a place and is told
    with committed():
        services.signup_create(activity=activity, volunteer=corps.volunteer, by=corps.volunteer.user)
    assert (
        Notification.objects.filter(
            recipient=corps.volunteer.user, kind="volunteers.signup_confirmed"
        ).count()
        == 1
    )
    # the leader moves it by an hour: the volunteer is told once
    later = start + dt.timedelta(hours=1)
    with committed():
        changed = client.post(f"/portal/volunteers/lead/{activity.pk}/edit/", _form(corps.team_a, later))
    assert changed.status_code == 302
    activity.refresh_from_db()
    assert activity.starts_at == later
    notes = Notification.objects.filter(recipient=corps.volunteer.user, kind="volunteers.activity_changed")
    assert notes.count() == 1
    # saving with only the description changed tells nobody
    with committed():
        client.post(
            f"/portal/volunteers/lead/{activity.pk}/edit/", _form(corps.team_a, later, description="带水")
        )
    assert notes.count() == 1


def test_the_service_refuses_what_the_leaders_form_cannot_check(client, corps):
    client.force_login(corps.leader_a)
    start = timezone.now() + dt.timedelta(days=3)
    page = client.post(
        "/portal/volunteers/lead/new/",
        _form(corps.team_a, start, ends_at=_local(start + dt.timedelta(hours=30))),
    )
    assert page.status_code == 200
    assert page.context["form"].errors["ends_at"] == [
        "An activity lasts at most 24 hours; split longer service."
    ]
    # another team's leader cannot create for team A, nor open team A's activity
    client.force_login(corps.leader_b)
    refused = client.post("/portal/volunteers/lead/new/", _form(corps.team_a, start))
    assert refused.status_code == 200 and "team" in refused.context["form"].errors
    activity = make_activity(corps.team_a, corps.leader_a)
    assert client.get(f"/portal/volunteers/lead/{activity.pk}/edit/").status_code == 404
    assert (
        client.post(f"/portal/volunteers/lead/{activity.pk}/cancel/", {"reason": "下雨"}).status_code == 404
    )
    assert Activity.objects.filter(title="江滨公园清洁").count() == 0


def test_a_leader_cancels_with_a_reason_and_everyone_is_told(client, corps, committed):
    activity = make_activity(corps.team_a, corps.leader_a, capacity=1)
    with committed():
        services.signup_create(activity=activity, volunteer=corps.volunteer, by=corps.volunteer.user)
        services.signup_create(activity=activity, volunteer=corps.other, by=corps.other.user)
    client.force_login(corps.leader_a)
    with committed():
        client.post(f"/portal/volunteers/lead/{activity.pk}/cancel/", {"reason": "暴雨预警"})
    activity.refresh_from_db()
    assert (activity.status, activity.cancel_reason) == (ActivityStatus.CANCELLED, "暴雨预警")
    told = Notification.objects.filter(kind="volunteers.activity_cancelled").values_list(
        "recipient", flat=True
    )
    assert sorted(told) == sorted([corps.volunteer.user_id, corps.other.user_id])
    waiting = Notification.objects.get(kind="volunteers.signup_waiting")
    assert waiting.recipient == corps.other.user


def _verified(volunteer, team, leader, hours, days_ago=30):
    activity = started_activity(team, leader, hours=hours)
    start = timezone.now() - dt.timedelta(days=days_ago)
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=start, ends_at=start + dt.timedelta(hours=hours), signup_opens_at=start - dt.timedelta(days=1),
        signup_closes_at=start,
    )  # fmt: skip
    activity.refresh_from_db()
    record = services.record_enter(
        activity=activity, volunteer=volunteer, by=leader, started_at=activity.starts_at,
        ended_at=activity.ends_at, note="补录",
    )  # fmt: skip
    return services.record_verify(record=record, by=leader)


def test_the_ranking_counts_verified_hours_only_with_the_same_queries_at_3_and_30(corps, tree, people):
    year = timezone.localdate().year
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    _verified(corps.volunteer, corps.team_a, corps.leader_a, 5, days_ago=1)
    _verified(corps.other, corps.team_a, corps.leader_a, 3, days_ago=1)
    pending = started_activity(corps.team_a, corps.leader_a, hours=8)
    services.record_enter(
        activity=pending, volunteer=corps.other, by=corps.leader_a, started_at=pending.starts_at,
        ended_at=pending.ends_at, note="补录",
    )  # fmt: skip
    extra = make_volunteer(tree.union_a)
    _verified(extra, corps.team_a, corps.leader_a, 3, days_ago=2)
    with CaptureQueriesContext(connection) as small:
        rows = list(selectors.ranking(viewer=people.town_a_staff, start=start, end=end))
    assert [(r.pk, r.period_hours, r.rank) for r in rows] == [
        (corps.volunteer.pk, Decimal("5.00"), 1),
        (corps.other.pk, Decimal("3.00"), 2),  # the 8 pending hours do not count
        (extra.pk, Decimal("3.00"), 2),
    ]
    for _ in range(27):
        _verified(make_volunteer(tree.union_a), corps.team_a, corps.leader_a, 1, days_ago=3)
    with CaptureQueriesContext(connection) as large:
        rows = list(selectors.ranking(viewer=people.town_a_staff, start=start, end=end))
    assert len(rows) == 30 and len(large) == len(small) == 1
    # town B's staff see none of town A's volunteers
    assert list(selectors.ranking(viewer=people.town_b_staff, start=start, end=end)) == []


def test_recommending_for_honours_is_once_a_year_told_and_withdrawn_with_a_reason(
    client, corps, people, committed
):
    year = timezone.localdate().year
    _verified(corps.volunteer, corps.team_a, corps.leader_a, 6, days_ago=1)
    with pytest.raises(PermissionDeniedError):
        services.honour_recommend(volunteer=corps.volunteer, year=year, by=people.town_b_staff, reason="优秀")
    with pytest.raises(ApplicationError) as none:
        services.honour_recommend(volunteer=corps.other, year=year, by=people.town_a_staff, reason="优秀")
    assert none.value.code == "no_hours"
    with committed():
        first = services.honour_recommend(
            volunteer=corps.volunteer, year=year, by=people.town_a_staff, reason="全年服务积极"
        )
        again = services.honour_recommend(
            volunteer=corps.volunteer, year=year, by=people.district_staff, reason="x"
        )
    assert again.pk == first.pk and (first.hours, first.rank) == (Decimal("6.00"), 1)
    assert (
        Notification.objects.filter(recipient=corps.volunteer.user, kind="volunteers.recommended").count()
        == 1
    )
    services.honour_withdraw(recommendation=first, by=people.town_a_staff, reason="材料不全")
    first.refresh_from_db()
    assert (first.status, first.withdraw_reason) == (RecommendationStatus.WITHDRAWN, "材料不全")
    # the admin's ranking page recommends again, through the same service
    client.force_login(people.town_a_staff)
    page = client.get("/admin/volunteers/volunteer/ranking/", {"year": year})
    assert page.status_code == 200 and [r.pk for r in page.context["rows"]] == [corps.volunteer.pk]
    client.post(
        f"/admin/volunteers/volunteer/ranking/?year={year}",
        {"volunteer": corps.volunteer.pk, "reason": "补充材料后重新推荐"},
    )
    live = HonourRecommendation.objects.get(status=RecommendationStatus.RECOMMENDED)
    assert (live.volunteer, live.reason, live.recommended_by) == (
        corps.volunteer,
        "补充材料后重新推荐",
        people.town_a_staff,
    )


def test_the_public_honour_roll_masks_names(client, corps):
    _verified(corps.volunteer, corps.team_a, corps.leader_a, 4, days_ago=1)
    page = client.get("/portal/volunteers/ranking/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "陈**" in text and "陈晓明" not in text


def test_the_funding_spreadsheet_per_partner_organisation(client, corps, people):
    import io

    from openpyxl import load_workbook

    first = _verified(corps.volunteer, corps.team_a, corps.leader_a, 4, days_ago=1)
    Activity.objects.filter(pk=first.activity_id).update(partner="三水社工服务中心")
    _verified(corps.other, corps.team_a, corps.leader_a, 2, days_ago=2)
    client.force_login(people.town_a_staff)
    today = timezone.localdate()
    response = client.get(
        "/admin/volunteers/volunteer/hours/",
        {"start": today - dt.timedelta(days=10), "end": today, "by": "partner"},
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [[c.value for c in row] for row in sheet.iter_rows(min_row=2)] == [
        ["(no partner: the team itself)", 2, 1, 1, 1],
        ["三水社工服务中心", 4, 1, 1, 1],
    ]
