"""The checked resource: what one kind of import declares, and the streaming check every kind shares.

An app subclasses :class:`CheckedResource` (see ``docs/platform.md``, "Imports"): its columns, how a
converted row becomes a *record* (``check_row``, calling the app's own validators), and how checked
records are written (``write``, calling its services or its bulk writer). The pipeline does the rest,
the same way for every kind:

- the header row is found and checked first (missing, unknown or doubled columns stop the file);
- every cell is converted by its column (``columns.py``), so a number typed into an identifier
  column, an unknown choice or a malformed date is an error of its row and column;
- every problem is a *row* problem with the row number Excel shows, the column and the reason;
  all are counted, the first :data:`MAX_PROBLEMS` kept;
- duplicates inside the file are found by ``unique_key`` (exactly, in a temporary on-disk table,
  so memory does not grow with the file), problems against the database by ``check_batch``, one
  query per batch;
- the valid records are streamed to a file of checked rows (one JSON line per batch) that the
  confirm step writes without reading or checking the spreadsheet again; the first rows are kept
  as a preview of what will be stored;
- a kind that allows it (``parallel_check``) has the rows of a large file checked by two processes
  (``IMPORT_CHECK_PROCESSES``): chunks of rows by a process forked for the check, the rows between
  them by the check itself, the results taken in file order, so the outcome is the same as with one;
- nothing is written by a check, unless the resource checks *by writing* (``check_by_writing``:
  each record written through the services inside a transaction that is rolled back, for kinds
  whose rules live only in their services);
- the confirm step writes every record or none (one transaction), after ``recheck`` found nothing
  that changed since the check.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import multiprocessing
import os
import pickle
import re
import signal
import sqlite3
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.db import connections, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from union_portal.core.errors import ApplicationError
from union_portal.core.heap import frozen_heap

from .columns import CellError, Column, cell_text, normalise_word
from .reading import SpreadsheetError
from .writing import background_writes

logger = logging.getLogger(__name__)

MAX_PROBLEMS = 1000
#: Leading rows with at most one filled cell (a title above the header) are skipped, this many at most.
TITLE_ROWS = 10
_HEADER_JUNK = re.compile(r"[\s\ufeff\u3000*＊]+")


def normalise_header(header) -> str:
    """A header as staff meant it: no BOM, no spaces, no required-column star."""
    return _HEADER_JUNK.sub("", cell_text(header))


class RowError(Exception):
    """The problems of one row: ``{column header or field name or "": message}``."""

    def __init__(self, errors, line: int | None = None):
        if isinstance(errors, dict):
            self.errors = {k: str(v) for k, v in errors.items()}
        else:
            self.errors = {"": str(errors)}
        self.line = line
        super().__init__("; ".join(self.errors.values()))


def problem(row: int | None, column: str, message) -> dict:
    return {"row": row, "column": column, "message": str(message)}


class Row:
    """One converted row: ``row["field"]`` is the converted cell, ``"field" in row`` says whether the
    file has the column, ``row.line`` is the row number Excel shows. Errors of conversion are in
    ``row.errors``; ``check_row`` adds its own with :meth:`error` and raises :meth:`fail`."""

    __slots__ = ("errors", "line", "raw", "resource", "values")

    def __init__(self, resource: CheckedResource, line: int, values: dict, raw: dict, errors: dict):
        self.resource, self.line, self.values, self.raw, self.errors = resource, line, values, raw, errors

    def __getitem__(self, key: str):
        return self.values[key]

    def __contains__(self, key: str) -> bool:
        return key in self.values

    def get(self, key: str, default=None):
        return self.values.get(key, default)

    def error(self, key: str, message) -> None:
        """Record a problem of the column of ``key`` (a field or a header; "" for the whole row);
        the first problem of a column is kept."""
        self.errors.setdefault(self.resource.header_of(key), str(message))

    def fail(self) -> RowError:
        return RowError(self.errors)


@dataclass
class Outcome:
    """What a check (or a direct import) found."""

    rows: int = 0
    checked: int = 0
    problems: list[dict] = field(default_factory=list)
    problem_count: int = 0
    preview: dict = field(default_factory=dict)
    written: int = 0

    @property
    def valid(self) -> bool:
        return self.problem_count == 0


class _Problems:
    def __init__(self, limit: int):
        self.limit, self.items, self.count = limit, [], 0

    def add(self, row, column, message) -> None:
        self.count += 1
        self.items.append(problem(row, column, message))
        if len(self.items) > 2 * self.limit:
            self._trim()

    def _trim(self) -> None:
        self.items.sort(key=lambda p: p["row"] or 0)  # stable: a row's problems keep their order
        del self.items[self.limit :]

    def result(self) -> list[dict]:
        self._trim()
        return self.items


class _SeenKeys:
    """Keys of the records seen so far and the first row of each, in a temporary on-disk table
    (exact, and memory stays flat for a file of a million rows)."""

    def __init__(self):
        self.db = sqlite3.connect("")  # "": a private temporary database on disk, removed when closed
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute("CREATE TABLE seen (k BLOB PRIMARY KEY, line INTEGER) WITHOUT ROWID")

    @staticmethod
    def digest(key: str) -> bytes:
        return hashlib.blake2b(key.encode(), digest_size=16).digest()

    def first_lines(self, pairs: list[tuple[bytes, int]]) -> dict[bytes, int]:
        """Register ``(digest, line)`` pairs (in row order); return the first line of each digest."""
        self.db.executemany("INSERT OR IGNORE INTO seen VALUES (?, ?)", pairs)
        found: dict[bytes, int] = {}
        keys = list({k for k, _line in pairs})
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(self.db.execute(f"SELECT k, line FROM seen WHERE k IN ({marks})", chunk))  # noqa: S608 - placeholders only
        return found

    def close(self) -> None:
        self.db.close()


def _encode(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot keep {type(value).__name__} in checked rows")


_DECODERS = {
    "date": lambda v: dt.date.fromisoformat(v) if v else None,
    "datetime": lambda v: dt.datetime.fromisoformat(v) if v else None,
    "decimal": lambda v: Decimal(v) if v is not None else None,
}


class CheckedSink:
    """Checked records written as one JSON line per batch (text: a tenth of the memory of objects)."""

    def __init__(self, fh, fields: tuple[str, ...]):
        self.fh, self.fields = fh, fields

    def put(self, records: list[tuple[int, dict]]) -> None:
        if records:
            fields = self.fields
            rows = [[line, *map(record.get, fields)] for line, record in records]
            self.fh.write(json.dumps(rows, ensure_ascii=False, default=_encode).encode() + b"\n")


def checked_batches(fh, resource: CheckedResource) -> Iterator[list[tuple[int, dict]]]:
    """The batches of ``(line, record)`` of a file of checked rows, decoded, one batch in memory at a time."""
    fields = resource.checked_field_names
    decoders = [(i, _DECODERS[kind]) for i, (_f, kind) in enumerate(resource.checked_fields.items()) if kind]
    for raw in fh:  # binary lines: JSON escapes every line break inside strings
        if not raw.strip():
            continue
        batch = []
        for line, *values in json.loads(raw):
            for index, decode in decoders:
                values[index] = decode(values[index])
            batch.append((line, dict(zip(fields, values, strict=True))))
        yield batch


class CheckedResource:
    """One kind of spreadsheet import (subclass it in ``<app>/resources.py``).

    Class attributes: ``columns`` (:class:`Column`), ``ignored_headers`` (accepted and not read),
    ``checked_fields`` (``{field: None | "date" | "datetime" | "decimal"}``: the record keys kept
    for the confirm step, with how to read them back), ``duplicate_message`` and
    ``duplicate_column`` (used with :meth:`unique_key`), ``sheet`` (the sheet to read; None: the
    first), ``check_by_writing``, ``background_writes`` and ``parallel_check`` (below). ``by`` is
    the importing user: lookups see only their scope.
    """

    columns: tuple[Column, ...] = ()
    ignored_headers: tuple[str, ...] = ("序号", "备注")
    checked_fields: dict[str, str | None] = {}
    duplicate_message = None
    duplicate_column = ""
    sheet: str | None = None
    check_by_writing = False
    #: Whether ``write`` may run with ``writing.background_writes`` (its statements queued, run by
    #: another thread while the next batch is prepared): only for a ``write`` that never reads back
    #: what it wrote (the bulk writers of ``writing``).
    background_writes = False
    #: Whether the rows of a file of more than one batch may be checked by two processes
    #: (``IMPORT_CHECK_PROCESSES``): a process forked after ``prepare()`` converts and checks chunks
    #: of ``batch_size`` rows while this process checks the rows between them, and the results are
    #: taken in file order (reading, duplicates, ``check_batch``, the file of checked rows and the
    #: preview stay in this process). Only for a
    #: kind whose ``check_row`` reads nothing but what ``prepare()`` loaded (no database query: the
    #: forked process refuses any), mutates no state of the resource that a later row depends on,
    #: returns records that pickle (plain values, no model instances), and whose ``finish()``
    #: yields nothing. Never with ``check_by_writing``.
    parallel_check = False
    batch_size = 2000
    preview_size = 20

    def __init__(self, *, by):
        if by is None:
            raise ApplicationError(_("An import needs the importing user (by=...)."), code="no_user")
        self.by = by

    # -- what a kind declares ------------------------------------------------------------------------

    def prepare(self) -> None:
        """Load what the rows are checked against, once per file (scoped to ``self.by``)."""

    def check_row(self, row: Row) -> dict | None:
        """The record of a converted row (keys of ``checked_fields``), or None to skip the row.
        Raise ``row.fail()`` (or :class:`RowError`) with every problem of the row."""
        raise NotImplementedError

    def unique_key(self, record: dict) -> str | None:
        """A key two records of one file may not share (an ID number's blind index, a credit code)."""
        return None

    def check_batch(self, records: list[tuple[int, dict]]) -> dict[int, dict[str, str]]:
        """Problems of a batch of records against the database (one query): ``{line: {column: message}}``."""
        return {}

    def finish(self) -> Iterable[tuple[int, dict | RowError]]:
        """Records (or errors) that can only be made at the end of the file (rows grouped by a key)."""
        return ()

    def recheck(self, records: list[tuple[int, dict]]) -> dict[int, dict[str, str]]:
        """At confirm: problems that appeared since the check (scope withdrawn, a duplicate registered)."""
        return self.check_batch(records)

    def reserve(self, count: int) -> None:
        """Before the write transaction: reserve what the records need (card numbers...)."""

    def write(self, records: list[tuple[int, dict]]) -> None:
        """Write a batch of checked records (inside the confirm's transaction); raise
        :class:`RowError` or ``ApplicationError`` to stop the whole import."""
        raise NotImplementedError

    def preview_headers(self) -> list[str]:
        return [c.header for c in self.columns if c.field]

    def preview_row(self, record: dict) -> list[str]:
        """A record as it will be stored, in words (labels, names; personal data masked)."""
        return [cell_text(record.get(c.field)) for c in self.columns if c.field]

    def describe(self, outcome: Outcome) -> str:
        """The job's message after a check without problems."""
        return _("%(n)d row(s) checked, ready to import.") % {"n": outcome.rows}

    def describe_written(self, written: int) -> str:
        """The job's message after the import (``written``: records written)."""
        return _("%(n)d row(s) imported.") % {"n": written}

    # -- derived -------------------------------------------------------------------------------------

    @property
    def checked_field_names(self) -> tuple[str, ...]:
        return tuple(self.checked_fields)

    @classmethod
    def required_headers(cls) -> tuple[str, ...]:
        return tuple(c.header for c in cls.columns if c.required)

    @classmethod
    def optional_headers(cls) -> tuple[str, ...]:
        return tuple(c.header for c in cls.columns if not c.required and c.field)

    def header_of(self, key: str) -> str:
        if not hasattr(self, "_headers_by_field"):
            self._headers_by_field = {c.field: c.header for c in self.columns if c.field}
        return self._headers_by_field.get(key, key)

    def header_problems(self, headers: list[str]) -> list[str]:
        """What is wrong with a file's header row, as messages (empty when it is fine)."""
        required = self.required_headers()
        known = {c.header for c in self.columns} | set(self.ignored_headers)
        names = [h for h in headers if h]
        if not known.intersection(names):
            # No header row at all (the first row is data: never echo it, it holds personal data).
            return [_("The first row must name the columns: %(cols)s.") % {"cols": "、".join(required)}]
        problems = []
        missing = [h for h in required if h not in names]
        if missing:
            problems.append(_("Missing column(s): %(cols)s.") % {"cols": "、".join(missing)})
        unknown = [h for h in names if h not in known]
        if unknown:
            problems.append(
                _("Unknown column(s): %(cols)s. The columns are: %(known)s.")
                % {"cols": "、".join(unknown), "known": "、".join((*required, *self.optional_headers()))}
            )
        seen, twice = set(), []
        for h in names:
            if h in seen and h not in twice:
                twice.append(h)
            seen.add(h)
        if twice:
            problems.append(_("Column(s) given twice: %(cols)s.") % {"cols": "、".join(twice)})
        return problems

    # -- the check ----------------------------------------------------------------------------------

    def check(
        self,
        rows: Iterator[tuple[int, list]],
        *,
        sink: CheckedSink | None = None,
        progress: Callable[[int], None] | None = None,
        max_problems: int | None = None,
    ) -> Outcome:
        """Check every row of a file (``reading`` gives ``rows``); valid records go to ``sink``.
        Writes nothing (a ``check_by_writing`` kind writes inside a transaction rolled back)."""
        if self.check_by_writing:
            with transaction.atomic():
                outcome = self._check(rows, sink, progress, max_problems)
                transaction.set_rollback(True)
            return outcome
        return self._check(rows, sink, progress, max_problems)

    def _check(self, rows, sink, progress, max_problems) -> Outcome:
        outcome, problems = Outcome(), _Problems(max_problems or MAX_PROBLEMS)
        seen = _SeenKeys() if self.duplicate_message else None
        try:
            try:
                header_line, plan = self._read_header(rows, problems)
                if plan is None:
                    return self._result(outcome, problems)
                self.prepare()
                with frozen_heap():
                    self._check_rows(rows, plan, outcome, problems, seen, sink, progress)
            except SpreadsheetError as exc:
                problems.add(None, "", exc.message)
            return self._result(outcome, problems)
        finally:
            if seen is not None:
                seen.close()

    def _check_rows(self, rows, plan, outcome: Outcome, problems: _Problems, seen, sink, progress) -> None:
        """Take the checked rows (:meth:`_checked_chunks`) in file order: count them, keep their
        problems, and flush their records batch by batch; then :meth:`finish`."""
        batch: list[tuple[int, dict]] = []
        limit = settings.IMPORT_MAX_ROWS
        with contextlib.closing(self._checked_chunks(rows, plan)) as chunks:
            for results in chunks:
                for line, record, errors in results:
                    if errors is not None and errors.__class__ is _Stop:
                        raise SpreadsheetError(errors.message, errors.code)
                    outcome.rows += 1
                    if outcome.rows > limit:
                        raise SpreadsheetError(_too_many_rows(limit), "too_many_rows")
                    if errors is not None:
                        self._add_row_errors(problems, line, errors)
                        continue
                    if record is not None:
                        batch.append((line, record))
                    if len(batch) >= self.batch_size:
                        self._flush(batch, outcome, problems, seen, sink)
                        batch = []
                    if progress is not None and outcome.rows % self.batch_size == 0:
                        progress(outcome.rows)
        for line, record in self.finish():
            if isinstance(record, RowError):
                self._add_row_errors(problems, line, record.errors)
                continue
            batch.append((line, record))
            if len(batch) >= self.batch_size:
                self._flush(batch, outcome, problems, seen, sink)
                batch = []
        self._flush(batch, outcome, problems, seen, sink)
        if progress is not None:
            progress(outcome.rows)
        if not outcome.rows:
            problems.add(None, "", _("The file has no rows to import."))

    def _check_chunk(self, chunk: list[tuple[int, list]], plan) -> list[tuple]:
        """The check of a chunk of rows, on its own (what a second process may do): for each
        non-empty row in order, ``(line, record or None, None)`` or ``(line, None, {column:
        message})``; a row with cells outside the named columns ends the chunk with ``(line, None,
        _Stop)``, raised as the file's error when its turn comes."""
        out: list[tuple] = []
        append, convert, is_example, check_row = out.append, self._convert, self._is_example, self.check_row
        for line, cells in chunk:
            try:
                row = convert(line, cells, plan)
            except SpreadsheetError as exc:
                append((line, None, _Stop(str(exc.message), exc.code)))
                break
            if row is None:
                continue
            try:
                if is_example(row.raw):
                    raise RowError({"": _EXAMPLE_ROW})
                record = check_row(row)
                if row.errors:
                    raise row.fail()
            except RowError as exc:
                append((line, None, exc.errors))
                continue
            append((line, record, None))
        return out

    def _checked_chunks(self, rows, plan) -> Iterator[list[tuple]]:
        """The results of :meth:`_check_chunk`, chunk by chunk in file order. An error of the reader
        is raised after the results of the rows read before it (as if rows were checked one by one)."""
        reader, size = _Reader(rows), self.batch_size
        if self.parallel_check and not self.check_by_writing and settings.IMPORT_CHECK_PROCESSES > 1:
            yield from self._checked_in_two_processes(reader, plan)
        while not reader.done:
            chunk = reader.take(size)
            if chunk:
                yield self._check_chunk(chunk, plan)
        if reader.error is not None:
            raise reader.error

    def _checked_in_two_processes(self, reader: _Reader, plan) -> Iterator[list[tuple]]:
        """Check the file's chunks with a forked process, started when the file has a second chunk
        (the rows it leaves are then checked by :meth:`_checked_chunks`, in this process).

        The forked process checks one chunk of ``batch_size`` rows at a time. Meanwhile this process
        reads (and packs) the chunk it gets next, then checks the rows that follow, a slice at a
        time, until the answer is there (or it has checked a chunk's worth); it sends the next chunk
        as soon as the answer is read, and only then decodes it and hands the results over in file
        order (the batches are flushed while the other process works). This process reads the file
        and flushes every batch too: it checks fewer rows, as many as the time leaves. In memory:
        the chunk away, the next one, and the rows checked here that wait for them."""
        size = self.batch_size
        first = reader.take(size)
        second = reader.take(size) if not reader.done else []
        if not second:
            if first:
                yield self._check_chunk(first, plan)
            return
        try:
            helper = _CheckProcess(self, plan)
        except OSError:
            logger.warning("import check: cannot fork its second process, checking in one", exc_info=True)
            yield self._check_chunk(first, plan)
            yield self._check_chunk(second, plan)
            return
        step = max(1, min(CHECK_SLICE_ROWS, size))
        try:
            helper.send(_pack(second))
            yield self._check_chunk(first, plan)
            held: list[tuple] = []  # the results of the rows between the chunk away and the next one
            while True:
                following = reader.take(size) if not reader.done else []
                packed = _pack(following) if following else None
                mine: list[tuple] = []  # the results of the rows after the next one
                taken = 0
                while taken < size and not reader.done and not helper.ready():
                    rows = reader.take(min(step, size - taken))
                    taken += len(rows)
                    mine += self._check_chunk(rows, plan)
                    if mine and mine[-1][2].__class__ is _Stop:
                        reader.stop()  # the file ends there: nothing after it is read
                yield helper.exchange(packed)
                yield held
                if packed is None:
                    return
                held = mine
        finally:
            helper.close()

    def _add_row_errors(self, problems: _Problems, line: int, errors: dict) -> None:
        """A row's problems in the order of the file's columns (the row's own first), as staff read them."""
        named = [(self.header_of(column), message) for column, message in errors.items()]
        order = getattr(self, "_column_order", {})
        for header, message in sorted(named, key=lambda e: order.get(e[0], -1 if not e[0] else len(order))):
            problems.add(line, header, message)

    @staticmethod
    def _result(outcome: Outcome, problems: _Problems) -> Outcome:
        outcome.problems, outcome.problem_count = problems.result(), problems.count
        return outcome

    def _read_header(self, rows, problems):
        """The header row (after at most a title line or two) and, per cell position, its column."""
        for _index in range(TITLE_ROWS + 1):
            try:
                line, cells = next(rows)
            except StopIteration:
                problems.add(None, "", _("The file has no rows to import."))
                return None, None
            headers = [normalise_header(c) for c in cells]
            if sum(1 for h in headers if h) > 1 or set(headers) & {c.header for c in self.columns}:
                break
        header_problems = self.header_problems(headers)
        for message in header_problems:
            problems.add(None, "", message)
        if header_problems:
            return None, None
        by_header = {c.header: c for c in self.columns}
        plan = [
            (i, column, h, column.field if column else None, column.converter if column else None)
            for i, h in enumerate(headers)
            for column in [by_header.get(h)]
        ]
        self._column_order = {h: i for i, h in enumerate(headers) if h}
        # The template's example row: the columns of this file that have an example, normalised once.
        self._examples = [
            (c.header, normalise_word(c.example)) for c in self.columns if c.example and c.header in headers
        ]
        return line, plan

    def _convert(self, line: int, cells: list, plan) -> Row | None:
        first = cells[0] if cells else None
        if not (first.__class__ is str and first.strip()) and not any(
            c is not None and (not isinstance(c, str) or c.strip()) for c in cells
        ):
            return None  # an empty row, as Excel leaves them at the end of a sheet
        values, raw, errors = {}, {}, {}
        width = len(cells)
        for index, column, header, key, convert in plan:
            value = cells[index] if index < width else None
            if column is None:
                if not header and value is not None and cell_text(value):
                    raise SpreadsheetError(_cells_outside(line), "bad_row")
                continue
            raw[header] = value
            if key is None:
                continue
            try:
                values[key] = convert(value)
            except CellError as exc:
                errors[header] = str(exc)
        if len(cells) > len(plan) and any(c is not None for c in cells[len(plan) :]):
            raise SpreadsheetError(_cells_outside(line), "bad_row")
        return Row(self, line, values, raw, errors)

    def _is_example(self, raw: dict) -> bool:
        examples = self._examples
        return bool(examples) and all(normalise_word(cell_text(raw[h])) == e for h, e in examples)

    def _flush(self, batch, outcome: Outcome, problems: _Problems, seen, sink) -> None:
        if not batch:
            return
        bad: dict[int, dict[str, str]] = {}
        if seen is not None:
            keys = [(line, self.unique_key(record)) for line, record in batch]
            keyed = [(line, _SeenKeys.digest(key)) for line, key in keys if key]
            first = seen.first_lines([(digest, line) for line, digest in keyed])
            for line, digest in keyed:
                if first[digest] != line:
                    message = str(self.duplicate_message) % {"row": first[digest]}
                    bad.setdefault(line, {})[self.duplicate_column] = message
        good = [(line, record) for line, record in batch if line not in bad]
        for line, errors in self.check_batch(good).items():
            bad.setdefault(line, {}).update(errors)
        if self.check_by_writing:
            for line, record in good:
                if line in bad:
                    continue
                try:
                    with transaction.atomic():
                        self.write([(line, record)])
                except RowError as exc:
                    bad.setdefault(line, {}).update(exc.errors)
                except ApplicationError as exc:
                    bad.setdefault(line, {})[self.header_of(exc.field or "")] = str(exc)
        for line in sorted(bad):
            self._add_row_errors(problems, line, bad[line])
        good = [(line, record) for line, record in good if line not in bad]
        outcome.checked += len(good)
        if sink is not None:
            sink.put(good)
        preview = outcome.preview.setdefault("rows", [])
        if len(preview) < self.preview_size:
            outcome.preview["headers"] = self.preview_headers()
            preview += [
                [line, *self.preview_row(record)] for line, record in good[: self.preview_size - len(preview)]
            ]

    # -- a whole import at once (scripts, tests, benchmarks) ------------------------------------------

    def import_rows(self, rows: Iterator[tuple[int, list]], *, dry_run: bool = False) -> Outcome:
        """Check ``rows`` and, when every row is valid and not ``dry_run``, write them all in one
        transaction. The admin pages use the job services instead (check, then confirm)."""
        directory = Path(settings.MEDIA_ROOT) / "imports"
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=directory) as fh:
            outcome = self.check(rows, sink=CheckedSink(fh, self.checked_field_names))
            if dry_run or not outcome.valid:
                return outcome
            fh.seek(0)
            self.reserve(outcome.checked)
            with transaction.atomic(), self.writing():
                for batch in checked_batches(fh, self):
                    self.write(batch)
                    outcome.written += len(batch)
        return outcome

    @contextlib.contextmanager
    def writing(self):
        """The context of the write loop (inside its transaction): see :attr:`background_writes`;
        and the objects alive before it out of the collector's reach (``core.heap``)."""
        with frozen_heap(), background_writes() if self.background_writes else contextlib.nullcontext():
            yield


class _Reader:
    """The rows of a file taken a few at a time; an error of the reader ends them and is kept
    (``error``), to be raised after the rows read before it were checked."""

    def __init__(self, rows: Iterator[tuple[int, list]]):
        self.rows, self.error, self.done = rows, None, False

    def take(self, count: int) -> list[tuple[int, list]]:
        """The next ``count`` rows at most (fewer at the end of the file, or before an error)."""
        taken: list[tuple[int, list]] = []
        if self.done:
            return taken
        try:
            for item in self.rows:
                taken.append(item)
                if len(taken) >= count:
                    return taken
        except Exception as exc:  # noqa: BLE001 - raised again by the check, after the rows before it
            self.error = exc
        self.done = True
        return taken

    def stop(self) -> None:
        self.done = True


class _Stop(NamedTuple):
    """The end of a file that cannot be read on (a :class:`SpreadsheetError` met while checking a row)."""

    message: str
    code: str


#: Seconds the forked process has to exit once told to stop, before it is killed.
CHECK_PROCESS_EXIT_SECONDS = 5.0
#: Rows the check takes at a time while the forked process works (it looks for the answer in between).
CHECK_SLICE_ROWS = 100


class _CheckProcess:
    """A process forked from the check (it has the prepared resource and the header's plan) that
    checks the chunks it is sent, one at a time, and sends back their results.

    Forked, not started with ``multiprocessing.Process``: Celery's prefork workers are daemonic
    processes, which may not have ``Process`` children. The forked process shares the parent's
    open files and database connection: it uses none of them, refuses any database query, and
    ends with ``os._exit`` (no ``atexit``, no buffer flushed, no connection closed)."""

    def __init__(self, resource: CheckedResource, plan):
        here, there = multiprocessing.Pipe()
        try:
            pid = os.fork()
        except OSError:
            here.close()
            there.close()
            raise
        if pid == 0:  # the forked process: never returns into the check
            status = 1
            try:
                here.close()
                status = _serve_chunks(resource, plan, there)
            finally:
                os._exit(status)
        there.close()
        self.pid, self.conn = pid, here

    def send(self, packed: bytes) -> None:
        try:
            self.conn.send_bytes(packed)
        except OSError as exc:
            raise RuntimeError(f"the import check's second process (pid {self.pid}) is gone") from exc

    def ready(self) -> bool:
        """Whether the answer (or the end of the process) is there to be received."""
        return self.conn.poll()

    def exchange(self, packed: bytes | None) -> list[tuple]:
        """The answer for the chunk away; ``packed``, the next chunk, is sent as soon as the answer
        is read (before it is decoded: the process works again at once; and never while it sends)."""
        try:
            raw = self.conn.recv_bytes()
        except (EOFError, OSError) as exc:
            raise RuntimeError(
                f"the import check's second process (pid {self.pid}) ended without an answer"
            ) from exc
        lost = None
        if packed is not None:
            try:
                self.conn.send_bytes(packed)
            except OSError as exc:  # the process ended: its answer says why, if it is an error
                lost = exc
        kind, payload = pickle.loads(raw)  # noqa: S301 - from our own forked process
        if kind == "error":
            error, text = payload
            error.add_note(f"Raised in the import check's second process (pid {self.pid}):\n{text}")
            raise error
        if lost is not None:
            raise RuntimeError(f"the import check's second process (pid {self.pid}) is gone") from lost
        return payload

    def close(self) -> None:
        """Tell the process to stop (its end of the pipe closes), and reap it; kill it if it lingers."""
        self.conn.close()
        deadline, pause = time.monotonic() + CHECK_PROCESS_EXIT_SECONDS, 0.001
        try:
            while not os.waitpid(self.pid, os.WNOHANG)[0]:
                if time.monotonic() > deadline:
                    os.kill(self.pid, signal.SIGKILL)
                    os.waitpid(self.pid, 0)
                    return
                time.sleep(pause)
                pause = min(2 * pause, 0.05)
        except ChildProcessError:  # reaped already (by a handler of SIGCHLD)
            pass


def _pack(chunk: list) -> bytes:
    return pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL)


def _serve_chunks(resource: CheckedResource, plan, conn) -> int:
    """The forked process's loop: a chunk in, its results out, until None or the pipe closes."""
    try:
        with _no_queries():
            while True:
                try:
                    chunk = conn.recv()
                except EOFError:
                    return 0
                if chunk is None:
                    return 0
                conn.send(("ok", resource._check_chunk(chunk, plan)))
    except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
        with contextlib.suppress(BaseException):
            conn.send(("error", _portable(exc)))
        return 1


def _portable(exc: BaseException) -> tuple[BaseException, str]:
    """An exception as it can cross the pipe (itself, or a RuntimeError naming it) and its traceback."""
    text = "".join(traceback.format_exception(exc))
    try:
        copy = pickle.loads(pickle.dumps(exc))  # noqa: S301 - our own bytes, just made
    except Exception:  # noqa: BLE001 - any exception that does not survive pickling
        copy = RuntimeError(repr(exc))
    return copy, text


@contextlib.contextmanager
def _no_queries():
    """No database query: the connections are the parent's (a query would go down its socket)."""

    def refuse(*args, **kwargs):
        raise RuntimeError("no database query in the import check's second process (parallel_check)")

    with contextlib.ExitStack() as stack:
        for conn in connections.all(initialized_only=True):
            stack.enter_context(conn.execute_wrapper(refuse))
        yield


_EXAMPLE_ROW = gettext_lazy(
    "This is the example row of the template: replace it with your data or delete it."
)


def _too_many_rows(limit: int) -> str:
    return _("The file has more than %(n)s rows: split it into several files.") % {"n": f"{limit:,}"}


def _cells_outside(line: int) -> str:
    return _(
        "The file could not be read: row %(row)d has cells outside the named columns (a row longer "
        "than the header?). Give every column a header, or delete those cells."
    ) % {"row": line}
