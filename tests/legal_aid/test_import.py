"""Import of the lawyer panel on the one import pipeline: upload, check with every bad row reported
(in Chinese for a Chinese interface), confirm; each lawyer written by ``lawyer_add``, as in the admin."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from legal_aid.models import Lawyer
from union_portal.core.errors import PermissionDeniedError
from union_portal.imports import services as importing
from union_portal.imports.models import ImportJob
from union_portal.notifications.models import Notification

from ..imports.files import excel_csv, excel_xlsx
from .factories import licence_number, make_lawyer

HEAD = [
    "姓名",
    "律师事务所",
    "执业证号",
    "手机号码",
    "擅长领域",
    "聘期开始",
    "聘期结束",
    "值班日",
    "每月最多值班",
    "所属单位",
]
Status = ImportJob.Status
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cache.clear()


def row(name="周律", **kw) -> list[str]:
    values = {
        "姓名": name, "律师事务所": "广东某某律师事务所", "执业证号": licence_number(), "手机号码": "",
        "擅长领域": "欠薪、工伤", "聘期开始": "2026-01-01", "聘期结束": "2027-12-31", "值班日": "周一、周三",
        "每月最多值班": "6", "所属单位": "",
    }  # fmt: skip
    values.update(kw)
    return [values[h] for h in HEAD]


def csv_bytes(rows, encoding="utf-8-sig") -> bytes:
    return excel_csv([HEAD, *rows], encoding=encoding)


def xlsx_bytes(rows) -> bytes:
    return excel_xlsx([HEAD, *rows])


def check(by, raw, name="律师名册.csv") -> ImportJob:
    job = importing.import_upload(by=by, file=SimpleUploadedFile(name, raw), kind="legal_lawyers")
    return importing.import_check(job=job)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_a_good_csv_adds_lawyers_with_accounts_and_tells_them(
    tree, people, encoding, django_capture_on_commit_callbacks
):
    rows = [
        row("周律", 手机号码="13512340001"),
        row("吴律", 手机号码="13512340002", 值班日="", 每月最多值班=""),
    ]
    job = check(people.district_staff, csv_bytes(rows, encoding))
    assert job.status == Status.VALID, job.errors
    with django_capture_on_commit_callbacks(execute=True):
        job = importing.import_start_confirm(job=job, by=people.district_staff)
    assert job.status == Status.DONE
    zhou, wu = Lawyer.objects.get(name="周律"), Lawyer.objects.get(name="吴律")
    assert zhou.specialties == ["injury", "wages"] and zhou.available_weekdays == [0, 2]
    assert zhou.max_shifts_per_month == 6 and wu.max_shifts_per_month == 8 and wu.available_weekdays == []
    assert zhou.organisation == people.district_staff.organisation
    assert zhou.user.mobile == "13512340001" and zhou.user.groups.filter(name="lawyer").exists()
    assert Notification.objects.filter(recipient=zhou.user, key=f"legal.lawyer_added:{zhou.pk}").count() == 1
    assert zhou.history.count() == 1


def test_an_xlsx_with_number_cells_is_imported(tree, people):
    values = row("郑律", 手机号码=13512340003)
    values[2] = "14406201511" + "000777"  # the licence as text, as the template asks
    job = check(people.district_staff, xlsx_bytes([values]), name="律师名册.xlsx")
    assert job.status == Status.VALID, job.errors


def test_every_bad_row_is_listed_in_chinese_and_nothing_is_written(tree, people, legal):
    taken = legal.wang  # already on the panel, with an account on its mobile
    twice = licence_number()
    rows = [
        row("周律", 手机号码="13512340001"),  # row 2: good
        row("冯律", 执业证号="12345", 手机号码="13512340004"),  # row 3
        row("陈律", 执业证号=taken.licence, 手机号码="13512340005"),  # row 4
        row("褚律", 手机号码=taken.mobile),  # row 5
        row("卫律", 执业证号=twice, 手机号码="13512340006"),  # row 6
        row("蒋律", 执业证号=twice, 手机号码="13512340007"),  # row 7
        row("沈律", 手机号码="13512340008", 聘期结束="2025-01-01"),  # row 8
        row("韩律", 手机号码="13512340009", 值班日="周八"),  # row 9
        row("杨律", 手机号码="13512340010", 所属单位="不存在的单位"),  # row 10
        row("朱律", 手机号码="13512340001"),  # row 11: the mobile of row 2
    ]
    before = Lawyer.objects.count()
    with translation.override("zh-hans"):
        job = check(people.district_staff, csv_bytes(rows))
    assert job.status == Status.INVALID
    found = [(e["row"], e["column"]) for e in job.errors]
    assert found == [(3, "执业证号"), (4, "执业证号"), (5, "手机号码"), (7, "执业证号"), (8, "聘期结束"),
                     (9, "值班日"), (10, "所属单位"), (11, "手机号码")]  # fmt: skip
    messages = {e["row"]: e["message"] for e in job.errors}
    assert messages[4] == "该执业证号的律师已在律师库中。"
    assert messages[5] == "该手机号已被其他账号使用。"
    assert messages[7] == "执业证号与第6行相同。"
    assert messages[8] == "结束日期不能早于开始日期。"
    assert messages[10] == "您的范围内没有此名称的单位。"
    assert messages[11] == "手机号码与第2行相同。"
    assert Lawyer.objects.count() == before


def test_import_needs_the_permission(tree, people):
    with pytest.raises(PermissionDeniedError):
        check(people.town_a_staff, csv_bytes([row(手机号码="13512340001")]))


def test_the_admin_pages_upload_preview_confirm(tree, people, client):
    client.force_login(people.district_staff)
    page = client.get(reverse("admin:legal_aid_lawyer_import"))
    assert page.status_code == 200 and "执业证号" in page.content.decode()
    good = csv_bytes([row("周律", 手机号码="13512340001")])
    response = client.post(reverse("admin:legal_aid_lawyer_import"),
                           {"file": SimpleUploadedFile("good.csv", good)}, follow=True)  # fmt: skip
    job = ImportJob.objects.latest("pk")
    assert job.status == Status.VALID and 'name="confirm"' in response.content.decode()
    assert "13512340001" not in response.content.decode()  # the preview masks the mobile
    client.post(reverse("admin:legal_aid_lawyer_import_confirm", args=[job.pk]), follow=True)
    assert Lawyer.objects.filter(name="周律").count() == 1


def test_a_lawyer_added_between_check_and_confirm_stops_the_import(tree, people):
    job = check(
        people.district_staff,
        csv_bytes([row("周律", 执业证号=licence_number(900001), 手机号码="13512340001")]),
    )
    assert job.status == Status.VALID
    make_lawyer(tree.district, people.district_staff, licence=licence_number(900001))
    job = importing.import_start_confirm(job=job, by=people.district_staff)
    assert job.status == Status.INVALID and Lawyer.objects.filter(name="周律").count() == 0
    assert job.errors == [
        {
            "row": 2,
            "column": "执业证号",
            "message": "A lawyer with this licence number is already on the panel.",
        }
    ]
