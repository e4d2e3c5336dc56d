"""The staff dashboard: the first page of the admin, for the user's organisation subtree.

It reads two registries and imports no app: the figures (``<app>/figures.py``, see
:mod:`union_portal.core.figures`) give the key figures and the charts, the work queues
(``<app>/queues.py``, :mod:`union_portal.core.queues`) give the work waiting for this user.

Figures are computed in the database (one grouped query each) and kept in the cache per
(organisation node, day, figures the user may read) for ``DASHBOARD_CACHE_SECONDS``: every staff
user of a town shares one computation, so the page opens as fast at a million members as at a
thousand once the cache is warm, and ``dashboard_warm`` (a beat task) keeps it warm for the top of
the tree. Labels are not cached (they follow the reader's language): only keys and numbers are.
Work queues are counted on every view, so a count drops as soon as the work is done.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from .figures import Figure, Period, all_figures, figures_scope
from .queues import queues_for

CACHE_VERSION = 1


def cache_seconds() -> int:
    return int(getattr(settings, "DASHBOARD_CACHE_SECONDS", 900))


def periods(today: dt.date) -> dict[str, Period]:
    """This month, the year to date, the same span of last year, and the twelve months to now."""
    year_to_date = Period(dt.date(today.year, 1, 1), today)
    first_of_month = today.replace(day=1)
    index = today.year * 12 + today.month - 1 - 11
    return {
        "month": Period(first_of_month, today),
        "year": year_to_date,
        "last_year": year_to_date.shifted_years(-1),
        "twelve_months": Period(dt.date(index // 12, index % 12 + 1, 1), today),
    }


def _kind(figure: Figure) -> str:
    if figure.by_month:
        return "by_month"
    if figure.breakdown:
        return "breakdown"
    return "scalar"


def _number(value) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    return value


def compute(*, scope, figures: list[Figure], today: dt.date) -> dict[str, dict]:
    """``{figure key: {...numbers...}}`` for the dashboard: scalar figures for this month, the year
    to date and last year's same span; by-month figures over twelve months; breakdowns for the year
    to date. Only plain values (cacheable, language-free)."""
    spans = periods(today)
    values: dict[str, dict] = {}
    for figure in figures:
        kind = _kind(figure)
        if kind == "scalar":
            values[figure.key] = {
                name: _number(figure.value(scope=scope, period=spans[name]))
                for name in ("month", "year", "last_year")
            }
        elif kind == "by_month":
            found = figure.value(scope=scope, period=spans["twelve_months"])
            values[figure.key] = {"months": {k: _number(v) for k, v in found.items()}}
        else:
            found = figure.value(scope=scope, period=spans["year"])
            values[figure.key] = {"parts": {str(k): _number(v) for k, v in found.items()}}
    return values


def cache_key(scope, figures: list[Figure], today: dt.date) -> str:
    keys = hashlib.sha256(",".join(sorted(f.key for f in figures)).encode()).hexdigest()[:16]
    return f"dashboard:v{CACHE_VERSION}:{scope.pk}:{today.isoformat()}:{keys}"


def cached_values(*, scope, figures: list[Figure], today: dt.date) -> dict[str, dict]:
    key = cache_key(scope, figures, today)
    values = cache.get(key)
    if values is None:
        values = compute(scope=scope, figures=figures, today=today)
        cache.set(key, values, cache_seconds())
    return values


@dataclass
class Card:
    key: str
    label: Any
    unit: str
    help_text: Any
    month: Any
    year: Any
    last_year: Any

    @property
    def trend(self) -> float | None:
        """Change of the year to date against last year's same span: a share (rates: points)."""
        try:
            now, before = float(self.year), float(self.last_year)
        except (TypeError, ValueError):
            return None
        if self.unit == "rate":
            return round(now - before, 4)
        if not before:
            return None
        return round((now - before) / before, 4)

    @property
    def direction(self) -> str:
        trend = self.trend
        if trend is None or trend == 0:
            return "flat"
        return "up" if trend > 0 else "down"


def _as_float(value) -> float:
    try:
        return float(value or 0)
    except (TypeError, ValueError):
        return 0.0


def build(user, *, organisation=None, today: dt.date | None = None) -> dict:
    """Everything the dashboard shows for ``user``: the scope, key-figure cards, chart data and
    the work queues with their counts. ``scope`` is None when the user has no subtree."""
    today = today or timezone.localdate()
    scope = figures_scope(user, organisation)
    queues = [
        {"key": queue.key, "label": queue.label, "count": count, "url": queue.url()}
        for queue, count in queues_for(user)
    ]
    if scope is None:
        return {"scope": None, "cards": [], "charts": [], "queues": queues, "today": today}
    figures = [figure for figure in all_figures() if figure.readable_by(user)]
    values = cached_values(scope=scope, figures=figures, today=today)
    cards, charts = [], []
    for figure in figures:
        found = values.get(figure.key)
        if found is None:
            continue
        kind = _kind(figure)
        if kind == "scalar":
            cards.append(
                Card(
                    figure.key,
                    figure.label,
                    figure.unit,
                    figure.help_text,
                    found["month"],
                    found["year"],
                    found["last_year"],
                )  # fmt: skip
            )
        elif kind == "by_month":
            months = found["months"]
            charts.append(
                {
                    "key": figure.key,
                    "type": "line" if figure.unit in ("count", "hours") else "bar",
                    "label": str(figure.label),
                    "unit": figure.unit,
                    "labels": list(months),
                    "values": [_as_float(v) for v in months.values()],
                }
            )
        else:
            labels = dict(figure.breakdown)
            parts = found["parts"]
            charts.append(
                {
                    "key": figure.key,
                    "type": "bar",
                    "label": str(figure.label),
                    "unit": figure.unit,
                    "labels": [str(labels.get(k, k)) for k in parts],
                    "values": [_as_float(v) for v in parts.values()],
                }
            )
    return {"scope": scope, "cards": cards, "charts": charts, "queues": queues, "today": today}


def warm(*, max_depth: int = 2, today: dt.date | None = None) -> int:
    """Compute the figures of the top of the tree (the district and its towns) into the cache, for
    every figure (what a district or town user with every permission reads). Returns the nodes done."""
    from union_portal.organisations.models import Organisation

    today = today or timezone.localdate()
    figures = all_figures()
    done = 0
    for node in Organisation.objects.filter(depth__lte=max_depth).order_by("path"):
        cache.set(cache_key(node, figures, today), compute(scope=node, figures=figures, today=today),
                  cache_seconds())  # fmt: skip
        done += 1
    return done
