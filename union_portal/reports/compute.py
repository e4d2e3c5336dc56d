"""The figures of one report: each figure of the chosen areas for the period, the previous period
and the same period last year, and the scalar ones split by child node (per town, per union). Each
is one grouped query from the registry (``union_portal.core.figures``), so a report has the same
number of queries whatever the number of towns, unions and members: (3 per figure) + (1 per
figure split by child) + 1 for the names of the child nodes.

The result is plain JSON (money and hours as strings of Decimal): it is stored on the run and the
spreadsheet is written from it, so the stored figures are exactly what the file shows.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from union_portal.core.figures import Figure, Period

from .areas import figures_by_area


def plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


def kind_of(figure: Figure) -> str:
    if figure.by_month:
        return "by_month"
    if figure.breakdown:
        return "breakdown"
    return "scalar"


def periods(period: Period) -> dict[str, Period]:
    """The period and what it is compared with: the one before it and the same one a year earlier."""
    return {"current": period, "previous": period.previous(), "last_year": period.shifted_years(-1)}


def planned_calls(*, areas: list[str]) -> list[tuple[Figure, str]]:
    """Every grouped query of a report, in order: ``(figure, span)`` with span a key of
    :func:`periods`, or ``"by_child"`` (the current period split by child node)."""
    grouped = figures_by_area()
    calls = []
    for area in areas:
        for figure in grouped.get(area, []):
            calls += [(figure, span) for span in ("current", "previous", "last_year")]
            if figure.by_child and kind_of(figure) == "scalar":
                calls.append((figure, "by_child"))
    return calls


def run_call(figure: Figure, span: str, *, scope, period: Period):
    spans = periods(period)
    if span == "by_child":
        return figure.value_by_child(scope=scope, period=spans["current"])
    return figure.value(scope=scope, period=spans[span])


def report_figures(
    *, scope, period: Period, areas: list[str], on_progress: Callable[[int, int], None] | None = None
) -> dict:
    """``{"periods": {...}, "children": {path: name}, "figures": {key: {...}}}`` for the run."""
    from union_portal.organisations.models import Organisation

    calls = planned_calls(areas=areas)
    found: dict[str, dict] = {}
    for done, (figure, span) in enumerate(calls, start=1):
        entry = found.setdefault(figure.key, {"area": figure.key.split(".", 1)[0], "kind": kind_of(figure)})
        entry[span] = plain(run_call(figure, span, scope=scope, period=period))
        if on_progress is not None:
            on_progress(done, len(calls))
    children = dict(
        Organisation.objects.filter(path__startswith=scope.path, depth=scope.depth + 1)
        .order_by("path")
        .values_list("path", "name")
    )
    return {
        "scope": {"id": scope.pk, "path": scope.path, "name": scope.name},
        "periods": {name: [p.start.isoformat(), p.end.isoformat()] for name, p in periods(period).items()},
        "areas": list(areas),
        "children": children,
        "figures": found,
    }
