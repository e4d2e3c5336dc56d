"""Scale data: a district of N members with every app's records, for benchmarks (``bench/``).

``python manage.py generate_scale --members 1000000 --seed 1`` builds it in an empty database; what
each app builds is in its ``<app>/scale.py``, run by :mod:`union_portal.core.scale`. This command
only reads its arguments and calls it.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from union_portal.core import scale
from union_portal.organisations.models import Organisation


class Command(BaseCommand):
    help = "Build a district of N members (default 1,000,000) for benchmarks, repeatable from a seed."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=1_000_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--enterprises", type=int, default=None, help="Number of enterprises (default: members / 40)."
        )
        parser.add_argument(
            "--only",
            default=None,
            help="Build only these apps' parts, by label, comma-separated (members first), e.g. members,assistance.",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Empty the tables of the scale data first (PostgreSQL: TRUNCATE ... CASCADE, which also "
            "empties users and API keys). Only for a database that holds nothing but scale data.",
        )

    def handle(
        self,
        *args,
        members: int,
        seed: int,
        enterprises: int | None,
        only: str | None,
        reset: bool,
        **options,
    ):
        self.verbosity = options.get("verbosity", 1)
        if members < 1:
            raise CommandError("--members must be at least 1.")
        if Organisation.objects.exists():  # members belong to organisations: none without them
            if not reset:
                raise CommandError("The database holds organisations or members already: use --reset.")
            try:
                scale.reset()
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        labels = [label.strip() for label in only.split(",") if label.strip()] if only else None
        started = time.perf_counter()
        try:
            counts = scale.generate(
                members=members, seed=seed, enterprises=enterprises, only=labels, log=self._log
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.perf_counter() - started
        rest = ", ".join(
            f"{value:,} {name.replace('_', ' ')}"
            for name, value in counts.items()
            if name not in ("members", "enterprises", "organisations", "events")
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Built {counts['members']:,} members, {counts['enterprises']:,} enterprises, "
                f"{counts['organisations']:,} organisations, {counts['events']:,} events"
                + (f", {rest}" if rest else "")
                + f" in {elapsed:.1f} s ({counts['members'] / elapsed:,.0f} members/s)."
            )
        )

    def _log(self, message: str) -> None:
        if self.verbosity >= 2:
            self.stdout.write(message)
