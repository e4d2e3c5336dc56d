"""Working days in mainland China: weekends, public holidays and make-up working days (调休).

"Within 5 working days" is not Monday to Friday: the Spring Festival and National Day weeks
are holidays, and some Saturdays and Sundays are working days. ``chinesecalendar`` carries the
State Council's published calendar; for years it does not know yet we fall back to Monday to
Friday rather than fail.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar


def is_working_day(day: dt.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year the calendar does not cover yet
        return day.weekday() < 5


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` is not after ``start``).

    A case filed on Friday and looked at on Monday has waited one working day.
    """
    if end <= start:
        return 0
    count = 0
    day = start + dt.timedelta(days=1)
    while day <= end:
        count += is_working_day(day)
        day += dt.timedelta(days=1)
    return count


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``start``."""
    day = start
    remaining = days
    while remaining > 0:
        day += dt.timedelta(days=1)
        remaining -= is_working_day(day)
    return day
