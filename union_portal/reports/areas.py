"""The areas of a report: the figures of the registry grouped by the first part of their key
(``members.members`` → ``members``). A new app's figures make a new area without a line here; the
names below only give the known areas their titles (an unknown area is titled by its app)."""

from __future__ import annotations

from django.apps import apps
from django.utils.translation import gettext_lazy as _

from union_portal.core.figures import Figure, all_figures

TITLES = {
    "members": _("Members and coverage"),
    "aid": _("Hardship aid"),
    "legal": _("Legal aid"),
    "contests": _("Contests"),
    "honours": _("Honours"),
    "volunteers": _("Volunteer service"),
    "quiz": _("Knowledge quiz"),
}


def area_of(figure: Figure) -> str:
    return figure.key.split(".", 1)[0]


def area_title(area: str, figures: list[Figure] | None = None):
    if area in TITLES:
        return TITLES[area]
    for figure in figures or all_figures():
        if area_of(figure) == area and figure.app:
            return apps.get_app_config(figure.app).verbose_name
    return area


def figures_by_area() -> dict[str, list[Figure]]:
    """``{area: [figures]}`` in registry order."""
    grouped: dict[str, list[Figure]] = {}
    for figure in all_figures():
        grouped.setdefault(area_of(figure), []).append(figure)
    return grouped


def areas_readable_by(user) -> list[tuple[str, object]]:
    """``[(area, title)]`` of the areas whose every figure ``user`` may read."""
    return [
        (area, area_title(area, figures))
        for area, figures in figures_by_area().items()
        if all(figure.readable_by(user) for figure in figures)
    ]


def area_permissions(areas: list[str]) -> set[str]:
    grouped = figures_by_area()
    return {f.permission for area in areas for f in grouped.get(area, []) if f.permission}
