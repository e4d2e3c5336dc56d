"""Legal-aid data made through the services, as the application makes it."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from legal_aid import services
from legal_aid.models import Lawyer, Station

_licences = itertools.count(1)
_mobiles = itertools.count(13600000000)

WEEKDAY_HOURS = [[["09:00", "12:00"], ["14:00", "17:00"]]] * 5 + [[], []]


def licence_number(n: int | None = None) -> str:
    """A valid 17-digit practising licence number: full-time (1), Foshan (4406), 2015, male."""
    n = next(_licences) if n is None else n
    return f"14406201511{n:06d}"


def make_lawyer(organisation, by, *, name: str | None = None, password: str | None = None, **data) -> Lawyer:
    today = timezone.localdate()
    n = next(_licences)
    values = {
        "name": name or f"律师{n}",
        "firm": "广东三水律师事务所",
        "licence": licence_number(n),
        "mobile": str(next(_mobiles)),
        "specialties": ["wages", "injury"],
        "term_starts_on": today - dt.timedelta(days=365),
        "term_ends_on": today + dt.timedelta(days=365),
        "max_shifts_per_month": 8,
    }
    values.update(data)
    station = values.pop("preferred_station", None)
    return services.lawyer_add(
        data=values, organisation=organisation, by=by, password=password, station=station
    )


def make_station(organisation, by, *, name: str = "西南法律援助工作站", hours=None, **kwargs) -> Station:
    station = Station(
        name=name,
        organisation=organisation,
        address=kwargs.pop("address", "西南街道建设路1号"),
        opening_hours=hours if hours is not None else WEEKDAY_HOURS,
        **kwargs,
    )
    return services.station_save(station=station, by=by)


def at(day: dt.date, hhmm: str) -> dt.datetime:
    hour, minute = map(int, hhmm.split(":"))
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def next_weekday(weekday: int = 0, after: dt.date | None = None) -> dt.date:
    """The next date (after ``after``, default today) falling on ``weekday`` and at least a day away."""
    day = (after or timezone.localdate()) + dt.timedelta(days=1)
    while day.weekday() != weekday:
        day += dt.timedelta(days=1)
    return day


def make_shift(station, by, day: dt.date, start="09:00", end="12:00", lawyer=None, **kwargs):
    return services.shift_add(
        station=station, start=at(day, start), end=at(day, end), lawyer=lawyer, by=by, **kwargs
    )
