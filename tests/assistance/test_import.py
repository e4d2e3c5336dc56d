"""Import of hardship files: one row per household member, every file through ``hardship_file_open``,
refused rows listed with their row and column, nothing written unless every row is good."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assistance.models import HardshipFile, HelpCentre
from assistance.resources import HardshipFileResource
from union_portal.imports import services as importing
from union_portal.imports.models import ImportJob
from union_portal.imports.reading import spreadsheet_rows

from ..members.factories import make_member, next_id_number

HEAD = [
    "会员身份证号",
    "困难等级",
    "致困原因",
    "下次复核日期",
    "成员姓名",
    "与会员关系",
    "年龄",
    "健康状况",
    "就业状况",
    "月收入",
]
Status = ImportJob.Status


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cache.clear()


@pytest.fixture
def town_importer(people):
    """Town A's staff, who may import hardship files here (only the district may by default)."""
    from django.contrib.auth.models import Permission

    user = people.town_a_staff
    user.user_permissions.add(Permission.objects.get(codename="import_hardshipfile"))
    return type(user).objects.get(pk=user.pk)


def csv_bytes(rows, head=HEAD) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(head)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def check(by, raw) -> ImportJob:
    job = importing.import_upload(by=by, file=SimpleUploadedFile("困难档案.csv", raw), kind="hardship_files")
    return importing.import_check(job=job)


def test_a_household_of_rows_opens_one_file_with_its_people(tree, people, town_importer):
    # given a member of town A and a file with their household, one person a row
    good = make_member(tree.union_a)
    rows = [
        [
            good.id_number,
            "深度困难",
            "疾病、子女就学",
            "2027-03-01",
            good.name,
            "本人",
            "40",
            "慢性病",
            "在职",
            "2100",
        ],
        [good.id_number, "", "", "", "李梅", "配偶", "38", "", "失业", ""],
        [good.id_number, "severe", "schooling, illness", "", "陈小华", "女儿", "12", "Healthy", "学生", "0"],
    ]
    # when town A's staff check it
    job = check(town_importer, csv_bytes(rows))
    # then it is valid, nothing is written yet, and the preview shows the file as it will be stored
    assert (job.status, job.total_rows, job.error_count) == (Status.VALID, 3, 0)
    assert HardshipFile.objects.count() == 0
    assert job.preview["records"] == 1
    assert job.preview["rows"] == [[2, good.masked_name, good.masked_id_number, "Severe hardship",
                                    "Illness、Children's schooling", "3", "¥700.00", "2027-03-01"]]  # fmt: skip
    # and confirming opens one file, by the importing user, with its three people
    job = importing.import_start_confirm(job=job, by=town_importer)
    assert job.status == Status.DONE and job.message == "1 hardship file(s) opened."
    file = HardshipFile.objects.get()
    assert (file.member, file.level, file.causes, file.household_size, file.income_per_head) == (
        good, "severe", ["illness", "schooling"], 3, Decimal("700.00"),
    )  # fmt: skip
    assert file.opened_by == town_importer and str(file.next_recheck_on) == "2027-03-01"
    assert sorted(file.household.values_list("name", "relation", "age", "health", "work", "monthly_income")) == sorted([
        (good.name, "self", 40, "chronic", "employed", Decimal("2100.00")),
        ("李梅", "spouse", 38, "healthy", "unemployed", Decimal("0.00")),
        ("陈小华", "child", 12, "healthy", "student", Decimal("0.00")),
    ])  # fmt: skip


def test_bad_rows_are_listed_and_nothing_is_opened(tree, people, town_importer):
    good = make_member(tree.union_a)
    other_town = make_member(tree.union_b)
    already = make_member(tree.union_a)
    first = check(
        people.district_staff,
        csv_bytes([[already.id_number, "相对困难", "失业", "", already.name, "本人", "50", "", "", "800"]]),
    )
    importing.import_start_confirm(job=first, by=people.district_staff)
    rows = [
        [good.id_number, "深度困难", "疾病", "", good.name, "本人", "40", "", "", "2100"],  # row 2: good
        [
            other_town.id_number,
            "severe",
            "illness",
            "",
            "某某",
            "本人",
            "40",
            "",
            "",
            "100",
        ],  # 3: not in town A
        [next_id_number(), "severe", "illness", "", "某某", "本人", "40", "", "", "100"],  # 4: nobody
        [
            good.id_number,
            "相对困难",
            "赌博",
            "",
            "王五",
            "儿子",
            "200",
            "",
            "",
            "-5",
        ],  # 5: conflicts, bad cells
        [
            already.id_number,
            "相对困难",
            "失业",
            "",
            already.name,
            "本人",
            "50",
            "",
            "",
            "800",
        ],  # 6: has a file
    ]
    job = check(town_importer, csv_bytes(rows))
    assert job.status == Status.INVALID
    assert [(e["row"], e["column"], e["message"]) for e in job.errors] == [
        (3, "会员身份证号", "No member of your organisation has this ID number."),
        (4, "会员身份证号", "No member of your organisation has this ID number."),
        (5, "致困原因", "Unknown value “赌博”. Use one of: 因病、因残、失业、因灾或意外、子女就学、其他."),
        (5, "年龄", "Write a whole number from 0 to 130."),
        (5, "月收入", "Write an amount in yuan, such as 2100 or 2100.50."),
        (6, "会员身份证号", "This member already has an active hardship file."),
    ]
    assert HardshipFile.objects.count() == 1  # the first import's only


def test_file_columns_must_agree_within_a_household(tree, people):
    member = make_member(tree.union_a)
    rows = [
        [member.id_number, "深度困难", "疾病", "", member.name, "本人", "40", "", "", "100"],
        [member.id_number, "相对困难", "", "", "李梅", "配偶", "38", "", "", "0"],
        [member.id_number, "", "", "", "陈小华", "子女", "12", "", "", "0"],
    ]
    job = check(people.district_staff, csv_bytes(rows))
    assert job.errors == [
        {"row": 3, "column": "困难等级",
         "message": "Differs from row 2 of the same household: fill it in once, or the same on every row."},
    ]  # fmt: skip
    rows = [[member.id_number, "", "", "", member.name, "本人", "40", "", "", "100"]]
    job = check(people.district_staff, csv_bytes(rows))
    assert [(e["row"], e["column"]) for e in job.errors] == [(2, "困难等级"), (2, "致困原因")]


def test_a_dry_run_writes_nothing_even_through_the_service(tree, people):
    member = make_member(tree.union_a)
    raw = csv_bytes(
        [[member.id_number, "relative", "unemployment", "", member.name, "self", "30", "", "", "1000"]]
    )
    with spreadsheet_rows(raw) as rows:
        outcome = HardshipFileResource(by=people.district_staff).import_rows(rows, dry_run=True)
    assert outcome.valid and outcome.checked == 1 and HardshipFile.objects.count() == 0


def test_the_help_centre_is_found_by_name_in_scope(tree, people, town_importer):
    member = make_member(tree.union_a)
    centre = HelpCentre.objects.create(name="西南帮扶中心", organisation=tree.town_a, address="西南")
    HelpCentre.objects.create(name="乐平帮扶中心", organisation=tree.town_b, address="乐平")
    head = [*HEAD, "帮扶中心"]
    ok = [member.id_number, "深度困难", "疾病", "", member.name, "本人", "40", "", "", "100", "西南帮扶中心"]
    job = check(town_importer, csv_bytes([[*ok[:-1], "乐平帮扶中心"]], head))
    assert [(e["column"], e["message"][:19]) for e in job.errors] == [("帮扶中心", "Unknown help centre")]
    job = check(town_importer, csv_bytes([ok], head))
    importing.import_start_confirm(job=job, by=town_importer)
    assert HardshipFile.objects.get().centre == centre


def test_import_page_needs_the_permission(client, tree, people):
    url = reverse("admin:assistance_hardshipfile_import")
    client.force_login(people.town_a_staff)
    assert client.get(url).status_code == 403
    client.force_login(people.district_staff)
    assert client.get(url).status_code == 200
