"""Backups and restores of the database, and the table checksums a restore drill compares.

``pg_dump -Fc`` / ``pg_restore`` on PostgreSQL, the SQLite online-backup API on SQLite. The commands
``manage.py backup`` and ``manage.py restore`` only read their arguments and call :func:`backup_write`,
:func:`restore_read` and :func:`table_checksums`; the restore-drill test calls them too. Connection
parameters come from ``settings.DATABASES``; the password goes to the client programs through the
environment, never on the command line. A backup holds personal data (names and phones in clear, ID
numbers encrypted): it is written with mode 0600 and must be stored like the database itself.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.postgresql.client import DatabaseClient

SQLITE_HEADER = b"SQLite format 3\x00"
PG_CUSTOM_HEADER = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot be done; the commands show the message as a command error."""


def pg_binary(name: str) -> str:
    """The path of a PostgreSQL client program (``PG_BIN_DIR`` first, then ``PATH``)."""
    directory = os.environ.get("PG_BIN_DIR")
    found = shutil.which(name, path=directory) if directory else shutil.which(name)
    if not found:
        raise BackupError(
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
        raise BackupError(f"{Path(command[0]).name} failed ({result.returncode}): {result.stderr.strip()}")
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
            raise BackupError(f"Checksums are not implemented for {vendor}.")
    finally:
        cursor.close()
    return result


def format_checksums(checksums: dict[str, tuple[int, str]]) -> str:
    return "".join(f"{name}\t{rows}\t{digest}\n" for name, (rows, digest) in sorted(checksums.items()))


def django_checksums(alias: str = DEFAULT_DB_ALIAS) -> dict[str, tuple[int, str]]:
    connection = connections[alias]
    connection.ensure_connection()
    return table_checksums(connection.connection, connection.vendor)


def backup_write(output: str | Path, *, database: str = DEFAULT_DB_ALIAS) -> Path:
    """Write a backup of ``database`` to ``output`` (which must not exist): created 0600, written under a
    ``.partial`` name and renamed at the end, so a file under the final name is always complete."""
    connection = connections[database]
    path = Path(output)
    if path.exists():
        raise BackupError(f"{path} exists: backups are never overwritten.")
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    # Created 0600 before anything is written into it: the backup holds personal data.
    os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    try:
        if connection.vendor == "postgresql":
            run(
                [pg_binary("pg_dump"), "--format=custom", "--no-password", f"--file={partial}"],
                pg_env(connection.settings_dict),
            )
        elif connection.vendor == "sqlite":
            connection.ensure_connection()
            target = sqlite3.connect(partial)
            try:
                connection.connection.backup(target)  # a consistent copy, even while others write
            finally:
                target.close()
        else:
            raise BackupError(f"Backups are not implemented for {connection.vendor}.")
        partial.rename(path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def restore_read(path: str | Path, *, target: str | None = None, database: str = DEFAULT_DB_ALIAS) -> str:
    """Restore the backup ``path`` into ``target`` (a PostgreSQL database name that exists, or a SQLite
    path), or into ``database`` itself when no target is given; return the name restored into.

    PostgreSQL: ``pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction``: all or
    nothing. SQLite: the file is checked (``PRAGMA integrity_check``) and copied page by page."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} is not a file.")
    connection = connections[database]
    settings_dict = connection.settings_dict
    name = target or str(settings_dict["NAME"])
    with path.open("rb") as file:
        header = file.read(16)
    if connection.vendor == "postgresql":
        if not header.startswith(PG_CUSTOM_HEADER):
            raise BackupError(f"{path} is not a pg_dump custom-format backup.")
        if target is None:
            connections.close_all()  # our own idle connection must not hold locks
        run(
            [
                pg_binary("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
                "--single-transaction", "--exit-on-error", "--no-password", f"--dbname={name}", str(path),
            ],
            pg_env(settings_dict, name),
        )  # fmt: skip
    elif connection.vendor == "sqlite":
        if header != SQLITE_HEADER:
            raise BackupError(f"{path} is not a SQLite database.")
        if target is None:
            connections.close_all()
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            (status,) = source.execute("PRAGMA integrity_check").fetchone()
            if status != "ok":
                raise BackupError(f"{path} is damaged: {status}")
            destination = sqlite3.connect(name)
            try:
                source.backup(destination)
            finally:
                destination.close()
        finally:
            source.close()
    else:
        raise BackupError(f"Restores are not implemented for {connection.vendor}.")
    return name


def restored_checksums(name: str, *, database: str = DEFAULT_DB_ALIAS) -> dict[str, tuple[int, str]]:
    """The checksums of the database ``name``, reached with the parameters of ``database``."""
    connection = connections[database]
    restored = connection.__class__({**connection.settings_dict, "NAME": name}, alias=f"restored:{name}")
    try:
        restored.ensure_connection()
        return table_checksums(restored.connection, restored.vendor)
    finally:
        restored.close()
