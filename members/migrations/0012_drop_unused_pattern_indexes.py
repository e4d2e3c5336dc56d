"""Drop the ``varchar_pattern_ops`` twins (``..._like``) of member columns never searched by prefix.

Django gives every indexed or unique ``CharField`` such a twin on PostgreSQL, for ``LIKE 'x%'``. For
these columns no query uses it, and each costs every imported member one more index entry:

* ``id_number_hash``, ``status``, ``card_number``: compared for equality (or ``IN``) only, which the
  plain b-tree (or the unique index of ``card_number``) serves the same way;
* ``name``: searched by fragment (``LIKE '%x%'``: the trigram and bigram GIN indexes of migrations
  0002 and 0007) or compared for equality; a ``LIKE '%x%'`` cannot use a b-tree of any kind.

Kept: the twins of ``mobile``, ``name_pinyin`` and ``name_initials``, which ``member_search`` queries
by prefix. ``EXPLAIN`` (sequential scans off, so that every usable index shows) of the queries these
columns serve, before and after the drop: ``id_number_hash = %s`` went from the twin to the plain
b-tree; ``id_number_hash IN (...) AND status IN ('pending', 'active')`` (the import's check) uses the
partial unique index either way; ``status = %s ORDER BY id DESC`` the plain b-tree either way;
``card_number = %s OR mobile LIKE '1380%'`` and ``card_number IN (...)`` went from the twin to the
unique index, the mobile prefix still on its twin; ``name = %s`` from the twin to the plain b-tree;
``name LIKE '%陈伟明%'`` the trigram index either way.
Dropped ``CONCURRENTLY`` (outside a transaction), so a live table keeps taking writes.
"""

from django.db import migrations

COLUMNS = ("id_number_hash", "status", "card_number", "name")


def _names(schema_editor):
    table = "members_member"
    return [(schema_editor._create_index_name(table, [c], suffix="_like"), c) for c in COLUMNS]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _column in _names(schema_editor):
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {schema_editor.quote_name(name)}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in _names(schema_editor):
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {schema_editor.quote_name(name)} "
            f"ON members_member ({schema_editor.quote_name(column)} varchar_pattern_ops)"
        )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("members", "0011_history_unsearched_indexes"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
