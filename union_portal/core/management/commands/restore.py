"""Restore a backup made by ``manage.py backup``.

    manage.py restore --input FILE                        # into the configured database (asks first)
    manage.py restore --input FILE --target scratch_db    # into another database (PostgreSQL name or SQLite path)
    manage.py restore --input FILE --target scratch_db --checksums   # and print rows and md5 of every table

PostgreSQL: ``pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction``:
all or nothing, objects owned by the connecting user. The target database must exist
(``createdb -T template0 NAME``). SQLite: the file is checked (``PRAGMA integrity_check``) and
copied page by page into the target with the online-backup API.

Stop the web and the workers before restoring into the database they use. The work is done by
:mod:`union_portal.core.backups`; this command reads its arguments, asks, and calls it.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from union_portal.core.backups import BackupError, format_checksums, restore_read, restored_checksums


class Command(BaseCommand):
    help = "Restore a backup of manage.py backup into the configured database or into --target."

    def add_arguments(self, parser):
        parser.add_argument("--input", "-i", required=True, help="The backup file.")
        parser.add_argument(
            "--target",
            help="Restore into this database instead of the configured one: a PostgreSQL database name "
            "(it must exist) or a SQLite file path.",
        )
        parser.add_argument(
            "--checksums",
            action="store_true",
            help="Print rows and md5 of every table of the restored database.",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias (default: default).")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, target: str | None, checksums: bool, database: str, **options):
        path = options["input"]
        if not Path(path).is_file():
            raise CommandError(f"{path} is not a file.")
        name = target or str(connections[database].settings_dict["NAME"])
        if options["interactive"]:
            answer = input(
                f"Everything in the database {name!r} will be replaced by {path}. Type 'yes' to go on: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        try:
            name = restore_read(path, target=target, database=database)
            self.stderr.write(f"Restored {path} into {name}.")
            if checksums:
                self.stdout.write(format_checksums(restored_checksums(name, database=database)), ending="")
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
