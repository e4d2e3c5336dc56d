"""Import of hardship files from a spreadsheet (django-import-export), through the same service.

One row per file. Columns (Chinese headers, as staff keep them)::

    身份证号 | 困难等级 | 致困原因 | 下次复核日期 | 家庭成员
    440607199001011234 | 深度困难 | 疾病、子女就学 | 2027-03-01 | 陈晓明/本人/36/2100; 李梅/配偶/35/0

Levels, causes and relations are taken as codes or as their Chinese (or English) labels; the
household is ``name/relation/age/monthly income`` separated by ``;``. Each row is opened with
``hardship_file_open`` by the importing user, so the scope, the one-active-file rule and the income
per head are the service's; a refused row is a row error and nothing of it is written. The member
is found by the blind index of the ID number among the members the user may see.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils import translation
from import_export import fields, resources

from members.models import Member
from members.services import find_by_id_number
from union_portal.core.errors import ApplicationError

from . import services
from .models import Cause, HardshipFile, HardshipLevel, Relation

HEADERS = {
    "id_number": "身份证号",
    "level": "困难等级",
    "causes": "致困原因",
    "next_recheck_on": "下次复核日期",
    "household": "家庭成员",
}


#: The words staff write in their spreadsheets (also accepted: the codes and the translated labels).
WORDS = {
    HardshipLevel: {"深度困难": "severe", "相对困难": "relative", "意外致困": "sudden", "突发困难": "sudden"},
    Cause: {"疾病": "illness", "患病": "illness", "残疾": "disability", "失业": "unemployment", "下岗": "unemployment",
            "灾害": "disaster", "意外": "disaster", "子女就学": "schooling", "就学": "schooling", "其他": "other"},
    Relation: {"本人": "self", "配偶": "spouse", "子女": "child", "儿子": "child", "女儿": "child", "父母": "parent",
               "父亲": "parent", "母亲": "parent", "兄弟姐妹": "sibling", "其他": "other"},
}  # fmt: skip


def _lookup(choices, text: str) -> str | None:
    """A choice's code from its code, a spreadsheet word, or its label in Chinese or English."""
    text = (text or "").strip()
    if text in choices.values:
        return text
    if text in WORDS.get(choices, {}):
        return WORDS[choices][text]
    for value, label in choices.choices:
        for language in ("zh-hans", "en"):
            with translation.override(language):
                if str(label) == text:
                    return value
    return None


def parse_household(text: str) -> list[dict]:
    rows = []
    for part in re.split(r"[;；\n]", text or ""):
        if not part.strip():
            continue
        pieces = [p.strip() for p in re.split(r"[/／]", part)]
        if len(pieces) != 4:
            raise ValueError(f"家庭成员格式应为 姓名/关系/年龄/月收入：{part.strip()}")
        name, relation, age, income = pieces
        code = _lookup(Relation, relation)
        if code is None:
            raise ValueError(f"未知的关系：{relation}")
        rows.append({"name": name, "relation": code, "age": age, "monthly_income": income or "0"})
    return rows


class HardshipFileResource(resources.ModelResource):
    id_number = fields.Field(column_name=HEADERS["id_number"])
    level = fields.Field(column_name=HEADERS["level"])
    causes = fields.Field(column_name=HEADERS["causes"])
    next_recheck_on = fields.Field(column_name=HEADERS["next_recheck_on"])
    household = fields.Field(column_name=HEADERS["household"])

    class Meta:
        model = HardshipFile
        fields = ("id_number", "level", "causes", "next_recheck_on", "household")
        import_id_fields = ()
        use_transactions = True
        skip_diff = True
        clean_model_instances = False

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    def get_instance(self, instance_loader, row):
        return None  # every row opens a new file

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        pass  # the row goes to the service as a whole (see save_instance)

    def _service_input(self, row) -> dict:
        value = {key: str(row.get(header) or "").strip() for key, header in HEADERS.items()}
        member = (
            find_by_id_number(value["id_number"], Member.objects.visible_to(self.user)).first()
            if value["id_number"]
            else None
        )
        if member is None:
            raise ValueError(
                f"没有找到身份证号为 {value['id_number'] or '（空）'} 的会员（或不在您的管辖范围内）"
            )
        level = _lookup(HardshipLevel, value["level"])
        if level is None:
            raise ValueError(f"未知的困难等级：{value['level']}")
        causes = []
        for text in re.split(r"[、,，;；\s]+", value["causes"]):
            if text:
                code = _lookup(Cause, text)
                if code is None:
                    raise ValueError(f"未知的致困原因：{text}")
                causes.append(code)
        recheck = None
        if value["next_recheck_on"]:
            try:
                recheck = dt.date.fromisoformat(value["next_recheck_on"][:10])
            except ValueError:
                raise ValueError(f"日期格式应为 YYYY-MM-DD：{value['next_recheck_on']}") from None
        return {
            "member": member,
            "level": level,
            "causes": causes,
            "household": parse_household(value["household"]),
            "next_recheck_on": recheck,
        }

    def save_instance(self, instance, is_create, row, **kwargs):
        try:
            data = self._service_input(row)
            created = services.hardship_file_open(by=self.user, **data)
        except (ValueError, ApplicationError) as exc:
            raise ValidationError(str(exc)) from None
        instance.pk = created.pk
        instance.__dict__.update({k: v for k, v in created.__dict__.items() if not k.startswith("_")})
