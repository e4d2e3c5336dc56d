"""The demo district that `make run` serves: every app adds its part.

Each installed app may declare ``<app>/demo.py`` with ``build(ctx: DemoContext)``; :func:`seed` calls
them in INSTALLED_APPS order (``members`` builds the tree, the staff and the members first; the apps
after it find them in ``ctx``). Every build goes through the app's services, so the demo obeys every
rule, and makes only what is missing, so running it again changes nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .registry import declared

if TYPE_CHECKING:
    from union_portal.accounts.models import User
    from union_portal.organisations.models import Organisation


@dataclass
class DemoContext:
    #: how many members the members app makes
    members: int = 2000
    district: Organisation | None = None
    towns: dict[str, Organisation] = field(default_factory=dict)
    unions: list[Organisation] = field(default_factory=list)
    #: username -> (user, password, what the user is for), printed by ``seed_demo``
    users: dict[str, tuple[User, str, str]] = field(default_factory=dict)
    rng: random.Random = field(default_factory=lambda: random.Random(2026))
    log: list[str] = field(default_factory=list)


def seed(*, members: int = 2000) -> DemoContext:
    ctx = DemoContext(members=members)
    for config, build in declared("demo", "build"):
        ctx.rng = random.Random(2026 if config.label == "members" else f"2026-{config.label}")
        build(ctx)
    return ctx
