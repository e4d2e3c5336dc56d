"""Writing checked rows fast: ``COPY`` on PostgreSQL, and history rows copied in the database.

For kinds of import with many rows (members). A kind of a few hundred rows writes through its
services instead (each row is then saved, signalled and recorded as any other change).

:func:`insert_rows` does what ``bulk_create`` does, minus its per-value machinery (measured: a third
of its Python time per row): values are converted the way the fields would (the encrypted field
encrypts, dates and times are adapted to the backend), and on PostgreSQL the rows go through ``COPY``
with ids taken from the table's sequence first (half the server time of a multi-row ``INSERT``);
elsewhere through ``INSERT ... VALUES ... RETURNING``.

:func:`copy_history` writes what ``bulk_create_with_history`` would (every tracked column, the date,
the user, the reason, the type ``+``) with one ``INSERT ... SELECT`` from the rows just written: no
model instance is built in Python, and an encrypted column is copied as its ciphertext instead of
being encrypted a second time. :func:`insert_with_history` writes the same history rows with a second
``COPY`` built from the very texts of the rows (on PostgreSQL: no look-up of the rows just written).

:func:`background_writes`: inside an import's write loop, these statements run in order on another
thread (same connection, same transaction) while Python prepares the next batch.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import queue
import re
import threading

from django.db import connection, models

from union_portal.core.crypto import EncryptedTextField

#: Rows per statement of the copies in the database; under SQLite's oldest limit of 999 parameters.
CHUNK = 900


class _Background:
    """One thread running the write statements of an import in order, on the connection of the
    calling thread (the same transaction), so that PostgreSQL writes a batch while Python prepares
    the next one: the server's time (the ``COPY``, its indexes and triggers, the history and event
    copies) and Python's (encrypting, building the ``COPY`` text, reading the next batch) overlap.
    The connection runs one statement at a time: a lock held by the thread around each statement and
    by the calling thread around each of its queries (an execute wrapper) keeps them apart (psycopg2
    alone does not keep a query out of a ``COPY`` in progress); psycopg2 releases the GIL while the
    server works. A failed statement is raised in the calling thread, as Django's database error, at
    its next write or when the block ends; the transaction is then aborted and rolls back."""

    def __init__(self):
        connection.ensure_connection()
        self.raw = connection.connection
        self.queue: queue.Queue = queue.Queue(maxsize=8)
        self.error: BaseException | None = None
        self.lock = threading.Lock()
        self.ids: dict[str, list[int]] = {}
        self.thread = threading.Thread(target=self._run, name="import-writes", daemon=True)
        self.thread.start()

    def wrapper(self, execute, sql, params, many, context):
        """The calling thread's queries wait for the statement in progress, and none runs in the
        transaction a failed statement aborted: that statement's error is raised instead. Creating
        and releasing a savepoint (``transaction.atomic`` around a batch) is queued with the writes,
        in order, instead of waiting; rolling back to one waits until everything queued has run."""
        if params is None and _QUEUED_SAVEPOINT.match(sql):
            self.submit(False, sql, None)
            return None
        if params is None and sql.startswith("ROLLBACK TO SAVEPOINT"):
            self.queue.join()
        with self.lock:
            self.check()
            return execute(sql, params, many, context)

    def next_ids(self, table: str, count: int) -> list[int]:
        """``count`` ids of ``table``'s sequence, taken in blocks (one query, which waits for the
        statement in progress, per :data:`ID_BLOCK` rows; the ids left at the end are never used)."""
        pool = self.ids.setdefault(table, [])
        if len(pool) < count:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, max(count - len(pool), ID_BLOCK)],
                )
                pool += [r[0] for r in cursor.fetchall()]
        taken, self.ids[table] = pool[:count], pool[count:]
        return taken

    def _run(self) -> None:
        while (item := self.queue.get()) is not None:
            try:
                if self.error is not None:
                    continue  # the transaction is aborted: drain, the caller raises
                copy, sql, argument = item
                try:
                    with self.lock, self.raw.cursor() as cursor:
                        if copy:  # read in one piece: each read of the file needs the GIL
                            cursor.copy_expert(sql, io.BytesIO(argument), size=len(argument) + 1)
                        else:
                            cursor.execute(sql, argument)
                except BaseException as exc:  # noqa: BLE001 - raised in the calling thread by check()
                    self.error = exc
            finally:
                self.queue.task_done()

    def check(self) -> None:
        """Raise the failure of a statement, if one failed (every time: nothing runs after it)."""
        if self.error is not None:
            with connection.wrap_database_errors:  # IntegrityError and friends as Django's
                raise self.error

    def submit(self, copy: bool, sql: str, argument) -> None:
        self.check()
        self.queue.put((copy, sql, argument.encode() if copy else argument))

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()
        self.check()


_local = threading.local()
_QUEUED_SAVEPOINT = re.compile(r'(SAVEPOINT|RELEASE SAVEPOINT) "[^"]+"$')
#: Ids taken from a sequence at a time inside :func:`background_writes`.
ID_BLOCK = 10_000


@contextlib.contextmanager
def background_writes():
    """Within the block, :func:`insert_rows`, :func:`copy_history` and :func:`execute` on PostgreSQL
    only queue their statements, run in order by one thread in the block's transaction; the block
    ends when every statement has run (raising the first that failed). Use it inside the transaction
    of a write loop whose statements nothing in the loop reads back (an import's batches): a query of
    the calling thread may run before the statements queued ahead of it."""
    if connection.vendor != "postgresql" or getattr(_local, "background", None) is not None:
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("background_writes() needs a transaction: the writes are all or nothing.")
    background = _local.background = _Background()
    try:
        with connection.execute_wrapper(background.wrapper):
            yield
    except BaseException:
        _local.background = None
        background.queue.put(None)
        background.thread.join()
        raise
    _local.background = None
    background.close()


def execute(sql: str, params: list) -> None:
    """Run one write statement (queued inside :func:`background_writes`)."""
    background = getattr(_local, "background", None)
    if background is not None:
        background.submit(False, sql, params)
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def insert_rows(
    model: type[models.Model], rows: list[dict], *, now: dt.datetime, history: dict | None = None
) -> list[int]:
    """Insert ``rows`` (dicts by attname; missing fields get their default, ``auto_now`` fields
    ``now``) and return their ids, in order. Call inside a transaction. ``history``
    (``{"by_id": ..., "note": ...}``): with one history row each, as :func:`copy_history` writes."""
    ops = connection.ops
    plan = []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            plan.append((field, None, None, ops.adapt_datetimefield_value(now)))
        elif isinstance(field, EncryptedTextField):
            plan.append((field, functools.partial(field.get_db_prep_save, connection=connection), None, None))
        elif isinstance(field, models.DateTimeField):
            plan.append((field, ops.adapt_datetimefield_value, None, None))
        elif isinstance(field, models.DateField):
            plan.append((field, ops.adapt_datefield_value, None, None))
        elif isinstance(field, models.JSONField):
            plan.append(
                (
                    field,
                    functools.partial(field.get_db_prep_save, connection=connection),
                    field.get_default(),
                    None,
                )
            )
        else:
            plan.append((field, None, field.get_default(), None))
    # Per row: every value (or its default) in one comprehension, then the few fields to convert and
    # the fixed ones (auto_now) in place: the same values as field by field, with less work per cell.
    lookups = [(field.attname, default) for field, _convert, default, _fixed in plan]
    converted = [(i, convert) for i, (_f, convert, _d, fixed) in enumerate(plan) if convert and fixed is None]
    fixed_values = [(i, fixed) for i, (_f, _c, _d, fixed) in enumerate(plan) if fixed is not None]
    values = []
    for row in rows:
        cells = [row.get(attname, default) for attname, default in lookups]
        for i, convert in converted:
            if cells[i] is not None:
                cells[i] = convert(cells[i])
        for i, fixed in fixed_values:
            cells[i] = fixed
        values += cells
    table, width = model._meta.db_table, len(plan)
    columns = [f.column for f, *_rest in plan]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and hasattr(cursor.cursor, "copy_expert"):
            return _copy_rows(cursor, model, columns, values, len(rows), history=history, now=now)
        ids: list[int] = []
        per_statement = max(1, (connection.features.max_query_params or 60_000) // width)
        placeholder = f"({', '.join(['%s'] * width)})"
        column_list = ", ".join(ops.quote_name(c) for c in columns)
        for start in range(0, len(rows), per_statement):
            count = min(per_statement, len(rows) - start)
            cursor.execute(
                f"INSERT INTO {ops.quote_name(table)} ({column_list}) "  # noqa: S608 - names from model metadata
                f"VALUES {', '.join([placeholder] * count)} RETURNING {ops.quote_name('id')}",
                values[start * width : (start + count) * width],
            )
            ids += [r[0] for r in cursor.fetchall()]
    if history is not None:
        copy_history(model, ids, by_id=history["by_id"], now=now, note=history["note"])
    return ids


_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")
_COPY_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}


def copy_text(value) -> str:
    """A value in PostgreSQL's ``COPY`` text format."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, dt.date):  # dates, and aware datetimes with their offset
        return value.isoformat()
    text = str(value)
    return _COPY_SPECIAL.sub(lambda m: _COPY_ESCAPES[m.group()], text) if _COPY_SPECIAL.search(text) else text


def _texts(cells: list) -> list[str]:
    """:func:`copy_text` of each cell; texts are taken as they are when none of them needs escaping
    (one search over them all instead of one per cell: they are most of a row)."""
    if _COPY_SPECIAL.search("".join([c for c in cells if c.__class__ is str])):
        return list(map(copy_text, cells))
    return [c if c.__class__ is str else copy_text(c) for c in cells]


def _copy_rows(
    cursor, model, columns: list[str], values: list, count: int, *, history: dict | None, now: dt.datetime
) -> list[int]:
    """PostgreSQL: take ``count`` ids from the table's sequence, then ``COPY`` the rows with them (and
    their history rows, from the very texts of the rows: the same values, the same ciphertext)."""
    qn = connection.ops.quote_name
    table = model._meta.db_table
    background = getattr(_local, "background", None)
    if background is not None:
        ids = background.next_ids(table, count)
    else:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
        )
        ids = [r[0] for r in cursor.fetchall()]
    width = len(columns)
    lines = []
    statements = []
    if history is None:
        for i, pk in enumerate(ids):
            lines.append("\t".join([str(pk), *_texts(values[i * width : (i + 1) * width])]))
    else:
        tracked = model.history.model.tracked_fields
        position = {column: i for i, column in enumerate(["id", *columns])}
        picks = [position[f.column] for f in tracked]
        tail = [copy_text(connection.ops.adapt_datetimefield_value(now)), copy_text(history["note"][:100]), "+",
                copy_text(history["by_id"])]  # fmt: skip
        history_lines = []
        for i, pk in enumerate(ids):
            texts = [str(pk), *_texts(values[i * width : (i + 1) * width])]
            lines.append("\t".join(texts))
            history_lines.append("\t".join([*(texts[j] for j in picks), *tail]))
        history_columns = ", ".join(
            [*(qn(f.column) for f in tracked), *map(qn, ("history_date", "history_change_reason", "history_type",
                                                      "history_user_id"))]
        )  # fmt: skip
        statements.append(
            (f"COPY {qn(model.history.model._meta.db_table)} ({history_columns}) FROM STDIN", history_lines)
        )
    column_list = ", ".join(qn(c) for c in ["id", *columns])
    statements.insert(0, (f"COPY {qn(table)} ({column_list}) FROM STDIN", lines))
    for sql, rows in statements:
        text = "\n".join(rows) + "\n"
        if background is not None:
            background.submit(True, sql, text)
            continue
        with connection.wrap_database_errors:  # IntegrityError and friends as Django's, like every query
            cursor.cursor.copy_expert(sql, io.StringIO(text))
    return ids


def copy_history(model: type[models.Model], ids: list[int], *, by_id, now: dt.datetime, note: str) -> None:
    """One simple-history row (``+``, by ``by_id``, reason ``note``) for each row of ``ids`` just
    inserted, copied in the database from the rows themselves."""
    history = model.history.model
    qn = connection.ops.quote_name
    column_list = ", ".join(qn(f.column) for f in history.tracked_fields)
    when = connection.ops.adapt_datetimefield_value(now)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        where = f"{qn(model._meta.pk.column)} IN ({', '.join(['%s'] * len(chunk))})"
        execute(
            f"INSERT INTO {qn(history._meta.db_table)} ({column_list}, {qn('history_date')}, "  # noqa: S608 - names from model metadata, values as parameters
            f"{qn('history_change_reason')}, {qn('history_type')}, {qn('history_user_id')}) "
            f"SELECT {column_list}, %s, %s, %s, %s FROM {qn(model._meta.db_table)} WHERE {where}",
            [when, note[:100], "+", by_id, *chunk],
        )


def insert_with_history(
    model: type[models.Model], rows: list[dict], *, by, now: dt.datetime, note: str
) -> list[int]:
    """:func:`insert_rows` with one history row each (what :func:`copy_history` writes); returns the new ids."""
    return insert_rows(
        model, rows, now=now, history={"by_id": by.pk if by is not None else None, "note": note}
    )
