"""Sign-up with capacity and a waiting list that moves up in order."""

import datetime as dt

import pytest
from django.utils import timezone

from union_portal.core.errors import ApplicationError, PermissionDeniedError
from union_portal.notifications.models import Notification
from volunteers import services
from volunteers.models import Activity, ActivityStatus, Signup, SignupStatus

from .factories import make_activity, make_volunteer


def test_places_then_waiting_list_then_full(corps, tree):
    activity = make_activity(corps.team_a, corps.leader_a, capacity=2)
    volunteers = [corps.volunteer, corps.other, make_volunteer(tree.union_a), make_volunteer(tree.union_a)]
    signups = [services.signup_create(activity=activity, volunteer=v, by=v.user) for v in volunteers]
    assert [s.status for s in signups] == ["confirmed", "confirmed", "waiting", "waiting"]
    activity.refresh_from_db()
    assert activity.confirmed_count == 2 and activity.status == ActivityStatus.FULL
    assert [services.waiting_position(s) for s in signups] == [None, None, 1, 2]


def test_signing_up_twice_returns_the_same_signup(corps):
    activity = make_activity(corps.team_a, corps.leader_a)
    first = services.signup_create(activity=activity, volunteer=corps.volunteer, by=corps.volunteer.user)
    again = services.signup_create(activity=activity, volunteer=corps.volunteer, by=corps.volunteer.user)
    assert first.pk == again.pk
    assert Activity.objects.get(pk=activity.pk).confirmed_count == 1


def test_a_cancelled_place_goes_to_the_first_waiting_and_they_are_told(corps, tree, committed):
    activity = make_activity(corps.team_a, corps.leader_a, capacity=1)
    third = make_volunteer(tree.union_a)
    taken = services.signup_create(activity=activity, volunteer=corps.volunteer, by=corps.volunteer.user)
    first_waiting = services.signup_create(activity=activity, volunteer=corps.other, by=corps.other.user)
    second_waiting = services.signup_create(activity=activity, volunteer=third, by=third.user)
    # when the volunteer with the place cancels
    with committed():
        services.signup_cancel(signup=taken, by=corps.volunteer.user)
    # then the first on the list moves up, the second stays waiting, and only the first is told
    assert Signup.objects.get(pk=first_waiting.pk).status == SignupStatus.CONFIRMED
    assert Signup.objects.get(pk=second_waiting.pk).status == SignupStatus.WAITING
    assert services.waiting_position(Signup.objects.get(pk=second_waiting.pk)) == 1
    activity.refresh_from_db()
    assert activity.confirmed_count == 1 and activity.status == ActivityStatus.FULL
    told = Notification.objects.filter(kind="volunteers.promoted")
    assert [n.recipient_id for n in told] == [corps.other.user_id]
    assert activity.title in told.get().title


def test_cancelling_a_place_with_nobody_waiting_reopens_the_activity(corps):
    activity = make_activity(corps.team_a, corps.leader_a, capacity=1)
    signup = services.signup_create(activity=activity, volunteer=corps.volunteer, by=corps.volunteer.user)
    services.signup_cancel(signup=signup, by=corps.volunteer.user)
    activity.refresh_from_db()
    assert activity.confirmed_count == 0 and activity.status == ActivityStatus.OPEN


def test_more_places_move_the_waiting_list_up(corps, tree):
    activity = make_activity(corps.team_a, corps.leader_a, capacity=1)
    services.signup_create(activity=activity, volunteer=corps.volunteer, by=corps.volunteer.user)
    waiting = services.signup_create(activity=activity, volunteer=corps.other, by=corps.other.user)
    activity.capacity = 2
    services.activity_save(activity=activity, by=corps.leader_a)
    assert Signup.objects.get(pk=waiting.pk).status == SignupStatus.CONFIRMED
    assert Activity.objects.get(pk=activity.pk).confirmed_count == 2


def test_places_cannot_go_below_those_taken(corps):
    activity = make_activity(corps.team_a, corps.leader_a, capacity=2)
    services.signup_create(activity=activity, volunteer=corps.volunteer, by=corps.volunteer.user)
    services.signup_create(activity=activity, volunteer=corps.other, by=corps.other.user)
    activity.capacity = 1
    with pytest.raises(ApplicationError, match="2 places are already taken"):
        services.activity_save(activity=activity, by=corps.leader_a)


def test_no_signup_for_a_draft_or_outside_the_window(corps):
    draft = make_activity(corps.team_a, corps.leader_a, publish=False)
    with pytest.raises(ApplicationError) as err:
        services.signup_create(activity=draft, volunteer=corps.volunteer, by=corps.volunteer.user)
    assert err.value.code == "not_open"
    later = make_activity(
        corps.team_a, corps.leader_a, signup_opens_at=timezone.now() + dt.timedelta(hours=5)
    )
    with pytest.raises(ApplicationError) as err:
        services.signup_create(activity=later, volunteer=corps.volunteer, by=corps.volunteer.user)
    assert err.value.code == "window_closed"


def test_no_place_at_two_activities_at_the_same_time(corps):
    start = timezone.now() + dt.timedelta(days=3)
    one = make_activity(corps.team_a, corps.leader_a, starts_at=start)
    two = make_activity(corps.team_a, corps.leader_a, starts_at=start + dt.timedelta(hours=1))
    services.signup_create(activity=one, volunteer=corps.volunteer, by=corps.volunteer.user)
    with pytest.raises(ApplicationError) as err:
        services.signup_create(activity=two, volunteer=corps.volunteer, by=corps.volunteer.user)
    assert err.value.code == "overlap"


def test_nobody_signs_up_someone_else_without_permission(corps):
    activity = make_activity(corps.team_a, corps.leader_a)
    with pytest.raises(PermissionDeniedError):
        services.signup_create(activity=activity, volunteer=corps.volunteer, by=corps.other.user)
    with pytest.raises(PermissionDeniedError):
        services.signup_cancel(
            signup=services.signup_create(
                activity=activity, volunteer=corps.volunteer, by=corps.volunteer.user
            ),
            by=corps.other.user,
        )


def test_cancelling_the_activity_tells_everyone_signed_up(corps, committed):
    activity = make_activity(corps.team_a, corps.leader_a, capacity=1)
    services.signup_create(activity=activity, volunteer=corps.volunteer, by=corps.volunteer.user)
    services.signup_create(activity=activity, volunteer=corps.other, by=corps.other.user)
    with committed():
        services.activity_cancel(activity=activity, by=corps.leader_a, reason="台风预警")
    assert Activity.objects.get(pk=activity.pk).status == ActivityStatus.CANCELLED
    assert not Signup.objects.live().filter(activity=activity).exists()
    assert set(
        Notification.objects.filter(kind="volunteers.activity_cancelled").values_list("recipient", flat=True)
    ) == {
        corps.volunteer.user_id,
        corps.other.user_id,
    }


def test_a_leader_manages_only_the_teams_they_lead(corps):
    with pytest.raises(PermissionDeniedError):
        make_activity(corps.team_b, corps.leader_a)
    activity = make_activity(corps.team_b, corps.leader_b)
    with pytest.raises(PermissionDeniedError):
        services.activity_cancel(activity=activity, by=corps.leader_a, reason="x")


def test_activity_rules(corps):
    start = timezone.now() + dt.timedelta(days=1)
    with pytest.raises(ApplicationError, match="end after it starts"):
        make_activity(corps.team_a, corps.leader_a, starts_at=start, hours=0)
    with pytest.raises(ApplicationError, match="at most 24 hours"):
        make_activity(corps.team_a, corps.leader_a, starts_at=start, hours=30)
