"""The webhook events the apps declare, discovered like every other registry (``docs/platform.md``).

An app declares, in ``<app>/webhooks.py``::

    EVENTS = [
        WebhookEvent(
            name="membership.approved",
            label=gettext_lazy("Membership approved"),
            area="members",  # the key needs members:read
            permission="members.view_member",  # and its service user this permission
            describe=approved,  # obj -> (organisations the event belongs to, the JSON data)
        ),
    ]

and its service calls, after the change, one line: ``webhook_emit("membership.approved", member)``.
The platform never imports an app: it finds ``EVENTS`` through :func:`union_portal.core.registry.app_modules`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from union_portal.core.registry import app_modules


@dataclass(frozen=True)
class WebhookEvent:
    name: str
    label: Any
    #: The API area whose ``<area>:read`` scope a key needs to receive the event.
    area: str
    #: The model permission the key's service user needs.
    permission: str
    #: ``describe(obj) -> (organisations, data)``: the nodes of the tree the event belongs to (a
    #: subscriber whose subtree holds any of them receives it) and the JSON ``data`` of the delivery.
    describe: Callable[[Any], tuple[Iterable, dict]]

    @property
    def scope(self) -> str:
        return f"{self.area}:read"


@cache
def declared_events() -> dict[str, WebhookEvent]:
    events: dict[str, WebhookEvent] = {}
    for config, module in app_modules("webhooks"):
        for event in getattr(module, "EVENTS", ()):
            if event.name in events:
                raise ValueError(f"{config.name} declares the webhook event {event.name} a second time")
            events[event.name] = event
    return events


def event_choices() -> list[tuple[str, str]]:
    return [(name, f"{name}: {event.label}") for name, event in sorted(declared_events().items())]
