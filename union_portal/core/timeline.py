"""One timeline per member, across every app: each app declares ``member_events`` in its
``timeline.py`` (``(*, member, viewer) -> list[TimelineEvent]``), returning only what ``viewer``
may see, masked as everywhere else, with a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .registry import declared


@dataclass(frozen=True)
class TimelineEvent:
    at: dt.datetime
    app: str
    kind: str
    title: Any
    detail: Any = ""
    link: str = ""


def member_timeline(*, member, viewer) -> list[TimelineEvent]:
    """Every app's events of ``member`` that ``viewer`` may see, newest first."""
    events: list[TimelineEvent] = []
    for _config, member_events in declared("timeline", "member_events"):
        events += member_events(member=member, viewer=viewer)
    return sorted(events, key=lambda event: event.at, reverse=True)


def timeline_rows(*, member, viewer) -> list[dict]:
    """:func:`member_timeline` as rows for a page, each with the contributing app's name."""
    from django.apps import apps

    names = {config.label: config.verbose_name for config in apps.get_app_configs()}
    return [
        {**event.__dict__, "app_label": names.get(event.app, event.app)}
        for event in member_timeline(member=member, viewer=viewer)
    ]
