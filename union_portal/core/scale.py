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
from collections.abc import Callable, Iterable
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


def parts(only: Iterable[str] | None = None) -> list[tuple[str, object]]:
    """``(app label, scale module)`` of every app that declares scale data (or of the apps ``only``
    names), in INSTALLED_APPS order."""
    found = [(config.label, module) for config, module in app_modules("scale") if hasattr(module, "build")]
    if only is None:
        return found
    only = set(only)
    if unknown := only - {label for label, _module in found}:
        raise ValueError(f"No scale data in: {', '.join(sorted(unknown))}.")
    return [(label, module) for label, module in found if label in only]


def generate(
    *, members: int, seed: int, enterprises: int | None = None, only: Iterable[str] | None = None, log=print
) -> dict[str, int]:
    """Build the district in an empty database (see :func:`reset`); return the counts of every app.

    ``only``: the labels of the apps to build (``members`` first: the others need its district); the
    version marker is written only when every app was built, so the bench never reuses a partial one."""
    import time

    ctx = ScaleContext(members=members, seed=seed, enterprises=enterprises, log=log)
    with transaction.atomic():
        for label, module in parts(only):
            started = time.perf_counter()
            ctx.counts.update(module.build(ctx) or {})
            log(f"{label}: {time.perf_counter() - started:.1f} s")
        markers = {MARKER_MEMBERS: members, MARKER_SEED: seed}
        if only is None:
            markers[MARKER_VERSION] = SCALE_VERSION
        for name, value in markers.items():
            Counter.objects.update_or_create(name=name, defaults={"value": value})
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in _models(only):
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


def _models(only: Iterable[str] | None = None) -> list:
    seen: list = []
    for _label, module in parts(only):
        for model in getattr(module, "MODELS", ()):
            if model not in seen:
                seen.append(model)
    return seen


def demo_context(ctx: ScaleContext, label: str):
    """A :class:`~union_portal.core.demo.DemoContext` over the scale district, for apps whose scale data
    is their demo built through their services on the big district (their records then obey every
    rule, at the demo's size rather than in proportion to the members).

    It carries the district, its towns by short name (``西南街道``, as the demo names them), its
    grassroots unions, and two users made once: ``admin`` (a superuser) and ``district`` (district
    staff), each with a random password that nobody is told.
    """
    import secrets

    from django.contrib.auth.models import Group

    from union_portal.accounts.models import User
    from union_portal.accounts.roles import Role
    from union_portal.core.demo import DemoContext
    from union_portal.organisations.models import Organisation, OrganisationKind

    district = Organisation.objects.filter(depth=1).order_by("path").first()
    demo = DemoContext(members=ctx.members, district=district, rng=ctx.rng(label), log=[])
    if district is None:
        return demo
    demo.towns = {
        town.name.removesuffix("总工会"): town
        for town in Organisation.objects.filter(kind=OrganisationKind.TOWN).order_by("path")
    }
    demo.unions = list(Organisation.objects.filter(kind=OrganisationKind.GRASSROOTS).order_by("path")[:200])
    for username, role, what in (
        ("scale-admin", None, "superuser of the scale data"),
        ("scale-district", Role.DISTRICT_STAFF, "district staff of the scale data"),
    ):
        password = secrets.token_urlsafe(12)
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, organisation=district, is_staff=True, is_superuser=role is None)
            user.set_password(password)
            user.save()
            if role:
                user.groups.add(Group.objects.get(name=role))
        demo.users["admin" if role is None else "district"] = (user, password, what)
    return demo
