"""Imports of the past through the one pipeline (upload, check, confirm): honours into the register and
results of contests held before the portal. Bad rows are listed by row and column, and nothing is
written unless every row is good."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from competitions import services
from competitions.models import ContestStatus, Entry, EntryKind, HolderKind, Honour, Prize
from union_portal.imports import services as importing
from union_portal.imports.models import ImportJob

from ..members.factories import make_member, next_id_number
from .factories import make_contest, make_title

Status = ImportJob.Status
HONOUR_HEAD = ["称号", "级别", "身份证号", "获得者名称", "所属工会", "授予日期"]
RESULT_HEAD = ["竞赛名称", "身份证号", "班组名称", "项目名称", "总分", "名次", "奖项", "等级"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cache.clear()


def csv_file(head, rows, encoding="utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(head)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_file(head, rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(head)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def check(by, raw, kind, name="导入.csv") -> ImportJob:
    job = importing.import_upload(by=by, file=SimpleUploadedFile(name, raw), kind=kind)
    return importing.import_check(job=job)


# --- past honours ---------------------------------------------------------------------------------------------


@pytest.fixture
def titles(tree, people):
    staff = people.district_staff
    return (
        make_title(tree.district, staff, name="区劳动模范"),
        make_title(tree.district, staff, name="工人先锋号", holder_kind=HolderKind.TEAM, model_worker=False),
    )


def test_past_honours_in_a_gbk_csv_are_checked_then_entered_with_history(tree, people, titles):
    staff = people.district_staff
    worker = make_member(tree.union_a, name="陈晓明")
    rows = [
        ["区劳动模范", "区级", worker.id_number, "", "", "2021-04-28"],
        ["工人先锋号", "", "", "灌装车间一班", tree.union_a.name, "2022/4/28"],
    ]
    # when district staff check a file Excel saved in GBK
    job = check(staff, csv_file(HONOUR_HEAD, rows, encoding="gbk"), "honours")
    # then it is valid, nothing is written yet, and the preview masks the person
    assert (job.status, job.total_rows, job.error_count) == (Status.VALID, 2, 0)
    assert Honour.objects.count() == 0
    assert job.preview["rows"] == [
        [2, "区劳动模范", "陈*明", tree.union_a.name, "2021-04-28"],
        [3, "工人先锋号", "灌装车间一班", tree.union_a.name, "2022-04-28"],
    ]
    # and the confirm enters both in the register, each with a history row by the importing user
    job = importing.import_start_confirm(job=job, by=staff)
    assert job.status == Status.DONE and job.message == "2 honour(s) entered in the register."
    person = Honour.objects.get(member=worker)
    team = Honour.objects.get(holder_name="灌装车间一班")
    assert (person.title, person.organisation, person.conferred_on) == (
        titles[0],
        tree.union_a,
        dt.date(2021, 4, 28),
    )
    assert (team.holder_kind, team.member, team.organisation) == ("team", None, tree.union_a)
    assert person.history.count() == 1 and person.recorded_by == staff


def test_bad_honour_rows_are_listed_by_row_and_column_and_nothing_is_entered(tree, people, titles):
    staff = people.town_a_staff
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(Permission.objects.get(codename="import_honour"))
    staff.user_permissions.add(Permission.objects.get(codename="add_honour"))
    staff = type(staff).objects.get(pk=staff.pk)
    worker = make_member(tree.union_a)
    other_town = make_member(tree.union_b)
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    rows = [
        ["区劳动模范", "", worker.id_number, "", "", "2021-04-28"],  # 2: good
        ["区劳动模范", "", other_town.id_number, "", "", "2021-04-28"],  # 3: another town's member
        ["市劳动模范", "", worker.id_number, "", "", "2021-04-28"],  # 4: no such title
        ["区劳动模范", "", "440607198501011234", "", "", "2021-04-28"],  # 5: a bad check digit
        ["工人先锋号", "", "", "", "", "2021-04-28"],  # 6: a team without its name or union
        ["区劳动模范", "", worker.id_number, "", "", future],  # 7: in the future
        ["区劳动模范", "", worker.id_number, "", "", "2021-04-28"],  # 8: row 2 again
    ]
    job = check(staff, csv_file(HONOUR_HEAD, rows), "honours")
    assert job.status == Status.INVALID
    problems = [(e["row"], e["column"]) for e in job.errors]
    assert problems == [
        (3, "身份证号"), (4, "称号"), (5, "身份证号"), (6, "获得者名称"), (6, "所属工会"), (7, "授予日期"), (8, "称号"),
    ]  # fmt: skip
    messages = {(e["row"], e["column"]): e["message"] for e in job.errors}
    assert messages[(3, "身份证号")] == "No member of your organisation has this ID number."
    assert messages[(7, "授予日期")] == "The date cannot be in the future."
    assert messages[(8, "称号")] == "The same honour is already on row 2."
    assert Honour.objects.count() == 0


def test_import_errors_are_in_chinese_when_the_portal_is(tree, people, titles):
    rows = [["不存在的称号", "", next_id_number(), "", "", "2021-04-28"]]
    with translation.override("zh-hans"):
        job = check(people.district_staff, csv_file(HONOUR_HEAD, rows), "honours")
    assert [(e["row"], e["column"], e["message"]) for e in job.errors] == [
        (2, "称号", "本组织及上级未定义此名称（及级别）的称号。"),
    ]


# --- past contest results -------------------------------------------------------------------------------------


@pytest.fixture
def past_contest(tree, people):
    return make_contest(
        tree.district,
        people.district_staff,
        name="2023年叉车司机职业技能竞赛",
        status="draft",
        registration_opens_on=dt.date(2023, 5, 1),
        registration_closes_on=dt.date(2023, 5, 31),
    )


def test_past_results_from_an_xlsx_are_recorded_then_published(client, tree, people, past_contest):
    staff = people.district_staff
    first, second = make_member(tree.union_a, name="陈晓明"), make_member(tree.union_b, name="李四")
    rows = [
        [past_contest.name, first.id_number, "", "", "92.5", 1, "一等奖", ""],
        [past_contest.name, second.id_number, "", "", "88", 2, "二等奖", ""],
    ]
    job = check(staff, xlsx_file(RESULT_HEAD, rows), "contest_results", name="成绩.xlsx")
    assert (job.status, job.error_count) == (Status.VALID, 0), job.errors
    assert Entry.objects.filter(contest=past_contest).count() == 0
    job = importing.import_start_confirm(job=job, by=staff)
    assert job.status == Status.DONE
    entries = {e.member_id: e for e in Entry.objects.filter(contest=past_contest)}
    assert (entries[first.pk].total, entries[first.pk].rank, entries[first.pk].prize) == (
        Decimal("92.50"),
        1,
        Prize.FIRST,
    )
    assert entries[second.pk].history.get().history_change_reason == "past result recorded"
    # the contest holds past results: it cannot open for entries, and publishing shows them as they are
    past_contest.refresh_from_db()
    assert past_contest.results_recorded
    with pytest.raises(Exception, match="past results"):
        services.contest_open(contest=past_contest, by=staff)
    services.contest_publish(contest=past_contest, by=staff)
    past_contest.refresh_from_db()
    assert past_contest.status == ContestStatus.PUBLISHED
    page = client.get(f"/portal/contests/{past_contest.pk}/results/").content.decode()
    assert "陈*明" in page and "李*" in page and "陈晓明" not in page


def test_bad_result_rows_are_listed_and_nothing_is_recorded(tree, people, past_contest):
    staff = people.district_staff
    open_contest = make_contest(tree.district, staff, name="正在报名的竞赛")
    a, b = make_member(tree.union_a), make_member(tree.union_a)
    rows = [
        [past_contest.name, a.id_number, "", "", "90", 1, "一等奖", ""],  # 2: good
        [open_contest.name, b.id_number, "", "", "80", 1, "一等奖", ""],  # 3: not a contest being prepared
        [past_contest.name, b.id_number, "", "", "80", "", "二等奖", ""],  # 4: a prize without its rank
        [past_contest.name, next_id_number(), "", "", "70", 3, "", ""],  # 5: nobody
        [past_contest.name, a.id_number, "", "", "90", 1, "特等奖", ""],  # 6: unknown prize, a second time
    ]
    job = check(staff, csv_file(RESULT_HEAD, rows), "contest_results")
    assert job.status == Status.INVALID
    assert [(e["row"], e["column"]) for e in job.errors] == [
        (3, "竞赛名称"), (4, "名次"), (5, "身份证号"), (6, "奖项"),
    ]  # fmt: skip
    assert Entry.objects.count() == 0


TEAM_HEAD = ["竞赛名称", "身份证号", "班组名称", "队员卡号", "总分", "名次", "奖项"]


@pytest.fixture
def past_team_contest(tree, people):
    return make_contest(
        tree.district,
        people.district_staff,
        name="2023年电工班组技能竞赛",
        status="draft",
        entry_kind=EntryKind.TEAM,
        team_min=2,
        team_max=3,
        registration_opens_on=dt.date(2023, 5, 1),
        registration_closes_on=dt.date(2023, 5, 31),
    )


def test_past_team_results_bring_in_the_team_mates_by_card_number(tree, people, past_team_contest):
    staff = people.district_staff
    leader, mate, other = (make_member(tree.union_a) for _ in range(3))
    second_leader, second_mate = make_member(tree.union_b), make_member(tree.union_b)
    rows = [
        [past_team_contest.name, leader.id_number, "灌装一班", f"{mate.card_number}、 {other.card_number}", "95", 1, "一等奖"],
        [past_team_contest.name, second_leader.id_number, "施釉二班", second_mate.card_number.lower(), "90", 2, "二等奖"],
    ]  # fmt: skip
    job = check(staff, csv_file(TEAM_HEAD, rows), "contest_results")
    assert (job.status, job.error_count) == (Status.VALID, 0), job.errors
    assert Entry.objects.filter(contest=past_team_contest).count() == 0
    job = importing.import_start_confirm(job=job, by=staff)
    assert job.status == Status.DONE
    teams = {
        e.team_name: {p.member_id for p in e.people.all()}
        for e in Entry.objects.filter(contest=past_team_contest)
    }
    assert teams == {
        "灌装一班": {leader.pk, mate.pk, other.pk},
        "施釉二班": {second_leader.pk, second_mate.pk},
    }


def test_bad_team_rows_name_the_card_number_and_the_team_size(tree, people, past_team_contest):
    staff = people.district_staff
    a, b, c, d, e, f = (make_member(tree.union_a) for _ in range(6))
    rows = [
        [past_team_contest.name, a.id_number, "一班", "", "95", 1, "一等奖"],  # 2: the leader alone
        [past_team_contest.name, b.id_number, "二班", "HY9999999", "90", 2, "二等奖"],  # 3: nobody has it
        [past_team_contest.name, c.id_number, "三班", f"{d.card_number} {e.card_number} {a.card_number}", "85", 3, "三等奖"],  # 4: 4 people
        [past_team_contest.name, e.id_number, "四班", d.card_number, "80", 4, "三等奖"],  # 5: good
        [past_team_contest.name, f.id_number, "五班", d.card_number, "80", 4, "三等奖"],  # 6: d is in row 5
    ]  # fmt: skip
    job = check(staff, csv_file(TEAM_HEAD, rows), "contest_results")
    assert job.status == Status.INVALID
    errors = {e["row"]: (e["column"], e["message"]) for e in job.errors}
    assert set(errors) == {2, 3, 4, 6}
    assert {column for column, _m in errors.values()} == {"队员卡号"}
    assert "HY9999999" in errors[3][1]
    assert Entry.objects.count() == 0
