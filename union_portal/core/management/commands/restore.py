"""Restore a backup made by ``manage.py backup``.

    manage.py restore --input FILE                        # into the configured database (asks first)
    manage.py restore --input FILE --target scratch_db    # into another database (PostgreSQL name or SQLite path)
    manage.py restore --input FILE --target scratch_db --checksums   # and print rows and md5 of every table

PostgreSQL: ``pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction``:
all or nothing, objects owned by the connecting user. The target database must exist
(``createdb -T template0 NAME``). SQLite: the file is checked (``PRAGMA integrity_check``) and
copied page by page into the target with the online-backup API.

Stop the web and the workers before restoring into the database they use.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from .backup import format_checksums, pg_binary, pg_env, run, table_checksums

SQLITE_HEADER = b"SQLite format 3\x00"
PG_CUSTOM_HEADER = b"PGDMP"


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
        path = Path(options["input"])
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        connection = connections[database]
        settings_dict = connection.settings_dict
        name = target or str(settings_dict["NAME"])
        if options["interactive"]:
            answer = input(
                f"Everything in the database {name!r} will be replaced by {path}. Type 'yes' to go on: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        with path.open("rb") as file:
            header = file.read(16)
        if connection.vendor == "postgresql":
            if not header.startswith(PG_CUSTOM_HEADER):
                raise CommandError(f"{path} is not a pg_dump custom-format backup.")
            if target is None:
                connections.close_all()  # our own idle connection must not hold locks
            self._pg_restore(settings_dict, name, path)
        elif connection.vendor == "sqlite":
            if header != SQLITE_HEADER:
                raise CommandError(f"{path} is not a SQLite database.")
            if target is None:
                connections.close_all()
            self._sqlite_restore(path, name)
        else:
            raise CommandError(f"Restores are not implemented for {connection.vendor}.")
        self.stderr.write(f"Restored {path} into {name}.")
        if checksums:
            # A connection of our own to the restored database, with the configured parameters.
            restored = connection.__class__({**settings_dict, "NAME": name}, alias=f"restored:{name}")
            try:
                restored.ensure_connection()
                self.stdout.write(
                    format_checksums(table_checksums(restored.connection, restored.vendor)), ending=""
                )
            finally:
                restored.close()

    @staticmethod
    def _pg_restore(settings_dict: dict, name: str, path: Path) -> None:
        run(
            [
                pg_binary("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
                "--single-transaction", "--exit-on-error", "--no-password", f"--dbname={name}", str(path),
            ],
            pg_env(settings_dict, name),
        )  # fmt: skip

    @staticmethod
    def _sqlite_restore(path: Path, target: str) -> None:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            (status,) = source.execute("PRAGMA integrity_check").fetchone()
            if status != "ok":
                raise CommandError(f"{path} is damaged: {status}")
            destination = sqlite3.connect(target)
            try:
                source.backup(destination)
            finally:
                destination.close()
        finally:
            source.close()
