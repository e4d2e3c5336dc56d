"""Import of volunteer rosters through the one pipeline: upload, check (every bad row with its row and
column, in Chinese for a Chinese user), confirm (all rows or none); csv in UTF-8 or GBK, and xlsx."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from union_portal.imports import services as importing
from union_portal.imports.models import ImportJob
from volunteers.models import TeamMembership, Volunteer
from volunteers.resources import VolunteerRosterResource

from ..imports.files import excel_csv, excel_xlsx
from ..members.factories import make_member, next_id_number
from .factories import make_team

HEAD = [
    "姓名",
    "身份证号",
    "手机号",
    "所属单位",
    "服务队",
    "技能",
    "可服务时间",
    "紧急联系人",
    "紧急联系电话",
]
Status = ImportJob.Status


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cache.clear()


def csv_bytes(rows, encoding="utf-8-sig") -> bytes:
    return excel_csv([HEAD, *rows], encoding=encoding)


def xlsx_bytes(rows) -> bytes:
    return excel_xlsx([HEAD, *rows])


def check(by, raw, name="志愿者花名册.csv") -> ImportJob:
    job = importing.import_upload(by=by, file=SimpleUploadedFile(name, raw), kind="volunteers")
    return importing.import_check(job=job)


@pytest.mark.parametrize(
    ("encoding", "name"), [("utf-8-sig", "名册.csv"), ("gbk", "名册.csv"), (None, "名册.xlsx")]
)
def test_a_roster_registers_members_and_non_members_and_puts_them_in_the_team(tree, people, encoding, name):
    # given a member of union A, a person who is not a member, and town A's team
    team = make_team(tree.town_a, name="西南街道志愿服务队")
    member = make_member(tree.union_a)
    stranger_id = next_id_number()
    rows = [
        [member.name, member.id_number, member.mobile, "健力宝集团工会委员会", "西南街道志愿服务队", "急救", "周末", "陈母", "13900001111"],
        ["周小燕", stranger_id, "13922223333", "西南街道总工会", "", "摄影", "", "周大年", "13900002222"],
    ]  # fmt: skip
    raw = xlsx_bytes(rows) if encoding is None else csv_bytes(rows, encoding)
    # when town A's staff check and confirm it
    job = check(people.town_a_staff, raw, name)
    assert (job.status, job.total_rows, job.error_count) == (Status.VALID, 2, 0)
    assert Volunteer.objects.count() == 0  # a check writes nothing
    job = importing.import_start_confirm(job=job, by=people.town_a_staff)
    # then both are volunteers: the member through the membership, the other with the ID number
    assert job.status == Status.DONE and job.message == "2 volunteer(s) registered."
    from_member = Volunteer.objects.get(member=member)
    assert (from_member.name, from_member.organisation) == (member.name, tree.union_a)
    assert TeamMembership.objects.filter(team=team, volunteer=from_member, ended_on=None).count() == 1
    other = Volunteer.objects.get(member=None)
    assert (other.name, other.id_number, other.organisation) == ("周小燕", stranger_id, tree.town_a)
    assert other.user is None and other.mobile_verified_at is None


def test_every_bad_row_is_reported_with_its_row_and_column_and_nothing_is_written(tree, people):
    member = make_member(tree.union_a)
    already = next_id_number()
    from volunteers import services

    services.volunteer_register_person(
        by=people.district_staff,
        name="赵已有",
        id_number=already,
        mobile="13922220000",
        organisation=tree.town_a,
    )
    twice = next_id_number()
    rows = [
        ["钱好", next_id_number(), "13922221111", "西南街道总工会", "", "", "", "", ""],  # good
        ["孙错号", "440604199003070019", "13922221112", "西南街道总工会", "", "", "", "", ""],  # check digit
        ["李已有", already, "13922221113", "西南街道总工会", "", "", "", "", ""],  # registered
        ["周两次", twice, "13922221114", "西南街道总工会", "", "", "", "", ""],
        ["吴两次", twice, "13922221115", "西南街道总工会", "", "", "", "", ""],  # twice in the file
        ["郑外镇", next_id_number(), "13922221116", "乐平镇总工会", "", "", "", "", ""],  # not town A's
        ["王无队", next_id_number(), "1392222", "西南街道总工会", "没有这个队", "", "", "", ""],  # mobile, team
        [member.name, member.id_number, member.mobile, "健力宝集团工会委员会", "", "", "", "", ""],  # good
    ]  # fmt: skip
    job = check(people.town_a_staff, csv_bytes(rows))
    assert job.status == Status.INVALID
    assert sorted((e["row"], e["column"], e["message"]) for e in job.errors) == [
        (3, "身份证号", "The check digit of the ID number is wrong: please check every digit."),
        (4, "身份证号", "A volunteer with this ID number is already registered."),
        (6, "身份证号", "The same ID number is already on row 5."),
        (7, "所属单位", "No union or town of this name that you may manage."),
        (8, "手机号", "Enter a valid mainland mobile number of 11 digits."),
        (8, "服务队", "No active team of this name that you may manage."),
    ]
    with pytest.raises(Exception):  # noqa: B017,PT011 - an invalid job cannot be confirmed
        importing.import_start_confirm(job=job, by=people.town_a_staff)
    assert Volunteer.objects.count() == 1


def test_the_row_errors_are_in_chinese_for_a_chinese_user(tree, people):
    rows = [["孙错号", "440604199003070019", "13922221112", "西南街道总工会", "", "", "", "", ""]]
    with translation.override("zh-hans"):
        job = check(people.town_a_staff, csv_bytes(rows))
    assert [(e["row"], e["column"]) for e in job.errors] == [(2, "身份证号")]
    assert "校验" in job.errors[0]["message"]


def test_the_preview_masks_personal_data(tree, people):
    rows = [["周小燕", "440604199003070014", "13922223333", "西南街道总工会", "", "", "", "", ""]]
    job = check(people.town_a_staff, csv_bytes(rows))
    resource = VolunteerRosterResource(by=people.town_a_staff)
    assert job.status == Status.VALID
    text = str(job.preview)
    assert "440604199003070014" not in text and "13922223333" not in text
    assert "440604********0014" in text and resource.preview_headers()[1] == "身份证号"


def test_only_who_may_import_volunteers_can_upload(tree, people):
    from union_portal.core.errors import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        check(people.officer_a, csv_bytes([]))
