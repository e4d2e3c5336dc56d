"""Back up the database: ``pg_dump -Fc`` on PostgreSQL, the SQLite online-backup API on SQLite.

    manage.py backup --output /backups/union-2026-01-31.dump      # write a backup
    manage.py backup --output FILE --checksums                    # ... and print the table checksums
    manage.py backup --checksums                                  # only print them (rows and md5 per table)

The checksums are what a restore drill compares: ``manage.py restore --input FILE --target
scratch_db --checksums`` prints the same lines for the restored copy. The work is done by
:mod:`union_portal.core.backups`; this command reads its arguments and calls it.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from union_portal.core.backups import BackupError, backup_write, django_checksums, format_checksums


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
        try:
            if output:
                path = backup_write(output, database=database)
                self.stderr.write(f"Backup written to {path} ({path.stat().st_size} bytes).")
            if checksums:
                self.stdout.write(format_checksums(django_checksums(database)), ending="")
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
