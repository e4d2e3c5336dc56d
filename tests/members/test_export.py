"""Member and enterprise export: Chinese headers, masking by default, formula escaping, the
unmasked export behind its own permission and in the access log, scope, permissions."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib import admin
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from openpyxl import load_workbook

from members.exports import export_csv_action, export_members, export_unmasked_xlsx_action, export_xlsx_action
from members.models import Member, MemberStatus
from union_portal.core.masking import mask_id_number, mask_phone
from union_portal.core.models import AccessLog
from union_portal.organisations.admin import export_enterprises
from union_portal.organisations.models import Enterprise

from ..members.factories import make_member

HEADERS = ["姓名", "身份证号", "手机号", "性别", "出生日期", "所属工会", "工作单位", "岗位", "技能等级", "户籍类型",
           "是否农民工", "会员卡号", "入会日期", "状态"]  # fmt: skip


def request_for(user, data=None):
    request = RequestFactory().post("/admin/members/member/", data or {})
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def xlsx_rows(response) -> list[list]:
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


def csv_rows(response) -> list[list]:
    assert response.content.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel on Chinese Windows
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def members(tree):
    return [
        make_member(
            tree.union_a,
            name="陈伟",
            skill_grade="senior",
            household_type="non_local",
            is_migrant_worker=True,
        ),
        make_member(tree.union_b, name="李芳"),
    ]


def test_export_is_masked_by_default_with_chinese_headers(tree, people, members):
    chen = members[0]
    response = export_members(request_for(people.district_staff), Member.objects.all(), "xlsx")
    rows = xlsx_rows(response)
    assert rows[0] == HEADERS
    by_name = {r[0]: r for r in rows[1:]}
    assert set(by_name) == {"陈伟", "李芳"}
    assert by_name["陈伟"] == [
        "陈伟", mask_id_number(chen.id_number), mask_phone(chen.mobile), "男" if chen.sex == "M" else "女",
        chen.birth_date.isoformat(), tree.union_a.name, tree.union_a.enterprise.name, "操作工", "高级工", "外地",
        "是", chen.card_number, chen.join_date.isoformat(), str(MemberStatus.ACTIVE.label),
    ]  # fmt: skip
    assert chen.id_number not in response.content.decode("latin-1")
    assert response["Cache-Control"] == "no-store"
    assert AccessLog.objects.count() == 0  # masked exports are not personal-data disclosures


def test_csv_export_is_utf8_with_bom_and_masked(tree, people, members):
    rows = csv_rows(export_members(request_for(people.district_staff), Member.objects.all(), "csv"))
    assert rows[0] == HEADERS
    assert {r[1] for r in rows[1:]} == {mask_id_number(m.id_number) for m in members}
    assert {r[2] for r in rows[1:]} == {mask_phone(m.mobile) for m in members}


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_every_text_cell_is_escaped_against_formulas(tree, people, fmt):
    names = ['=HYPERLINK("http://x.cn","点我")', "+1", "-2", "@SUM(A1)"]
    for name in names:
        make_member(tree.union_a, name=name, job="=1+1")
    tree.union_a.name = "\t=工会"
    tree.union_a.save()
    response = export_members(request_for(people.district_staff), Member.objects.all(), fmt)
    rows = xlsx_rows(response) if fmt == "xlsx" else csv_rows(response)
    assert sorted(r[0] for r in rows[1:]) == sorted("'" + n for n in names)
    assert {r[7] for r in rows[1:]} == {"'=1+1"}
    assert {r[5] for r in rows[1:]} == {"'\t=工会"}
    if fmt == "xlsx":  # no cell became a formula
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_unmasked_export_needs_its_permission_and_is_logged(tree, people, members):
    # town staff may export, but not unmasked
    with pytest.raises(PermissionDenied):
        export_members(request_for(people.town_a_staff), Member.objects.all(), "xlsx", unmasked=True)
    assert AccessLog.objects.count() == 0
    # district staff may, and the export is logged with its reason and size
    request = request_for(people.district_staff)
    request.META["REMOTE_ADDR"] = "10.0.0.8"
    rows = xlsx_rows(
        export_members(request, Member.objects.all(), "xlsx", unmasked=True, reason="省平台核对")
    )
    assert {r[1] for r in rows[1:]} == {m.id_number for m in members}
    assert {r[2] for r in rows[1:]} == {m.mobile for m in members}
    log = AccessLog.objects.get()
    assert (log.actor, log.action, log.target_type, log.row_count, log.reason, log.ip_address) == (
        people.district_staff, "export", "members.Member", 2, "省平台核对", "10.0.0.8"
    )  # fmt: skip


def test_export_needs_the_permission(tree, people, members):
    with pytest.raises(PermissionDenied):
        export_members(request_for(people.auditor), Member.objects.all(), "csv")  # may view, not export
    with pytest.raises(PermissionDenied):
        export_xlsx_action(
            admin.site._registry[Member], request_for(people.member_user), Member.objects.all()
        )


def test_export_stays_in_the_users_scope(tree, people, members):
    rows = csv_rows(export_members(request_for(people.town_a_staff), Member.objects.all(), "csv"))
    assert [r[0] for r in rows[1:]] == ["陈伟"]
    rows = csv_rows(export_members(request_for(people.officer_a), Member.objects.all(), "csv"))
    assert [r[0] for r in rows[1:]] == ["陈伟"]


def test_the_admin_actions(tree, people, members):
    model_admin = admin.site._registry[Member]
    queryset = Member.objects.filter(pk=members[0].pk)
    assert (
        xlsx_rows(export_xlsx_action(model_admin, request_for(people.district_staff), queryset))[1][0]
        == "陈伟"
    )
    assert (
        csv_rows(export_csv_action(model_admin, request_for(people.district_staff), queryset))[1][0] == "陈伟"
    )
    # the unmasked action asks for a reason first ...
    page = export_unmasked_xlsx_action(model_admin, request_for(people.district_staff), queryset)
    page.render()
    assert page.status_code == 200 and 'name="reason"' in page.content.decode()
    assert AccessLog.objects.count() == 0
    # ... then exports and logs
    request = request_for(people.district_staff, {"confirm": "1", "reason": "工伤核查需要"})
    rows = xlsx_rows(export_unmasked_xlsx_action(model_admin, request, queryset))
    assert rows[1][1] == members[0].id_number
    assert AccessLog.objects.get().reason == "工伤核查需要"
    with pytest.raises(PermissionDenied):
        export_unmasked_xlsx_action(model_admin, request_for(people.town_a_staff, {"confirm": "1"}), queryset)


def test_enterprise_export(tree, people):
    rows = csv_rows(export_enterprises(request_for(people.town_a_staff), Enterprise.objects.all(), "csv"))
    assert rows[0] == ["企业名称", "统一社会信用代码", "行业", "所有制", "所属镇街", "职工人数", "地址"]
    assert [r[0] for r in rows[1:]] == [tree.union_a.enterprise.name]
    with pytest.raises(PermissionDenied):
        export_enterprises(request_for(people.officer_a), Enterprise.objects.all(), "csv")
