"""Shifts: no overlaps for a lawyer, swaps, absence with the free lawyers ranked, reminders."""

import datetime as dt

import pytest
from django.utils import timezone

from legal_aid import services
from legal_aid.models import Shift, ShiftStatus, SwapRequest, SwapStatus
from union_portal.core.errors import ApplicationError, PermissionDeniedError
from union_portal.notifications.models import Notification

from .factories import at, make_shift, next_weekday

pytestmark = pytest.mark.django_db


def test_a_lawyer_cannot_be_in_two_overlapping_shifts(legal, people):
    staff, day = people.district_staff, next_weekday(0)
    make_shift(legal.station_a, staff, day, "09:00", "12:00", lawyer=legal.wang)
    with pytest.raises(ApplicationError) as refused:
        make_shift(legal.station_b, staff, day, "11:00", "13:00", lawyer=legal.wang)
    assert refused.value.code == "overlap"
    assert "王明 is already on duty at that time." in str(refused.value)
    # back to back is fine
    make_shift(legal.station_b, staff, day, "12:00", "14:00", lawyer=legal.wang)
    assert Shift.objects.filter(lawyer=legal.wang).count() == 2


def test_assigning_to_an_unstaffed_shift_checks_overlap_too(legal, people):
    staff, day = people.district_staff, next_weekday(1)
    make_shift(legal.station_a, staff, day, lawyer=legal.wang)
    open_shift = make_shift(legal.station_b, staff, day, "10:00", "11:00")
    with pytest.raises(ApplicationError, match="already on duty"):
        services.shift_assign(shift=open_shift, lawyer=legal.wang, by=staff)
    services.shift_assign(shift=open_shift, lawyer=legal.li, by=staff)
    assert Shift.objects.get(pk=open_shift.pk).lawyer == legal.li


def test_an_absent_lawyers_shift_frees_the_time(legal, people):
    staff, day = people.district_staff, next_weekday(2)
    shift = make_shift(legal.station_a, staff, day, lawyer=legal.wang)
    services.shift_report_absence(shift=shift, by=legal.wang.user, reason="发烧")
    make_shift(legal.station_b, staff, day, lawyer=legal.wang)  # no longer overlapping a live shift


def test_a_lawyer_on_leave_cannot_be_given_a_shift(legal, people):
    staff, day = people.district_staff, next_weekday(3)
    services.leave_add(lawyer=legal.wang, by=legal.wang.user, starts_on=day, ends_on=day)
    with pytest.raises(ApplicationError) as refused:
        make_shift(legal.station_a, staff, day, lawyer=legal.wang)
    assert refused.value.code == "on_leave"


def test_swap_asked_and_accepted_moves_the_shift(legal, people, django_capture_on_commit_callbacks):
    staff, day = people.district_staff, next_weekday(0)
    shift = make_shift(legal.station_a, staff, day, lawyer=legal.wang)
    with django_capture_on_commit_callbacks(execute=True):
        swap = services.swap_request(shift=shift, to_lawyer=legal.li, by=legal.wang.user, note="出差")
    assert Notification.objects.filter(recipient=legal.li.user).exists()
    with pytest.raises(PermissionDeniedError):
        services.swap_accept(swap=swap, by=legal.zhao.user)
    with django_capture_on_commit_callbacks(execute=True):
        services.swap_accept(swap=swap, by=legal.li.user)
    shift.refresh_from_db()
    assert (shift.lawyer, shift.status) == (legal.li, ShiftStatus.SWAPPED)
    assert SwapRequest.objects.get(pk=swap.pk).status == SwapStatus.ACCEPTED
    assert Notification.objects.filter(recipient=legal.wang.user, title__contains="李华").exists()


def test_swap_to_a_busy_lawyer_is_refused_at_acceptance(legal, people):
    staff, day = people.district_staff, next_weekday(4)
    shift = make_shift(legal.station_a, staff, day, lawyer=legal.wang)
    make_shift(legal.station_b, staff, day, "10:00", "11:00", lawyer=legal.li)
    swap = services.swap_request(shift=shift, to_lawyer=legal.li, by=legal.wang.user)
    with pytest.raises(ApplicationError, match="李华 is already on duty"):
        services.swap_accept(swap=swap, by=legal.li.user)
    assert Shift.objects.get(pk=shift.pk).lawyer == legal.wang


def test_only_the_lawyer_on_the_shift_asks_for_a_swap(legal, people):
    shift = make_shift(legal.station_a, people.district_staff, next_weekday(0), lawyer=legal.wang)
    with pytest.raises(PermissionDeniedError):
        services.swap_request(shift=shift, to_lawyer=legal.zhao, by=legal.li.user)


def test_decline_and_cancel(legal, people):
    shift = make_shift(legal.station_a, people.district_staff, next_weekday(0), lawyer=legal.wang)
    swap = services.swap_request(shift=shift, to_lawyer=legal.li, by=legal.wang.user)
    assert services.swap_decline(swap=swap, by=legal.li.user).status == SwapStatus.DECLINED
    again = services.swap_request(shift=shift, to_lawyer=legal.zhao, by=legal.wang.user)
    assert services.swap_decline(swap=again, by=legal.wang.user).status == SwapStatus.CANCELLED


def test_absence_tells_staff_and_ranks_free_lawyers(legal, people, django_capture_on_commit_callbacks):
    staff, day = people.district_staff, next_weekday(1)
    shift = make_shift(legal.station_a, staff, day, lawyer=legal.wang)
    # li is busy at that time; zhao has more shifts this month than a fourth lawyer
    make_shift(legal.station_b, staff, day, "10:00", "11:00", lawyer=legal.li)
    from .factories import make_lawyer

    qian = make_lawyer(people.district_staff.organisation, staff, name="钱进")
    make_shift(legal.station_b, staff, day, "14:00", "15:00", lawyer=legal.zhao)
    with django_capture_on_commit_callbacks(execute=True):
        services.shift_report_absence(shift=shift, by=legal.wang.user, reason="家中急事")
    assert Shift.objects.get(pk=shift.pk).status == ShiftStatus.ABSENT
    assert Notification.objects.filter(recipient=staff, title__contains="王明").exists()
    ranked = services.free_lawyers_ranked(Shift.objects.get(pk=shift.pk))
    assert [lw.name for lw in ranked] == [qian.name, "赵强"]
    cover = services.shift_cover(shift=shift, lawyer=qian, by=staff)
    assert (cover.lawyer, cover.status, cover.replaces_id) == (qian, ShiftStatus.CONFIRMED, shift.pk)
    with pytest.raises(ApplicationError, match="already covered"):
        services.shift_cover(shift=shift, lawyer=legal.zhao, by=staff)


def test_town_staff_cannot_touch_the_other_towns_shifts(legal, people):
    shift = make_shift(legal.station_b, people.district_staff, next_weekday(0))
    with pytest.raises(PermissionDeniedError):
        services.shift_assign(shift=shift, lawyer=legal.li, by=people.town_a_staff)


def test_evening_reminder_once_per_shift(legal, people, django_capture_on_commit_callbacks):
    staff = people.district_staff
    today = timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    make_shift(legal.station_a, staff, tomorrow, lawyer=legal.wang)
    make_shift(legal.station_a, staff, tomorrow + dt.timedelta(days=1), lawyer=legal.li)
    evening = at(today, "18:00")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.shift_reminders_send(now=evening) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.shift_reminders_send(now=evening) == 0
    assert Notification.objects.filter(recipient=legal.wang.user, kind="legal.shift_reminder").count() == 1
    assert not Notification.objects.filter(recipient=legal.li.user, kind="legal.shift_reminder").exists()
