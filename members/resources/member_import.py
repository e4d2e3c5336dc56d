"""The member import: a row becomes service input, checked by the services' own rules.

Chinese headers and words (高级工, 非本地户籍, 是) become codes through the columns; a union or an
employer name becomes the row it names among those the importer may see; then ``clean_member_input``
and ``member_values`` (what ``build_member`` makes, as values: no model instance per row) check and
complete the row, as for a member registered in the admin. What docs/pitfalls.md measured shapes the rest: lookups (unions, employers) are loaded once per file; the ID
numbers that already have an open membership are looked up per batch of the file (memory follows
the batch, not the member table); duplicates inside the file are found by the pipeline before
anything is written, so the bulk writer never fails on a row we could have named.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from union_portal.core.errors import ApplicationError
from union_portal.core.masking import mask_id_number, mask_phone
from union_portal.core.validators import id_check_digit
from union_portal.imports.columns import Column
from union_portal.imports.resources import CheckedResource, Row
from union_portal.organisations.models import MEMBER_UNION_KINDS, Enterprise, Organisation

from ..models import Channel, HouseholdType, Member, SkillGrade
from ..services import clean_member_input, make_card_numbers, member_values
from .vocabulary import (
    BIRTH_DATE,
    CARD,
    EMPLOYER,
    HOUSEHOLD,
    HOUSEHOLD_LABELS,
    HOUSEHOLD_WORDS,
    ID_NUMBER,
    JOB,
    JOIN_DATE,
    MIGRANT,
    MOBILE,
    NAME,
    SEX,
    SEX_LABELS,
    SKILL,
    SKILL_LABELS,
    SKILL_WORDS,
    STATUS,
    UNION,
)  # fmt: skip
from .writes import MEMBER_CHECKED_FIELDS, write_members

_AMBIGUOUS = object()
#: Card numbers are drawn for this many batches at a time (each draw looks up the numbers issued).
CARD_DRAW_BATCHES = 5
_EXAMPLE_ID = "44060719900307123" + id_check_digit("44060719900307123")
#: Fields of the service input, in the order their errors are reported.
_SERVICE_FIELDS = ("name", "id_number", "mobile", "union", "employer", "job", "skill_grade", "household_type",
                   "is_migrant_worker")  # fmt: skip


def name_index(rows, key) -> dict:
    """``{name: row}``; a name two rows share maps to a marker (the row cannot be named by it)."""
    index: dict = {}
    for obj in rows:
        name = key(obj)
        index[name] = _AMBIGUOUS if name in index else obj
    return index


class MemberResource(CheckedResource):
    """Members as staff keep them in spreadsheets (and as the provincial platform exports them)."""

    columns = (
        Column(NAME, "name", required=True, max_length=50, example="陈伟"),
        Column(ID_NUMBER, "id_number", kind="identifier", required=True, max_length=30, example=_EXAMPLE_ID),
        Column(MOBILE, "mobile", kind="identifier", required=True, max_length=30, example="13800138000"),
        Column(UNION, "union", required=True, max_length=100, example="某某公司工会委员会",
               help=gettext_lazy("The exact name of a grassroots union, branch or group in your organisation.")),
        Column(EMPLOYER, "employer", max_length=150, example="",
               help=gettext_lazy("The exact name of the employer, or its unified social credit code.")),
        Column(JOB, "job", max_length=100, multiline=True, example="操作工"),
        Column(SKILL, "skill_grade", kind="choice", choices=SkillGrade, words=SKILL_WORDS, labels=SKILL_LABELS,
               error=gettext_lazy("Unknown skill grade."), example="高级工"),
        Column(HOUSEHOLD, "household_type", kind="choice", choices=HouseholdType, words=HOUSEHOLD_WORDS,
               labels=HOUSEHOLD_LABELS, error=gettext_lazy("Choose local or non-local household."), example="本地",
               help=gettext_lazy("Empty: local.")),
        Column(MIGRANT, "is_migrant_worker", kind="bool", example="否"),
        Column(JOIN_DATE, "join_date", kind="date", example="2024-03-01",
               help=gettext_lazy("Empty: the day of the import.")),
        Column(SEX), Column(BIRTH_DATE), Column(CARD), Column(STATUS),
    )  # fmt: skip
    checked_fields = MEMBER_CHECKED_FIELDS
    background_writes = True  # write_members only copies (COPY, INSERT ... SELECT): nothing read back
    # check_row reads only what prepare() loaded (no query: clean_member_input and member_values are
    # pure, their caches only speed them up), keeps nothing from one row to the next, returns plain
    # values; finish() yields nothing.
    parallel_check = True
    duplicate_message = gettext_lazy("The same ID number is already on row %(row)d.")
    duplicate_column = ID_NUMBER

    def prepare(self) -> None:
        fields = ("id", "name", "kind", "is_active", "enterprise_id", "path", "depth")
        unions = list(Organisation.objects.visible_to(self.by).only(*fields))
        self._unions = name_index(unions, lambda o: o.name.strip())
        self._union_names = {o.pk: o.name for o in unions}
        enterprises = list(Enterprise.objects.visible_to(self.by).only("id", "name", "credit_code"))
        self._employers = name_index(enterprises, lambda e: e.name.strip())
        self._employers.update({e.credit_code.upper(): e for e in enterprises})
        self._employer_names = {e.pk: e.name for e in enterprises}
        self._today = timezone.localdate()
        self._labels = {c.field: c.label_of for c in self.columns if c.kind == "choice"}

    # -- one row ---------------------------------------------------------------------------------------

    def check_row(self, row: Row) -> dict:
        data = {
            "name": row.get("name", ""),
            "id_number": row.get("id_number", ""),
            "mobile": row.get("mobile", ""),
        }
        union_name = row.get("union", "")
        union = self._unions.get(union_name) if union_name else None
        if union is _AMBIGUOUS:
            row.error("union", _("Several unions are called “%(name)s”: ask the district to rename one.")
                      % {"name": union_name})  # fmt: skip
        elif union_name and union is None:
            row.error("union", _("Unknown union “%(name)s”: no union of this exact name in your organisation.")
                      % {"name": union_name})  # fmt: skip
        elif "union" in row:
            data["union"] = union
        if "employer" in row:
            employer_name = row["employer"]
            employer = (self._employers.get(employer_name) or self._employers.get(employer_name.upper())
                        if employer_name else None)  # fmt: skip
            if employer is _AMBIGUOUS:
                row.error("employer", _("Several employers are called “%(name)s”: give the credit code instead.")
                          % {"name": employer_name})  # fmt: skip
            elif employer_name and employer is None:
                row.error("employer", _("Unknown employer “%(name)s”: give its exact name or credit code.")
                          % {"name": employer_name})  # fmt: skip
            else:
                data["employer"] = employer
        if "job" in row:
            data["job"] = row["job"]
        if "skill_grade" in row:
            data["skill_grade"] = row["skill_grade"] or SkillGrade.NONE
        if row.get("household_type"):
            data["household_type"] = row["household_type"]
        if row.get("is_migrant_worker") is not None:
            data["is_migrant_worker"] = row["is_migrant_worker"]
        join_date = row.get("join_date")
        if join_date is not None and join_date > self._today:
            row.error("join_date", _("The join date cannot be in the future."))
        cleaned = self._clean(data, row)
        if join_date is not None and join_date < cleaned["birth_date"]:
            row.error("join_date", _("The join date is before the birth date."))
            raise row.fail()
        values = member_values(cleaned, channel=Channel.IMPORT, filed_by=self.by)
        values["join_date"] = join_date
        return {f: values[f] for f in MEMBER_CHECKED_FIELDS}

    def _clean(self, data: dict, row: Row) -> dict:
        """The service's check of the row; on failure, every wrong column of the row."""
        first = None
        if not row.errors:
            try:
                return clean_member_input(data, applied_on=self._today)
            except ApplicationError as exc:
                first = exc
        for name in _SERVICE_FIELDS:
            if name not in data or row.resource.header_of(name) in row.errors:
                continue
            try:
                clean_member_input({name: data[name]}, partial=True, applied_on=self._today)
            except ApplicationError as exc:
                row.error(exc.field or name, str(exc))
        if not row.errors and first is not None:
            row.error(first.field or "", str(first))
        raise row.fail()

    def unique_key(self, record: dict) -> str:
        return record["id_number_hash"]

    def check_batch(self, records):
        open_ids = set(
            Member.objects.open()
            .filter(id_number_hash__any=[r["id_number_hash"] for _line, r in records])
            .values_list("id_number_hash", flat=True)
        )
        message = _("This ID number already has an open membership or application.")
        return {line: {ID_NUMBER: message} for line, r in records if r["id_number_hash"] in open_ids}

    def recheck(self, records):
        allowed = set(
            Organisation.objects.visible_to(self.by)
            .filter(
                pk__in={r["union_id"] for _line, r in records}, kind__in=MEMBER_UNION_KINDS, is_active=True
            )
            .values_list("pk", flat=True)
        )
        problems = self.check_batch(records)
        for line, record in records:
            if record["union_id"] not in allowed:
                problems.setdefault(line, {})[UNION] = _("This union is no longer one you may import into.")
        return problems

    # -- the write -----------------------------------------------------------------------------------

    def reserve(self, count: int) -> None:
        # Card numbers are drawn in ``write``, a few batches' worth at a time, while the statements
        # of the batches before run in the background (drawing them is a tenth of an import's time);
        # they lock nothing. The numbers of this import are remembered: a draw's look-up cannot see
        # those still queued.
        self._issued: set[str] = set()
        self._pool: list[str] = []
        self._to_draw = count

    def _cards(self, count: int) -> list[str]:
        if not hasattr(self, "_issued"):
            self.reserve(count)
        pool = self._pool
        while len(pool) < count:
            wanted = max(
                count - len(pool), min(CARD_DRAW_BATCHES * self.batch_size, self._to_draw - len(pool))
            )
            for card in make_card_numbers(wanted):
                if card not in self._issued:
                    self._issued.add(card)
                    pool.append(card)
        self._to_draw = max(self._to_draw - count, 0)
        cards, self._pool = pool[:count], pool[count:]
        return cards

    def write(self, records) -> None:
        members = [record for _line, record in records]
        write_members(members, by=self.by, cards=iter(self._cards(len(members))))

    # -- the preview ---------------------------------------------------------------------------------

    def preview_headers(self) -> list[str]:
        return [
            NAME,
            ID_NUMBER,
            MOBILE,
            SEX,
            BIRTH_DATE,
            UNION,
            EMPLOYER,
            JOB,
            SKILL,
            HOUSEHOLD,
            MIGRANT,
            JOIN_DATE,
        ]

    def preview_row(self, r: dict) -> list[str]:
        return [
            r["name"], mask_id_number(r["id_number"]), mask_phone(r["mobile"]), SEX_LABELS.get(r["sex"], ""),
            r["birth_date"].isoformat(), self._union_names.get(r["union_id"], ""),
            self._employer_names.get(r["employer_id"], ""), r["job"], self._labels["skill_grade"](r["skill_grade"]),
            self._labels["household_type"](r["household_type"]), "是" if r["is_migrant_worker"] else "否",
            (r["join_date"] or self._today).isoformat(),
        ]  # fmt: skip
