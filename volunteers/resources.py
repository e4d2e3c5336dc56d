"""Import of existing volunteer rosters (志愿者花名册), through the one pipeline of
``union_portal.imports`` (upload, check with every bad row reported, confirm)::

    姓名   | 身份证号           | 手机号      | 所属单位       | 服务队           | 技能     | 可服务时间 | 紧急联系人 | 紧急联系电话
    周小燕 | 440604199003070014 | 13922223333 | 西南街道总工会 | 西南街道志愿服务队 | 急救     | 周末       | 周大年     | 13900001111

A row whose ID number is an open membership registers that member (name and mobile from the
membership); any other row registers a person who is not a member, through the same service and
the same ID number validator as the portal. One person is one volunteer: an ID number already
registered, or twice in the file, is refused with its row. The organisation and the team are found
by name among those the importing user sees.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.models import Member
from union_portal.core.errors import ApplicationError
from union_portal.core.masking import mask_id_number, mask_name, mask_phone
from union_portal.imports.columns import Column
from union_portal.imports.registry import ImportKind
from union_portal.imports.resources import CheckedResource, Row, RowError
from union_portal.organisations.models import Organisation

from . import services
from .models import Team, Volunteer

NAME, ID_NUMBER, MOBILE, ORGANISATION, TEAM = "姓名", "身份证号", "手机号", "所属单位", "服务队"
SKILLS, AVAILABILITY, CONTACT, CONTACT_PHONE = "技能", "可服务时间", "紧急联系人", "紧急联系电话"
SERVICE_COLUMNS = {
    "name": NAME, "id_number": ID_NUMBER, "mobile": MOBILE, "organisation": ORGANISATION,
    "skills": SKILLS, "availability": AVAILABILITY, "emergency_contact": CONTACT,
    "emergency_phone": CONTACT_PHONE, "member": ID_NUMBER, "team": TEAM,
}  # fmt: skip


def _column(exc: ApplicationError) -> str:
    return SERVICE_COLUMNS.get(exc.field or "", "")


class VolunteerRosterResource(CheckedResource):
    columns = (
        Column(NAME, "name", required=True, max_length=50, example="周小燕"),
        Column(ID_NUMBER, "id_number", kind="identifier", required=True, max_length=25, example="440604199003070014"),
        Column(MOBILE, "mobile", kind="identifier", required=True, max_length=20, example="13922223333"),
        Column(ORGANISATION, "organisation", required=True, max_length=100, example="西南街道总工会",
               help=gettext_lazy("The union or town of a person who is not a member (a member's is their union).")),
        Column(TEAM, "team", max_length=100, example="西南街道志愿服务队",
               help=gettext_lazy("The team the volunteer joins (optional).")),
        Column(SKILLS, "skills", max_length=200, example="急救"),
        Column(AVAILABILITY, "availability", max_length=200, example="周末"),
        Column(CONTACT, "emergency_contact", max_length=50, example="周大年"),
        Column(CONTACT_PHONE, "emergency_phone", kind="identifier", max_length=20, example="13900001111"),
        Column("序号"),
    )  # fmt: skip
    checked_fields = {
        "name": None, "id_number": None, "id_hash": None, "mobile": None, "organisation_id": None,
        "team_id": None, "skills": None, "availability": None, "emergency_contact": None,
        "emergency_phone": None,
    }  # fmt: skip
    duplicate_message = gettext_lazy("The same ID number is already on row %(row)d.")
    duplicate_column = ID_NUMBER

    def prepare(self) -> None:
        self._organisations = self._by_name(Organisation.objects.visible_to(self.by).only("id", "name"))
        self._teams = self._by_name(
            Team.objects.visible_to(self.by).filter(is_active=True).only("id", "name")
        )

    @staticmethod
    def _by_name(rows) -> dict[str, int | None]:
        found: dict[str, int | None] = {}
        for row in rows:
            name = row.name.strip()
            found[name] = None if name in found else row.pk  # None: two have this name
        return found

    def _find(self, row: Row, key: str, names: dict, missing, twice) -> int | None:
        name = (row.get(key) or "").strip()
        if not name:
            return None
        pk = names.get(name)
        if pk is None:
            row.error(key, twice if name in names else missing)
        return pk

    def check_row(self, row: Row) -> dict:
        record = {"id_number": "", "id_hash": ""}
        try:
            record["id_number"], record["id_hash"] = services.parse_person_id(row.get("id_number"))
        except ApplicationError as exc:
            row.error("id_number", str(exc))
        organisation_id = self._find(
            row, "organisation", self._organisations,
            _("No union or town of this name that you may manage."),
            _("Two organisations have this name: write the exact name of one."),
        )  # fmt: skip
        if organisation_id is None and not row.errors.get(ORGANISATION):
            row.error("organisation", _("Write the union or town of the volunteer."))
        team_id = self._find(
            row, "team", self._teams,
            _("No active team of this name that you may manage."),
            _("Two teams have this name: rename one first."),
        )  # fmt: skip
        try:
            name = services._text(row.get("name"), "name", required=True, limit=50)
            mobile = services.registration._mobile(row.get("mobile"))
        except ApplicationError as exc:
            row.error(exc.field or "", str(exc))
            name = mobile = ""
        if row.errors:
            raise row.fail()
        return {
            **record,
            "name": name,
            "mobile": mobile,
            "organisation_id": organisation_id,
            "team_id": team_id,
            "skills": row.get("skills") or "",
            "availability": row.get("availability") or "",
            "emergency_contact": row.get("emergency_contact") or "",
            "emergency_phone": row.get("emergency_phone") or "",
        }

    def unique_key(self, record):
        return record["id_hash"]

    def check_batch(self, records):
        hashes = [r["id_hash"] for _line, r in records]
        taken = set(
            Volunteer.objects.filter(id_number_hash__in=hashes).values_list("id_number_hash", flat=True)
        )
        problems = {}
        for line, record in records:
            if record["id_hash"] in taken:
                problems[line] = {ID_NUMBER: _("A volunteer with this ID number is already registered.")}
        return problems

    def write(self, records) -> None:
        hashes = [r["id_hash"] for _line, r in records]
        members = {m.id_number_hash: m for m in Member.objects.open().filter(id_number_hash__in=hashes)}
        organisations = Organisation.objects.in_bulk([r["organisation_id"] for _l, r in records])
        teams = Team.objects.in_bulk([r["team_id"] for _l, r in records if r["team_id"]])
        for line, record in records:
            details = {
                key: record[key] for key in ("skills", "availability", "emergency_contact", "emergency_phone")
            }
            try:
                member = members.get(record["id_hash"])
                if member is not None:
                    volunteer = services.volunteer_register(by=self.by, member=member, **details)
                else:
                    volunteer = services.volunteer_register_person(
                        by=self.by,
                        name=record["name"],
                        id_number=record["id_number"],
                        mobile=record["mobile"],
                        organisation=organisations[record["organisation_id"]],
                        **details,
                    )
                if record["team_id"]:
                    services.team_join(team=teams[record["team_id"]], volunteer=volunteer, by=self.by)
            except ApplicationError as exc:
                raise RowError({_column(exc): str(exc)}, line=line) from None

    def describe(self, outcome) -> str:
        return _("%(rows)d row(s) checked: %(n)d volunteer(s) ready to register.") % {
            "rows": outcome.rows, "n": outcome.checked,
        }  # fmt: skip

    def describe_written(self, written: int) -> str:
        return _("%(n)d volunteer(s) registered.") % {"n": written}

    def preview_headers(self) -> list[str]:
        return [NAME, ID_NUMBER, MOBILE, ORGANISATION, TEAM]

    def preview_row(self, record: dict) -> list[str]:
        if not hasattr(self, "_names"):
            self._names = {
                **{pk: name for name, pk in self._organisations.items() if pk},
                **{("team", pk): name for name, pk in self._teams.items() if pk},
            }
        return [
            mask_name(record["name"]),
            mask_id_number(record["id_number"]),
            mask_phone(record["mobile"]),
            self._names.get(record["organisation_id"], ""),
            self._names.get(("team", record["team_id"]), ""),
        ]


IMPORTS = [
    ImportKind(
        key="volunteers",
        label=gettext_lazy("volunteers"),
        permission="volunteers.import_volunteer",
        resource=VolunteerRosterResource,
    )
]
