"""Hours: within the activity, never overlapping, verified by the leader; star levels exactly once."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from union_portal.core.errors import ApplicationError, PermissionDeniedError
from union_portal.notifications.models import Notification
from volunteers import services
from volunteers.models import Activity, RecordStatus, StarChange, StarLevelEvent, Volunteer

from .factories import make_activity


def _past_activity(corps, *, start, hours):
    """A finished activity of team A (made for the future, then moved into the past)."""
    activity = make_activity(corps.team_a, corps.leader_a, hours=hours)
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=start, ends_at=start + dt.timedelta(hours=hours), signup_opens_at=start - dt.timedelta(days=1),
        signup_closes_at=start,
    )  # fmt: skip
    activity.refresh_from_db()
    return activity


def _enter(corps, activity, volunteer=None, *, hours=None, offset=0):
    start = activity.starts_at + dt.timedelta(hours=offset)
    end = start + dt.timedelta(hours=hours) if hours else activity.ends_at
    return services.record_enter(
        activity=activity, volunteer=volunteer or corps.volunteer, by=corps.leader_a,
        started_at=start, ended_at=end, note="未扫码，队长补录",
    )  # fmt: skip


@pytest.fixture
def day():
    return timezone.now().replace(microsecond=0) - dt.timedelta(days=30)


def test_hours_never_exceed_the_activity(corps, day):
    activity = _past_activity(corps, start=day, hours=3)
    with pytest.raises(ApplicationError) as err:
        services.record_enter(
            activity=activity, volunteer=corps.volunteer, by=corps.leader_a,
            started_at=activity.starts_at, ended_at=activity.ends_at + dt.timedelta(minutes=1), note="x",
        )  # fmt: skip
    assert err.value.code == "beyond_activity"
    record = _enter(corps, activity)
    assert record.hours == Decimal("3.00") and record.status == RecordStatus.PENDING


def test_one_volunteers_records_never_overlap(corps, day):
    one = _past_activity(corps, start=day, hours=3)
    two = _past_activity(corps, start=day + dt.timedelta(hours=2), hours=3)
    _enter(corps, one)
    with pytest.raises(ApplicationError) as err:
        _enter(corps, two)
    assert err.value.code == "overlap"
    # back to back is fine
    _enter(corps, two, hours=2, offset=1)


def test_correcting_times_needs_a_note_and_stays_within_the_activity(corps, day):
    activity = _past_activity(corps, start=day, hours=4)
    record = _enter(corps, activity, hours=1)
    with pytest.raises(ApplicationError):
        services.record_correct(
            record=record,
            by=corps.leader_a,
            started_at=activity.starts_at,
            ended_at=activity.ends_at,
            note="",
        )
    record = services.record_correct(
        record=record,
        by=corps.leader_a,
        started_at=activity.starts_at,
        ended_at=activity.ends_at,
        note="忘记签退",
    )
    assert record.hours == Decimal("4.00") and record.note == "忘记签退"


def test_only_verified_hours_count(corps, day):
    activity = _past_activity(corps, start=day, hours=3)
    record = _enter(corps, activity)
    assert Volunteer.objects.get(pk=corps.volunteer.pk).verified_hours == 0
    services.record_verify(record=record, by=corps.leader_a)
    assert Volunteer.objects.get(pk=corps.volunteer.pk).verified_hours == Decimal("3.00")
    services.record_unverify(record=record, by=corps.leader_a, reason="复核")
    assert Volunteer.objects.get(pk=corps.volunteer.pk).verified_hours == 0


def test_rejecting_needs_a_reason_and_tells_the_volunteer(corps, day, committed):
    record = _enter(corps, _past_activity(corps, start=day, hours=2))
    with pytest.raises(ApplicationError):
        services.record_reject(record=record, by=corps.leader_a, reason=" ")
    with committed():
        services.record_reject(record=record, by=corps.leader_a, reason="当天未到场")
    record.refresh_from_db()
    assert record.status == RecordStatus.REJECTED and record.reason == "当天未到场"
    note = Notification.objects.get(kind="volunteers.hours_rejected")
    assert note.recipient_id == corps.volunteer.user_id and "当天未到场" in note.body


def test_only_the_teams_leader_or_staff_in_scope_verify(corps, people, day):
    record = _enter(corps, _past_activity(corps, start=day, hours=2))
    for outsider in (corps.leader_b, people.town_b_staff, corps.volunteer.user, people.officer_a):
        with pytest.raises(PermissionDeniedError):
            services.record_verify(record=record, by=outsider)
    services.record_verify(record=record, by=people.town_a_staff)
    assert record.__class__.objects.get(pk=record.pk).status == RecordStatus.VERIFIED


def _give_hours(corps, day, hours_list):
    """Verified records of the given lengths on consecutive days (activities of up to 24 hours)."""
    records = []
    for i, hours in enumerate(hours_list):
        activity = _past_activity(corps, start=day - dt.timedelta(days=2 * i + 2), hours=hours)
        records.append(services.record_verify(record=_enter(corps, activity), by=corps.leader_a))
    return records


def test_star_level_reached_is_recorded_once_and_the_volunteer_told(corps, day, committed):
    records = _give_hours(corps, day, [24] * 4)  # 96 hours
    assert Volunteer.objects.get(pk=corps.volunteer.pk).star_level == 0
    record = _enter(corps, _past_activity(corps, start=day, hours=5))
    with committed():
        services.record_verify(record=record, by=corps.leader_a)  # 101 hours
        services.record_verify(record=record, by=corps.leader_a)  # again: nothing more
    volunteer = Volunteer.objects.get(pk=corps.volunteer.pk)
    assert volunteer.verified_hours == Decimal("101.00") and volunteer.star_level == 1
    events = list(StarLevelEvent.objects.filter(volunteer=volunteer))
    assert [(e.level, e.change, e.record_id) for e in events] == [(1, StarChange.REACHED, record.pk)]
    assert Notification.objects.filter(kind="volunteers.star_reached", recipient=volunteer.user).count() == 1
    assert records


def test_unverifying_below_a_threshold_records_the_level_lost(corps, day, committed):
    _give_hours(corps, day, [24] * 4)
    record = _enter(corps, _past_activity(corps, start=day, hours=5))
    services.record_verify(record=record, by=corps.leader_a)
    with committed():
        services.record_unverify(record=record, by=corps.leader_a, reason="复核发现重复登记")
    volunteer = Volunteer.objects.get(pk=corps.volunteer.pk)
    assert volunteer.star_level == 0 and volunteer.verified_hours == Decimal("96.00")
    assert list(
        StarLevelEvent.objects.filter(volunteer=volunteer).order_by("pk").values_list("level", "change")
    ) == [
        (1, "reached"),
        (1, "lost"),
    ]
    assert Notification.objects.filter(kind="volunteers.star_lost").count() == 1


def test_star_levels_follow_the_thresholds():
    from volunteers.models import star_level_for

    assert [star_level_for(h) for h in (0, 99.99, 100, 299, 300, 600, 999, 1000, 1499, 1500, 9999)] == [
        0, 0, 1, 1, 2, 3, 3, 4, 4, 5, 5,
    ]  # fmt: skip
