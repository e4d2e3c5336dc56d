"""The figures registry: each app declares ``FIGURES`` in its ``figures.py``.

A figure is a function of (organisation subtree, period) computed in the database: one grouped
query, never a loop over rows. The dashboard, the reports and the API's figures endpoints all read
this registry, so a number is computed in one place and is the same on every screen.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .registry import declared

UNITS = ("count", "money", "rate", "hours")


@dataclass(frozen=True)
class Period:
    """A span of days, both ends included."""

    start: dt.date
    end: dt.date

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError("A period cannot end before it starts.")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1]))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        first = 3 * (quarter - 1) + 1
        return cls(dt.date(year, first, 1), cls.month(year, first + 2).end)

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def shifted_years(self, years: int) -> Period:
        """The same span ``years`` earlier (negative) or later; 29 February becomes the 28th."""

        def shift(day: dt.date) -> dt.date:
            try:
                return day.replace(year=day.year + years)
            except ValueError:
                return day.replace(year=day.year + years, day=28)

        return Period(shift(self.start), shift(self.end))

    def previous(self) -> Period:
        """The period of the same kind just before: the previous month, quarter or year, or the
        same number of days before a custom span."""
        if self.start.day == 1 and self.end == Period.month(self.end.year, self.end.month).end:
            months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
            index = self.start.year * 12 + self.start.month - 1 - months
            start = dt.date(index // 12, index % 12 + 1, 1)
            end_index = index + months - 1
            return Period(start, Period.month(end_index // 12, end_index % 12 + 1).end)
        return Period(self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1))

    def months(self) -> list[str]:
        """``["2026-01", ...]``: the months the period touches, the keys of ``by_month`` figures."""
        keys, year, month = [], self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            keys.append(f"{year:04d}-{month:02d}")
            year, month = (year, month + 1) if month < 12 else (year + 1, 1)
        return keys


@dataclass(frozen=True)
class Figure:
    """One number (or one breakdown of numbers) the federation is judged by."""

    key: str
    label: Any
    compute: Callable[..., Any]  # (*, scope: Organisation, period: Period) -> value
    unit: str = "count"
    breakdown: tuple | list | None = None  # choices, when the value is {choice value: number}
    by_month: bool = False  # the value is {"YYYY-MM": number}
    permission: str | None = None  # who may read it; None: every staff user of the subtree
    help_text: Any = ""
    #: ``compute`` also takes ``by_child=True`` and then returns ``{path: value}`` in the same one
    #: grouped query: the value of each child node of ``scope`` (keyed by the child's path), rows held
    #: by ``scope`` itself under ``scope.path``. Reports and the dashboard use it for "per town".
    by_child: bool = False
    app: str = field(default="", compare=False)

    def __post_init__(self):
        if self.unit not in UNITS:
            raise ValueError(f"unknown unit {self.unit!r} of figure {self.key}")

    def value(self, *, scope, period: Period):
        return self.compute(scope=scope, period=period)

    def value_by_child(self, *, scope, period: Period) -> dict[str, Any]:
        """``{path of a child of scope (or scope's own path): value}``, in one query."""
        if not self.by_child:
            raise ValueError(f"figure {self.key} is not split by child node")
        return self.compute(scope=scope, period=period, by_child=True)

    def readable_by(self, user) -> bool:
        return bool(user and user.is_active and (self.permission is None or user.has_perm(self.permission)))


def all_figures() -> list[Figure]:
    """Every app's figures, in INSTALLED_APPS order; keys are unique."""
    figures: dict[str, Figure] = {}
    for config, declared_figures in declared("figures", "FIGURES"):
        for figure in declared_figures:
            if figure.key in figures:
                raise ValueError(f"figure {figure.key} is declared twice")
            figures[figure.key] = Figure(**{**figure.__dict__, "app": config.label})
    return list(figures.values())


def figure(key: str) -> Figure:
    for candidate in all_figures():
        if candidate.key == key:
            return candidate
    raise KeyError(key)


# --- helpers for the apps' figures ---------------------------------------------------------------


def child_path(lookup: str, scope):
    """An expression: the path of the child of ``scope`` that the organisation at ``lookup`` lies
    under (``scope``'s own path for rows held by ``scope`` itself). Grouping by it splits a figure
    by child node in the same one query."""
    from django.db.models.functions import Substr

    return Substr(lookup, 1, len(scope.path) + type(scope).steplen)


def tally(queryset, *, scope, lookup: str, by_child: bool = False, **aggregates) -> dict:
    """``queryset.aggregate(**aggregates)``, or, with ``by_child``, ``{child path: {name: value}}``
    grouped by :func:`child_path` of ``lookup`` (a path lookup such as ``"member__union__path"``).
    One query either way."""
    if not by_child:
        return queryset.aggregate(**aggregates)
    rows = (
        queryset.annotate(_child=child_path(lookup, scope)).values("_child").annotate(**aggregates).order_by()
    )
    return {row.pop("_child"): row for row in rows}


def yuan(value) -> Decimal:
    """Money as Decimal yuan with two places, whatever the database returned (SQLite drops them)."""
    return Decimal(value or 0).quantize(Decimal("0.01"))


def rate(numerator, denominator, digits: int = 4) -> float | None:
    """``numerator / denominator`` rounded, or None when there is nothing to divide by."""
    return round(numerator / denominator, digits) if denominator else None


def figures_scope(user, organisation=None):
    """The organisation node whose figures ``user`` reads, with ``visible_to`` semantics:
    ``organisation`` (a node or its id) when the user may see it, else None; without one, the
    user's own node (a superuser without a node: the root of the tree). None: nothing to show."""
    from union_portal.organisations.models import Organisation

    visible = Organisation.objects.visible_to(user)
    if organisation is not None:
        pk = getattr(organisation, "pk", organisation)
        return visible.filter(pk=pk).first()
    if user is None or not user.is_authenticated:
        return None
    if user.organisation_id is not None:
        return visible.filter(pk=user.organisation_id).first()
    if user.is_superuser:
        return Organisation.get_root_nodes().first()
    return None
