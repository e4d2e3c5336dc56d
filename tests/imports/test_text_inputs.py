"""Issue 9 item 2: a formula cannot reach an export behind a control character, and every text input
is cleaned at the service layer (members, enterprises, organisations; aid in tests/assistance)."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import RequestFactory

from members.exports import export_members
from members.models import Member
from union_portal.core.errors import ApplicationError
from union_portal.core.spreadsheets import csv_bytes, escape_formula, xlsx_bytes
from union_portal.organisations import services as org_services
from union_portal.organisations.models import OrganisationKind

from ..members.factories import make_member

#: What a name may hold when it was stored before the services cleaned text (or by a raw SQL fix).
HOSTILE = [
    '\x01=HYPERLINK("http://x.cn","点我")',  # C0: the xlsx writer drops it, leaving =HYPERLINK
    "\x85=1+1",  # C1: XML holds it, a spreadsheet may skip it
    "\u200b=1+1",  # zero-width
    "\u202e@SUM(A1)",  # bidi override
    " =cmd|' /C calc'!A0",
    "\t=1+1",
]


def request_for(user):
    request = RequestFactory().post("/admin/members/member/", {})
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def sheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "".join(archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/"))


def cell_texts(content: bytes) -> list[str]:
    """Every text of the written sheets, as Excel will read it (inline strings and shared strings)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = "".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".xml"))
    return [re.sub(r"&#x?[0-9a-fA-F]+;|&\w+;", "?", t) for t in re.findall(r"<t[^>]*>(.*?)</t>", xml, re.S)]


@pytest.mark.parametrize("unmasked", [False, True])
def test_the_written_member_export_holds_no_formula_cell(tree, people, unmasked):
    # given members whose names were stored with a control character before a formula
    for name in HOSTILE:
        member = make_member(tree.union_a)
        Member.objects.filter(pk=member.pk).update(name=name, job=name)
    # when the district exports them (masked, and unmasked with its permission and reason)
    response = export_members(
        request_for(people.district_staff), Member.objects.all(), "xlsx", unmasked=unmasked, reason="核对"
    )
    xml = sheet_xml(response.content)
    # then the sheet XML has no formula element, and every hostile text is written as escaped text
    assert "<f>" not in xml and "<f " not in xml
    texts = cell_texts(response.content)
    for text in texts:
        assert not text.lstrip(" \t\u200b\u202e\x85").startswith(("=", "+", "@")) or text.startswith("'"), (
            text
        )
    assert sum(1 for t in texts if "HYPERLINK" in t) == 2 and all(
        t.startswith("'=HYPERLINK") for t in texts if "HYPERLINK" in t
    )


def test_the_escape_looks_at_what_the_writer_will_write():
    for value in HOSTILE:
        escaped = escape_formula(value)
        assert escaped.startswith("'"), repr(value)
        assert "\x01" not in escaped  # removed before the escape, as the writer would
    assert escape_formula("陈伟") == "陈伟" and escape_formula("a=1") == "a=1" and escape_formula(12) == 12
    assert "<f>" not in sheet_xml(xlsx_bytes([["姓名"], *[[v] for v in HOSTILE]]))
    written = list(csv.reader(io.StringIO(csv_bytes([[v] for v in HOSTILE]).decode("utf-8-sig"))))
    assert all(row[0].startswith("'") for row in written) and len(written) == len(HOSTILE)


@pytest.mark.parametrize(
    ("value", "code"),
    [('\x01=HYPERLINK("http://x")', "invalid_characters"), ("新明珠\u202e陶瓷", "invalid_characters"),
     ("企" * 151, "too_long"), ("\u200b\u200b", "required")],
)  # fmt: skip
def test_an_enterprise_name_is_cleaned_by_the_service(tree, people, value, code):
    data = {"name": value, "credit_code": tree.union_a.enterprise.credit_code, "town": tree.town_a}
    with pytest.raises(ApplicationError) as info:
        org_services.enterprise_save(by=people.district_staff, data=data, enterprise=tree.union_a.enterprise)
    assert (info.value.field, info.value.code) == ("name", code)


def test_invisible_characters_are_removed_from_an_enterprise_name(tree, people):
    enterprise = org_services.enterprise_save(
        by=people.district_staff,
        data={"name": "新\u200b明珠 ", "address": "\ufeff乐平镇"},
        enterprise=tree.union_a.enterprise,
    )
    enterprise.refresh_from_db()
    assert (enterprise.name, enterprise.address) == ("新明珠", "乐平镇")


def test_an_organisation_name_is_cleaned_by_the_service(tree, people):
    with pytest.raises(ApplicationError) as info:
        org_services.organisation_add(
            parent=tree.town_a, name="\x07=1+1", kind=OrganisationKind.GRASSROOTS, by=people.district_staff
        )
    assert (info.value.field, info.value.code) == ("name", "invalid_characters")
