"""Imports of the past, through the one pipeline of ``union_portal.imports`` (upload, check, confirm):
honours conferred before the portal, and the results of contests held before it.

Honours, one row per honour::

    称号       | 级别 | 身份证号           | 获得者名称   | 所属工会           | 授予日期
    区劳动模范 | 区级 | 440607198506120021 |              |                    | 2021-04-28
    工人先锋号 | 区级 |                    | 灌装车间一班 | 健力宝集团工会     | 2022-04-28

A person's title names the member by ID number (found by its blind index among the members the
importing user may see; the union is the member's own unless given); a team's, an enterprise's or a
union's title names the holder and the union. Every row goes through ``honour_record``.

Past contest results, one row per entry::

    竞赛名称                 | 身份证号           | 班组名称 | 项目名称 | 总分  | 名次 | 奖项   | 等级
    2023年叉车司机技能竞赛   | 440607198506120021 |          |          | 92.5  | 1    | 一等奖 |

A work team's row names its leader by ID number and the team-mates in 队员卡号 (membership card
numbers separated by spaces, commas or 、). The contest is one being prepared, whose registration
closed in the past, made beforehand in the admin; every row goes through ``entry_record_result``, and
staff publish the results afterwards.

Both check *by writing* (their rules live in the services): each row is written through its service in
a transaction that is rolled back, so every service error becomes an error of its row and column.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.models import Member
from members.services import id_number_key
from union_portal.core.errors import ApplicationError
from union_portal.core.masking import mask_id_number, mask_name
from union_portal.core.validators import id_check_digit, parse_id_number
from union_portal.imports.columns import Column, cell_text
from union_portal.imports.registry import ImportKind
from union_portal.imports.resources import CheckedResource, Row, RowError
from union_portal.organisations.models import Organisation

from . import services
from .models import Contest, ContestStatus, Grade, HolderKind, HonourTitle, Level, Prize

_EXAMPLE_ID = "44060719850612002" + id_check_digit("44060719850612002")
LEVEL_WORDS = {"区级": Level.DISTRICT, "区": Level.DISTRICT, "市级": Level.CITY, "市": Level.CITY,
               "省级": Level.PROVINCE, "省": Level.PROVINCE, "全国": Level.NATIONAL, "国家级": Level.NATIONAL}  # fmt: skip
PRIZE_WORDS = {"一等奖": Prize.FIRST, "二等奖": Prize.SECOND, "三等奖": Prize.THIRD, "优秀奖": Prize.EXCELLENT,
               "无": Prize.NONE, "未获奖": Prize.NONE}  # fmt: skip
GRADE_WORDS = {"一等": Grade.FIRST, "二等": Grade.SECOND, "三等": Grade.THIRD, "优秀": Grade.EXCELLENT,
               "积极成果": Grade.POSITIVE, "成果显著": Grade.POSITIVE}  # fmt: skip


#: Between the team-mates' card numbers in one cell: spaces, line breaks, commas (half or full width), 、, ；
TEAM_CARD_SEPARATORS = re.compile(r"[\s,，、;；]+")


def _members_by_id(by, numbers) -> dict[str, Member]:
    """Members ``by`` may see, by the blind index of their ID number (one query per 1,000 numbers)."""
    hashes = sorted({id_number_key(n) for n in numbers})
    found: dict[str, Member] = {}
    for start in range(0, len(hashes), 1000):
        for member in (
            Member.objects.visible_to(by)
            .filter(id_number_hash__in=hashes[start : start + 1000])
            .select_related("union")
        ):
            found[member.id_number_hash] = member
    return found


def _id_number(row: Row, field: str, *, required: bool) -> str | None:
    raw = row.get(field) or ""
    if not raw:
        if required:
            row.error(field, _("Fill in the ID number."))
        return None
    try:
        return parse_id_number(raw).number
    except ValidationError as exc:
        row.error(field, " ".join(exc.messages))
        return None


class _PastResource(CheckedResource):
    """What both imports share: rows checked by writing through the services, member by ID number."""

    check_by_writing = True
    service_columns: dict[str, str] = {}

    def prepare(self) -> None:
        self._pending: list[tuple[int, dict, str | None]] = []
        self._labels: dict[int, str] = {}

    def _service_error(self, exc: ApplicationError, line: int | None = None) -> RowError:
        column = self.service_columns.get(exc.field or "", "")
        return RowError({column: str(exc)}, line=line)


# --- honours ----------------------------------------------------------------------------------------------

TITLE, LEVEL, ID, HOLDER, UNION, DATE = "称号", "级别", "身份证号", "获得者名称", "所属工会", "授予日期"


class HonourResource(_PastResource):
    """Honours conferred in the past, into the honours register."""

    columns = (
        Column(TITLE, "title", required=True, max_length=100, example="区劳动模范",
               help=gettext_lazy("The exact name of a title your federation or one above it defined.")),
        Column(LEVEL, "level", kind="choice", choices=Level, words=LEVEL_WORDS, example="区级",
               help=gettext_lazy("Needed only when titles of the same name exist at several levels.")),
        Column(ID, "id_number", kind="identifier", max_length=30, example=_EXAMPLE_ID,
               help=gettext_lazy("The member's ID number, for a title held by a person.")),
        Column(HOLDER, "holder_name", max_length=100, example="",
               help=gettext_lazy("The team, enterprise or union, for a title not held by a person.")),
        Column(UNION, "union", max_length=100, example="",
               help=gettext_lazy("The exact name of the union the holder belongs to; empty for a person: their own.")),
        Column(DATE, "conferred_on", kind="date", required=True, example="2021-04-28"),
    )  # fmt: skip
    checked_fields = {"title_id": None, "member_id": None, "holder_name": None, "union_id": None,
                      "conferred_on": "date"}  # fmt: skip
    service_columns = {"member": ID, "holder_name": HOLDER, "conferred_on": DATE, "title": TITLE, "": ""}
    duplicate_message = gettext_lazy("The same honour is already on row %(row)d.")
    duplicate_column = TITLE

    def prepare(self) -> None:
        super().prepare()
        self._titles: dict[str, list[HonourTitle]] = {}
        for title in HonourTitle.objects.visible_to(self.by).select_related("organisation"):
            self._titles.setdefault(title.name.strip(), []).append(title)
        self._unions: dict[str, int | None] = {}
        for org in Organisation.objects.visible_to(self.by).only("id", "name"):
            name = org.name.strip()
            self._unions[name] = None if name in self._unions else org.pk  # a name twice: ambiguous

    def check_row(self, row: Row) -> None:
        title = None
        candidates = self._titles.get(row.get("title") or "", [])
        if row.get("level"):
            candidates = [t for t in candidates if t.level == row["level"]]
        if not candidates:
            row.error("title", _("No title of this name (and level) is defined for your organisation."))
        elif len(candidates) > 1:
            row.error("level", _("Titles of this name exist at several levels: fill in the level."))
        else:
            title = candidates[0]
        union_id = None
        if row.get("union"):
            union_id = self._unions.get(row["union"])
            if union_id is None:
                row.error("union", _("No single union of this exact name in your organisation."))
        number = None
        if title is not None and title.holder_kind == HolderKind.PERSON:
            number = _id_number(row, "id_number", required=True)
        elif title is not None:
            if not row.get("holder_name"):
                row.error("holder_name", _("Fill in the holder: the title is held by a %(kind)s.")
                          % {"kind": HolderKind(title.holder_kind).label})  # fmt: skip
            if union_id is None and not row.get("union"):
                row.error("union", _("Fill in the union of the holder."))
        if row.errors:
            raise row.fail()
        self._pending.append((row.line, {
            "title_id": title.pk, "member_id": None, "holder_name": row.get("holder_name") or "",
            "union_id": union_id, "conferred_on": row["conferred_on"],
        }, number))  # fmt: skip

    def finish(self):
        members = _members_by_id(self.by, [n for _l, _r, n in self._pending if n])
        for line, record, number in self._pending:
            if number is not None:
                member = members.get(id_number_key(number))
                if member is None:
                    yield line, RowError({ID: _("No member of your organisation has this ID number.")})
                    continue
                record = {**record, "member_id": member.pk, "holder_name": member.name}
                record["union_id"] = record["union_id"] or member.union_id
                self._labels[line] = f"{member.masked_name} {mask_id_number(number)}"
            yield line, record

    def unique_key(self, record: dict) -> str:
        holder = record["member_id"] or record["holder_name"]
        return f"{record['title_id']}|{holder}|{record['conferred_on'].isoformat()}"

    def write(self, records) -> None:
        titles = HonourTitle.objects.in_bulk([r["title_id"] for _l, r in records])
        members = Member.objects.in_bulk([r["member_id"] for _l, r in records if r["member_id"]])
        unions = Organisation.objects.in_bulk([r["union_id"] for _l, r in records])
        for line, record in records:
            try:
                services.honour_record(
                    title=titles[record["title_id"]],
                    by=self.by,
                    organisation=unions[record["union_id"]],
                    conferred_on=record["conferred_on"],
                    member=members.get(record["member_id"]),
                    holder_name=record["holder_name"],
                )
            except ApplicationError as exc:
                raise self._service_error(exc, line) from None

    def preview_headers(self) -> list[str]:
        return [TITLE, _("holder"), UNION, DATE]

    def preview_row(self, record: dict) -> list[str]:
        title = HonourTitle.objects.filter(pk=record["title_id"]).values_list("name", flat=True).first() or ""
        holder = mask_name(record["holder_name"]) if record["member_id"] else record["holder_name"]
        union = (
            Organisation.objects.filter(pk=record["union_id"]).values_list("name", flat=True).first() or ""
        )
        return [title, holder, union, cell_text(record["conferred_on"].isoformat())]

    def describe_written(self, written: int) -> str:
        return _("%(n)d honour(s) entered in the register.") % {"n": written}


# --- past contest results ------------------------------------------------------------------------------------

CONTEST, TEAM, TEAM_CARDS, PROJECT, TOTAL, RANK, PRIZE, GRADE = (
    "竞赛名称",
    "班组名称",
    "队员卡号",
    "项目名称",
    "总分",
    "名次",
    "奖项",
    "等级",
)


class ContestResultResource(_PastResource):
    """Results of contests held before the portal, into contests being prepared (then published)."""

    columns = (
        Column(CONTEST, "contest", required=True, max_length=100, example="2023年叉车司机职业技能竞赛",
               help=gettext_lazy("The exact name of a contest being prepared whose registration closed in the past.")),
        Column(ID, "id_number", kind="identifier", required=True, max_length=30, example=_EXAMPLE_ID,
               help=gettext_lazy("The contestant's ID number (the team leader's for a work team).")),
        Column(TEAM, "team_name", max_length=100, example="", help=gettext_lazy("For a team contest.")),
        Column(TEAM_CARDS, "team_cards", max_length=1000, example="",
               help=gettext_lazy("For a team contest: the team-mates' membership card numbers, separated by "
                                 "spaces, commas or 、 (the leader is the ID number's member).")),
        Column(PROJECT, "project_title", max_length=200, example="", help=gettext_lazy("For an innovation contest.")),
        Column(TOTAL, "total", kind="decimal", example="92.5"),
        Column(RANK, "rank", kind="int", minimum=1, maximum=100000, example="1"),
        Column(PRIZE, "prize", kind="choice", choices=Prize, words=PRIZE_WORDS, example="一等奖"),
        Column(GRADE, "grade", kind="choice", choices=Grade, words=GRADE_WORDS, example="",
               help=gettext_lazy("For an innovation contest, instead of the rank and prize.")),
    )  # fmt: skip
    checked_fields = {"contest_id": None, "member_id": None, "team_name": None, "team_cards": None,
                      "project_title": None, "total": "decimal", "rank": None, "prize": None,
                      "grade": None}  # fmt: skip
    service_columns = {"member": ID, "contest": CONTEST, "team_name": TEAM, "team_cards": TEAM_CARDS,
                       "project_title": PROJECT,
                       "total": TOTAL, "rank": RANK, "prize": PRIZE, "grade": GRADE, "": ""}  # fmt: skip
    duplicate_message = gettext_lazy("The same person is already on row %(row)d for this contest.")
    duplicate_column = ID

    def prepare(self) -> None:
        super().prepare()
        self._contests: dict[str, int | None] = {}
        for contest in (
            Contest.objects.visible_to(self.by).filter(status=ContestStatus.DRAFT).only("id", "name")
        ):
            name = contest.name.strip()
            self._contests[name] = None if name in self._contests else contest.pk

    def check_row(self, row: Row) -> None:
        contest_id = self._contests.get(row.get("contest") or "")
        if contest_id is None:
            row.error(
                "contest",
                _(
                    "No single contest being prepared of this exact name in your organisation: create it first."
                ),
            )
        number = _id_number(row, "id_number", required=True)
        if row.errors:
            raise row.fail()
        self._pending.append((row.line, {
            "contest_id": contest_id, "member_id": None, "team_name": row.get("team_name") or "",
            "team_cards": " ".join(TEAM_CARD_SEPARATORS.split(row.get("team_cards") or "")).strip(),
            "project_title": row.get("project_title") or "", "total": row.get("total"), "rank": row.get("rank"),
            "prize": row.get("prize") or "", "grade": row.get("grade") or "",
        }, number))  # fmt: skip

    def finish(self):
        members = _members_by_id(self.by, [n for _l, _r, n in self._pending])
        for line, record, number in self._pending:
            member = members.get(id_number_key(number))
            if member is None:
                yield line, RowError({ID: _("No member of your organisation has this ID number.")})
                continue
            self._labels[line] = f"{member.masked_name} {mask_id_number(number)}"
            yield line, {**record, "member_id": member.pk}

    def unique_key(self, record: dict) -> str:
        return f"{record['contest_id']}|{record['member_id']}"

    def write(self, records) -> None:
        contests = Contest.objects.in_bulk([r["contest_id"] for _l, r in records])
        members = Member.objects.in_bulk([r["member_id"] for _l, r in records])
        for line, record in records:
            try:
                services.entry_record_result(
                    contest=contests[record["contest_id"]],
                    member=members[record["member_id"]],
                    by=self.by,
                    total=record["total"],
                    rank=record["rank"],
                    prize=record["prize"],
                    grade=record["grade"],
                    team_name=record["team_name"],
                    project_title=record["project_title"],
                    team_cards=record["team_cards"].split(),
                )
            except ApplicationError as exc:
                raise self._service_error(exc, line) from None

    def preview_headers(self) -> list[str]:
        return [CONTEST, _("contestant"), TOTAL, RANK, PRIZE, GRADE]

    def preview_row(self, record: dict) -> list[str]:
        contest = Contest.objects.filter(pk=record["contest_id"]).values_list("name", flat=True).first() or ""
        member = Member.objects.filter(pk=record["member_id"]).only("name").first()
        return [
            contest,
            record["team_name"] or (member.masked_name if member else ""),
            cell_text(record["total"]),
            cell_text(record["rank"]),
            str(Prize(record["prize"]).label) if record["prize"] else "",
            str(Grade(record["grade"]).label) if record["grade"] else "",
        ]

    def describe_written(self, written: int) -> str:
        return _("%(n)d past result(s) recorded. Publish the contest's results to show them.") % {
            "n": written
        }


IMPORTS = [
    ImportKind(
        key="honours",
        label=gettext_lazy("past honours"),
        permission="competitions.import_honour",
        resource=HonourResource,
    ),
    ImportKind(
        key="contest_results",
        label=gettext_lazy("past contest results"),
        permission="competitions.import_contest",
        resource=ContestResultResource,
    ),
]
