"""Spreadsheet import of members and enterprises: the resource, the job services, the Celery path
and the admin pages. Files are built in the tests (csv in three encodings, xlsx with openpyxl)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from members.fakes import fake_credit_code
from members.models import Channel, Member, MembershipEvent, MemberStatus
from members.resources import MemberResource
from members.services import card_number_is_well_formed, id_number_key
from union_portal.core.errors import ApplicationError, PermissionDeniedError
from union_portal.core.validators import id_check_digit
from union_portal.imports import resources as import_resources
from union_portal.imports import services as importing
from union_portal.imports import tasks
from union_portal.imports.models import ImportJob
from union_portal.imports.reading import spreadsheet_rows
from union_portal.organisations.models import Enterprise
from union_portal.organisations.resources import EnterpriseResource

from ..members.factories import make_member, next_id_number, next_mobile

HEAD = ["姓名", "身份证号", "手机号", "所属工会", "工作单位", "岗位", "技能等级", "户籍类型", "是否农民工"]
Status = ImportJob.Status


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cache.clear()  # progress counters live in the cache


def bad_check_digit(number: str) -> str:
    wrong = "0" if number[-1] != "0" else "1"
    return number[:-1] + wrong


def row(union, name="张三", **kw) -> list[str]:
    values = {
        "姓名": name,
        "身份证号": next_id_number(),
        "手机号": next_mobile(),
        "所属工会": union.name,
        "工作单位": "",
        "岗位": "操作工",
        "技能等级": "",
        "户籍类型": "本地",
        "是否农民工": "否",
    }
    values.update(kw)
    return [values[h] for h in HEAD]


def csv_bytes(rows, head=HEAD, encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    if head:
        writer.writerow(head)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows, head=HEAD) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(head)
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(raw: bytes, name="members.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, raw)


def counts() -> tuple[int, int, int]:
    return Member.objects.count(), Member.history.count(), MembershipEvent.objects.count()


def import_now(resource, raw, dry_run=False):
    with spreadsheet_rows(raw) as rows:
        return resource.import_rows(rows, dry_run=dry_run)


def check(by, raw, name="members.csv", kind="members") -> ImportJob:
    job = importing.import_upload(by=by, file=upload(raw, name), kind=kind)
    return importing.import_check(job=job)


# --- the good files ---------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_a_good_csv_in_any_encoding_excel_saves_is_imported(tree, people, encoding):
    # given a csv of three members, as Excel saves it
    ent = tree.union_a.enterprise
    rows = [
        row(tree.union_a, "陈伟", **{"技能等级": "高级工", "工作单位": ent.name}),
        row(tree.branch_a, "李芳", **{"户籍类型": "外地", "是否农民工": "是", "工作单位": ent.credit_code}),
        row(tree.union_b, "欧阳娜", **{"技能等级": "technician"}),
    ]
    before = counts()
    # when the district checks and confirms it
    job = check(people.district_staff, csv_bytes(rows, encoding=encoding))
    assert (job.status, job.total_rows, job.error_count, job.errors) == (Status.VALID, 3, 0, [])
    assert counts() == before  # checking writes nothing
    job = importing.import_start_confirm(job=job, by=people.district_staff)
    # then three active members exist, exactly as in the file
    assert job.status == Status.DONE and job.processed_rows == 3
    assert counts() == (before[0] + 3, before[1] + 3, before[2] + 3)
    members = {m.name: m for m in Member.objects.filter(channel=Channel.IMPORT)}
    assert sorted(members) == ["李芳", "欧阳娜", "陈伟"]
    chen, li, ouyang = members["陈伟"], members["李芳"], members["欧阳娜"]
    assert (chen.union, chen.employer, chen.skill_grade, chen.household_type) == (
        tree.union_a,
        ent,
        "senior",
        "local",
    )
    assert (li.union, li.employer, li.household_type, li.is_migrant_worker) == (
        tree.branch_a,
        ent,
        "non_local",
        True,
    )
    assert (ouyang.union, ouyang.employer, ouyang.skill_grade) == (tree.union_b, None, "technician")
    assert chen.id_number == rows[0][1] and chen.id_number_hash == id_number_key(rows[0][1])
    assert ouyang.name_pinyin == "ouyangna" and ouyang.name_initials == "oyn"
    for m in members.values():
        assert m.status == MemberStatus.ACTIVE
        assert card_number_is_well_formed(m.card_number)
        assert m.join_date == timezone.localdate()
        assert (m.decided_by, m.filed_by) == (people.district_staff, people.district_staff)
        assert list(m.events.values_list("kind", "by__username", "to_union")) == [
            ("imported", "district", m.union_id)
        ]
        history = m.history.get()
        assert (history.history_type, history.history_user, history.status) == (
            "+",
            people.district_staff,
            "active",
        )
        assert history.instance.id_number == m.id_number  # the copied ciphertext decrypts
    assert len({m.card_number for m in members.values()}) == 3


def test_an_xlsx_is_imported_with_numbers_and_dates_as_excel_stores_them(tree, people):
    # given an xlsx whose mobile is a number cell and whose join date is a date cell
    head = [*HEAD, "入会日期"]
    first = row(tree.union_a, "黄敏")
    first[2] = int(first[2])
    rows = [[*first, dt.date(2020, 5, 4)], [*row(tree.union_a, "周杰"), "2019/3/1"]]
    job = check(people.town_a_staff, xlsx_bytes(rows, head), name="名单.xlsx")
    assert (job.status, job.error_count) == (Status.VALID, 0)
    importing.import_start_confirm(job=job, by=people.town_a_staff)
    huang = Member.objects.get(name="黄敏")
    assert huang.mobile == str(first[2]) and huang.join_date == dt.date(2020, 5, 4)
    assert Member.objects.get(name="周杰").join_date == dt.date(2019, 3, 1)


def test_backslashes_survive_the_bulk_write(tree, people):
    job_title = "焊工\\组 二班\\夜班"
    job = check(people.district_staff, csv_bytes([row(tree.union_a, "王\\五", **{"岗位": job_title})]))
    importing.import_start_confirm(job=job, by=people.district_staff)
    member = Member.objects.get(channel=Channel.IMPORT)
    assert (member.name, member.job) == ("王\\五", job_title)
    assert member.history.get().job == job_title


def test_a_tab_or_line_break_in_a_one_line_field_is_a_row_error(tree, people):
    # A job title is one line (clean_text, the members' rule): a tab or line break is refused, not cut.
    job = check(people.district_staff, csv_bytes([row(tree.union_a, "王五", **{"岗位": "焊工\t二班\n夜班"})]))
    assert job.status == Status.INVALID
    assert [(e["row"], e["column"]) for e in job.errors] == [(2, "岗位")]
    assert job.errors[0]["message"] == "Remove the control or invisible characters from the text."


def test_a_double_bom_does_not_hide_the_name_column(tree, people):
    raw = b"\xef\xbb\xbf" + csv_bytes([row(tree.union_a, "梁静")], encoding="utf-8-sig")
    job = check(people.district_staff, raw)
    assert job.status == Status.VALID
    importing.import_start_confirm(job=job, by=people.district_staff)
    assert Member.objects.filter(name="梁静").count() == 1


def test_the_type_comes_from_the_content_not_the_name(tree, people):
    # an xlsx renamed .csv is read as the workbook it is
    job = check(people.district_staff, xlsx_bytes([row(tree.union_a, "何强")]), name="renamed.csv")
    assert job.status == Status.VALID
    # a program renamed .csv is refused at the door, and no job is kept
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(200)
    jobs = ImportJob.objects.count()
    with pytest.raises(ApplicationError) as info:
        importing.import_upload(by=people.district_staff, file=upload(exe, "members.csv"), kind="members")
    assert info.value.code == "bad_type"
    assert ImportJob.objects.count() == jobs


def test_too_large_and_empty_files_are_refused(tree, people, settings):
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(ApplicationError) as info:
        importing.import_upload(
            by=people.district_staff, file=upload(csv_bytes([row(tree.union_a)] * 3)), kind="members"
        )
    assert info.value.code == "too_large"
    with pytest.raises(ApplicationError) as info:
        importing.import_upload(by=people.district_staff, file=upload(b"  \n"), kind="members")
    assert info.value.code == "empty"


def test_files_are_kept_under_media_imports_with_a_random_name(tree, people, tmp_path):
    job = importing.import_upload(
        by=people.district_staff, file=upload(csv_bytes([row(tree.union_a)]), "名单.csv"), kind="members"
    )
    assert job.stored_path.startswith("imports/") and job.stored_path.endswith(".csv")
    assert "名单" not in job.stored_path and job.original_name == "名单.csv"
    assert (tmp_path / job.stored_path).is_file()


# --- bad rows -------------------------------------------------------------------------------------------


def test_every_bad_row_is_listed_with_its_reason_and_nothing_is_written(tree, people):
    # given an existing member and a file with one good row and many bad ones
    existing = make_member(tree.union_a)
    good = row(tree.union_a, "陈伟")
    body = next_id_number()[:6] + "19900230001"
    rows = [
        good,  # row 2
        row(tree.union_a, "李芳", **{"身份证号": bad_check_digit(next_id_number())}),  # row 3
        row(tree.union_a, "张三", **{"身份证号": body + id_check_digit(body)}),  # row 4: 30 February
        row(tree.union_a, "王五", **{"所属工会": "不存在的工会"}),  # row 5
        row(tree.union_a, "赵六", **{"身份证号": good[1].lower()}),  # row 6: same person as row 2
        row(tree.union_a, "钱七", **{"身份证号": existing.id_number}),  # row 7
        row(tree.union_a, "孙八", **{"手机号": "12345"}),  # row 8
        row(tree.union_a, "", **{"手机号": "1380013", "所属工会": "", "是否农民工": "也许"}),  # row 9
        row(tree.union_a, "吴九", **{"技能等级": "大师"}),  # row 10
    ]
    before = counts()
    # when it is checked
    job = check(people.district_staff, csv_bytes(rows))
    # then every problem is listed with its row and column, and nothing was written
    assert job.status == Status.INVALID
    assert [(e["row"], e["column"], e["message"]) for e in job.errors] == [
        (3, "身份证号", "The check digit of the ID number is wrong: please check every digit."),
        (4, "身份证号", "The birth date in the ID number does not exist."),
        (5, "所属工会", "Unknown union “不存在的工会”: no union of this exact name in your organisation."),
        (6, "身份证号", "The same ID number is already on row 2."),
        (7, "身份证号", "This ID number already has an open membership or application."),
        (8, "手机号", "Enter a valid mainland mobile number of 11 digits."),
        (9, "姓名", "Enter the name."),  # a row's problems in the order of the file's columns
        (9, "手机号", "Enter a valid mainland mobile number of 11 digits."),
        (9, "所属工会", "Choose the union."),
        (9, "是否农民工", "Write 是 or 否."),
        (10, "技能等级", "Unknown skill grade."),
    ]
    assert job.error_count == 11
    assert counts() == before
    # and the file is gone, and the job cannot be confirmed
    assert job.stored_path == ""
    with pytest.raises(ApplicationError):
        importing.import_start_confirm(job=job, by=people.district_staff)
    assert counts() == before


def test_the_resource_reports_bad_rows_as_row_errors_and_writes_nothing(tree, people):
    # given a file whose ID number is malformed and whose union is unknown (hard errors by default)
    rows = [
        row(tree.union_a, "甲"),
        row(tree.union_a, "乙", **{"身份证号": "12345"}),
        row(tree.union_a, **{"所属工会": "X"}),
    ]
    before = counts()
    # when the resource imports it for real
    outcome = import_now(MemberResource(by=people.district_staff), csv_bytes(rows))
    # then they are row errors, the whole file is reported, and nothing is written
    assert not outcome.valid and outcome.written == 0
    assert [(p["row"], p["column"]) for p in outcome.problems] == [(3, "身份证号"), (4, "所属工会")]
    assert counts() == before


def test_the_resource_imports_a_valid_file_in_batches(tree, people, monkeypatch):
    monkeypatch.setattr(MemberResource, "batch_size", 2)
    rows = [row(tree.union_a, f"工人{i}") for i in range(5)]
    before = counts()
    outcome = import_now(MemberResource(by=people.district_staff), csv_bytes(rows))
    assert outcome.valid and outcome.written == 5
    assert counts() == (before[0] + 5, before[1] + 5, before[2] + 5)
    # and a dry run writes nothing, not even inside a transaction rolled back
    rows = [row(tree.union_a, f"工人{i}") for i in range(3)]
    outcome = import_now(MemberResource(by=people.district_staff), csv_bytes(rows), dry_run=True)
    assert (
        outcome.valid and outcome.checked == 3 and counts() == (before[0] + 5, before[1] + 5, before[2] + 5)
    )


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (None, "The first row must name the columns: 姓名、身份证号、手机号、所属工会."),
        (
            ["名字", "身份证号", "手机号", "所属工会"],
            "Missing column(s): 姓名. | Unknown column(s): 名字. The columns are: "
            "姓名、身份证号、手机号、所属工会、工作单位、岗位、技能等级、户籍类型、是否农民工、入会日期.",
        ),
        (["姓名", "身份证号", "手机号", "所属工会", "姓名"], "Column(s) given twice: 姓名."),
    ],
)
def test_a_file_without_the_right_header_row_is_refused(tree, people, head, expected):
    rows = [row(tree.union_a, "陈伟")[:4]]
    job = check(people.district_staff, csv_bytes(rows * 2, head=head))
    assert job.status == Status.INVALID
    assert " | ".join(e["message"] for e in job.errors) == expected
    assert all(e["row"] is None for e in job.errors)
    assert rows[0][1] not in str(job.errors)  # the first data row is never echoed back


def test_a_union_outside_the_importers_scope_is_unknown(tree, people):
    job = check(people.town_a_staff, csv_bytes([row(tree.union_b, "陈伟")]))
    assert job.status == Status.INVALID
    assert job.errors == [
        {
            "row": 2,
            "column": "所属工会",
            "message": "Unknown union “新明珠陶瓷工会委员会”: no union of this exact name in your organisation.",
        }
    ]


def test_a_town_federation_is_not_a_union_members_join(tree, people):
    job = check(people.district_staff, csv_bytes([row(tree.town_a, "陈伟")]))
    assert [(e["column"], e["message"]) for e in job.errors] == [
        ("所属工会", "Members join a grassroots union, branch or group.")
    ]


def test_stored_errors_are_capped_but_all_counted(tree, people, monkeypatch):
    monkeypatch.setattr(import_resources, "MAX_PROBLEMS", 3)
    job = check(people.district_staff, csv_bytes([row(tree.union_a, **{"手机号": "1"}) for _ in range(5)]))
    assert (job.error_count, len(job.errors)) == (5, 3)


def test_empty_rows_are_skipped_and_an_empty_file_is_invalid(tree, people):
    job = check(people.district_staff, csv_bytes([row(tree.union_a, "陈伟"), [""] * len(HEAD)]))
    assert (job.status, job.error_count) == (Status.VALID, 0)
    job = check(people.district_staff, csv_bytes([]))
    assert job.status == Status.INVALID
    assert job.errors == [{"row": None, "column": "", "message": "The file has no rows to import."}]


# --- the job: confirm, cancel, races, files ---------------------------------------------------------------


def test_temporary_files_are_removed_on_success_and_on_failure(tree, people):
    # success
    job = importing.import_upload(
        by=people.district_staff, file=upload(csv_bytes([row(tree.union_a, "陈伟")])), kind="members"
    )
    stored = job.stored_path
    job = importing.import_check(job=job)
    assert default_storage.exists(stored) and default_storage.exists(f"{stored}.checked.json")
    job = importing.import_start_confirm(job=job, by=people.district_staff)
    assert job.status == Status.DONE and job.stored_path == ""
    assert not default_storage.exists(stored) and not default_storage.exists(f"{stored}.checked.json")
    # failure
    job = importing.import_upload(
        by=people.district_staff,
        file=upload(csv_bytes([row(tree.union_a, **{"手机号": "1"})])),
        kind="members",
    )
    stored = job.stored_path
    job = importing.import_check(job=job)
    assert job.status == Status.INVALID and not default_storage.exists(stored)
    # cancel removes the files too
    job = importing.import_upload(
        by=people.district_staff, file=upload(csv_bytes([row(tree.union_a, "陈伟")])), kind="members"
    )
    stored = job.stored_path
    job = importing.import_check(job=job)
    job = importing.import_cancel(job=job, by=people.district_staff)
    assert job.status == Status.CANCELLED and not default_storage.exists(stored)
    assert not default_storage.exists(f"{stored}.checked.json")


def test_a_failed_write_leaves_nothing_and_removes_the_files(tree, people, monkeypatch):
    # given a valid file, and a card drawing that hands out a card already taken (a lost race)
    from members.resources import member_import

    taken = make_member(tree.union_b)
    job = check(people.district_staff, csv_bytes([row(tree.union_a, "陈伟"), row(tree.union_a, "李芳")]))
    stored = job.stored_path
    draw = member_import.make_card_numbers
    monkeypatch.setattr(member_import, "make_card_numbers", lambda n: [taken.card_number, *draw(n - 1)])
    before = counts()
    # when it is confirmed
    job = importing.import_start_confirm(job=job, by=people.district_staff)
    # then the job failed as a whole, and its files are gone
    assert job.status == Status.FAILED and "nothing was imported" in job.message
    assert counts() == before
    assert not default_storage.exists(stored) and not default_storage.exists(f"{stored}.checked.json")


def test_a_csv_row_longer_than_the_header_makes_the_file_unreadable(tree, people):
    raw = csv_bytes([row(tree.union_a, "陈伟")]) + "多余,的,单元格,,,,,,,,,,\n".encode()
    job = check(people.district_staff, raw)
    assert job.status == Status.INVALID and job.stored_path == ""
    assert job.errors[0]["row"] is None and job.errors[0]["message"].startswith("The file could not be read")


def test_a_zip_that_is_not_a_workbook_is_refused(tree, people):
    with pytest.raises(ApplicationError) as info:
        importing.import_upload(
            by=people.district_staff, file=upload(b"PK\x03\x04" + bytes(100), "x.xlsx"), kind="members"
        )
    assert info.value.code == "bad_file"


def test_a_person_registered_between_check_and_confirm_stops_the_import(tree, people):
    # given a valid, checked file
    rows = [row(tree.union_a, "陈伟"), row(tree.union_a, "李芳")]
    job = check(people.district_staff, csv_bytes(rows))
    assert job.status == Status.VALID
    # when the second person is registered by someone else before the confirm
    make_member(tree.union_b, id_number=rows[1][1])
    before = counts()
    job = importing.import_start_confirm(job=job, by=people.district_staff)
    # then nothing is imported and the row is named
    assert job.status == Status.INVALID
    assert job.errors == [
        {
            "row": 3,
            "column": "身份证号",
            "message": "This ID number already has an open membership or application.",
        }
    ]
    assert counts() == before


def test_confirm_twice_imports_once(tree, people):
    job = check(people.district_staff, csv_bytes([row(tree.union_a, "陈伟")]))
    importing.import_start_confirm(job=job, by=people.district_staff)
    before = counts()
    again = importing.import_confirm(job=job, by=people.district_staff)
    assert again.status == Status.DONE and counts() == before


def test_a_cancelled_job_cannot_be_confirmed(tree, people):
    job = check(people.district_staff, csv_bytes([row(tree.union_a, "陈伟")]))
    importing.import_cancel(job=job, by=people.district_staff)
    before = counts()
    with pytest.raises(ApplicationError) as info:
        importing.import_start_confirm(job=job, by=people.district_staff)
    assert info.value.code == "not_valid" and counts() == before


def test_import_needs_the_permission_and_the_job_in_scope(tree, people):
    raw = csv_bytes([row(tree.union_a, "陈伟")])
    with pytest.raises(PermissionDeniedError):
        importing.import_upload(by=people.officer_a, file=upload(raw), kind="members")
    job = check(people.town_a_staff, raw)
    with pytest.raises(PermissionDeniedError):  # town B cannot confirm town A's job
        importing.import_start_confirm(job=job, by=people.town_b_staff)
    assert ImportJob.objects.get(pk=job.pk).status == Status.VALID


def test_abandoned_jobs_expire_and_lose_their_files(tree, people):
    job = check(people.district_staff, csv_bytes([row(tree.union_a, "陈伟")]))
    stored = job.stored_path
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    assert importing.import_expire() == 1
    job.refresh_from_db()
    assert job.status == Status.CANCELLED and not default_storage.exists(stored)


# --- the Celery path ------------------------------------------------------------------------------------------


def test_large_files_are_checked_and_imported_by_tasks_with_progress(
    tree, people, settings, client, django_capture_on_commit_callbacks
):
    settings.IMPORT_SYNC_MAX_ROWS = 2
    client.force_login(people.district_staff)
    rows = [row(tree.union_a, f"工人{i}") for i in range(5)]
    before = counts()
    # when the file is uploaded, the check is left to a task
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("admin:members_member_import"), {"file": upload(csv_bytes(rows))})
    job = ImportJob.objects.latest("pk")
    assert response.status_code == 302 and job.status == Status.CHECKING and len(callbacks) == 1
    page = client.get(reverse("admin:members_member_import_job", args=[job.pk])).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page and "<progress" in page
    # the task runs (eagerly here), and running it twice changes nothing
    tasks.import_check_task.delay(job.pk)
    tasks.import_check_task.delay(job.pk)
    job.refresh_from_db()
    assert (job.status, job.total_rows) == (Status.VALID, 5)
    # confirming hands the import to a task too; the page shows the progress
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("admin:members_member_import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == Status.IMPORTING and len(callbacks) == 1
    page = client.get(reverse("admin:members_member_import_job", args=[job.pk])).content.decode()
    assert "0 of 5 rows imported (0%)" in page and 'http-equiv="refresh"' in page
    callbacks[0]()
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.progress_percent) == (Status.DONE, 5, 100)
    assert counts() == (before[0] + 5, before[1] + 5, before[2] + 5)
    # a redelivered task finds the job done
    tasks.import_confirm_task.delay(job.pk, people.district_staff.pk)
    assert counts() == (before[0] + 5, before[1] + 5, before[2] + 5)
    page = client.get(reverse("admin:members_member_import_job", args=[job.pk])).content.decode()
    assert 'http-equiv="refresh"' not in page and "5 rows imported." in page


def test_progress_is_reported_while_rows_are_written(tree, people, monkeypatch):
    seen = []
    monkeypatch.setattr(importing, "_set_progress", lambda job_id, n: seen.append(n))
    monkeypatch.setattr(MemberResource, "batch_size", 2)
    job = check(people.district_staff, csv_bytes([row(tree.union_a, f"工人{i}") for i in range(5)]))
    importing.import_start_confirm(job=job, by=people.district_staff)
    assert seen == [2, 4, 5, 2, 4, 5]  # rows checked, then rows written


# --- the admin pages ------------------------------------------------------------------------------------------


def test_the_admin_flow_upload_preview_confirm(tree, people, client):
    client.force_login(people.district_staff)
    page = client.get(reverse("admin:members_member_import"))
    assert page.status_code == 200 and "姓名、身份证号、手机号、所属工会" in page.content.decode()
    # a bad file: the preview lists every bad row and offers no import
    bad = csv_bytes([row(tree.union_a, "陈伟"), row(tree.union_a, "李芳", **{"手机号": "12"})])
    response = client.post(reverse("admin:members_member_import"), {"file": upload(bad)}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200 and "Enter a valid mainland mobile number of 11 digits." in page
    assert "<td>3</td><td>手机号</td>" in page and 'name="confirm"' not in page
    # a good file: the preview shows the count and a confirm button
    good = csv_bytes([row(tree.union_a, "陈伟"), row(tree.union_a, "李芳")])
    response = client.post(
        reverse("admin:members_member_import"), {"file": upload(good, "good.csv")}, follow=True
    )
    page = response.content.decode()
    job = ImportJob.objects.latest("pk")
    assert (
        job.status == Status.VALID
        and "2 rows checked: no problems found." in page
        and 'name="confirm"' in page
    )
    assert 'http-equiv="refresh"' not in page, page
    assert "<script>" not in page and "onclick" not in page  # no inline script (CSP)
    # confirming imports it
    response = client.post(reverse("admin:members_member_import_confirm", args=[job.pk]), follow=True)
    job.refresh_from_db()
    assert job.status == Status.DONE and "2 rows imported." in response.content.decode()
    assert Member.objects.filter(name__in=["陈伟", "李芳"], channel=Channel.IMPORT).count() == 2
    # confirm needs POST
    assert client.get(reverse("admin:members_member_import_confirm", args=[job.pk])).status_code == 405


def test_the_template_file_has_the_header_row(tree, people, client):
    client.force_login(people.town_a_staff)
    response = client.get(reverse("admin:members_member_import_template", args=["csv"]))
    assert response.status_code == 200
    assert response.content.decode("utf-8-sig").splitlines()[0] == (
        "姓名,身份证号,手机号,所属工会,工作单位,岗位,技能等级,户籍类型,是否农民工,入会日期"
    )


def test_the_admin_import_pages_need_the_permission(tree, people, client):
    job = check(people.district_staff, csv_bytes([row(tree.union_a, "陈伟")]))
    client.force_login(people.officer_a)  # staff, but may not import
    for url in (
        reverse("admin:members_member_import"),
        reverse("admin:members_member_import_job", args=[job.pk]),
        reverse("admin:members_member_import_template", args=["xlsx"]),
    ):
        assert client.get(url).status_code == 403
    assert client.post(reverse("admin:members_member_import"), {"file": upload(b"x")}).status_code == 403
    assert client.post(reverse("admin:members_member_import_confirm", args=[job.pk])).status_code == 403
    assert ImportJob.objects.get(pk=job.pk).status == Status.VALID
    # a town user with the permission does not see the district's job
    client.force_login(people.town_a_staff)
    assert client.get(reverse("admin:members_member_import_job", args=[job.pk])).status_code == 404


def test_an_upload_error_is_shown_on_the_form(tree, people, client):
    client.force_login(people.district_staff)
    response = client.post(
        reverse("admin:members_member_import"), {"file": upload(b"MZ\x00\x00" + bytes(50))}
    )
    assert response.status_code == 200
    assert "This is not a spreadsheet: upload an .xlsx or .csv file." in response.content.decode()


# --- enterprises -------------------------------------------------------------------------------------------------


ENT_HEAD = ["企业名称", "统一社会信用代码", "行业", "所有制", "所属镇街", "职工人数", "地址"]


def test_enterprises_are_imported_through_the_same_flow(tree, people):
    import random

    rng = random.Random(3)
    code_a, code_b = fake_credit_code(rng), fake_credit_code(rng)
    rows = [
        ["名洲纺织有限公司", code_a, "纺织服装", "民营", tree.town_a.name, "1,200", "西南街道"],
        ["白坭五金厂", code_b.lower(), "manufacturing", "", tree.town_b.name, "", ""],
    ]
    job = check(people.district_staff, csv_bytes(rows, head=ENT_HEAD), kind="enterprises")
    assert (job.status, job.error_count) == (Status.VALID, 0)
    importing.import_start_confirm(job=job, by=people.district_staff)
    made = Enterprise.objects.get(credit_code=code_a)
    assert (made.industry, made.ownership, made.town, made.headcount) == (
        "textiles",
        "private",
        tree.town_a,
        1200,
    )
    assert Enterprise.objects.get(credit_code=code_b).industry == "manufacturing"
    assert made.history.count() == 1


def test_bad_enterprise_rows_are_listed(tree, people):
    import random

    rng = random.Random(4)
    code = fake_credit_code(rng)
    existing = tree.union_a.enterprise.credit_code
    rows = [
        ["甲厂", code, "", "", tree.town_a.name, "10", ""],
        ["乙厂", code, "", "", tree.town_a.name, "10", ""],
        ["丙厂", existing, "", "", tree.town_a.name, "10", ""],
        ["丁厂", code[:-1] + ("0" if code[-1] != "0" else "1"), "", "", tree.town_a.name, "-3", ""],
        ["戊厂", fake_credit_code(rng), "飞船", "", tree.town_b.name, "", ""],
    ]
    before = Enterprise.objects.count()
    job = check(people.town_a_staff, csv_bytes(rows, head=ENT_HEAD), kind="enterprises")
    assert [(e["row"], e["column"]) for e in job.errors] == [
        (3, "统一社会信用代码"),
        (4, "统一社会信用代码"),
        (5, "统一社会信用代码"),
        (5, "职工人数"),
        (6, "行业"),  # a row's problems in the order of the file's columns
        (6, "所属镇街"),
    ]
    assert job.errors[0]["message"] == "The same credit code is already on row 2."
    assert Enterprise.objects.count() == before
    assert not import_now(EnterpriseResource(by=people.town_a_staff), csv_bytes(rows, head=ENT_HEAD)).valid
    assert Enterprise.objects.count() == before


def test_enterprise_import_needs_its_permission(tree, people):
    with pytest.raises(PermissionDeniedError):
        importing.import_upload(by=people.officer_a, file=upload(b"a,b\n1,2\n"), kind="enterprises")


@pytest.mark.parametrize(
    "overrides",
    [
        {},  # the union's employer, a local household
        {
            "name": "区伟强",
            "employer": None,
            "household_type": "non_local",
            "is_migrant_worker": True,
        },  # two readings
        {"name": "欧阳晓明", "skill_grade": "senior", "job": "焊工"},  # a compound surname
        {"name": "Lisa Wong", "job": ""},
    ],
)
def test_the_import_keeps_of_a_row_what_build_member_makes_of_it(tree, people, overrides):
    # given: input cleaned by the services' rule
    from members.resources import MEMBER_CHECKED_FIELDS
    from members.services import build_member, clean_member_input, member_values

    from .factories import member_data

    cleaned = clean_member_input(member_data(tree.union_a, **overrides))

    # when: the importer's values, without a model instance
    values = member_values(cleaned, channel=Channel.IMPORT, filed_by=people.district_staff)

    # then: every field the import keeps is what the member built by the service holds
    member = build_member(cleaned, channel=Channel.IMPORT, filed_by=people.district_staff)
    assert {f: values[f] for f in MEMBER_CHECKED_FIELDS} == {
        f: getattr(member, f) for f in MEMBER_CHECKED_FIELDS
    }
    assert (values["status"], values["channel"], values["filed_by_id"]) == (
        member.status,
        member.channel,
        people.district_staff.pk,
    )
