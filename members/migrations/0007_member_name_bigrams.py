"""A two-character name fragment through an index (issue 9.17; PostgreSQL only, nothing elsewhere).

pg_trgm yields no trigram from a two-character ``LIKE '%明玉%'`` pattern, so that search scanned the
table: 8.5× its time at a thousand members when there were a million. Here the name's character
bigrams (陈明玉 -> {陈明, 明玉}) are GIN-indexed, and ``members.selectors.member_search`` asks
``members_name_bigrams(name) @> ARRAY['明玉']``.

An expression index over an IMMUTABLE function rather than a stored array column: it cannot go
stale (bulk imports write names with ``COPY``, the scale generator too), and it costs no column.
The function uses only pg_catalog functions, so a restore with an empty ``search_path`` rebuilds it.

Built ``CONCURRENTLY`` (outside a transaction), so running this on a live table does not block writes.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION members_name_bigrams(name text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(substr(name, i, 2)), '{}')
    FROM generate_series(1, char_length(name) - 1) AS i
$$
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    schema_editor.execute(
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS member_name_bigrams "
        "ON members_member USING gin (members_name_bigrams(name))"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS member_name_bigrams")
    schema_editor.execute("DROP FUNCTION IF EXISTS members_name_bigrams(text)")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("members", "0006_member_name_readings"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
