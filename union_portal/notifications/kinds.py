"""Kinds of events, the unit of a person's channel preferences.

Each app declares its kinds in ``<app>/events.py``::

    KINDS = [
        EventKind(
            key="legal.shifts",
            label=_("Duty shifts"),
            events=["legal.shift_assigned", "legal.shift_reminder"],
            urgent=True,  # tomorrow's shift: at least one channel always stays on
        ),
    ]

Every event an app passes to ``notify(event=...)`` belongs to exactly one kind, and every event has
its templates (``notifications/<event>/title.txt`` ...) translated into each language
(``tests/notifications/test_events.py`` checks both).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from django.utils.translation import gettext_lazy as _

CHANNELS = ("inbox", "sms", "email")
CHANNEL_LABELS = {"inbox": _("Inbox"), "sms": _("SMS"), "email": _("Email")}


@dataclass(frozen=True)
class EventKind:
    key: str
    label: str
    events: list[str]
    #: Urgent kinds cannot be switched off entirely: at least one channel stays on.
    urgent: bool = False
    #: Channels of a user who made no choice.
    default: frozenset[str] = field(default_factory=lambda: frozenset(CHANNELS))
    description: str = ""


#: The kind of an event no app declared (tests' own events): every channel, not switchable.
UNDECLARED = EventKind(key="other", label=_("Other messages"), events=[], urgent=True)


@cache
def kinds() -> dict[str, EventKind]:
    """Every declared kind by key, in INSTALLED_APPS order."""
    from union_portal.core.registry import declared

    found: dict[str, EventKind] = {}
    for config, app_kinds in declared("events", "KINDS"):
        for kind in app_kinds:
            if kind.key in found:
                raise ValueError(f"{config.name} declares the event kind {kind.key!r} twice")
            found[kind.key] = kind
    return found


@cache
def kind_by_event() -> dict[str, EventKind]:
    found: dict[str, EventKind] = {}
    for kind in kinds().values():
        for event in kind.events:
            if event in found:
                raise ValueError(f"the event {event!r} is in two kinds: {found[event].key}, {kind.key}")
            found[event] = kind
    return found


def kind_of(event: str) -> EventKind:
    return kind_by_event().get(event, UNDECLARED)
