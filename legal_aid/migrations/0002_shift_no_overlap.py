"""A lawyer is never in two overlapping shifts: an exclusion constraint on PostgreSQL.

``btree_gist`` lets one GiST index compare the lawyer (equality) and the shift's time range
(overlap, ``[start, end)`` so that back-to-back shifts are allowed). Absent lawyers' shifts and
shifts without a lawyer are left out. SQLite has no exclusion constraints: there the services'
check under a lock on the lawyer is the guard (see ``legal_aid.services.roster``).
"""

from django.db import migrations

NAME = "shift_no_overlap_per_lawyer"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE legal_aid_shift ADD CONSTRAINT {NAME} EXCLUDE USING gist "
        "(lawyer_id WITH =, tstzrange(start, \"end\", '[)') WITH &&) "
        "WHERE (lawyer_id IS NOT NULL AND status <> 'absent')"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE legal_aid_shift DROP CONSTRAINT IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("legal_aid", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
