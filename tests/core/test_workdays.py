"""Working days read from per-year tables give what asking the calendar day by day gives."""

import datetime as dt

import chinese_calendar
import pytest

from union_portal.core.workdays import add_working_days, is_working_day, working_days_between

D = dt.date


def _day_by_day(start: dt.date, end: dt.date) -> int:
    count, day = 0, start + dt.timedelta(days=1)
    while day <= end:
        try:
            count += chinese_calendar.is_workday(day)
        except NotImplementedError:
            count += day.weekday() < 5
        day += dt.timedelta(days=1)
    return count


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (D(2023, 12, 29), D(2024, 1, 2)),  # across New Year
        (D(2024, 2, 1), D(2026, 11, 29)),  # across two whole years and two Spring Festivals
        (D(2020, 2, 28), D(2020, 3, 1)),  # a leap day
        (D(2025, 9, 30), D(2025, 10, 11)),  # the National Day week and its make-up Saturday
        (D(2026, 12, 30), D(2031, 1, 2)),  # into years the calendar does not know yet
    ],
)
def test_working_days_between_counts_as_the_calendar_day_by_day(start, end):
    assert working_days_between(start, end) == _day_by_day(start, end)
    assert working_days_between(end, start) == 0


def test_a_make_up_saturday_is_a_working_day_and_a_holiday_monday_is_not():
    assert is_working_day(D(2026, 2, 14)) is True  # Saturday worked before the Spring Festival
    assert is_working_day(D(2026, 2, 16)) is False  # Monday of the holiday
    assert add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
