"""The check of a large file on two processes (``parallel_check``, ``IMPORT_CHECK_PROCESSES``): the same
outcome as on one, row for row, in every language; the forked process never outlives the check."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import random

import pytest
from django.utils import translation
from openpyxl import Workbook

from members.fakes import fake_name
from members.models import Member
from members.resources import MemberResource
from union_portal.imports.reading import spreadsheet_rows
from union_portal.imports.resources import CheckedSink

from ..members.factories import make_member, next_id_number, next_mobile, wrong_check_digit

HEAD = ["姓名", "身份证号", "手机号", "所属工会", "工作单位", "岗位", "技能等级", "户籍类型", "是否农民工",
        "入会日期"]  # fmt: skip
#: Small chunks: a file of a few thousand rows has dozens, every other one checked by the forked process.
BATCH = 50


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def forks(monkeypatch):
    """The pids of the processes the check forks (``os.fork`` still forks)."""
    pids: list[int] = []
    real_fork = os.fork

    def fork():
        pid = real_fork()
        if pid:
            pids.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    return pids


@pytest.fixture
def no_fork(monkeypatch):
    def fork():
        pytest.fail("the check forked a process")

    monkeypatch.setattr(os, "fork", fork)


def assert_reaped(pids: list[int]) -> None:
    for pid in pids:
        with pytest.raises(ChildProcessError):  # neither running nor a zombie: waited for
            os.waitpid(pid, os.WNOHANG)


def member_row(union, **kw) -> list:
    values = {
        "姓名": "张三",
        "身份证号": next_id_number(),
        "手机号": next_mobile(),
        "所属工会": union.name,
        "工作单位": "",
        "岗位": "操作工",
        "技能等级": "",
        "户籍类型": "本地",
        "是否农民工": "否",
        "入会日期": "",
    }
    values.update(kw)
    return [values[h] for h in HEAD]


def example_row() -> list[str]:
    examples = {c.header: c.example for c in MemberResource.columns}
    return [examples.get(h, "") for h in HEAD]


def mixed_rows(tree, registered: str, count: int) -> list[list]:
    """Good rows and bad rows of every kind, spread over every chunk."""
    rng = random.Random(5)
    rows: list[list] = []
    ids: list[str] = []
    for i in range(count):
        kind = i % 13
        number = next_id_number()
        cells = member_row(tree.union_a, **{"姓名": fake_name(rng), "身份证号": number})
        if kind == 1:
            cells = member_row(tree.union_a, **{"身份证号": wrong_check_digit(number)})
        elif kind == 2:
            cells = member_row(tree.union_a, **{"所属工会": "不存在的工会"})
        elif kind == 3:
            cells = [""] * len(HEAD)  # an empty row: skipped
        elif kind == 4 and len(ids) > 80:
            cells = member_row(tree.union_b, **{"身份证号": ids[-75]})  # the same person, a chunk or two back
        elif kind == 5:
            cells = member_row(tree.union_a, **{"身份证号": registered})  # a member already (check_batch)
        elif kind == 6:
            cells = member_row(tree.union_a, **{"手机号": "12345", "技能等级": "特级", "所属工会": "X"})
        elif kind == 7:
            cells = member_row(
                tree.union_b, **{"工作单位": tree.union_b.enterprise.name, "入会日期": "2024-03-01"}
            )
        elif kind == 8:
            cells = member_row(tree.union_a, **{"入会日期": "2999-01-01", "是否农民工": "是"})
        elif kind == 9:
            cells = member_row(tree.union_a, **{"工作单位": "无名公司", "技能等级": "高级工"})
        if i in (137, 1010):
            cells = example_row()
        rows.append(cells)
        if cells[1] and kind not in (1, 4, 5):
            ids.append(cells[1])
    return rows


def csv_bytes(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEAD)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def xlsx_bytes(rows) -> bytes:
    """As Excel keeps typed cells: the mobile a number, the join date a date."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEAD)
    for cells in rows:
        cells = list(cells)
        if cells[2].isdigit():
            cells[2] = int(cells[2])
        if cells[9] and cells[9][0] == "2":
            cells[9] = dt.datetime.fromisoformat(cells[9])
        sheet.append([c if c != "" else None for c in cells])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def check_file(settings, by, raw: bytes, *, processes: int, resource_class=MemberResource, **attributes):
    """Check ``raw``; what the check gives: the outcome's figures, problems and preview, and the file
    of checked rows, byte for byte."""
    settings.IMPORT_CHECK_PROCESSES = processes
    resource = resource_class(by=by)
    resource.batch_size = BATCH
    for name, value in attributes.items():
        setattr(resource, name, value)
    sink = io.BytesIO()
    with spreadsheet_rows(raw) as rows:
        outcome = resource.check(
            rows, sink=CheckedSink(sink, resource.checked_field_names), max_problems=100_000
        )
    return {
        "rows": outcome.rows,
        "checked": outcome.checked,
        "problems": outcome.problems,
        "problem_count": outcome.problem_count,
        "preview": outcome.preview,
        "sink": sink.getvalue(),
    }


# --- the same outcome ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "fmt"), [("zh-hans", "csv"), ("en", "csv"), ("en", "xlsx")])
def test_two_processes_give_the_outcome_of_one(tree, people, settings, forks, language, fmt):
    registered = make_member(tree.union_a).id_number
    rows = mixed_rows(tree, registered, 2400)
    raw = csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows)
    by = people.district_staff
    with translation.override(language):
        one = check_file(settings, by, raw, processes=1, preview_size=120)
        assert forks == []
        two = check_file(settings, by, raw, processes=2, preview_size=120)
    assert len(forks) == 1
    assert_reaped(forks)
    assert two == one
    # and the file had everything: rows of every kind in the chunks of both processes
    lines = {p["row"] for p in one["problems"]}
    assert any(2 + BATCH <= line < 2 + 2 * BATCH for line in lines)  # the second chunk: the forked one
    assert one["checked"] > 500 and one["problem_count"] > 500
    assert len(one["preview"]["rows"]) == 120 and one["preview"]["rows"][-1][0] > 2 * BATCH
    # the forked process's rows have their messages in the language of the check
    unknown = {
        "zh-hans": "未知工会“不存在的工会”：您的组织范围内没有名称完全一致的工会。",
        "en": "Unknown union “不存在的工会”: no union of this exact name in your organisation.",
    }[language]
    duplicate = {"zh-hans": "已有相同的身份证号码", "en": "The same ID number is already on row"}[language]
    child_messages = {p["message"] for p in one["problems"] if 2 + BATCH <= (p["row"] or 0) < 2 + 6 * BATCH}
    assert unknown in child_messages
    assert any(duplicate in m for m in child_messages)


def test_a_row_longer_than_the_header_stops_the_file_where_it_stops_one_process(
    tree, people, settings, forks
):
    by = people.district_staff
    rows = [member_row(tree.union_a, **({"身份证号": "12345"} if i % 7 == 0 else {})) for i in range(300)]
    for line in (30, 80, 180):  # the first chunk (this process's), the second (the forked one's), a later one
        raw = csv_bytes([*rows[: line - 2], [*rows[line - 2], "多余"], *rows[line - 1 :]])
        for language in ("zh-hans", "en"):
            with translation.override(language):
                one = check_file(settings, by, raw, processes=1)
                two = check_file(settings, by, raw, processes=2)
            assert two == one
            stop, *before = one["problems"]  # the file's problem (no row) first
            assert stop["row"] is None and f"{line}" in stop["message"]
            assert (f"row {line} has cells outside" in stop["message"]) == (language == "en")
            assert one["rows"] == line - 2  # the rows before it were counted, and their problems kept
            assert [p["row"] for p in before] == [i + 2 for i in range(0, line - 2, 7)]
    assert len(forks) == 6
    assert_reaped(forks)


def test_an_error_of_the_reader_comes_after_the_rows_before_it(tree, people, settings, forks):
    # given a csv whose row 130 cannot be read (a field over the csv module's limit)
    rows = [member_row(tree.union_a, **({"所属工会": "X"} if i % 5 == 0 else {})) for i in range(300)]
    rows[128][5] = "岗" * 200_000
    raw = csv_bytes(rows)
    by = people.district_staff
    one = check_file(settings, by, raw, processes=1)
    two = check_file(settings, by, raw, processes=2)
    assert two == one
    # the problems of the rows before it are there, as when rows were checked one by one
    stop, *before = one["problems"]
    assert stop["row"] is None and "could not be read after row 130" in stop["message"]
    assert [p["row"] for p in before] == [i + 2 for i in range(0, 128, 5)]
    assert len(forks) == 1
    assert_reaped(forks)


def test_the_row_limit_stops_two_processes_as_it_stops_one(tree, people, settings, forks):
    settings.IMPORT_MAX_ROWS = 120
    rows = [member_row(tree.union_a, **({"所属工会": "X"} if i % 9 == 0 else {})) for i in range(400)]
    raw = csv_bytes(rows)
    by = people.district_staff
    one = check_file(settings, by, raw, processes=1)
    two = check_file(settings, by, raw, processes=2)
    assert two == one
    assert one["problems"][0] == {
        "row": None,
        "column": "",
        "message": "The file has more than 120 rows: split it into several files.",
    }
    assert len(forks) == 1
    assert_reaped(forks)


# --- the forked process's failures ----------------------------------------------------------------------------


class FailingOnLine(MemberResource):
    line = 80  # in the second chunk: the forked process's
    failure = "raise"

    def check_row(self, row):
        if row.line == self.line:
            if self.failure == "raise":
                raise ValueError(f"check_row failed on row {row.line}")
            if self.failure == "query":
                Member.objects.count()
            if self.failure == "exit":
                os._exit(3)
        return super().check_row(row)


def test_an_error_in_the_forked_process_is_raised_by_the_check(tree, people, settings, forks):
    raw = csv_bytes([member_row(tree.union_a) for _i in range(300)])
    with pytest.raises(ValueError, match="check_row failed on row 80") as caught:
        check_file(settings, people.district_staff, raw, processes=2, resource_class=FailingOnLine)
    assert any("second process" in note and "check_row" in note for note in caught.value.__notes__)
    assert len(forks) == 1
    assert_reaped(forks)
    # and on one process the same error
    with pytest.raises(ValueError, match="check_row failed on row 80"):
        check_file(settings, people.district_staff, raw, processes=1, resource_class=FailingOnLine)


def test_a_query_in_the_forked_process_is_refused_and_the_connection_still_works(
    tree, people, settings, forks
):
    raw = csv_bytes([member_row(tree.union_a) for _i in range(300)])
    before = Member.objects.count()
    with pytest.raises(RuntimeError, match="no database query"):
        check_file(
            settings, people.district_staff, raw, processes=2, resource_class=FailingOnLine, failure="query"
        )
    assert_reaped(forks)
    assert Member.objects.count() == before  # the test's connection and transaction are intact


def test_a_forked_process_that_dies_is_an_error_of_the_check(tree, people, settings, forks):
    raw = csv_bytes([member_row(tree.union_a) for _i in range(300)])
    with pytest.raises(RuntimeError, match="ended without an answer"):
        check_file(
            settings, people.district_staff, raw, processes=2, resource_class=FailingOnLine, failure="exit"
        )
    assert len(forks) == 1
    assert_reaped(forks)


def test_an_error_in_this_process_still_ends_the_forked_one(tree, people, settings, forks):
    raw = csv_bytes([member_row(tree.union_a) for _i in range(300)])
    # row 30: in the first chunk, which this process checks while the forked one has the second
    with pytest.raises(ValueError, match="check_row failed on row 30") as caught:
        check_file(settings, people.district_staff, raw, processes=2, resource_class=FailingOnLine, line=30)
    assert not getattr(caught.value, "__notes__", [])
    assert len(forks) == 1
    assert_reaped(forks)


# --- when there is no second process ----------------------------------------------------------------------------


def test_a_file_of_one_chunk_is_checked_without_forking(tree, people, settings, no_fork):
    raw = csv_bytes([member_row(tree.union_a, **({"所属工会": "X"} if i == 7 else {})) for i in range(BATCH)])
    outcome = check_file(settings, people.district_staff, raw, processes=2)
    assert (outcome["rows"], outcome["checked"], outcome["problem_count"]) == (BATCH, BATCH - 1, 1)


def test_one_process_when_the_setting_says_so(tree, people, settings, forks):
    raw = csv_bytes(
        [member_row(tree.union_a, **({"所属工会": "X"} if i % 11 == 0 else {})) for i in range(400)]
    )
    one = check_file(settings, people.district_staff, raw, processes=1)
    assert forks == []
    two = check_file(settings, people.district_staff, raw, processes=2)
    assert len(forks) == 1 and two == one
    assert_reaped(forks)


def test_when_no_process_can_be_forked_the_check_goes_on_in_one(tree, people, settings, monkeypatch):
    raw = csv_bytes(
        [member_row(tree.union_a, **({"所属工会": "X"} if i % 11 == 0 else {})) for i in range(400)]
    )
    one = check_file(settings, people.district_staff, raw, processes=1)
    calls = []

    def fork():
        calls.append(1)
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", fork)
    assert check_file(settings, people.district_staff, raw, processes=2) == one
    assert calls == [1]  # tried once, not for every chunk


def test_a_kind_that_does_not_allow_it_is_checked_in_one_process(tree, people, settings, no_fork):
    class Serial(MemberResource):
        parallel_check = False

    raw = csv_bytes([member_row(tree.union_a) for _i in range(400)])
    outcome = check_file(settings, people.district_staff, raw, processes=2, resource_class=Serial)
    assert (outcome["rows"], outcome["checked"]) == (400, 400)
