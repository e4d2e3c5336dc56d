"""Import of the lawyer panel (特约律师) from a spreadsheet, through the one pipeline of
``union_portal.imports`` (upload, check with every bad row reported, confirm)::

    姓名 | 律师事务所     | 执业证号          | 手机号码    | 擅长领域       | 聘期开始   | 聘期结束   | 值班日           | 每月最多值班 | 所属单位
    王明 | 广东某某律师事务所 | 14406201910123456 | 13800138000 | 欠薪、劳动合同 | 2026-01-01 | 2027-12-31 | 周一、周三、周五 | 8            |

Each row is checked by the service's own ``clean_lawyer_input`` (licence number, mobile, term,
specialties, weekdays, monthly maximum) and written with ``lawyer_add``, like a lawyer added in the
admin: a portal account of the lawyer role for each, and the lawyer is told. A licence number or a
mobile number already on the panel, or twice in the file, is an error of its row.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from union_portal.core.errors import ApplicationError
from union_portal.core.masking import mask_id_number, mask_phone
from union_portal.imports.columns import Column
from union_portal.imports.registry import ImportKind
from union_portal.imports.resources import CheckedResource, Row, RowError
from union_portal.organisations.models import Organisation

from . import services
from .models import Lawyer, Topic

NAME, FIRM, LICENCE, MOBILE, SPECIALTIES = "姓名", "律师事务所", "执业证号", "手机号码", "擅长领域"
STARTS, ENDS, WEEKDAYS, MAX_SHIFTS, ORGANISATION = (
    "聘期开始",
    "聘期结束",
    "值班日",
    "每月最多值班",
    "所属单位",
)
#: The service's field names and the columns where their errors are shown.
SERVICE_COLUMNS = {
    "name": NAME, "firm": FIRM, "licence": LICENCE, "mobile": MOBILE, "specialties": SPECIALTIES,
    "term_starts_on": STARTS, "term_ends_on": ENDS, "available_weekdays": WEEKDAYS,
    "max_shifts_per_month": MAX_SHIFTS, "organisation": ORGANISATION,
}  # fmt: skip


class Weekday(models.TextChoices):
    MONDAY = "0", gettext_lazy("Monday")
    TUESDAY = "1", gettext_lazy("Tuesday")
    WEDNESDAY = "2", gettext_lazy("Wednesday")
    THURSDAY = "3", gettext_lazy("Thursday")
    FRIDAY = "4", gettext_lazy("Friday")
    SATURDAY = "5", gettext_lazy("Saturday")
    SUNDAY = "6", gettext_lazy("Sunday")


WEEKDAY_WORDS = {
    **{f"周{c}": str(i) for i, c in enumerate("一二三四五六日")},
    **{f"星期{c}": str(i) for i, c in enumerate("一二三四五六日")},
    "周天": "6", "星期天": "6",
}  # fmt: skip
TOPIC_WORDS = {
    "欠薪": Topic.WAGES, "工资": Topic.WAGES, "劳动合同": Topic.CONTRACT, "合同": Topic.CONTRACT,
    "工伤": Topic.INJURY, "社保": Topic.INSURANCE, "社会保险": Topic.INSURANCE, "解除劳动关系": Topic.DISMISSAL,
    "辞退": Topic.DISMISSAL, "婚姻家庭": Topic.FAMILY, "家庭": Topic.FAMILY, "其他": Topic.OTHER,
}  # fmt: skip


class LawyerResource(CheckedResource):
    columns = (
        Column(NAME, "name", required=True, max_length=50, example="王明"),
        Column(FIRM, "firm", required=True, max_length=100, example="广东某某律师事务所"),
        Column(LICENCE, "licence", kind="identifier", required=True, example="14406201910123456",
               help=gettext_lazy("The 17 digits of the practising licence; format the column as text.")),
        Column(MOBILE, "mobile", kind="identifier", required=True, example="13800138000"),
        Column(SPECIALTIES, "specialties", kind="choices", choices=Topic, words=TOPIC_WORDS, example="欠薪、劳动合同"),
        Column(STARTS, "term_starts_on", kind="date", required=True, example="2026-01-01"),
        Column(ENDS, "term_ends_on", kind="date", required=True, example="2027-12-31"),
        Column(WEEKDAYS, "available_weekdays", kind="choices", choices=Weekday, words=WEEKDAY_WORDS,
               example="周一、周三、周五",
               help=gettext_lazy("The days the lawyer can sit on duty; empty: any day.")),
        Column(MAX_SHIFTS, "max_shifts_per_month", kind="int", example="8",
               help=gettext_lazy("Most duty shifts a month; empty: 8.")),
        Column(ORGANISATION, "organisation", max_length=100, example="",
               help=gettext_lazy("The exact name of an organisation you may see; empty: your own.")),
    )  # fmt: skip
    checked_fields = {
        "name": None, "firm": None, "licence": None, "mobile": None, "specialties": None,
        "term_starts_on": "date", "term_ends_on": "date", "available_weekdays": None,
        "max_shifts_per_month": None, "organisation_id": None,
    }  # fmt: skip
    duplicate_message = gettext_lazy("The same licence number is already on row %(row)d.")
    duplicate_column = LICENCE

    def prepare(self) -> None:
        self._organisations: dict[str, int | None] = {}
        for org in Organisation.objects.visible_to(self.by).only("id", "name"):
            name = org.name.strip()
            self._organisations[name] = None if name in self._organisations else org.pk
        self._mobiles_in_file: dict[str, int] = {}

    def check_row(self, row: Row) -> dict:
        name = (row.get("organisation") or "").strip()
        organisation_id = self._organisations.get(name) if name else self.by.organisation_id
        if organisation_id is None:
            if name in self._organisations:
                row.error(
                    "organisation", _("Two organisations have this name: use the one of your own area.")
                )
            elif name:
                row.error("organisation", _("No organisation of this name in your area."))
            else:
                row.error("organisation", _("Name the organisation of the panel."))
        data = {
            "name": row.get("name"),
            "firm": row.get("firm"),
            "licence": row.get("licence"),
            "mobile": row.get("mobile"),
            "specialties": list(row.get("specialties") or []),
            "term_starts_on": row.get("term_starts_on"),
            "term_ends_on": row.get("term_ends_on"),
            "available_weekdays": [int(d) for d in row.get("available_weekdays") or []],
            "max_shifts_per_month": 8
            if row.get("max_shifts_per_month") is None
            else row.get("max_shifts_per_month"),
        }
        cleaned = None
        if not row.errors:
            try:
                cleaned = services.clean_lawyer_input(data)
            except ApplicationError as exc:
                row.error(SERVICE_COLUMNS.get(exc.field or "", NAME), str(exc))
        if cleaned is not None and not row.errors:
            first = self._mobiles_in_file.setdefault(cleaned["mobile"], row.line)
            if first != row.line:
                row.error(MOBILE, _("The same mobile number is already on row %(row)d.") % {"row": first})
        if row.errors:
            raise row.fail()
        return {**cleaned, "organisation_id": organisation_id}

    def unique_key(self, record):
        return record["licence"]

    def _against_database(self, records) -> dict[int, dict[str, str]]:
        licences = set(
            Lawyer.objects.filter(licence__in=[r["licence"] for _line, r in records]).values_list(
                "licence", flat=True
            )
        )
        mobiles = set(
            get_user_model()
            .objects.filter(mobile__in=[r["mobile"] for _line, r in records])
            .values_list("mobile", flat=True)
        )
        problems = {}
        for line, record in records:
            if record["licence"] in licences:
                problems[line] = {LICENCE: _("A lawyer with this licence number is already on the panel.")}
            elif record["mobile"] in mobiles:
                problems[line] = {MOBILE: _("Another account already uses this mobile number.")}
        return problems

    def check_batch(self, records):
        return self._against_database(records)

    def recheck(self, records):
        return self._against_database(records)

    def write(self, records) -> None:
        organisations = Organisation.objects.in_bulk([r["organisation_id"] for _line, r in records])
        for line, record in records:
            data = {k: v for k, v in record.items() if k != "organisation_id"}
            try:
                services.lawyer_add(
                    data=data, organisation=organisations[record["organisation_id"]], by=self.by
                )
            except ApplicationError as exc:
                raise RowError({SERVICE_COLUMNS.get(exc.field or "", NAME): str(exc)}, line=line) from None

    def describe(self, outcome) -> str:
        return _("%(rows)d row(s) checked: %(n)d lawyer(s) ready to add to the panel.") % {
            "rows": outcome.rows, "n": outcome.checked,
        }  # fmt: skip

    def describe_written(self, written: int) -> str:
        return _("%(n)d lawyer(s) added to the panel.") % {"n": written}

    def preview_headers(self) -> list[str]:
        return [NAME, FIRM, LICENCE, MOBILE, STARTS, ENDS, WEEKDAYS, MAX_SHIFTS]

    def preview_row(self, record: dict) -> list[str]:
        days = "、".join(str(Weekday(str(d)).label) for d in record["available_weekdays"])
        return [
            record["name"],
            record["firm"],
            mask_id_number(record["licence"]),
            mask_phone(record["mobile"]),
            str(record["term_starts_on"]),
            str(record["term_ends_on"]),
            days or _("any day"),
            str(record["max_shifts_per_month"]),
        ]


IMPORTS = [
    ImportKind(
        key="legal_lawyers",
        label=gettext_lazy("panel lawyers"),
        permission="legal_aid.import_lawyer",
        resource=LawyerResource,
    )
]
