"""Back up the database: ``pg_dump -Fc`` on PostgreSQL, the SQLite online-backup API on SQLite.

    manage.py backup --output /backups/union-2026-01-31.dump      # write a backup
    manage.py backup --output FILE --checksums                    # ... and print the table checksums
    manage.py backup --checksums                                  # only print them (rows and md5 per table)

The checksums are what a restore drill compares: ``manage.py restore --input FILE --target
scratch_db --checksums`` prints the same lines for the restored copy. Connection parameters
come from ``settings.DATABASES``; the password goes to ``pg_dump`` through the environment,
never on the command line. The file holds personal data (names and phones in clear, ID numbers
encrypted): it is written with mode 0600 and must be stored like the database itself.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.postgresql.client import DatabaseClient

# --- helpers shared with ``restore`` and the restore-drill test -----------------------------------


def pg_binary(name: str) -> str:
    """The path of a PostgreSQL client program (``PG_BIN_DIR`` first, then ``PATH``)."""
    directory = os.environ.get("PG_BIN_DIR")
    found = shutil.which(name, path=directory) if directory else shutil.which(name)
    if not found:
        raise CommandError(
            f"{name} not found: install the PostgreSQL client of the server's version or set PG_BIN_DIR."
        )
    return found


def pg_env(settings_dict: dict, database: str | None = None) -> dict[str, str]:
    """Environment for pg_dump/pg_restore/psql: host, port, user, database and password as PG* variables."""
    _args, extra = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
    env = {**os.environ, **(extra or {})}
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER")):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    env["PGDATABASE"] = database or settings_dict["NAME"]
    return env


def run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise CommandError(f"{Path(command[0]).name} failed ({result.returncode}): {result.stderr.strip()}")
    return result


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_checksums(raw_connection, vendor: str) -> dict[str, tuple[int, str]]:
    """Rows and an md5 of every table of a database (and, on PostgreSQL, every sequence's last value).

    ``raw_connection`` is a DB-API connection (``connection.connection`` of Django, or one opened
    on a scratch database). The md5 is taken over the sorted md5s of the rows, so it does not depend
    on the physical order of the rows or on the primary key of the table.
    """
    result = {}
    cursor = raw_connection.cursor()
    try:
        if vendor == "postgresql":
            # The text form of a row depends on these session settings: fix them.
            cursor.execute(
                "SET TIME ZONE 'UTC'; SET datestyle = 'ISO, YMD'; SET intervalstyle = 'postgres'; "
                "SET extra_float_digits = 3; SET bytea_output = 'hex'"
            )
            cursor.execute(
                "SELECT schemaname, tablename FROM pg_tables "
                "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
            )
            for schema, table in cursor.fetchall():
                name = table if schema == "public" else f"{schema}.{table}"
                cursor.execute(
                    "SELECT count(*), md5(coalesce(string_agg(h, '' ORDER BY h COLLATE \"C\"), '')) "  # noqa: S608
                    f"FROM (SELECT md5(t::text) AS h FROM {_quote(schema)}.{_quote(table)} AS t) AS rows"
                )
                count, digest = cursor.fetchone()
                result[name] = (count, digest)
            cursor.execute(
                "SELECT schemaname, sequencename, coalesce(last_value, 0) FROM pg_sequences "
                "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
            )
            for schema, sequence, last_value in cursor.fetchall():
                name = sequence if schema == "public" else f"{schema}.{sequence}"
                result[f"{name} (sequence)"] = (last_value, "")
        elif vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND (name NOT LIKE 'sqlite_%' OR name = 'sqlite_sequence') ORDER BY name"
            )
            for (table,) in cursor.fetchall():
                cursor.execute(f"SELECT * FROM {_quote(table)}")  # noqa: S608 - names from sqlite_master
                hashes = sorted(
                    hashlib.md5(repr(row).encode(), usedforsecurity=False).hexdigest() for row in cursor
                )
                digest = hashlib.md5("".join(hashes).encode(), usedforsecurity=False).hexdigest()
                result[table] = (len(hashes), digest)
        else:
            raise CommandError(f"Checksums are not implemented for {vendor}.")
    finally:
        cursor.close()
    return result


def format_checksums(checksums: dict[str, tuple[int, str]]) -> str:
    return "".join(f"{name}\t{rows}\t{digest}\n" for name, (rows, digest) in sorted(checksums.items()))


def django_checksums(alias: str = DEFAULT_DB_ALIAS) -> dict[str, tuple[int, str]]:
    connection = connections[alias]
    connection.ensure_connection()
    return table_checksums(connection.connection, connection.vendor)


# --- the command ------------------------------------------------------------------------------------


class Command(BaseCommand):
    help = "Back up the database (pg_dump -Fc or the SQLite backup API); --checksums prints rows and md5 of every table."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="The backup file to write (it must not exist yet).")
        parser.add_argument(
            "--checksums", action="store_true", help="Print the row count and md5 of every table."
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias (default: default).")

    def handle(self, *args, output: str | None, checksums: bool, database: str, **options):
        if not output and not checksums:
            raise CommandError("Give --output FILE, --checksums, or both.")
        connection = connections[database]
        if output:
            path = Path(output)
            if path.exists():
                raise CommandError(f"{path} exists: backups are never overwritten.")
            partial = path.with_name(path.name + ".partial")
            partial.unlink(missing_ok=True)
            # Created 0600 before anything is written into it: the backup holds personal data.
            os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            try:
                if connection.vendor == "postgresql":
                    self._pg_dump(connection.settings_dict, partial)
                elif connection.vendor == "sqlite":
                    self._sqlite_backup(connection, partial)
                else:
                    raise CommandError(f"Backups are not implemented for {connection.vendor}.")
                partial.rename(path)  # a file under the final name is always a complete backup
            finally:
                partial.unlink(missing_ok=True)
            self.stderr.write(f"Backup written to {path} ({path.stat().st_size} bytes).")
        if checksums:
            self.stdout.write(format_checksums(django_checksums(database)), ending="")

    @staticmethod
    def _pg_dump(settings_dict: dict, path: Path) -> None:
        run(
            [pg_binary("pg_dump"), "--format=custom", "--no-password", f"--file={path}"],
            pg_env(settings_dict),
        )

    @staticmethod
    def _sqlite_backup(connection, path: Path) -> None:
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)  # a consistent copy, even while others write
        finally:
            target.close()
