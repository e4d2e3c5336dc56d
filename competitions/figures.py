"""The figures of contests and honours: contests and participants by level, prizes, honours by level
and kind of holder, studios and mentor pairs. One grouped query each over a subtree (``scope``) and
a ``Period``; the scalar ones can be split by child node (``by_child=True``) in that same query.

A contest counts in the year its registration opened, in the subtree of the organiser; a participant
is a live entry, counted in the union of the entrant; honours count on the day they were conferred.
"""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from union_portal.core.figures import Figure, Period, tally

from .models import (
    ActiveState,
    Contest,
    Entry,
    EntryState,
    HolderKind,
    Honour,
    HonourStatus,
    Level,
    MentorPair,
    Prize,
    Studio,
)

PERMISSION = "competitions.view_contest_figures"


def _by(queryset, field: str, choices) -> dict:
    found = dict(queryset.values_list(field).annotate(v=Count("pk")).order_by(field))
    return {code: found.get(code, 0) for code, _label in choices}


def _one(rows: dict, by_child: bool, name: str = "n"):
    return {path: row[name] for path, row in rows.items()} if by_child else rows[name]


def _contests(scope, period: Period):
    return Contest.objects.filter(
        organisation__path__startswith=scope.path,
        registration_opens_on__gte=period.start,
        registration_opens_on__lte=period.end,
    ).exclude(status="cancelled")


def _entries(scope, period: Period):
    return Entry.objects.filter(
        union__path__startswith=scope.path,
        state=EntryState.REGISTERED,
        contest__registration_opens_on__gte=period.start,
        contest__registration_opens_on__lte=period.end,
    )


def contests_by_level(*, scope, period: Period) -> dict:
    return _by(_contests(scope, period), "level", Level.choices)


def participants(*, scope, period: Period, by_child: bool = False):
    """People in live entries (a team counts each of its members)."""
    rows = tally(
        _entries(scope, period), scope=scope, lookup="union__path", by_child=by_child, n=Count("people")
    )
    return _one(rows, by_child)


def participants_by_level(*, scope, period: Period) -> dict:
    found = dict(
        _entries(scope, period)
        .values_list("contest__level")
        .annotate(v=Count("people"))
        .order_by("contest__level")
    )
    return {code: found.get(code, 0) for code, _label in Level.choices}


def prizes(*, scope, period: Period) -> dict:
    rows = _entries(scope, period).filter(contest__status="published").exclude(prize="")
    return _by(rows, "prize", [c for c in Prize.choices if c[0]])


def _honours(scope, period: Period):
    return Honour.objects.filter(
        organisation__path__startswith=scope.path,
        conferred_on__gte=period.start,
        conferred_on__lte=period.end,
        status=HonourStatus.ACTIVE,
    )


def honours(*, scope, period: Period, by_child: bool = False):
    rows = tally(
        _honours(scope, period), scope=scope, lookup="organisation__path", by_child=by_child, n=Count("pk")
    )
    return _one(rows, by_child)


def honours_by_level(*, scope, period: Period) -> dict:
    found = dict(
        _honours(scope, period).values_list("title__level").annotate(v=Count("pk")).order_by("title__level")
    )
    return {code: found.get(code, 0) for code, _label in Level.choices}


def honours_by_holder(*, scope, period: Period) -> dict:
    return _by(_honours(scope, period), "holder_kind", HolderKind.choices)


def studios(*, scope, period: Period, by_child: bool = False):
    """Innovation studios active at the end of the period."""
    rows = Studio.objects.filter(
        organisation__path__startswith=scope.path, status=ActiveState.ACTIVE, founded_on__lte=period.end
    )
    return _one(
        tally(rows, scope=scope, lookup="organisation__path", by_child=by_child, n=Count("pk")), by_child
    )


def mentor_pairs(*, scope, period: Period, by_child: bool = False):
    """Mentor-apprentice pairs whose term overlaps the period."""
    rows = MentorPair.objects.filter(
        organisation__path__startswith=scope.path, starts_on__lte=period.end, ends_on__gte=period.start
    )
    return _one(
        tally(rows, scope=scope, lookup="organisation__path", by_child=by_child, n=Count("pk")), by_child
    )


FIGURES = [
    Figure(key="contests.by_level", label=_("Contests by level"), compute=contests_by_level,
           breakdown=Level.choices, permission=PERMISSION),
    Figure(key="contests.participants", label=_("Contest participants"), compute=participants,
           permission=PERMISSION, by_child=True),
    Figure(key="contests.participants_by_level", label=_("Contest participants by level"),
           compute=participants_by_level, breakdown=Level.choices, permission=PERMISSION),
    Figure(key="contests.prizes", label=_("Contest prizes"), compute=prizes,
           breakdown=[c for c in Prize.choices if c[0]], permission=PERMISSION),
    Figure(key="honours.conferred", label=_("Honours conferred"), compute=honours, permission=PERMISSION,
           by_child=True),
    Figure(key="honours.by_level", label=_("Honours by level"), compute=honours_by_level,
           breakdown=Level.choices, permission=PERMISSION),
    Figure(key="honours.by_holder", label=_("Honours by kind of holder"), compute=honours_by_holder,
           breakdown=HolderKind.choices, permission=PERMISSION),
    Figure(key="honours.studios", label=_("Innovation studios"), compute=studios, permission=PERMISSION,
           by_child=True),
    Figure(key="honours.mentor_pairs", label=_("Mentor-apprentice pairs"), compute=mentor_pairs,
           permission=PERMISSION, by_child=True),
]  # fmt: skip
