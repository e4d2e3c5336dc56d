"""The panel: licence numbers, lawyer accounts, the adviser cap, check-ups, scoping."""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from legal_aid import services
from legal_aid.models import AdviserAssignment, Lawyer, Shift
from union_portal.core.errors import ApplicationError, PermissionDeniedError

from ..organisations.factories import make_union
from .factories import make_lawyer, make_shift, next_weekday

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("14406201810123456", True),
        ("１４４０６２０１８１０１２３４５６", True),  # full-width digits, NFKC
        ("1440620181012345", False),  # 16 digits
        ("04406201810123456", False),  # no kind of practice 0
        ("19906201810123456", False),  # province 99
        ("14406209910123456", False),  # year 2099
        ("14406201815123456", False),  # sex digit 5
        ("1440620181012345x", False),
    ],
)
def test_licence_numbers(value, ok):
    if ok:
        assert services.clean_licence(value, today=dt.date(2026, 1, 1)) == "14406201810123456"
    else:
        with pytest.raises(ApplicationError):
            services.clean_licence(value, today=dt.date(2026, 1, 1))


def test_a_lawyer_is_a_portal_user_in_the_lawyer_role(tree, people):
    lawyer = make_lawyer(tree.district, people.district_staff, name="王明", mobile="13812345670")
    assert lawyer.user.mobile == "13812345670" and lawyer.user.has_role("lawyer") and not lawyer.user.is_staff
    with pytest.raises(ApplicationError) as refused:
        make_lawyer(tree.district, people.district_staff, licence=lawyer.licence)
    assert refused.value.code == "duplicate"


def test_a_lawyer_sees_only_their_own_rows(tree, people, legal):
    day = next_weekday(0)
    mine = make_shift(legal.station_a, people.district_staff, day, lawyer=legal.wang)
    make_shift(legal.station_b, people.district_staff, day, lawyer=legal.li)
    assert list(Shift.objects.visible_to(legal.wang.user)) == [mine]
    assert list(Lawyer.objects.visible_to(legal.wang.user)) == [legal.wang]


def test_town_staff_see_their_towns_shifts(tree, people, legal):
    day = next_weekday(0)
    make_shift(legal.station_a, people.district_staff, day, lawyer=legal.wang)
    theirs = make_shift(legal.station_b, people.district_staff, day, lawyer=legal.li)
    assert list(Shift.objects.visible_to(people.town_b_staff)) == [theirs]


@override_settings(LEGAL_ADVISER_MAX_ENTERPRISES=2)
def test_a_lawyer_advises_at_most_the_cap(tree, people, legal):
    staff, today = people.district_staff, timezone.localdate()
    unions = [tree.union_a, tree.union_b, make_union(tree.town_a, "第三工会")]
    term = {"starts_on": today, "ends_on": today + dt.timedelta(days=365)}
    services.adviser_assign(lawyer=legal.wang, union=unions[0], by=staff, **term)
    with pytest.raises(ApplicationError, match="already advises this union"):
        services.adviser_assign(lawyer=legal.wang, union=unions[0], by=staff, **term)
    second = services.adviser_assign(lawyer=legal.wang, union=unions[1], by=staff, **term)
    with pytest.raises(ApplicationError) as refused:
        services.adviser_assign(lawyer=legal.wang, union=unions[2], by=staff, **term)
    assert refused.value.code == "at_cap"
    services.adviser_end(assignment=second, by=staff)
    services.adviser_assign(lawyer=legal.wang, union=unions[2], by=staff, **term)
    assert AdviserAssignment.objects.active().filter(lawyer=legal.wang).count() == 2


def test_checkup_by_the_adviser_and_only_by_them(tree, people, legal):
    today = timezone.localdate()
    services.adviser_assign(
        lawyer=legal.wang, union=tree.union_a, by=people.district_staff, starts_on=today, ends_on=today
    )
    event = services.enterprise_event_record(
        kind="checkup", union=tree.union_a, lawyer=legal.wang, by=legal.wang.user, held_on=today,
        attendance=35, findings="劳动合同条款缺少工时约定",
    )  # fmt: skip
    assert event.assignment is not None
    with pytest.raises(PermissionDeniedError):
        services.enterprise_event_record(
            kind="education", union=tree.union_b, lawyer=legal.wang, by=legal.wang.user, held_on=today
        )


def test_opening_hours_are_checked():
    assert services.clean_opening_hours([[["09:00", "12:00"]]] * 7)[0] == [["09:00", "12:00"]]
    for bad in (
        [[]] * 6,
        [[["12:00", "09:00"]]] * 7,
        [[["9:00", "12:00"]]] * 7,
        [[["09:00", "12:00"], ["11:00", "13:00"]]] * 7,
    ):
        with pytest.raises(ApplicationError):
            services.clean_opening_hours(bad)


def test_calendar_link_is_revocable(legal):
    old = legal.wang.calendar_token
    renewed = services.calendar_token_reset(lawyer=legal.wang, by=legal.wang.user)
    assert renewed.calendar_token != old and len(renewed.calendar_token) >= 32
    with pytest.raises(PermissionDeniedError):
        services.calendar_token_reset(lawyer=legal.wang, by=legal.li.user)
