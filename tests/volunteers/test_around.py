"""Figures, scheduled jobs, the work queue and the member timeline of volunteer service."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from union_portal.core.figures import Period
from union_portal.notifications.models import Notification
from volunteers import figures, services, tasks
from volunteers.models import (
    Activity,
    ActivityStatus,
    RecordStatus,
    ServiceRecord,
    TrainingAttendance,
    TrainingSession,
)

from .factories import make_activity, started_activity


def _verified(corps, volunteer, *, days_ago, hours, category="patrol", team=None, leader=None):
    team, leader = team or corps.team_a, leader or corps.leader_a
    activity = make_activity(team, leader, hours=hours, category=category)
    start = timezone.now().replace(microsecond=0) - dt.timedelta(days=days_ago)
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


def test_figures_count_only_verified_hours_by_team_category_and_month(corps, tree):
    _verified(corps, corps.volunteer, days_ago=3, hours=3, category="patrol")
    _verified(corps, corps.other, days_ago=4, hours=2, category="care")
    _verified(corps, corps.volunteer_b, days_ago=3, hours=5, team=corps.team_b, leader=corps.leader_b)
    pending = make_activity(corps.team_a, corps.leader_a)  # a record waiting does not count
    assert pending
    today = timezone.localdate()
    period = Period(today - dt.timedelta(days=30), today)
    assert figures.verified_hours(scope=tree.district, period=period) == Decimal("10.00")
    assert figures.verified_hours(scope=tree.town_a, period=period) == Decimal("5.00")
    by_town = figures.verified_hours(scope=tree.district, period=period, by_child=True)
    assert by_town == {tree.town_a.path: Decimal("5.00"), tree.town_b.path: Decimal("5.00")}
    by_category = figures.hours_by_category(scope=tree.town_a, period=period)
    assert by_category["patrol"] == Decimal("3.00") and by_category["care"] == Decimal("2.00")
    assert sum(figures.hours_by_month(scope=tree.district, period=period).values()) == Decimal("10.00")
    assert figures.volunteers_registered(scope=tree.district, period=period) == 3
    assert figures.volunteers_active(scope=tree.town_a, period=period) == 2
    assert figures.activities_held(scope=tree.district, period=period) == 3


def test_trainee_times(corps, tree):
    session = TrainingSession.objects.create(
        team=corps.team_a, title="急救培训", held_on=timezone.localdate()
    )
    assert (
        services.training_attend(
            session=session, volunteers=[corps.volunteer, corps.other], by=corps.leader_a
        )
        == 2
    )
    assert services.training_attend(session=session, volunteers=[corps.volunteer], by=corps.leader_a) == 0
    assert TrainingAttendance.objects.count() == 2
    today = timezone.localdate()
    assert figures.trainee_times(scope=tree.district, period=Period(today, today)) == 2


def test_the_nightly_job_finishes_ended_activities_and_closes_open_check_ins(corps):
    activity = started_activity(corps.team_a, corps.leader_a, hours=2)
    services.signup_create(activity=activity, volunteer=corps.volunteer, by=corps.volunteer.user)
    services.check_in(activity=activity, volunteer=corps.volunteer, at=activity.starts_at.timestamp() + 600)
    ended = timezone.now() - dt.timedelta(minutes=1)
    Activity.objects.filter(pk=activity.pk).update(ends_at=ended, signup_closes_at=ended)
    assert tasks.finish_ended() == 1
    assert tasks.finish_ended() == 0  # safe twice
    assert Activity.objects.get(pk=activity.pk).status == ActivityStatus.FINISHED
    record = ServiceRecord.objects.get(volunteer=corps.volunteer)
    assert record.status == RecordStatus.PENDING and record.hours is not None


def test_reminders_go_once(corps, committed):
    start = timezone.localtime() + dt.timedelta(days=1)
    activity = make_activity(corps.team_a, corps.leader_a, starts_at=start.replace(hour=9, minute=0))
    services.signup_create(activity=activity, volunteer=corps.volunteer, by=corps.volunteer.user)
    with committed():
        assert tasks.remind_tomorrow() == 1
    with committed():
        tasks.remind_tomorrow()
    assert (
        Notification.objects.filter(kind="volunteers.reminder", recipient=corps.volunteer.user).count() == 1
    )


def test_leaders_are_reminded_of_hours_to_verify_and_the_queue_counts_them(corps, people, committed):
    from union_portal.core.queues import queues_for

    activity = started_activity(corps.team_a, corps.leader_a)
    services.record_enter(
        activity=activity, volunteer=corps.volunteer, by=corps.leader_a, started_at=activity.starts_at,
        ended_at=activity.ends_at, note="补录",
    )  # fmt: skip
    with committed():
        assert tasks.remind_leaders() == 1
    note = Notification.objects.get(kind="volunteers.to_verify")
    assert note.recipient == corps.leader_a and "1 service records" in note.body
    counts = {q.key: n for q, n in queues_for(people.town_a_staff)}
    assert counts["volunteers.to_verify"] == 1
    assert {q.key: n for q, n in queues_for(people.town_b_staff)}["volunteers.to_verify"] == 0


def test_the_member_timeline_shows_verified_service_and_stars(corps, people):
    from union_portal.core.timeline import member_timeline

    _verified(corps, corps.volunteer, days_ago=3, hours=3)
    events = member_timeline(member=corps.volunteer.member, viewer=people.town_a_staff)
    kinds = [e.kind for e in events if e.app == "volunteers"]
    assert sorted(kinds) == ["volunteers.registered", "volunteers.service"]
    assert member_timeline(member=corps.volunteer.member, viewer=people.town_b_staff) == []
