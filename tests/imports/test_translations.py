"""The import pipeline speaks Chinese: its own catalogue is complete and compiled, and the messages staff
read most (row errors, the identifier rule) come out in Chinese by default."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

from django.conf import settings
from django.utils import translation

from tests.core.test_translations import parse_po
from union_portal.imports.columns import Column

CATALOGUE = Path(settings.BASE_DIR) / "union_portal" / "imports" / "locale" / "zh_Hans" / "LC_MESSAGES"
HAN = re.compile(r"[\u4e00-\u9fff]")


def test_the_catalogue_of_the_imports_app_is_complete_and_compiled():
    header, *entries = parse_po(CATALOGUE / "django.po")
    assert "Language: zh_Hans\n" in header.msgstr[0]
    assert len(entries) > 100
    assert [e.key for e in entries if not all(e.msgstr.values()) or not HAN.search(e.msgstr[0])] == []
    assert [e.key for e in entries if "fuzzy" in e.flags] == []
    with (CATALOGUE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog
    stale = [e.key for e in entries if e.msgid_plural is None and compiled.get(e.key) != e.msgstr[0]]
    assert stale == [], "run: cd union_portal/imports && django-admin compilemessages -l zh_Hans"


def test_a_number_in_an_identifier_column_is_explained_in_chinese():
    column = Column("身份证号", "id_number", kind="identifier")
    with translation.override("zh-hans"):
        try:
            column.convert(4.40607199001011e17)
        except ValueError as exc:
            message = str(exc)
    assert (
        message
        == "此单元格是数字，而 Excel 只保留数字的前 15 位：其值可能已变成另一个数。请把“身份证号”列设置为文本格式，重新录入后再上传。"
    )
