"""Writing many rows fast: COPY on PostgreSQL, ``bulk_create`` elsewhere, indexes rebuilt once.

Used by the scale data of every app (``<app>/scale.py``, see :mod:`union_portal.core.scale`) and by
the import benchmark. The rows are dicts by attribute name and must already hold every value the
database needs (nothing of the model's ``save`` runs): write only what the app itself would write.
"""

from __future__ import annotations

import contextlib
import io
import queue
import threading
import time
from collections.abc import Iterable

from django.db import connection, models, transaction

from union_portal.core.crypto import EncryptedTextField

CHUNK = 50_000


def _copy_text(value) -> str:
    if isinstance(value, str):
        if "\\" not in value and value.isprintable():  # no tab, newline or backslash to escape
            return value
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


class CopySink:
    """One background thread running the COPY statements in order, so that PostgreSQL loads a chunk
    while Python builds the next one (two cores instead of one). psycopg2 releases the GIL during
    ``copy_expert``; the raw connection is shared, one statement at a time."""

    def __init__(self):
        self.queue: queue.Queue = queue.Queue(maxsize=3)
        self.error: BaseException | None = None
        self.raw = connection.connection
        self.thread = threading.Thread(target=self._run, name="copy-sink", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            item = self.queue.get()
            if item is None:
                return
            sql, text = item
            if self.error is not None:
                continue
            try:
                with self.raw.cursor() as cursor:
                    cursor.copy_expert(sql, io.StringIO(text))
            except BaseException as exc:  # noqa: BLE001 - re-raised in the main thread by close()
                self.error = exc

    def put(self, sql: str, text: str) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put((sql, text))

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error


class RowWriter:
    """Rows of one model, as dicts by attribute name: COPY on PostgreSQL, ``bulk_create`` elsewhere.

    Encrypted fields must be given already encrypted (``encrypt``): the member and its history row
    share one ciphertext, as the app's own save would produce two of the same plaintext.
    """

    def __init__(self, model: type[models.Model], *, skip: Iterable[str] = (), sink: CopySink | None = None):
        self.model = model
        skip = set(skip)
        self.fields = [f for f in model._meta.concrete_fields if f.attname not in skip]
        self.attnames = [f.attname for f in self.fields]
        self.encrypted = {f.attname for f in self.fields if isinstance(f, EncryptedTextField)}
        self.rows: list = []
        self.written = 0
        self.postgres = connection.vendor == "postgresql"
        self.sink = sink
        columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        self.copy_sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"

    def add(self, row: dict) -> None:
        if self.postgres:
            self.rows.append("\t".join([_copy_text(row.get(a)) for a in self.attnames]))
        else:
            self.rows.append(row)
        if len(self.rows) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        if self.postgres:
            text = "\n".join(self.rows) + "\n"
            if self.sink is not None:
                self.sink.put(self.copy_sql, text)
            else:
                with connection.cursor() as cursor:
                    cursor.cursor.copy_expert(self.copy_sql, io.StringIO(text))
        else:
            objs = []
            for row in self.rows:
                obj = self.model(**{a: row.get(a) for a in self.attnames if a not in self.encrypted})
                for attname in self.encrypted:  # bulk_create encrypts again: hand it the plaintext
                    setattr(obj, attname, row.get("_plain_" + attname))
                objs.append(obj)
            self.model.objects.bulk_create(objs, batch_size=500)
        self.written += len(self.rows)
        self.rows = []


@contextlib.contextmanager
def bulk_load(tables: list[str], log=None):
    """Load ``tables`` without per-row index maintenance and foreign-key triggers (PostgreSQL).

    Secondary indexes (not those behind a primary key or unique constraint) are dropped and built
    again afterwards from their own definitions: one sort per index instead of a million inserts.
    Foreign-key triggers are skipped with ``session_replication_role = replica`` when the role may
    (a superuser); the generator writes only keys it has just created. Elsewhere: does nothing.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
              AND NOT EXISTS (
                SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.indexname))::regclass
              )
            """,
            [tables],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        replica = False
        with contextlib.suppress(Exception), transaction.atomic():
            cursor.execute("SET session_replication_role = replica")  # undone with the savepoint if refused
            replica = True
    try:
        yield
    finally:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            if replica:
                cursor.execute("SET session_replication_role = DEFAULT")
            cursor.execute("SET maintenance_work_mem = '256MB'")
            for _name, definition in indexes:
                cursor.execute(definition)
            if replica and "members_member" in tables:
                # The replica role skipped the trigger that keeps the change feed (members 0009): put
                # every member in the feed as that trigger would have, in one statement.
                cursor.execute(
                    "INSERT INTO members_memberchange (member_id, seq, txid) "
                    "SELECT id, nextval('members_memberchange_order'), txid_current() FROM members_member "
                    "ORDER BY id ON CONFLICT (member_id) DO UPDATE SET seq = EXCLUDED.seq, txid = EXCLUDED.txid"
                )
        if log is not None:
            log(f"indexes rebuilt: {len(indexes)} in {time.perf_counter() - started:.1f} s")


def reset_sequences(models_: list[type[models.Model]]) -> None:
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models_):
            cursor.execute(sql)
