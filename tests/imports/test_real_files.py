"""The import meets the files staff really have (issue 9 items 1 and 8, issue 18 item 6).

Files are built the way Excel writes them (``files.py``): numbers with 15 significant digits, text in
the shared-string table, csv in GBK with CRLF and big numbers in scientific notation.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from members.models import Member
from union_portal.core.errors import ApplicationError
from union_portal.core.masking import mask_id_number
from union_portal.core.validators import id_check_digit, parse_id_number
from union_portal.imports import services as importing
from union_portal.imports.models import ImportJob
from union_portal.imports.template_file import DATA_SHEET, VALUES_SHEET

from ..members.factories import next_id_number, next_mobile
from .files import bomb_xlsx, excel_csv, excel_xlsx

Status = ImportJob.Status
HEAD = ["姓名", "身份证号", "手机号", "所属工会", "户籍类型", "技能等级", "是否农民工"]
#: 4.40607199003101E+17 is what Excel keeps of 44060719900310123X typed as a number: it reads as
#: 440607199003101000, a *valid* ID number (check digit 0) of someone else.
ROUNDED_INTO_VALID = 440607199003101000


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cache.clear()


def member_row(union, name, id_number=None, mobile=None, **extra) -> list:
    values = {"姓名": name, "身份证号": id_number or next_id_number(), "手机号": mobile or next_mobile(),
              "所属工会": union.name, "户籍类型": "", "技能等级": "", "是否农民工": ""}  # fmt: skip
    values.update(extra)
    return [values[h] for h in HEAD]


def check(by, raw: bytes, name: str) -> ImportJob:
    job = importing.import_upload(by=by, file=SimpleUploadedFile(name, raw), kind="members")
    return importing.import_check(job=job)


# --- item 1: identifiers typed into Excel as numbers -------------------------------------------------


def test_the_rounded_number_of_the_test_is_a_valid_id_number_of_someone_else():
    assert parse_id_number(str(ROUNDED_INTO_VALID)).number == "440607199003101000"
    assert id_check_digit("44060719900310123") != "0"  # the real number was another one


def test_an_xlsx_with_id_numbers_as_number_cells_is_refused_row_by_row(tree, people):
    # given an xlsx saved by Excel: row 2's ID number is a number cell that Excel rounded into a
    # valid number, row 3's ID number is text, row 4's mobile is a number cell (exact: 11 digits)
    body = "44060719900310123"
    rows = [
        HEAD,
        member_row(tree.union_a, "陈伟", id_number=int(body + id_check_digit(body).replace("X", "0"))),
        member_row(tree.union_a, "李芳"),
        member_row(tree.union_a, "王强", mobile=int(next_mobile())),
    ]
    before = Member.objects.count()
    job = check(people.district_staff, excel_xlsx(rows), "名单.xlsx")
    # then only row 2 is refused, on its ID number column, with how to fix the file
    assert job.status == Status.INVALID and job.error_count == 1
    (problem,) = job.errors
    assert (problem["row"], problem["column"]) == (2, "身份证号")
    assert "Format the column “身份证号” as text" in problem["message"]
    assert "15 digits" in problem["message"]
    assert Member.objects.count() == before
    assert not Member.objects.filter(
        id_number_hash__isnull=False, birth_date__year=1990, name="陈伟"
    ).exists()


def test_a_number_excel_rounded_into_a_valid_id_number_is_never_imported(tree, people):
    rows = [HEAD, member_row(tree.union_a, "陈伟", id_number=ROUNDED_INTO_VALID)]
    job = check(people.district_staff, excel_xlsx(rows), "名单.xlsx")
    assert (job.status, [(p["row"], p["column"]) for p in job.errors]) == (Status.INVALID, [(2, "身份证号")])
    assert Member.objects.filter(name="陈伟").count() == 0


def test_an_exact_mobile_number_cell_is_accepted(tree, people):
    mobile = next_mobile()
    rows = [HEAD, member_row(tree.union_a, "王强", mobile=int(mobile))]
    job = check(people.district_staff, excel_xlsx(rows), "名单.xlsx")
    assert (job.status, job.errors) == (Status.VALID, [])
    importing.import_start_confirm(job=job, by=people.district_staff)
    assert Member.objects.get(name="王强").mobile == mobile


def test_a_gbk_csv_typed_in_excel_with_ids_in_scientific_notation_is_refused(tree, people):
    # given a csv Excel saved in GBK: the ID numbers were typed as numbers, so Excel wrote 4.40607E+17
    rows = [
        HEAD,
        member_row(tree.union_a, "陈伟"),  # typed as text: kept
        member_row(tree.union_a, "欧阳娜", id_number=ROUNDED_INTO_VALID),
        member_row(tree.union_b, "曾强", id_number=440607199001011234),
    ]
    raw = excel_csv(rows)
    assert b"4.40607E+17" in raw and "欧阳娜".encode("gbk") in raw
    job = check(people.district_staff, raw, "名单.csv")
    assert job.status == Status.INVALID
    assert [(p["row"], p["column"]) for p in job.errors] == [(3, "身份证号"), (4, "身份证号")]
    assert all("as text" in p["message"] for p in job.errors)
    assert Member.objects.filter(name__in=["陈伟", "欧阳娜", "曾强"]).count() == 0


def test_the_refusal_names_the_row_and_the_column_on_the_admin_page_in_chinese(tree, people, client):
    rows = [HEAD, member_row(tree.union_a, "陈伟", id_number=ROUNDED_INTO_VALID)]
    client.force_login(people.district_staff)
    response = client.post(
        reverse("admin:members_member_import"),
        {"file": SimpleUploadedFile("名单.xlsx", excel_xlsx(rows))},
        follow=True,
        headers={"accept-language": "zh-hans"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    page = response.content.decode()
    assert "<td>2</td><td>身份证号</td>" in page
    assert "请把“身份证号”列设置为文本格式" in page
    assert 'name="confirm"' not in page


# --- item 8: the labels of the interface, the template, the preview -----------------------------------


@pytest.mark.parametrize(
    ("household", "skill", "expected"),
    [
        ("非本地户籍", "高级工", ("non_local", "senior")),  # the interface's labels
        ("本地户籍", "技师", ("local", "technician")),
        ("外地", "高级技师", ("non_local", "senior_technician")),  # the export's words
        ("Non-local household", "Senior worker", ("non_local", "senior")),  # the English twins
        ("local household", "junior worker", ("local", "junior")),
        ("non_local", "intermediate", ("non_local", "intermediate")),  # the codes
    ],
)
def test_choice_columns_accept_the_labels_of_the_interface_and_the_export(
    tree, people, household, skill, expected
):
    rows = [HEAD, member_row(tree.union_a, "陈伟", **{"户籍类型": household, "技能等级": skill})]
    job = check(people.district_staff, excel_csv(rows, encoding="utf-8-sig"), "名单.csv")
    assert (job.status, job.errors) == (Status.VALID, [])
    importing.import_start_confirm(job=job, by=people.district_staff)
    member = Member.objects.get(name="陈伟")
    assert (member.household_type, member.skill_grade) == expected


def test_every_label_the_interface_shows_is_accepted(tree, people):
    from members.models import HouseholdType, SkillGrade
    from members.resources import MemberResource

    columns = {c.field: c for c in MemberResource.columns if c.field}
    for language in ("zh-hans", "en"):
        from django.utils import translation

        with translation.override(language):
            for field, choices in (("household_type", HouseholdType), ("skill_grade", SkillGrade)):
                for code, label in choices.choices:
                    if code:
                        assert columns[field].convert(str(label)) == code, (language, label)


def test_an_unknown_value_lists_the_allowed_ones(tree, people):
    rows = [HEAD, member_row(tree.union_a, "陈伟", **{"技能等级": "大师"})]
    job = check(people.district_staff, excel_csv(rows), "名单.csv")
    (problem,) = job.errors
    assert (problem["row"], problem["column"]) == (2, "技能等级")


def test_the_template_has_an_example_row_and_a_sheet_of_allowed_values(tree, people, client):
    client.force_login(people.district_staff)
    response = client.get(reverse("admin:members_member_import_template", args=["xlsx"]))
    book = load_workbook(io.BytesIO(response.content))
    data = book[DATA_SHEET]
    header = [c.value for c in data[1]]
    example = dict(zip(header, [c.value for c in data[2]], strict=True))
    assert header[:4] == ["姓名", "身份证号", "手机号", "所属工会"]
    assert example["身份证号"] and parse_id_number(example["身份证号"])  # a valid number, as text
    assert data["B2"].data_type == "s" and data.column_dimensions["B"].number_format == "@"
    values = book[VALUES_SHEET]
    allowed = {}
    for column in values.iter_cols(values_only=True):
        allowed[column[0]] = [v for v in column[1:] if v]
    assert {"本地户籍", "非本地户籍"} <= set(allowed["户籍类型"])
    assert {"初级工", "高级工", "技师", "高级技师"} <= set(allowed["技能等级"])
    assert set(allowed["是否农民工"]) == {"是", "否"}
    # every word the sheet offers is accepted by the import
    from members.resources import MemberResource

    columns = {c.header: c for c in MemberResource.columns}
    for header_, words in allowed.items():
        for word in words:
            columns[header_].convert(word)


def test_the_template_left_with_its_example_row_is_refused(tree, people, client):
    client.force_login(people.district_staff)
    template = client.get(reverse("admin:members_member_import_template", args=["xlsx"])).content
    job = check(people.district_staff, template, "template.xlsx")
    assert job.status == Status.INVALID
    assert [p["row"] for p in job.errors] == [2]
    assert "example row" in job.errors[0]["message"]


def test_the_check_shows_the_rows_as_they_will_be_stored(tree, people, client):
    id_number = next_id_number()
    rows = [
        HEAD,
        member_row(
            tree.union_a, "陈伟", id_number=id_number, **{"户籍类型": "外地", "技能等级": "Senior worker"}
        ),
    ]
    client.force_login(people.district_staff)
    response = client.post(
        reverse("admin:members_member_import"),
        {"file": SimpleUploadedFile("名单.csv", excel_csv(rows))},
        follow=True,
    )
    page = response.content.decode()
    job = ImportJob.objects.latest("pk")
    assert job.status == Status.VALID
    assert 'id="import-preview"' in page
    preview = dict(zip(job.preview["headers"], job.preview["rows"][0][1:], strict=True))
    assert preview["姓名"] == "陈伟"
    assert preview["身份证号"] == mask_id_number(id_number) and id_number not in page
    assert preview["户籍类型"] == "非本地户籍"  # the interface's words, whatever the file wrote
    assert preview["技能等级"] == "高级工"
    assert preview["所属工会"] == tree.union_a.name
    assert preview["出生日期"] == parse_id_number(id_number).birth_date.isoformat()
    assert "非本地户籍" in page and "高级工" in page


# --- issue 18 item 6: a small xlsx that unpacks to a lot ---------------------------------------------


def test_a_workbook_unpacking_beyond_the_limit_is_refused_before_any_row_is_read(tree, people, settings):
    settings.IMPORT_MAX_UNPACKED_BYTES = 2 * 1024 * 1024
    raw = bomb_xlsx(rows=40_000)
    unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(raw)).infolist())
    assert len(raw) < 200 * 1024 < settings.IMPORT_MAX_UNPACKED_BYTES < unpacked
    before = ImportJob.objects.count()
    with pytest.raises(ApplicationError) as info:
        importing.import_upload(
            by=people.district_staff, file=SimpleUploadedFile("a.xlsx", raw), kind="members"
        )
    assert info.value.code == "too_large"
    assert "unpacks to more than 2 MB" in str(info.value)
    assert ImportJob.objects.count() == before
    assert default_storage.listdir("imports")[1] == []  # the upload is not kept


def test_a_workbook_compressed_beyond_any_real_one_is_refused(tree, people, settings):
    settings.IMPORT_MAX_ZIP_RATIO = 100
    raw = bomb_xlsx(rows=60_000)  # about 28 MB of XML in a few hundred KB: a ratio above 100
    with pytest.raises(ApplicationError) as info:
        importing.import_upload(
            by=people.district_staff, file=SimpleUploadedFile("a.xlsx", raw), kind="members"
        )
    assert info.value.code == "too_compressed"
    assert default_storage.listdir("imports")[1] == []


def test_a_workbook_over_the_row_limit_is_refused_at_upload(tree, people, settings):
    settings.IMPORT_MAX_ROWS = 5_000
    with pytest.raises(ApplicationError) as info:
        importing.import_upload(
            by=people.district_staff, file=SimpleUploadedFile("a.xlsx", bomb_xlsx(rows=6_000)), kind="members"
        )
    assert info.value.code == "too_many_rows"


def test_a_zip_that_lies_about_its_sizes_is_an_unreadable_file(tree, people):
    # given a workbook whose sheet declares 100 bytes in the zip's directory and holds far more
    raw = bytearray(excel_xlsx([HEAD, *[member_row(tree.union_a, f"工人{i}") for i in range(50)]]))
    archive = zipfile.ZipFile(io.BytesIO(bytes(raw)))
    info = archive.getinfo("xl/worksheets/sheet1.xml")
    # patch the uncompressed size in the local header and in the central directory
    for signature, size_at, length_at, name_at in ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)):
        start = 0
        while (start := raw.find(signature, start)) != -1:
            name_length = int.from_bytes(raw[start + length_at : start + length_at + 2], "little")
            if raw[start + name_at : start + name_at + name_length] == info.filename.encode():
                raw[start + size_at : start + size_at + 4] = (100).to_bytes(4, "little")
            start += 4
    assert zipfile.ZipFile(io.BytesIO(bytes(raw))).getinfo(info.filename).file_size == 100
    # then the upload is refused as damaged (reading stops at the declared size), not read further
    with pytest.raises(ApplicationError) as info:
        importing.import_upload(
            by=people.district_staff, file=SimpleUploadedFile("a.xlsx", bytes(raw)), kind="members"
        )
    assert info.value.code == "bad_file" and "damaged" in str(info.value)
    assert Member.objects.count() == 0 and default_storage.listdir("imports")[1] == []
