"""The figures of the knowledge quiz: participants, attempts and the average score, per union (split
by child node) and per month. Each is one grouped query over the attempts of a subtree (``scope``,
by the union the participant played for) in a ``Period`` (the attempt's Shanghai day); attempts still
open are not counted."""

from __future__ import annotations

from django.db.models import Avg, Count
from django.utils.translation import gettext_lazy as _

from union_portal.core.figures import Figure, Period, tally

from .models import Attempt, AttemptState

PERMISSION = "quiz.view_quiz_figures"
LOOKUP = "union__path"


def _closed(scope, period: Period):
    return Attempt.objects.filter(
        union__path__startswith=scope.path, day__gte=period.start, day__lte=period.end
    ).exclude(state=AttemptState.OPEN)


def _one(rows: dict, by_child: bool, name: str, convert=None):
    convert = convert or (lambda value: value)
    if by_child:
        return {path: convert(row[name]) for path, row in rows.items()}
    return convert(rows[name])


def _average(value):
    return round(float(value), 1) if value is not None else None


def participants(*, scope, period: Period, by_child: bool = False):
    """Members who finished at least one attempt in the period."""
    rows = tally(
        _closed(scope, period),
        scope=scope,
        lookup=LOOKUP,
        by_child=by_child,
        n=Count("participant", distinct=True),
    )
    return _one(rows, by_child, "n")


def attempts(*, scope, period: Period, by_child: bool = False):
    rows = tally(_closed(scope, period), scope=scope, lookup=LOOKUP, by_child=by_child, n=Count("pk"))
    return _one(rows, by_child, "n")


def average_score(*, scope, period: Period, by_child: bool = False):
    """Average points of a finished attempt (0 to 50); None without attempts."""
    rows = tally(_closed(scope, period), scope=scope, lookup=LOOKUP, by_child=by_child, v=Avg("score"))
    return _one(rows, by_child, "v", _average)


def participants_by_month(*, scope, period: Period) -> dict[str, int]:
    rows = (
        _closed(scope, period)
        .values("month")
        .annotate(n=Count("participant", distinct=True))
        .order_by("month")
    )
    found = {row["month"].strftime("%Y-%m"): row["n"] for row in rows}
    return {month: found.get(month, 0) for month in period.months()}


def average_score_by_month(*, scope, period: Period) -> dict[str, float | None]:
    rows = _closed(scope, period).values("month").annotate(v=Avg("score")).order_by("month")
    found = {row["month"].strftime("%Y-%m"): _average(row["v"]) for row in rows}
    return {month: found.get(month) for month in period.months()}


FIGURES = [
    Figure(key="quiz.participants", label=_("Quiz participants"), compute=participants, unit="count",
           permission=PERMISSION, by_child=True),
    Figure(key="quiz.attempts", label=_("Quiz attempts"), compute=attempts, unit="count",
           permission=PERMISSION, by_child=True),
    Figure(key="quiz.average_score", label=_("Average quiz score"), compute=average_score, unit="count",
           permission=PERMISSION, by_child=True, help_text=_("Points of a finished attempt, out of 50.")),
    Figure(key="quiz.participants_by_month", label=_("Quiz participants by month"),
           compute=participants_by_month, unit="count", by_month=True, permission=PERMISSION),
    Figure(key="quiz.average_score_by_month", label=_("Average quiz score by month"),
           compute=average_score_by_month, unit="count", by_month=True, permission=PERMISSION),
]  # fmt: skip
