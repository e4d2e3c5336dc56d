"""Scale data: a whole district of N members with every app's records, for the benchmarks (``bench/``)
and capacity checks. ``manage.py generate_scale --members N --seed S`` calls :func:`generate`.

Each installed app may declare ``<app>/scale.py`` (found by :mod:`union_portal.core.registry`, as
``demo.py`` is) with:

* ``build(ctx: ScaleContext) -> dict`` writing the app's rows for ``ctx.members`` members and
  returning counts by name (shown by the command). Builds run in INSTALLED_APPS order in one
  transaction: ``members`` builds the tree and the members first; the apps after it read them.
* ``MODELS``: the models it writes, emptied by :func:`reset` (``TRUNCATE ... CASCADE``) and analysed
  after the build on PostgreSQL.

Rows go through :mod:`union_portal.core.bulkload` (COPY on PostgreSQL, ``bulk_create`` elsewhere) or
the ORM's ``bulk_create``; a build writes what the app's services would write (valid values, every
constraint holding) but at the speed of a bulk load. The same seed gives the same district. The size,
the seed and :data:`SCALE_VERSION` are recorded in the ``Counter`` table so that the benchmarks reuse a
database that already holds the requested district.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction

from union_portal.core.models import Counter

from .registry import app_modules

MARKER_MEMBERS = "scale:members"
MARKER_SEED = "scale:seed"
MARKER_VERSION = "scale:version"
#: Bump when any app's scale data changes shape: the bench rebuilds a database whose marker differs
#: (``bench/common.py`` holds the same number, read without Django; a test checks they agree).
SCALE_VERSION = 2


@dataclass
class ScaleContext:
    members: int
    seed: int
    #: how many enterprises (default: members / 40)
    enterprises: int | None = None
    log: Callable[[str], None] = print
    counts: dict[str, int] = field(default_factory=dict)

    def rng(self, label: str) -> random.Random:
        """A random generator of the app ``label``, repeatable from the seed and independent of the
        other apps' draws (adding an app does not change what the others build)."""
        return random.Random(f"{self.seed}-{label}")


def parts() -> list[tuple[str, object]]:
    """``(app label, scale module)`` of every app that declares scale data, in INSTALLED_APPS order."""
    return [(config.label, module) for config, module in app_modules("scale") if hasattr(module, "build")]


def generate(*, members: int, seed: int, enterprises: int | None = None, log=print) -> dict[str, int]:
    """Build the district in an empty database (see :func:`reset`); return the counts of every app."""
    import time

    ctx = ScaleContext(members=members, seed=seed, enterprises=enterprises, log=log)
    with transaction.atomic():
        for label, module in parts():
            started = time.perf_counter()
            ctx.counts.update(module.build(ctx) or {})
            log(f"{label}: {time.perf_counter() - started:.1f} s")
        for name, value in ((MARKER_MEMBERS, members), (MARKER_SEED, seed), (MARKER_VERSION, SCALE_VERSION)):
            Counter.objects.update_or_create(name=name, defaults={"value": value})
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in _models():
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return ctx.counts


def reset() -> None:
    """Empty every table the scale data writes (PostgreSQL: ``TRUNCATE ... RESTART IDENTITY CASCADE``,
    which also empties what refers to them, users and API keys among them) and forget the markers."""
    if connection.vendor != "postgresql":
        raise ValueError("A reset works on PostgreSQL only; use a fresh database.")
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in _models())
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    Counter.objects.filter(
        name__in=[MARKER_MEMBERS, MARKER_SEED, MARKER_VERSION, "member_card", "scale:aid"]
    ).delete()


def _models() -> list:
    seen: list = []
    for _label, module in parts():
        for model in getattr(module, "MODELS", ()):
            if model not in seen:
                seen.append(model)
    return seen
