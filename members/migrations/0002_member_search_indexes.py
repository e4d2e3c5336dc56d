"""Search indexes for the member changelist at a million members (PostgreSQL only; nothing elsewhere).

Measured with ``bench/run.py`` (see README, "Benchmarks"). What Django already creates serves most
searches: every ``CharField`` with ``db_index`` gets a b-tree and a ``varchar_pattern_ops`` twin
(``..._like``), which serve exact and prefix search (pinyin, initials, mobile, card number) and
treebeard's ``path LIKE 'xxxx%'`` subtree filter in this database's ``C.UTF-8`` collation.
What is missing:

* ``member_name_trgm``: a pg_trgm GIN index on ``name`` for ``name LIKE '%fragment%'``. pg_trgm
  classifies Chinese characters as word characters in a ``C.UTF-8`` database (``show_trgm('陈伟明')``
  gives trigrams), so fragments of three characters and more use it; a two-character fragment
  yields no trigram from a ``LIKE`` pattern and is answered without it (see the benchmark note).
* ``member_status_id``: ``(status, id)`` so that a status filter with the changelist's ``ORDER BY
  id DESC LIMIT 50`` reads 50 index entries instead of sorting every row of that status.

Built ``CONCURRENTLY`` (outside a transaction), so running this on a live table does not block writes.
"""

from django.db import migrations

INDEXES = [
    ("member_name_trgm", "members_member USING gin (name gin_trgm_ops)"),
    ("member_status_id", "members_member (status, id)"),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, definition in INDEXES:
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {definition}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _definition in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("members", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
