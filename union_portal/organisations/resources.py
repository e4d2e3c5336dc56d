"""Spreadsheets of enterprises: the import (through the one pipeline of ``union_portal.imports``) and
the export. Headers and words are the file format staff fill in: Chinese, and not translated."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from union_portal.core.errors import ApplicationError
from union_portal.imports.columns import Column
from union_portal.imports.registry import ImportKind
from union_portal.imports.resources import CheckedResource, Row
from union_portal.imports.writing import insert_with_history

from .models import Enterprise, Industry, Organisation, OrganisationKind, Ownership
from .services import clean_enterprise_input

ENT_NAME, ENT_CODE, ENT_INDUSTRY, ENT_OWNERSHIP = "企业名称", "统一社会信用代码", "行业", "所有制"
ENT_TOWN, ENT_HEADCOUNT, ENT_ADDRESS = "所属镇街", "职工人数", "地址"
ENTERPRISE_EXPORT = (ENT_NAME, ENT_CODE, ENT_INDUSTRY, ENT_OWNERSHIP, ENT_TOWN, ENT_HEADCOUNT, ENT_ADDRESS)
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
_AMBIGUOUS = object()


class EnterpriseResource(CheckedResource):
    """Enterprises (单位): name, credit code, industry, ownership, town, headcount, address."""

    columns = (
        Column(ENT_NAME, "name", required=True, max_length=150, example="某某纺织有限公司"),
        Column(ENT_CODE, "credit_code", kind="identifier", required=True, max_length=30,
               example="91440607MA4UJ5T1XQ"),
        Column(ENT_INDUSTRY, "industry", kind="choice", choices=Industry, labels=INDUSTRY_LABELS, example="纺织服装",
               help=gettext_lazy("Empty: other.")),
        Column(ENT_OWNERSHIP, "ownership", kind="choice", choices=Ownership, labels=OWNERSHIP_LABELS,
               words=OWNERSHIP_WORDS, example="民营", help=gettext_lazy("Empty: private.")),
        Column(ENT_TOWN, "town", required=True, max_length=100, example="西南街道总工会",
               help=gettext_lazy("The exact name of the town (or street) federation in your organisation.")),
        Column(ENT_HEADCOUNT, "headcount", kind="int", minimum=0, maximum=10_000_000, example="120",
               error=gettext_lazy("Write the headcount as a whole number.")),
        Column(ENT_ADDRESS, "address", max_length=200, example=""),
    )  # fmt: skip
    checked_fields = dict.fromkeys(
        ("name", "credit_code", "industry", "ownership", "town_id", "headcount", "address")
    )
    duplicate_message = gettext_lazy("The same credit code is already on row %(row)d.")
    duplicate_column = ENT_CODE

    def prepare(self) -> None:
        towns = list(
            Organisation.objects.visible_to(self.by).filter(kind__in=TOWN_KINDS).only("id", "name", "kind")
        )
        self._towns: dict = {}
        for town in towns:
            name = town.name.strip()
            self._towns[name] = _AMBIGUOUS if name in self._towns else town
        self._town_names = {t.pk: t.name for t in towns}

    def check_row(self, row: Row) -> dict:
        data = {"name": row.get("name", ""), "credit_code": row.get("credit_code", "")}
        cleaned = data
        try:
            cleaned = clean_enterprise_input(data)
        except ApplicationError as exc:
            row.error(exc.field or "", str(exc))
            if exc.field == "credit_code" and not data["name"]:
                row.error("name", _("Enter the name."))
        town_name = row.get("town", "")
        town = self._towns.get(town_name)
        if "town" not in row:
            pass  # the cell could not be read: its error is recorded already
        elif not town_name:
            row.error("town", _("Enter the town."))
        elif town is _AMBIGUOUS:
            row.error("town", _("Several organisations are called “%(name)s”.") % {"name": town_name})
        elif town is None:
            row.error("town", _("Unknown town “%(name)s”: no town federation of this exact name in your organisation.")
                      % {"name": town_name})  # fmt: skip
        if row.errors:
            raise row.fail()
        return {
            "name": cleaned["name"].strip(),
            "credit_code": cleaned["credit_code"],
            "industry": row.get("industry") or Industry.OTHER,
            "ownership": row.get("ownership") or Ownership.PRIVATE,
            "town_id": town.pk,
            "headcount": row.get("headcount") or 0,
            "address": row.get("address", ""),
        }

    def unique_key(self, record: dict) -> str:
        return record["credit_code"]

    def check_batch(self, records):
        taken = set(
            Enterprise.objects.filter(credit_code__in=[r["credit_code"] for _line, r in records]).values_list(
                "credit_code", flat=True
            )
        )
        message = _("An enterprise with this credit code is already registered.")
        return {line: {ENT_CODE: message} for line, r in records if r["credit_code"] in taken}

    def recheck(self, records):
        allowed = set(
            Organisation.objects.visible_to(self.by)
            .filter(pk__in={r["town_id"] for _line, r in records}, kind__in=TOWN_KINDS)
            .values_list("pk", flat=True)
        )
        problems = self.check_batch(records)
        for line, record in records:
            if record["town_id"] not in allowed:
                problems.setdefault(line, {})[ENT_TOWN] = _("This town is no longer in your organisation.")
        return problems

    def write(self, records) -> None:
        insert_with_history(
            Enterprise, [r for _line, r in records], by=self.by, now=timezone.now(), note=_("Bulk import")
        )

    def preview_row(self, r: dict) -> list[str]:
        return [r["name"], r["credit_code"], INDUSTRY_LABELS.get(r["industry"], ""),
                OWNERSHIP_LABELS.get(r["ownership"], ""), self._town_names.get(r["town_id"], ""), str(r["headcount"]),
                r["address"]]  # fmt: skip


IMPORTS = [
    ImportKind(
        key="enterprises",
        label=gettext_lazy("enterprises"),
        permission="organisations.import_enterprise",
        resource=EnterpriseResource,
    )
]


def export_rows(enterprises: Iterable[Enterprise]) -> Iterator[list]:
    """The header, then one row per enterprise (``town`` selected); the writers escape every cell."""
    yield list(ENTERPRISE_EXPORT)
    for e in enterprises:
        yield [e.name, e.credit_code, INDUSTRY_LABELS.get(e.industry, e.industry),
               OWNERSHIP_LABELS.get(e.ownership, e.ownership), e.town.name if e.town_id else "", e.headcount,
               e.address]  # fmt: skip
