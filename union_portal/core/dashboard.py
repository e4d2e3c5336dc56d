"""The staff dashboard: the first page of the admin, for the user's organisation subtree.

It reads two registries and imports no app: the figures (``<app>/figures.py``, see
:mod:`union_portal.core.figures`) give the key figures and the charts, the work queues
(``<app>/queues.py``, :mod:`union_portal.core.queues`) give the work waiting for this user.

Figures are computed in the database (one grouped query each) from the registry, for every figure
of a node at once, and stored per organisation node: one :class:`~union_portal.core.models.DashboardSnapshot`
row (it outlives a cache flush, a deploy and midnight), fronted by the cache. Opening the dashboard
reads that row (one query with the cache cold, none warm), never the members: it opens as fast at a
million members as at a thousand. ``dashboard_warm`` (beat, every 10 minutes) refreshes the snapshots
of the district, its towns and every node with an active staff user; a snapshot older than
``DASHBOARD_CACHE_SECONDS`` or computed for another day is shown with its time ("as of") while
``dashboard_refresh`` recomputes it; only the first view of a node that never had one computes it
in the request. Labels are not stored (they follow the reader's language): only keys and numbers.
Work queues are counted on every view, so a count drops as soon as the work is done.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from .figures import Figure, Period, all_figures, figures_scope
from .queues import queues_for

CACHE_VERSION = 2


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


def cache_key(node_pk) -> str:
    return f"dashboard:v{CACHE_VERSION}:{node_pk}"


def refresh_lock_key(node_pk) -> str:
    return f"dashboard:refreshing:v{CACHE_VERSION}:{node_pk}"


def entry_of(snapshot) -> dict:
    """What the cache holds for a node: the snapshot's day, time and numbers (plain values)."""
    return {
        "day": snapshot.day.isoformat(),
        "computed_at": snapshot.computed_at.isoformat(),
        "values": snapshot.values,
    }


def is_fresh(entry: dict, *, today: dt.date, now: dt.datetime | None = None) -> bool:
    """Computed for today's periods, less than ``DASHBOARD_CACHE_SECONDS`` ago."""
    now = now or timezone.now()
    computed_at = dt.datetime.fromisoformat(entry["computed_at"])
    return entry["day"] == today.isoformat() and (now - computed_at).total_seconds() < cache_seconds()


def refresh(node, *, today: dt.date | None = None):
    """Compute every figure of ``node`` from the registry and store them: the node's one
    :class:`~union_portal.core.models.DashboardSnapshot` row and its cache entry. Safe twice."""
    from .models import DashboardSnapshot

    today = today or timezone.localdate()
    started = time.perf_counter()
    values = compute(scope=node, figures=all_figures(), today=today)
    snapshot, _created = DashboardSnapshot.objects.update_or_create(
        organisation=node,
        defaults={
            "day": today,
            "computed_at": timezone.now(),
            "seconds": round(time.perf_counter() - started, 3),
            "values": values,
        },
    )
    cache.set(cache_key(node.pk), entry_of(snapshot), cache_seconds())
    cache.delete(refresh_lock_key(node.pk))
    return snapshot


def request_refresh(node_pk) -> bool:
    """Ask a worker to recompute a node's snapshot after the commit, once per node at a time."""
    if not cache.add(refresh_lock_key(node_pk), 1, cache_seconds()):
        return False
    from .tasks import dashboard_refresh

    transaction.on_commit(lambda: dashboard_refresh.delay(node_pk))
    return True


def snapshot_of(scope, *, today: dt.date) -> dict:
    """The numbers of ``scope`` for the dashboard, without computing a figure when a snapshot exists:
    the cache, else the snapshot row (one query), else (the very first view of the node) computed
    now and stored. A stale one (older than ``DASHBOARD_CACHE_SECONDS`` or of another day) is shown
    with its time while a task recomputes it."""
    from .models import DashboardSnapshot

    key = cache_key(scope.pk)
    entry = cache.get(key)
    if entry is None:
        snapshot = DashboardSnapshot.objects.filter(organisation=scope).first()
        if snapshot is None:
            return entry_of(refresh(scope, today=today))
        entry = entry_of(snapshot)
        cache.set(key, entry, cache_seconds())
    if not is_fresh(entry, today=today):
        request_refresh(scope.pk)
    return entry


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
        return {"scope": None, "cards": [], "charts": [], "queues": queues, "today": today, "as_of": None}
    figures = [figure for figure in all_figures() if figure.readable_by(user)]
    entry = snapshot_of(scope, today=today)
    values = entry["values"]
    if any(figure.key not in values for figure in figures):
        request_refresh(scope.pk)  # a figure added since the snapshot: shown after the refresh
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
    return {
        "scope": scope,
        "cards": cards,
        "charts": charts,
        "queues": queues,
        "today": today,
        "as_of": dt.datetime.fromisoformat(entry["computed_at"]),
    }


def nodes_to_warm(max_depth: int = 2):
    """The district and its towns, and every node an active staff user is attached to (enterprise
    unions included): the nodes whose dashboard someone opens."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from union_portal.organisations.models import Organisation

    staffed = get_user_model().objects.filter(is_active=True, is_staff=True, organisation__isnull=False)
    return Organisation.objects.filter(
        Q(depth__lte=max_depth) | Q(pk__in=staffed.values("organisation"))
    ).order_by("path")


def warm(*, max_depth: int = 2, today: dt.date | None = None) -> int:
    """Refresh the snapshot of every node of :func:`nodes_to_warm` (every figure, what a user with
    every permission reads). Returns the nodes done."""
    today = today or timezone.localdate()
    done = 0
    for node in nodes_to_warm(max_depth):
        refresh(node, today=today)
        done += 1
    return done
