"""A queryset compiled once per process and run again with other parameter values.

For the few statements every request of a hot route runs (the API key lookup, the quiz submit's
attempt): compiling a ``select_related`` queryset to SQL costs Django more than PostgreSQL takes to
answer it. :class:`FrozenQuery` builds the queryset once with sample values, keeps its SQL, and then
only swaps the values of its parameters and turns the rows into model instances (with their related
objects) as the queryset would. The queryset stays the one place of its rules.

Only values that become parameters of the SQL can vary (filters on fields, not slices or the shape).
On PostgreSQL the statement is also prepared once per connection, so that the server plans it once.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import itertools
import re
from collections.abc import Callable

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query import get_related_populators
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init

#: The descriptors of plain fields and foreign key ids: reading one reads the instance's dict, and
#: setting one on a new instance only writes it there.
_PLAIN_DESCRIPTORS = (DeferredAttribute, ForeignKeyDeferredAttribute)

_samples = itertools.count(1)


def _sample(kind: type):
    """A value of ``kind`` no real parameter has, different at each call."""
    n = next(_samples)
    if kind is int:
        return -(7_000_000_000 + n)
    if kind is str:
        return f"\x1ffrozen-sample-{n}\x1f"
    if kind is dt.datetime:
        return dt.datetime(1901, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=n)
    raise TypeError(f"no sample value for {kind}")


#: ``sql`` -> (its statement's name, the ``PREPARE`` that makes it, the ``EXECUTE`` that runs it), per process.
_statements: dict[str, tuple[str, str, str]] = {}


def _statement(sql: str) -> tuple[str, str, str]:
    found = _statements.get(sql)
    if found is None:
        name = "prepared_" + hashlib.sha1(sql.encode(), usedforsecurity=False).hexdigest()[:20]
        count = sql.count("%s")
        numbered = iter(range(1, count + 1))
        body = re.sub(r"%s|%%", lambda m: f"${next(numbered)}" if m[0] == "%s" else "%", sql)
        run = f"EXECUTE {name} ({', '.join(['%s'] * count)})" if count else f"EXECUTE {name}"
        found = _statements[sql] = (name, f"PREPARE {name} AS {body}", run)
    return found


def prepared(connection, cursor, sql: str) -> str:
    """PostgreSQL: ``sql`` (with ``%s`` parameters) prepared once on this connection (``PREPARE``), and
    the ``EXECUTE`` to run with the same parameters instead: the server then plans it once, not at each
    call (planning a hot route's joins took it longer than running them). Prepared statements outlive
    a rolled-back transaction; a new connection prepares them again. The name and the texts of a
    statement are worked out once per process (a hot route passes the same text each time)."""
    raw = connection.connection
    known = getattr(connection, "_prepared_statements", None)
    if known is None or known[0] is not raw:  # a new connection: nothing is prepared on it yet
        known = connection._prepared_statements = (raw, set())
    name, prepare, run = _statement(sql)
    if name not in known[1]:
        cursor.cursor.execute(prepare)  # the server-side setup, not a query of ours
        known[1].add(name)
    return run


def _adapter(connection, kind: type) -> Callable | None:
    """How ``connection`` puts a value of ``kind`` in a compiled statement's parameters, when it is
    not the value itself (PostgreSQL keeps them all; SQLite turns datetimes into text)."""
    if kind is dt.datetime:
        sample = _sample(dt.datetime)
        if connection.ops.adapt_datetimefield_value(sample) != sample:
            return connection.ops.adapt_datetimefield_value
    return None


class FrozenQuery:
    """``FrozenQuery(build, hashed_key=str, now=dt.datetime)``; then ``query.all(hashed_key=..., now=...)``.

    ``build(**values)`` returns the queryset for the values; each value must appear once among the
    parameters of its SQL (checked when it is compiled).

    ``FrozenQuery.sharing(build, ...)``: the rows of one call share the related objects of one database
    row (``select_related`` builds one instance per row: five drawn questions of an attempt would carry
    five copies of the attempt and of its participant)."""

    share_related = False

    def __init__(self, build: Callable[..., QuerySet], **kinds: type):
        self.build = build
        self.kinds = kinds
        self._compiled: dict[str, tuple] = {}

    @classmethod
    def sharing(cls, build: Callable[..., QuerySet], **kinds: type) -> FrozenQuery:
        query = cls(build, **kinds)
        query.share_related = True
        return query

    def _compile(self, alias: str) -> tuple:
        samples = {name: _sample(kind) for name, kind in self.kinds.items()}
        queryset = self.build(**samples)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        slots = []
        for name, value in samples.items():
            # A backend may compile a value into its own form (SQLite: a datetime into text): the
            # parameter is then found in that form, and each call's value is put in it too.
            adapt = _adapter(connections[alias], type(value))
            wanted = adapt(value) if adapt else value
            found = [i for i, p in enumerate(params) if type(p) is type(wanted) and p == wanted]
            if len(found) != 1:
                raise ValueError(f"{name} is not one parameter of the frozen query")
            slots.append((found[0], name, adapt))
        klass_info, select = compiler.klass_info, compiler.select
        converters = compiler.get_converters([column for column, _sql, _alias in select])
        model = klass_info["model"]
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        names = [column[0].target.attname for column in select[start:end]]
        populators = get_related_populators(klass_info, select, alias)
        return sql, list(params), slots, compiler, converters, model, start, end, names, populators

    def all(self, using: str = "default", **values) -> list:
        compiled = self._compiled.get(using)
        if compiled is None:
            compiled = self._compiled[using] = self._compile(using)
        sql, params, slots, compiler, converters, model, start, end, names, populators = compiled
        params = params[:]
        for index, name, adapt in slots:
            params[index] = adapt(values[name]) if adapt else values[name]
        connection = connections[using]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(prepared(connection, cursor, sql), params)
            else:
                cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            rows = list(compiler.apply_converters(rows, converters))
        build = _instance(model)
        shared: dict | None = {} if self.share_related else None
        objects = []
        for row in rows:
            obj = build(using, names, row[start:end])
            for populator in populators:
                _populate(populator, row, obj, shared)
            objects.append(obj)
        return objects


@functools.cache
def _instance(model) -> Callable:
    """How to build an instance of ``model`` from a row: :func:`_builder`'s, else ``model.from_db``."""
    return _builder(model) or model.from_db


def _builder(model) -> Callable | None:
    """``model.from_db`` without ``Model.__init__``, where the two give the same instance: a model that
    keeps Django's ``__init__`` and ``from_db`` and whose every field reads its value from the instance's dict (no
    descriptor of its own). ``__init__`` sets each field through ``setattr`` and sends the init signals
    (checked at each call: none is connected in the project); a drawn question's row built 16 of them
    a submit, a fifth of the submit's Python. None where that does not hold (``from_db`` is used)."""
    if model.__init__ is not Model.__init__ or model.from_db.__func__ is not Model.from_db.__func__:
        return None
    fields = model._meta.concrete_fields
    if not all(type(model.__dict__.get(f.attname)) in _PLAIN_DESCRIPTORS for f in fields):
        return None
    count = len(fields)

    def build(db: str, names: list[str], values) -> Model:
        if len(values) != count or pre_init.receivers or post_init.receivers:
            return model.from_db(db, names, values)
        obj = model.__new__(model)
        state = obj._state = ModelState()
        state.adding, state.db = False, db
        obj.__dict__.update(zip(names, values, strict=True))
        return obj

    return build


def _populate(populator, row, from_obj, shared: dict | None) -> None:
    """``RelatedPopulator.populate`` with :func:`_instance`; with ``shared``, one instance per
    (populator, primary key)."""
    data = (
        populator.reorder_for_init(row)
        if populator.reorder_for_init
        else row[populator.cols_start : populator.cols_end]
    )
    pk = data[populator.pk_idx]
    if pk is None:
        obj = None
    else:
        key = (id(populator), pk)
        obj = shared.get(key) if shared is not None else None
        if obj is None:
            obj = _instance(populator.model_cls)(populator.db, populator.init_list, data)
            if shared is not None:
                shared[key] = obj
            for related in populator.related_populators:
                _populate(related, row, obj, shared)
    populator.local_setter(from_obj, obj)
    if obj is not None:
        populator.remote_setter(obj, from_obj)
