"""Spreadsheet import and export of members and enterprises (django-import-export).

A row is turned into service input here (Chinese headers and words such as 高级工, 本地 or 是
become codes; a union or an employer name becomes the row it names among those the importer
may see) and then checked by the services' own rules (``clean_member_input``, ``build_member``,
``clean_enterprise_input``). What PITFALLS.md measured shapes the rest:

- headers are checked before anything else, so a missing or BOM-mangled column stops the file
  instead of being skipped silently;
- every problem of a row is a *row* error (a ``ValidationError`` naming the column), never a hard
  error that aborts the file: malformed ID numbers, unknown unions, duplicates;
- lookups (unions, employers, the ID numbers of open memberships) are loaded once per file into
  dicts and sets; duplicates inside the file and against the database are found in Python
  before anything is written, so a bulk insert never fails on a row we could have named;
- ``use_bulk`` with our own batch writer (:func:`write_members`): card numbers from one
  ``make_card_numbers`` call per batch, and for every member a simple-history row and an
  ``imported`` event (``use_bulk`` alone would write neither). The writer skips Django's
  per-value ``bulk_create`` machinery (COPY on PostgreSQL) and copies the history rows and events
  in the database from the rows just written: per row, that costs less than checking it;
- nothing is written unless every row is valid: the import runs in one transaction, rolled
  back if any row is bad, and no batch is written once a bad row has been seen;
- a dry run writes nothing at all (not even inside a rolled-back transaction) and can keep the
  checked rows, so the admin's confirm step writes them without reading and checking the file
  again (``importing.import_confirm``).

Column headers and the words of the cells are the file format staff fill in; they are Chinese
whatever the interface language, and deliberately not translated.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from import_export import resources
from import_export.fields import Field
from import_export.results import Error, Result
from simple_history.utils import bulk_create_with_history

from union_portal.core.crypto import EncryptedTextField
from union_portal.core.errors import ApplicationError
from union_portal.core.masking import mask_id_number, mask_phone
from union_portal.core.spreadsheets import escape_formula
from union_portal.organisations.models import Enterprise, Industry, Organisation, OrganisationKind, Ownership
from union_portal.organisations.services import clean_enterprise_input

from .models import Channel, HouseholdType, Member, MembershipEvent, MemberStatus, Sex, SkillGrade
from .services import (
    build_member,
    clean_member_input,
    id_number_key,
    make_card_numbers,
)

# --- the file format ---------------------------------------------------------------------------------

NAME, ID_NUMBER, MOBILE, UNION, EMPLOYER = "姓名", "身份证号", "手机号", "所属工会", "工作单位"
JOB, SKILL, HOUSEHOLD, MIGRANT, JOIN_DATE = "岗位", "技能等级", "户籍类型", "是否农民工", "入会日期"
SEX, BIRTH_DATE, CARD, STATUS = "性别", "出生日期", "会员卡号", "状态"

MEMBER_REQUIRED = (NAME, ID_NUMBER, MOBILE, UNION)
MEMBER_OPTIONAL = (EMPLOYER, JOB, SKILL, HOUSEHOLD, MIGRANT, JOIN_DATE)
#: Columns of an export (derived or set by the system): accepted in an upload and ignored.
MEMBER_IGNORED = (SEX, BIRTH_DATE, CARD, STATUS, "序号", "备注")
MEMBER_EXPORT = (NAME, ID_NUMBER, MOBILE, SEX, BIRTH_DATE, UNION, EMPLOYER, JOB, SKILL, HOUSEHOLD, MIGRANT,
                 CARD, JOIN_DATE, STATUS)  # fmt: skip

#: The column of each service input field, to name the column of a service error.
MEMBER_FIELD_COLUMNS = {
    "name": NAME, "id_number": ID_NUMBER, "mobile": MOBILE, "union": UNION, "employer": EMPLOYER,
    "job": JOB, "skill_grade": SKILL, "household_type": HOUSEHOLD, "is_migrant_worker": MIGRANT,
}  # fmt: skip

SKILL_WORDS = {
    "初级工": SkillGrade.JUNIOR, "初级": SkillGrade.JUNIOR, "五级": SkillGrade.JUNIOR,
    "中级工": SkillGrade.INTERMEDIATE, "中级": SkillGrade.INTERMEDIATE, "四级": SkillGrade.INTERMEDIATE,
    "高级工": SkillGrade.SENIOR, "高级": SkillGrade.SENIOR, "三级": SkillGrade.SENIOR,
    "技师": SkillGrade.TECHNICIAN, "二级": SkillGrade.TECHNICIAN,
    "高级技师": SkillGrade.SENIOR_TECHNICIAN, "一级": SkillGrade.SENIOR_TECHNICIAN,
    "无": SkillGrade.NONE, "": SkillGrade.NONE,
}  # fmt: skip
SKILL_LABELS = {
    SkillGrade.NONE: "", SkillGrade.JUNIOR: "初级工", SkillGrade.INTERMEDIATE: "中级工",
    SkillGrade.SENIOR: "高级工", SkillGrade.TECHNICIAN: "技师", SkillGrade.SENIOR_TECHNICIAN: "高级技师",
}  # fmt: skip
HOUSEHOLD_WORDS = {
    "本地": HouseholdType.LOCAL, "本地户籍": HouseholdType.LOCAL, "本地户口": HouseholdType.LOCAL,
    "外地": HouseholdType.NON_LOCAL, "外地户籍": HouseholdType.NON_LOCAL, "外地户口": HouseholdType.NON_LOCAL,
    "非本地": HouseholdType.NON_LOCAL, "异地": HouseholdType.NON_LOCAL,
}  # fmt: skip
HOUSEHOLD_LABELS = {HouseholdType.LOCAL: "本地", HouseholdType.NON_LOCAL: "外地"}
YES_NO = {"是": True, "否": False, "": False, "y": True, "n": False, "yes": True, "no": False,
          "true": True, "false": False, "1": True, "0": False}  # fmt: skip
SEX_LABELS = {Sex.MALE: "男", Sex.FEMALE: "女"}

ENT_NAME, ENT_CODE, ENT_INDUSTRY, ENT_OWNERSHIP = "企业名称", "统一社会信用代码", "行业", "所有制"
ENT_TOWN, ENT_HEADCOUNT, ENT_ADDRESS = "所属镇街", "职工人数", "地址"
ENTERPRISE_REQUIRED = (ENT_NAME, ENT_CODE, ENT_TOWN)
ENTERPRISE_OPTIONAL = (ENT_INDUSTRY, ENT_OWNERSHIP, ENT_HEADCOUNT, ENT_ADDRESS)
ENTERPRISE_IGNORED = ("序号", "备注")
ENTERPRISE_EXPORT = (ENT_NAME, ENT_CODE, ENT_INDUSTRY, ENT_OWNERSHIP, ENT_TOWN, ENT_HEADCOUNT, ENT_ADDRESS)
ENTERPRISE_FIELD_COLUMNS = {"name": ENT_NAME, "credit_code": ENT_CODE}
INDUSTRY_LABELS = {
    Industry.MANUFACTURING: "制造业", Industry.CERAMICS: "陶瓷建材", Industry.TEXTILES: "纺织服装",
    Industry.FOOD: "食品饮料", Industry.FURNITURE: "家具", Industry.ELECTRONICS: "电子电器",
    Industry.LOGISTICS: "交通物流", Industry.CONSTRUCTION: "建筑业", Industry.RETAIL: "零售餐饮",
    Industry.SERVICES: "服务业", Industry.PUBLIC: "公共部门", Industry.OTHER: "其他",
}  # fmt: skip
OWNERSHIP_LABELS = {
    Ownership.STATE: "国有", Ownership.PRIVATE: "民营", Ownership.FOREIGN: "外资",
    Ownership.COLLECTIVE: "集体", Ownership.PUBLIC_INSTITUTION: "事业单位",
}  # fmt: skip
OWNERSHIP_WORDS = {"非公": Ownership.PRIVATE, "私营": Ownership.PRIVATE, "港澳台": Ownership.FOREIGN,
                   "国有企业": Ownership.STATE, "民营企业": Ownership.PRIVATE}  # fmt: skip
TOWN_KINDS = (OrganisationKind.TOWN, OrganisationKind.DISTRICT, OrganisationKind.INDUSTRY)

BATCH_SIZE = 2000
_HEADER_JUNK = re.compile(r"[\s\ufeff\u3000*＊]+")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
_AMBIGUOUS = object()


def normalise_header(header) -> str:
    """A header as staff meant it: no BOM, no spaces, no required-column star."""
    return _HEADER_JUNK.sub("", str(header or ""))


def _words(choices, labels: dict, extra: dict) -> dict:
    """Words accepted for a choice: our Chinese labels, the codes, and the English labels."""
    words = {code: code for code in choices.values}
    with override("en"):
        words.update({str(label).lower(): code for code, label in choices.choices})
    words.update({label: code for code, label in labels.items() if label})
    words.update(extra)
    return words


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value).strip())


def _parse_date(value: str) -> dt.date:
    match = _DATE.match(value)
    if match is None and len(value) == 8 and value.isdigit():
        match = re.match(r"^(\d{4})(\d{2})(\d{2})$", value)
    if match is None:
        raise ValueError(value)
    return dt.date(int(match[1]), int(match[2]), int(match[3]))


def header_problems(
    headers, required: Iterable[str], optional: Iterable[str], ignored: Iterable[str]
) -> list[str]:
    """What is wrong with a file's header row, as messages (empty when it is fine)."""
    required, known = tuple(required), {*required, *optional, *ignored}
    names = [normalise_header(h) for h in headers or ()]
    if not known.intersection(names):
        # No header row at all (the first row is data: never echo it, it holds personal data).
        return [_("The first row must name the columns: %(cols)s.") % {"cols": "、".join(required)}]
    problems = []
    missing = [h for h in required if h not in names]
    if missing:
        problems.append(_("Missing column(s): %(cols)s.") % {"cols": "、".join(missing)})
    unknown = [h for h in names if h and h not in known]
    if unknown:
        problems.append(
            _("Unknown column(s): %(cols)s. The columns are: %(known)s.")
            % {"cols": "、".join(unknown), "known": "、".join((*required, *optional))}
        )
    seen, twice = set(), []
    for h in names:
        if h and h in seen and h not in twice:
            twice.append(h)
        seen.add(h)
    if twice:
        problems.append(_("Column(s) given twice: %(cols)s.") % {"cols": "、".join(twice)})
    return problems


def checked_batches(text: str) -> Iterator[list[list]]:
    """The batches of checked rows kept by a dry run (``"\\n".join(resource.checked)``)."""
    for line in text.split("\n"):  # not splitlines(): JSON keeps U+2028 and friends unescaped
        if line:
            yield json.loads(line)


def row_errors(result: Result, limit: int | None = None) -> tuple[list[dict], int]:
    """The problems of an import result as ``{"row", "column", "message"}`` dicts, in row order.

    ``row`` is the row number staff see in their spreadsheet (the header is row 1), or None for a
    problem of the whole file. Returns at most ``limit`` of them and the total count.
    """
    found: list[dict] = [{"row": None, "column": "", "message": str(e.error)} for e in result.base_errors]
    for row in result.error_rows:
        found += [{"row": row.number + 1, "column": "", "message": str(e.error)} for e in row.errors]
    for row in result.invalid_rows:
        for column, messages in row.error_dict.items():
            column = "" if column == NON_FIELD_ERRORS else column
            found += [{"row": row.number + 1, "column": column, "message": m} for m in messages]
    found.sort(key=lambda e: e["row"] or 0)
    return (found if limit is None else found[:limit]), len(found)


# --- the common machinery ------------------------------------------------------------------------------


class CheckedImportResource(resources.ModelResource):
    """What the member and enterprise resources share: the header check, scoped lookups loaded
    once, row errors instead of hard errors, no writes on a dry run, all-or-nothing writes, and
    the checked rows kept for a later confirm.

    ``by`` is the importing (or exporting) user: lookups and exports see only their scope.
    ``keep_checked`` keeps what :meth:`checked_row` makes of every valid row, as one line of JSON
    per batch in :attr:`checked` (text is a tenth of the memory of the lists; read them back with
    :func:`checked_batches`); ``progress`` is called with the number of rows done every batch.
    """

    required_headers: tuple[str, ...] = ()
    optional_headers: tuple[str, ...] = ()
    ignored_headers: tuple[str, ...] = ()

    class Meta:
        """The tuning every checked import shares (PITFALLS.md: bulk writes, no diff, no per-row lookups)."""

        use_bulk = True
        batch_size = BATCH_SIZE
        skip_diff = True
        skip_html_diff = True
        force_init_instance = True
        clean_model_instances = False
        report_skipped = False
        chunk_size = BATCH_SIZE

    def __init__(self, *, by=None, keep_checked: bool = False, progress: Callable[[int], None] | None = None,
                 **kwargs):  # fmt: skip
        super().__init__(**kwargs)
        self.by = by
        self.keep_checked = keep_checked
        self.progress = progress
        self.checked: list[str] = []
        self.checked_count = 0
        self.written = 0
        self._row_number = 0
        self._has_bad_rows = False

    # -- lookups and checks ------------------------------------------------------------------------

    def prepare(self, dataset) -> None:
        """Load what the rows are checked against, once per file."""

    def write(self, batch: list) -> None:
        """Write a batch of valid, unsaved instances."""
        raise NotImplementedError

    def checked_row(self, instance) -> list:
        raise NotImplementedError

    def get_queryset(self):
        return self._meta.model.objects.visible_to(self.by)

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None,
                    collect_failed_rows=False, rollback_on_validation_errors=False, **kwargs):  # fmt: skip
        """Import ``dataset``; with one bad row anywhere, nothing is written.

        Always runs in a transaction rolled back on any error (``use_transactions`` and
        ``rollback_on_validation_errors`` are forced on).
        """
        if self.by is None:
            raise ApplicationError(_("An import needs the importing user (by=...)."), code="no_user")
        self.checked, self.checked_count, self.written, self._has_bad_rows = [], 0, 0, False
        problems = header_problems(dataset.headers, self.required_headers, self.optional_headers,
                                   self.ignored_headers)  # fmt: skip
        if problems:
            result = self.get_result_class()()
            result.total_rows = len(dataset)
            for problem in problems:
                result.append_base_error(Error(ValueError(problem)))
            return result
        if dataset.headers:
            dataset.headers = [normalise_header(h) for h in dataset.headers]
        self.prepare(dataset)
        return super().import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=raise_errors,
            use_transactions=True,
            collect_failed_rows=collect_failed_rows,
            rollback_on_validation_errors=True,
            **kwargs,
        )

    def before_import_row(self, row, **kwargs):
        self._row_number = kwargs.get("row_number", self._row_number + 1)
        if self.progress is not None and self._row_number % BATCH_SIZE == 0:
            self.progress(self._row_number)

    @property
    def line(self) -> int:
        """The spreadsheet row number of the current row (the header is row 1)."""
        return self._row_number + 1

    def bad_row(self, errors: dict[str, str]) -> ValidationError:
        self._has_bad_rows = True
        return ValidationError({column or NON_FIELD_ERRORS: [message] for column, message in errors.items()})

    # -- the import-export pipeline, made cheap ------------------------------------------------------

    def get_or_init_instance(self, instance_loader, row):
        return self.init_instance(row), True  # imports only add rows: no lookup of existing ones

    def import_instance(self, instance, row, **kwargs):
        pass  # init_instance has already read and checked the whole row

    def skip_row(self, instance, original, row, import_validation_errors=None):
        return instance is None  # an empty row

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        pass  # checked by the services' rules in init_instance

    def save_m2m(self, instance, row, **kwargs):
        pass

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        batch = list(self.create_instances)
        self.create_instances.clear()
        if self.keep_checked and batch:
            self.checked.append(json.dumps([self.checked_row(i) for i in batch], ensure_ascii=False))
            self.checked_count += len(batch)
        bad = self._has_bad_rows or (result is not None and (result.base_errors or result.error_rows))
        if dry_run or bad or not batch:
            return
        try:
            self.write(batch)
            self.written += len(batch)
        except Exception as exc:  # noqa: BLE001 - reported as a file error, and the transaction rolls back
            self.handle_import_error(result, exc, raise_errors)

    def after_import(self, dataset, result, **kwargs):
        # ModelResource resets the table's id sequence here; we never set ids, and moving a
        # sequence while other sessions insert could hand out an id twice.
        if self.progress is not None:
            self.progress(len(dataset))

    # -- export ----------------------------------------------------------------------------------------

    def export_values(self, instance) -> list:
        raise NotImplementedError

    def export_resource(self, instance, selected_fields=None, **kwargs):
        return [escape_formula(value) for value in self.export_values(instance)]


def _name_index(rows: Iterable, key: Callable) -> dict:
    index: dict = {}
    for obj in rows:
        name = key(obj)
        index[name] = _AMBIGUOUS if name in index else obj
    return index


# --- members ---------------------------------------------------------------------------------------


def write_members(
    members: list[Member] | list[dict], *, by, cards: Iterator[str] | None = None, note: str = ""
) -> list[int]:
    """Save checked members as active, imported members, with card numbers, join dates, one
    history row and one ``imported`` event each; return their ids. Call inside a transaction.

    ``members`` are unsaved members (from ``build_member``) or dicts of
    :data:`MEMBER_CHECKED_FIELDS` (the rows kept by a check). ``cards`` gives card numbers
    reserved beforehand; without it one ``make_card_numbers`` call serves the batch.
    """
    if not members:
        return []
    now, today = timezone.now(), timezone.localdate()
    numbers = make_card_numbers(len(members)) if cards is None else [next(cards) for _m in members]
    by_id = by.pk if by is not None else None
    system = {
        "status": MemberStatus.ACTIVE,
        "channel": Channel.IMPORT,
        "decided_at": now,
        "decided_by_id": by_id,
        "filed_by_id": by_id,
    }
    rows = []
    for member, card in zip(members, numbers, strict=True):
        values = (
            member if isinstance(member, dict) else {f: getattr(member, f) for f in MEMBER_CHECKED_FIELDS}
        )
        rows.append({**values, **system, "card_number": card, "join_date": values["join_date"] or today})
    note = (note or _("Bulk import"))[:100]
    with transaction.atomic():
        ids = _insert_rows(Member, rows, now=now)
        _copy_history_and_events(ids, by_id=by_id, now=now, note=note)
    return ids


def _insert_rows(model, rows: list[dict], *, now) -> list[int]:
    """Insert ``rows`` (dicts by attname; missing fields get their default, ``auto_now`` fields
    ``now``) and return their ids, in order.

    What ``bulk_create`` does, minus its per-value machinery (measured here: a third of its
    Python time per row). Values are converted the way the fields would: the encrypted field
    encrypts, dates and times are adapted to the backend. On PostgreSQL the rows go through
    ``COPY`` with ids taken from the table's sequence first (measured: half the server time of a
    multi-row ``INSERT``); elsewhere through ``INSERT ... VALUES ... RETURNING``.
    """
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
        else:
            plan.append((field, None, field.get_default(), None))
    values = []
    for row in rows:
        for field, convert, default, fixed in plan:
            if fixed is not None:
                values.append(fixed)
                continue
            value = row.get(field.attname, default)
            values.append(convert(value) if convert is not None and value is not None else value)
    table, width = model._meta.db_table, len(plan)
    columns = [f.column for f, *_rest in plan]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and hasattr(cursor.cursor, "copy_expert"):
            return _copy_rows(cursor, table, columns, values, len(rows))
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
        return ids


_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")
_COPY_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _copy_text(value) -> str:
    """A value in PostgreSQL's ``COPY`` text format."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, dt.date):  # dates, and aware datetimes with their offset
        return value.isoformat()
    text = str(value)
    return _COPY_SPECIAL.sub(lambda m: _COPY_ESCAPES[m.group()], text) if _COPY_SPECIAL.search(text) else text


def _copy_rows(cursor, table: str, columns: list[str], values: list, count: int) -> list[int]:
    """PostgreSQL: take ``count`` ids from the table's sequence, then ``COPY`` the rows with them."""
    qn = connection.ops.quote_name
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
    )
    ids = [r[0] for r in cursor.fetchall()]
    width = len(columns)
    lines = []
    for i, pk in enumerate(ids):
        cells = values[i * width : (i + 1) * width]
        lines.append("\t".join([str(pk), *map(_copy_text, cells)]))
    buffer = io.StringIO("\n".join(lines) + "\n")
    column_list = ", ".join(qn(c) for c in ["id", *columns])
    with connection.wrap_database_errors:  # IntegrityError and friends as Django's, like every other query
        cursor.cursor.copy_expert(f"COPY {qn(table)} ({column_list}) FROM STDIN", buffer)
    return ids


def _copy_history_and_events(ids: list[int], *, by_id, now, note: str) -> None:
    """The simple-history row (``+``) and the ``imported`` event of each new member, copied in the
    database from the rows just inserted.

    This writes exactly what ``bulk_create_with_history`` would (every tracked column, the date,
    the user, the reason, the type), without building two more model instances per row in Python
    and encrypting the ID number a second time: the history row gets the same ciphertext.
    Measured on PostgreSQL, building them in Python was a third of the time of a whole import.
    """
    history = Member.history.model
    columns = [f.column for f in history.tracked_fields]
    qn = connection.ops.quote_name
    column_list = ", ".join(qn(c) for c in columns)
    event = MembershipEvent._meta
    event_columns = ", ".join(
        qn(event.get_field(f).column) for f in ("member", "kind", "by", "at", "note", "to_union")
    )
    when = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 900):  # 900: under SQLite's oldest limit of 999 parameters
            chunk = ids[start : start + 900]
            where = f"{qn('id')} IN ({', '.join(['%s'] * len(chunk))})"
            cursor.execute(
                f"INSERT INTO {qn(history._meta.db_table)} ({column_list}, {qn('history_date')}, "  # noqa: S608 - names from model metadata, values as parameters
                f"{qn('history_change_reason')}, {qn('history_type')}, {qn('history_user_id')}) "
                f"SELECT {column_list}, %s, %s, %s, %s FROM {qn(Member._meta.db_table)} WHERE {where}",
                [when, note, "+", by_id, *chunk],
            )
            cursor.execute(
                f"INSERT INTO {qn(event.db_table)} ({event_columns}) "  # noqa: S608 - as above
                f"SELECT {qn('id')}, %s, %s, %s, %s, {qn(Member._meta.get_field('union').column)} "
                f"FROM {qn(Member._meta.db_table)} WHERE {where}",
                [MembershipEvent.Kind.IMPORTED, by_id, when, note[:300], *chunk],
            )


#: Fields :func:`write_members` sets itself on every imported member.
_WRITER_FIELDS = frozenset(
    {
        "id",
        "status",
        "channel",
        "card_number",
        "decided_at",
        "decided_by_id",
        "filed_by_id",
        "applied_at",
        "updated_at",
    }
)
#: What the confirm step keeps of a checked member: everything ``build_member`` made of the row
#: (derived from the model, so a field it learns to fill is kept too), and nothing to work out again.
MEMBER_CHECKED_FIELDS = tuple(
    f.attname for f in Member._meta.concrete_fields if f.attname not in _WRITER_FIELDS
)
_CHECKED_DATES = frozenset(
    f.attname
    for f in Member._meta.concrete_fields
    if isinstance(f, models.DateField)
    and not isinstance(f, models.DateTimeField)
    and f.attname not in _WRITER_FIELDS
)


def member_checked_index(field: str) -> int:
    """Where ``field`` sits in a checked row (the row number comes first)."""
    return 1 + MEMBER_CHECKED_FIELDS.index(field)


def member_checked_values(values: list) -> dict:
    """The fields of a row kept by :meth:`MemberResource.checked_row`, for :func:`write_members`."""
    data = dict(zip(MEMBER_CHECKED_FIELDS, values[1:], strict=True))
    for key in _CHECKED_DATES:
        if data[key]:
            data[key] = dt.date.fromisoformat(data[key])
    return data


class MemberResource(CheckedImportResource):
    """Members as staff keep them in spreadsheets.

    Import: ``MemberResource(by=user).import_data(read_dataset(raw), dry_run=...)``. Export:
    ``MemberResource(by=user, masked=True).export(queryset)``; ID numbers and phones are masked
    unless ``masked=False`` (the caller checks ``members.export_unmasked_member`` and logs it).
    """

    required_headers = MEMBER_REQUIRED
    optional_headers = MEMBER_OPTIONAL
    ignored_headers = MEMBER_IGNORED

    name = Field(attribute="name", column_name=NAME)
    id_number = Field(attribute="id_number", column_name=ID_NUMBER)
    mobile = Field(attribute="mobile", column_name=MOBILE)
    sex = Field(attribute="sex", column_name=SEX, readonly=True)
    birth_date = Field(attribute="birth_date", column_name=BIRTH_DATE, readonly=True)
    union = Field(attribute="union", column_name=UNION)
    employer = Field(attribute="employer", column_name=EMPLOYER)
    job = Field(attribute="job", column_name=JOB)
    skill_grade = Field(attribute="skill_grade", column_name=SKILL)
    household_type = Field(attribute="household_type", column_name=HOUSEHOLD)
    is_migrant_worker = Field(attribute="is_migrant_worker", column_name=MIGRANT)
    card_number = Field(attribute="card_number", column_name=CARD, readonly=True)
    join_date = Field(attribute="join_date", column_name=JOIN_DATE)
    status = Field(attribute="status", column_name=STATUS, readonly=True)

    class Meta(CheckedImportResource.Meta):
        model = Member
        fields = ("name", "id_number", "mobile", "sex", "birth_date", "union", "employer", "job", "skill_grade",
                  "household_type", "is_migrant_worker", "card_number", "join_date", "status")  # fmt: skip
        export_order = fields

    def __init__(self, *, masked: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.masked = masked
        self._skill_words = _words(SkillGrade, SKILL_LABELS, SKILL_WORDS)
        self._household_words = _words(HouseholdType, HOUSEHOLD_LABELS, HOUSEHOLD_WORDS)

    def prepare(self, dataset) -> None:
        fields = ("id", "name", "kind", "is_active", "enterprise_id", "path", "depth")
        self._unions = _name_index(
            Organisation.objects.visible_to(self.by).only(*fields), lambda o: o.name.strip()
        )
        enterprises = list(Enterprise.objects.visible_to(self.by).only("id", "name", "credit_code"))
        self._employers = _name_index(enterprises, lambda e: e.name.strip())
        self._employers.update({e.credit_code.upper(): e for e in enterprises})
        self._open = self._open_hashes_in(dataset)
        self._seen: dict[str, int] = {}
        self._today = timezone.localdate()

    @staticmethod
    def _open_hashes_in(dataset, chunk: int = 5000) -> set[str]:
        """Blind indexes of the file's ID numbers that already have an open membership: looked up in chunks,
        so memory follows the file, not the member table (all open hashes of a million members: +246 MB)."""
        from union_portal.core.validators import parse_id_number

        keys = set()
        if dataset is not None and ID_NUMBER in (dataset.headers or []):
            for raw in dataset[ID_NUMBER]:
                try:
                    keys.add(id_number_key(parse_id_number(raw).number))
                except ValidationError:
                    continue  # reported as a row error when the row is read
        keys = list(keys)
        found: set[str] = set()
        for start in range(0, len(keys), chunk):
            found.update(
                Member.objects.open()
                .filter(id_number_hash__in=keys[start : start + chunk])
                .values_list("id_number_hash", flat=True)
            )
        return found

    # -- one row -------------------------------------------------------------------------------------

    def init_instance(self, row=None):
        get = row.get
        data = {"name": get(NAME), "id_number": get(ID_NUMBER), "mobile": get(MOBILE)}
        errors: dict[str, str] = {}
        if not (data["name"] or data["id_number"]) and not any(_text(v) for v in row.values()):
            return None  # an empty row, as Excel leaves them at the end of a sheet
        union_name = _text(get(UNION))
        union = self._unions.get(union_name) if union_name else None
        if union is _AMBIGUOUS:
            errors[UNION] = _("Several unions are called “%(name)s”: ask the district to rename one.") % {
                "name": union_name
            }
        elif union_name and union is None:
            errors[UNION] = _(
                "Unknown union “%(name)s”: no union of this exact name in your organisation."
            ) % {"name": union_name}
        else:
            data["union"] = union
        if EMPLOYER in row:
            employer_name = _text(get(EMPLOYER))
            employer = (self._employers.get(employer_name) or self._employers.get(employer_name.upper())
                        if employer_name else None)  # fmt: skip
            if employer is _AMBIGUOUS:
                errors[EMPLOYER] = _(
                    "Several employers are called “%(name)s”: give the credit code instead."
                ) % {"name": employer_name}
            elif employer_name and employer is None:
                errors[EMPLOYER] = _("Unknown employer “%(name)s”: give its exact name or credit code.") % {
                    "name": employer_name
                }
            else:
                data["employer"] = employer
        if JOB in row:
            data["job"] = get(JOB)
        if SKILL in row:
            raw = _text(get(SKILL))
            data["skill_grade"] = self._skill_words.get(raw.lower(), raw)
        if HOUSEHOLD in row:
            raw = _text(get(HOUSEHOLD))
            if raw:
                data["household_type"] = self._household_words.get(raw.lower(), raw)
        if MIGRANT in row:
            raw = _text(get(MIGRANT)).lower()
            if raw in YES_NO:
                data["is_migrant_worker"] = YES_NO[raw]
            else:
                errors[MIGRANT] = _("Write 是 or 否.")
        join_date = None
        raw_date = _text(get(JOIN_DATE)) if JOIN_DATE in row else ""
        if raw_date:
            try:
                join_date = _parse_date(raw_date)
            except ValueError:
                errors[JOIN_DATE] = _("Write the date as 2024-03-01.")
            else:
                if join_date > self._today:
                    errors[JOIN_DATE] = _("The join date cannot be in the future.")
        cleaned = self._clean(data, errors)
        if join_date is not None and join_date < cleaned["birth_date"]:
            raise self.bad_row({JOIN_DATE: _("The join date is before the birth date.")})
        member = build_member(cleaned, channel=Channel.IMPORT, filed_by=self.by)
        member.join_date = join_date
        key = member.id_number_hash
        first = self._seen.get(key)
        if first is not None:
            raise self.bad_row(
                {ID_NUMBER: _("The same ID number is already on row %(row)d.") % {"row": first}}
            )
        self._seen[key] = self.line
        if key in self._open:
            raise self.bad_row(
                {ID_NUMBER: _("This ID number already has an open membership or application.")}
            )
        return member

    def _clean(self, data: dict, errors: dict) -> dict:
        """The service's check of the row; on failure, every wrong column of the row."""
        if not errors:
            try:
                return clean_member_input(data)
            except ApplicationError as exc:
                first = exc
        else:
            first = None
        for field in MEMBER_FIELD_COLUMNS:
            column = MEMBER_FIELD_COLUMNS[field]
            if column in errors or field not in data:
                continue
            try:
                clean_member_input({field: data[field]}, partial=True)
            except ApplicationError as exc:
                errors[MEMBER_FIELD_COLUMNS.get(exc.field, column)] = str(exc)
        if not errors and first is not None:
            errors[MEMBER_FIELD_COLUMNS.get(first.field, "")] = str(first)
        raise self.bad_row(errors)

    def write(self, batch: list[Member]) -> None:
        write_members(batch, by=self.by)

    def checked_row(self, member: Member) -> list:
        values = [getattr(member, f) for f in MEMBER_CHECKED_FIELDS]
        return [self._seen[member.id_number_hash],
                *(v.isoformat() if isinstance(v, dt.date) else v for v in values)]  # fmt: skip

    # -- export --------------------------------------------------------------------------------------

    def get_queryset(self):
        return Member.objects.visible_to(self.by).select_related("union", "employer")

    def export_values(self, m: Member) -> list:
        if not hasattr(self, "_status_labels"):
            self._status_labels = {code: str(label) for code, label in MemberStatus.choices}
        id_number, mobile = (
            (mask_id_number(m.id_number), mask_phone(m.mobile)) if self.masked else (m.id_number, m.mobile)
        )
        return [
            m.name, id_number, mobile, SEX_LABELS.get(m.sex, ""), m.birth_date.isoformat() if m.birth_date else "",
            m.union.name if m.union_id else "", m.employer.name if m.employer_id else "", m.job,
            SKILL_LABELS.get(m.skill_grade, m.skill_grade), HOUSEHOLD_LABELS.get(m.household_type, m.household_type),
            "是" if m.is_migrant_worker else "否", m.card_number or "",
            m.join_date.isoformat() if m.join_date else "", self._status_labels.get(m.status, m.status),
        ]  # fmt: skip


# --- enterprises -----------------------------------------------------------------------------------


class EnterpriseResource(CheckedImportResource):
    """Enterprises (单位): name, credit code, industry, ownership, town, headcount, address."""

    required_headers = ENTERPRISE_REQUIRED
    optional_headers = ENTERPRISE_OPTIONAL
    ignored_headers = ENTERPRISE_IGNORED

    name = Field(attribute="name", column_name=ENT_NAME)
    credit_code = Field(attribute="credit_code", column_name=ENT_CODE)
    industry = Field(attribute="industry", column_name=ENT_INDUSTRY)
    ownership = Field(attribute="ownership", column_name=ENT_OWNERSHIP)
    town = Field(attribute="town", column_name=ENT_TOWN)
    headcount = Field(attribute="headcount", column_name=ENT_HEADCOUNT)
    address = Field(attribute="address", column_name=ENT_ADDRESS)

    class Meta(CheckedImportResource.Meta):
        model = Enterprise
        fields = ("name", "credit_code", "industry", "ownership", "town", "headcount", "address")
        export_order = fields

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._industry_words = _words(Industry, INDUSTRY_LABELS, {})
        self._ownership_words = _words(Ownership, OWNERSHIP_LABELS, OWNERSHIP_WORDS)

    def prepare(self, dataset) -> None:
        towns = (
            Organisation.objects.visible_to(self.by).filter(kind__in=TOWN_KINDS).only("id", "name", "kind")
        )
        self._towns = _name_index(towns, lambda o: o.name.strip())
        self._codes = set(Enterprise.objects.values_list("credit_code", flat=True))
        self._seen: dict[str, int] = {}

    def init_instance(self, row=None):
        if not any(_text(v) for v in row.values()):
            return None
        get = row.get
        errors: dict[str, str] = {}
        data = {"name": _text(get(ENT_NAME)), "credit_code": get(ENT_CODE)}
        try:
            cleaned = clean_enterprise_input(data)
        except ApplicationError as exc:
            errors[ENTERPRISE_FIELD_COLUMNS.get(exc.field, "")] = str(exc)
            if exc.field == "credit_code" and not data["name"]:
                errors[ENT_NAME] = _("Enter the name.")
            cleaned = data
        if len(cleaned["name"]) > 150:
            errors[ENT_NAME] = _("The name is too long.")
        town_name = _text(get(ENT_TOWN))
        town = self._towns.get(town_name)
        if not town_name:
            errors[ENT_TOWN] = _("Enter the town.")
        elif town is _AMBIGUOUS:
            errors[ENT_TOWN] = _("Several organisations are called “%(name)s”.") % {"name": town_name}
        elif town is None:
            errors[ENT_TOWN] = _("Unknown town “%(name)s”: no town federation of this exact name in your organisation.") % {"name": town_name}  # fmt: skip
        industry = ownership = None
        raw = _text(get(ENT_INDUSTRY))
        if raw:
            industry = self._industry_words.get(raw.lower()) or self._industry_words.get(raw)
            if industry is None:
                errors[ENT_INDUSTRY] = _("Unknown industry “%(value)s”. Use one of: %(words)s.") % {
                    "value": raw, "words": "、".join(INDUSTRY_LABELS.values())
                }  # fmt: skip
        raw = _text(get(ENT_OWNERSHIP))
        if raw:
            ownership = self._ownership_words.get(raw.lower()) or self._ownership_words.get(raw)
            if ownership is None:
                errors[ENT_OWNERSHIP] = _("Unknown ownership “%(value)s”. Use one of: %(words)s.") % {
                    "value": raw, "words": "、".join(OWNERSHIP_LABELS.values())
                }  # fmt: skip
        headcount = 0
        raw = _text(get(ENT_HEADCOUNT)).replace(",", "")
        if raw:
            try:
                number = float(raw)
            except ValueError:
                number = -1.0
            if number < 0 or not number.is_integer() or number > 10_000_000:
                errors[ENT_HEADCOUNT] = _("Write the headcount as a whole number.")
            else:
                headcount = int(number)
        if errors:
            raise self.bad_row(errors)
        code = cleaned["credit_code"]
        first = self._seen.get(code)
        if first is not None:
            raise self.bad_row(
                {ENT_CODE: _("The same credit code is already on row %(row)d.") % {"row": first}}
            )
        self._seen[code] = self.line
        if code in self._codes:
            raise self.bad_row({ENT_CODE: _("An enterprise with this credit code is already registered.")})
        return Enterprise(
            name=cleaned["name"],
            credit_code=code,
            industry=industry or Industry.OTHER,
            ownership=ownership or Ownership.PRIVATE,
            town_id=town.pk,
            headcount=headcount,
            address=_text(get(ENT_ADDRESS))[:200],
        )

    def write(self, batch: list[Enterprise]) -> None:
        write_enterprises(batch, by=self.by)

    def checked_row(self, e: Enterprise) -> list:
        return [self._seen[e.credit_code], e.name, e.credit_code, e.industry, e.ownership, e.town_id, e.headcount,
                e.address]  # fmt: skip

    def get_queryset(self):
        return Enterprise.objects.visible_to(self.by).select_related("town")

    def export_values(self, e: Enterprise) -> list:
        return [e.name, e.credit_code, INDUSTRY_LABELS.get(e.industry, e.industry),
                OWNERSHIP_LABELS.get(e.ownership, e.ownership), e.town.name if e.town_id else "", e.headcount,
                e.address]  # fmt: skip


ENTERPRISE_CHECKED_FIELDS = (
    "name",
    "credit_code",
    "industry",
    "ownership",
    "town_id",
    "headcount",
    "address",
)


def enterprise_from_checked(values: list) -> tuple[int, Enterprise]:
    line, *fields = values
    return line, Enterprise(**dict(zip(ENTERPRISE_CHECKED_FIELDS, fields, strict=True)))


def write_enterprises(enterprises: list[Enterprise], *, by, note: str = "") -> list[Enterprise]:
    """Save checked, unsaved enterprises with their history rows. Call inside a transaction."""
    if not enterprises:
        return []
    return bulk_create_with_history(
        enterprises, Enterprise, batch_size=len(enterprises), default_user=by,
        default_change_reason=note or _("Bulk import"),
    )  # fmt: skip
