"""Drawn questions' pages keep 30% free (PostgreSQL ``fillfactor``), so that the submit's update of
each row's answer stays on its page (a HOT update: no new entry in any of the table's four indexes).

Attempts are drawn, then answered minutes later; by then other attempts' rows have filled the page,
and without room every answer was a new row version elsewhere with four new index entries, five per
submit (more WAL, indexes twice the size by the month's end). Pages written before this keep their
fill; new ones leave the room.
"""

from django.db import migrations


def _alter(apps, schema_editor, change: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        table = apps.get_model("quiz", "AttemptQuestion")._meta.db_table
        schema_editor.execute(f"ALTER TABLE {schema_editor.quote_name(table)} {change}")


def leave_room(apps, schema_editor):
    _alter(apps, schema_editor, "SET (fillfactor = 70)")


def fill_up(apps, schema_editor):
    _alter(apps, schema_editor, "RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("quiz", "0004_fewer_write_indexes"),
    ]

    operations = [migrations.RunPython(leave_room, fill_up, elidable=False)]
