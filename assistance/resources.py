"""Import of hardship files from a spreadsheet, through the one pipeline of ``union_portal.imports``.

One row per person of a household, so that every household member has cells of their own (name,
relation, age, health, work, monthly income) instead of one cell to parse. The rows of one household
carry the ID number of the member who holds the file; the file's own columns (level, causes, next
re-check, help centre, notes) are filled on at least one of its rows, and where they are filled on
several they must agree::

    会员身份证号        | 困难等级 | 致困原因       | 下次复核日期 | 成员姓名 | 与会员关系 | 年龄 | 健康状况 | 就业状况 | 月收入
    440607199001011234 | 深度困难 | 疾病、子女就学 | 2027-03-01   | 陈晓明   | 本人       | 36   | 慢性病   | 在职     | 2100
    440607199001011234 |          |                |              | 李梅     | 配偶       | 35   |          | 失业     | 0

Levels, causes, relations, health and work are taken as codes, as their Chinese or English labels,
or as the words staff write (配偶, 下岗...). Each file is opened with ``hardship_file_open`` by the
importing user, so the scope, the one-active-file rule and the income per head are the service's: the
check runs every file through the service in a transaction that is rolled back, the confirm for real.
The member is found by the blind index of the ID number among the members the user may see.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.models import Member
from members.services import id_number_key
from union_portal.core.errors import ApplicationError
from union_portal.core.masking import mask_id_number
from union_portal.core.validators import id_check_digit, parse_id_number
from union_portal.imports.columns import Column, cell_text
from union_portal.imports.registry import ImportKind
from union_portal.imports.resources import CheckedResource, Row, RowError

from . import services
from .models import Cause, HardshipLevel, Health, HelpCentre, Relation, WorkStatus

MEMBER_ID, LEVEL, CAUSES, RECHECK, CENTRE, NOTES = (
    "会员身份证号",
    "困难等级",
    "致困原因",
    "下次复核日期",
    "帮扶中心",
    "情况说明",
)
PERSON, RELATION, AGE, HEALTH, WORK, INCOME = (
    "成员姓名",
    "与会员关系",
    "年龄",
    "健康状况",
    "就业状况",
    "月收入",
)
#: The columns of the file itself (the rest describe one person of the household).
FILE_FIELDS = ("level", "causes", "next_recheck_on", "centre", "notes")

#: The words staff write in their spreadsheets (also accepted: the codes and the translated labels).
LEVEL_WORDS = {"意外致困": HardshipLevel.SUDDEN, "突发困难": HardshipLevel.SUDDEN}
CAUSE_WORDS = {"疾病": Cause.ILLNESS, "患病": Cause.ILLNESS, "残疾": Cause.DISABILITY, "失业": Cause.UNEMPLOYMENT,
               "下岗": Cause.UNEMPLOYMENT, "灾害": Cause.DISASTER, "意外": Cause.DISASTER, "子女就学": Cause.SCHOOLING,
               "就学": Cause.SCHOOLING}  # fmt: skip
RELATION_WORDS = {"本人": Relation.SELF, "子女": Relation.CHILD, "儿子": Relation.CHILD, "女儿": Relation.CHILD,
                  "父母": Relation.PARENT, "父亲": Relation.PARENT, "母亲": Relation.PARENT,
                  "兄弟姐妹": Relation.SIBLING, "其他": Relation.OTHER}  # fmt: skip
HEALTH_WORDS = {
    "慢性病": Health.CHRONIC,
    "重病": Health.SERIOUS,
    "大病": Health.SERIOUS,
    "残疾": Health.DISABLED,
}
WORK_WORDS = {"就业": WorkStatus.EMPLOYED, "下岗": WorkStatus.UNEMPLOYED, "学生": WorkStatus.STUDENT,
              "在校": WorkStatus.STUDENT, "退休": WorkStatus.RETIRED, "学龄前": WorkStatus.CHILD}  # fmt: skip
#: Which column a service error of a field belongs to.
SERVICE_COLUMNS = {"member": MEMBER_ID, "level": LEVEL, "causes": CAUSES, "next_recheck_on": RECHECK,
                   "centre": CENTRE, "notes": NOTES, "household": ""}  # fmt: skip
_EXAMPLE_ID = "44060719850612002" + id_check_digit("44060719850612002")


class HardshipFileResource(CheckedResource):
    """Hardship files with their households, one row per household member."""

    columns = (
        Column(MEMBER_ID, "member_id_number", kind="identifier", required=True, max_length=30, example=_EXAMPLE_ID,
               help=gettext_lazy("The ID number of the member who holds the file, on every row of the household.")),
        Column(LEVEL, "level", kind="choice", choices=HardshipLevel, words=LEVEL_WORDS, required=True,
               example="深度困难", help=gettext_lazy("On at least one row of the household.")),
        Column(CAUSES, "causes", kind="choices", choices=Cause, words=CAUSE_WORDS, required=True,
               example="疾病、子女就学", help=gettext_lazy("On at least one row of the household.")),
        Column(RECHECK, "next_recheck_on", kind="date", example="",
               help=gettext_lazy("Empty: a year after the file is opened.")),
        Column(CENTRE, "centre", max_length=100, example="",
               help=gettext_lazy("The exact name of a help centre of your organisation, or empty.")),
        Column(NOTES, "notes", max_length=2000, multiline=True, example=""),
        Column(PERSON, "name", required=True, max_length=50, example="陈晓明"),
        Column(RELATION, "relation", kind="choice", choices=Relation, words=RELATION_WORDS, required=True,
               example="本人", help=gettext_lazy("The member who holds the file is 本人.")),
        Column(AGE, "age", kind="int", minimum=0, maximum=130, required=True, example="36"),
        Column(HEALTH, "health", kind="choice", choices=Health, words=HEALTH_WORDS, example="健康",
               help=gettext_lazy("Empty: healthy.")),
        Column(WORK, "work", kind="choice", choices=WorkStatus, words=WORK_WORDS, example="在职",
               help=gettext_lazy("Empty: employed.")),
        Column(INCOME, "monthly_income", kind="decimal", example="2100",
               help=gettext_lazy("This person's monthly income in yuan; empty: 0.")),
    )  # fmt: skip
    checked_fields = {"member_id": None, "level": None, "causes": None, "next_recheck_on": "date",
                      "centre_id": None, "notes": None, "household": None}  # fmt: skip
    check_by_writing = True

    def prepare(self) -> None:
        self._files: dict[str, dict] = {}
        self._names: dict[int, str] = {}
        centres = HelpCentre.objects.visible_to(self.by).filter(is_active=True).only("id", "name")
        self._centres: dict = {}
        for centre in centres:
            self._centres[centre.name.strip()] = None if centre.name.strip() in self._centres else centre.pk

    def check_row(self, row: Row) -> None:
        number = None
        try:
            number = parse_id_number(row.get("member_id_number", "")).number
        except ValidationError as exc:
            row.error("member_id_number", " ".join(exc.messages))
        person = {
            key: row.get(key) for key in ("name", "relation", "age", "health", "work", "monthly_income")
        }
        if not row.errors:
            try:
                services.clean_household_row({**person, "monthly_income": person["monthly_income"] or 0})
            except ApplicationError as exc:
                row.error(SERVICE_COLUMNS.get(exc.field or "", ""), str(exc))
        centre = row.get("centre")
        if centre and self._centres.get(centre) is None:
            row.error("centre", _("Unknown help centre “%(name)s”: no active centre of this exact name in your organisation.")
                      % {"name": centre})  # fmt: skip
        if row.errors:
            raise row.fail()
        group = self._files.setdefault(number, {"line": row.line, "number": number, "household": []})
        for key in FILE_FIELDS:
            value = sorted(row.get(key)) if key == "causes" and row.get(key) else row.get(key)
            if value in (None, "", []):
                continue
            if key not in group:
                group[key], group[f"{key}_line"] = value, row.line
            elif group[key] != value:
                raise RowError(
                    {
                        key: _(
                            "Differs from row %(row)d of the same household: fill it in once, or the same on every row."
                        )
                        % {"row": group[f"{key}_line"]}
                    }  # fmt: skip
                )
        group["household"].append(
            {
                **person,
                "health": person["health"] or Health.HEALTHY,
                "work": person["work"] or WorkStatus.EMPLOYED,
                "monthly_income": str(person["monthly_income"] or 0),
            }  # fmt: skip
        )
        return

    def finish(self) -> Iterable[tuple[int, dict | RowError]]:
        """One record per household, once every row of the file has been read."""
        members = {}
        hashes = [id_number_key(n) for n in self._files]
        for start in range(0, len(hashes), 1000):
            for member in Member.objects.visible_to(self.by).filter(
                id_number_hash__in=hashes[start : start + 1000]
            ):
                members[member.id_number_hash] = member
        for number, group in sorted(self._files.items(), key=lambda item: item[1]["line"]):
            member = members.get(id_number_key(number))
            if member is None:
                yield (
                    group["line"],
                    RowError({MEMBER_ID: _("No member of your organisation has this ID number.")}),
                )
                continue
            missing = {
                key: _("Fill this in on one row of the household.")
                for key in ("level", "causes")
                if key not in group
            }
            if missing:
                yield group["line"], RowError(missing)
                continue
            self._names[member.pk] = (member.masked_name, mask_id_number(number))
            yield (
                group["line"],
                {
                    "member_id": member.pk,
                    "level": group["level"],
                    "causes": group["causes"],
                    "next_recheck_on": group.get("next_recheck_on"),
                    "centre_id": self._centres.get(group.get("centre")),
                    "notes": group.get("notes", ""),
                    "household": group["household"],
                },
            )

    def write(self, records) -> None:
        members = Member.objects.in_bulk([r["member_id"] for _line, r in records])
        centres = HelpCentre.objects.in_bulk([r["centre_id"] for _line, r in records if r["centre_id"]])
        for line, record in records:
            try:
                services.hardship_file_open(
                    member=members[record["member_id"]],
                    by=self.by,
                    level=record["level"],
                    causes=record["causes"],
                    household=record["household"],
                    next_recheck_on=record["next_recheck_on"],
                    centre=centres.get(record["centre_id"]),
                    notes=record["notes"],
                )
            except ApplicationError as exc:
                raise RowError({SERVICE_COLUMNS.get(exc.field or "", ""): str(exc)}, line=line) from None

    def describe(self, outcome) -> str:
        return _("%(rows)d row(s) checked: %(files)d hardship file(s) ready to open.") % {
            "rows": outcome.rows, "files": outcome.checked,
        }  # fmt: skip

    def describe_written(self, written: int) -> str:
        return _("%(n)d hardship file(s) opened.") % {"n": written}

    def preview_headers(self) -> list[str]:
        return [
            _("member"),
            MEMBER_ID,
            LEVEL,
            CAUSES,
            _("household size"),
            _("monthly income per head"),
            RECHECK,
        ]

    def preview_row(self, record: dict) -> list[str]:
        name, number = self._names.get(record["member_id"], ("", ""))
        figures = services.household_figures(record["household"])
        level = HardshipLevel(record["level"]).label
        causes = "、".join(str(Cause(c).label) for c in record["causes"])
        recheck = record["next_recheck_on"].isoformat() if record["next_recheck_on"] else _("in a year")
        return [
            name,
            number,
            str(level),
            causes,
            str(figures.size),
            f"¥{figures.per_head}",
            cell_text(recheck),
        ]


IMPORTS = [
    ImportKind(
        key="hardship_files",
        label=gettext_lazy("hardship files"),
        permission="assistance.import_hardshipfile",
        resource=HardshipFileResource,
    )
]
