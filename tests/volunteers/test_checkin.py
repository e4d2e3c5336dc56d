"""The rotating check-in code: valid now, expired a minute later, forged, of another activity."""

import datetime as dt
import time
from decimal import Decimal

import pytest

from union_portal.core.errors import ApplicationError, PermissionDeniedError
from volunteers import services
from volunteers.models import Activity, ActivityStatus, RecordStatus, ServiceRecord

from .factories import make_activity, started_activity


@pytest.fixture
def running(corps):
    activity = started_activity(corps.team_a, corps.leader_a, hours=3)
    services.signup_create(activity=activity, volunteer=corps.volunteer, by=corps.volunteer.user)
    return activity


def test_check_in_and_out_by_scanning(corps, running):
    # a volunteer arrives ten minutes early: their hours count from the start
    early = (running.starts_at - dt.timedelta(minutes=10)).timestamp()
    code_in = services.checkin_code(activity=running, kind="in", by=corps.leader_a, at=early)
    record = services.checkin_scan(code=code_in, by=corps.volunteer.user, at=early)
    assert record.status == RecordStatus.OPEN and record.started_at == running.starts_at
    assert Activity.objects.get(pk=running.pk).status == ActivityStatus.RUNNING
    # scanning the same code again changes nothing
    assert services.checkin_scan(code=code_in, by=corps.volunteer.user, at=early + 5).pk == record.pk
    later = time.time()  # an hour after the start
    code_out = services.checkin_code(activity=running, kind="out", by=corps.leader_a, at=later)
    record = services.checkin_scan(code=code_out, by=corps.volunteer.user, at=later)
    assert record.status == RecordStatus.PENDING
    assert Decimal("0.99") <= record.hours <= Decimal("1.01")
    assert ServiceRecord.objects.filter(volunteer=corps.volunteer).count() == 1


def test_a_code_is_good_for_its_window_and_the_next_only(corps, running):
    now = time.time()
    code = services.checkin_code(activity=running, kind="in", by=corps.leader_a, at=now)
    services.read_checkin_code(code, at=now + services.CHECKIN_WINDOW_SECONDS)  # still fine 30 s later
    with pytest.raises(ApplicationError) as err:
        services.read_checkin_code(code, at=now + 2 * services.CHECKIN_WINDOW_SECONDS + 1)
    assert err.value.code == "expired"
    with pytest.raises(ApplicationError) as err:
        services.checkin_scan(code=code, by=corps.volunteer.user, at=now + 3600)  # the photo sent to a friend
    assert err.value.code == "expired"
    assert not ServiceRecord.objects.exists()


def test_a_forged_or_altered_code_is_refused(corps, running):
    code = services.checkin_code(activity=running, kind="in", by=corps.leader_a)
    pk, kind, window, mac = code.split(".")
    for bad in (
        f"{pk}.{kind}.{int(window) + 5}.{mac}",
        f"{pk}.out.{window}.{mac}",
        "nonsense",
        f"{pk}.in.{window}.0",
    ):
        with pytest.raises(ApplicationError) as err:
            services.checkin_scan(code=bad, by=corps.volunteer.user)
        assert err.value.code == "invalid_code", bad


def test_another_activitys_code_does_not_check_in_here(corps, running):
    other = started_activity(corps.team_a, corps.leader_a)
    code = services.checkin_code(activity=other, kind="in", by=corps.leader_a)
    with pytest.raises(ApplicationError) as err:
        services.checkin_scan(code=code, by=corps.volunteer.user, expected_activity=running)
    assert err.value.code == "other_activity"
    with pytest.raises(ApplicationError) as err:  # and without a place there, not at all
        services.checkin_scan(code=code, by=corps.volunteer.user)
    assert err.value.code == "no_place"


def test_the_key_of_another_activity_does_not_sign_for_this_one(corps, running):
    other = started_activity(corps.team_a, corps.leader_a)
    code = services.checkin_code(activity=other, kind="in", by=corps.leader_a)
    _pk, kind, window, mac = code.split(".")
    with pytest.raises(ApplicationError) as err:
        services.checkin_scan(code=f"{running.pk}.{kind}.{window}.{mac}", by=corps.volunteer.user)
    assert err.value.code == "invalid_code"


def test_only_the_leader_of_the_team_shows_the_code(corps, running):
    with pytest.raises(PermissionDeniedError):
        services.checkin_code(activity=running, kind="in", by=corps.leader_b)
    with pytest.raises(PermissionDeniedError):
        services.checkin_code(activity=running, kind="in", by=corps.volunteer.user)


def test_no_check_in_long_before_the_start(corps):
    activity = make_activity(corps.team_a, corps.leader_a)  # in two days
    services.signup_create(activity=activity, volunteer=corps.volunteer, by=corps.volunteer.user)
    code = services.checkin_code(activity=activity, kind="in", by=corps.leader_a)
    with pytest.raises(ApplicationError) as err:
        services.checkin_scan(code=code, by=corps.volunteer.user)
    assert err.value.code == "not_now"


def test_check_out_without_check_in_is_refused(corps, running):
    code = services.checkin_code(activity=running, kind="out", by=corps.leader_a)
    with pytest.raises(ApplicationError) as err:
        services.checkin_scan(code=code, by=corps.volunteer.user)
    assert err.value.code == "not_checked_in"
