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

The status filter needs nothing more: at a million members ``status = 'pending' ORDER BY id DESC``
took the same time (about 0.3 s for page 100) with an extra ``(status, id)`` index as without it,
the planner walking the primary key backwards either way, so that index was left out (every index
costs each import).

Built ``CONCURRENTLY`` (outside a transaction), so running this on a live table does not block writes.
"""

from django.db import migrations

INDEXES = [
    ("member_name_trgm", "members_member USING gin (name gin_trgm_ops)"),
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
