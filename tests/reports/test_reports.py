"""Report runs: the figures they compute and store, the spreadsheet, the comparison across a year end,
reproducibility, the number of queries, failures. The hand-counted story is the hardship-aid one
(``tests/assistance/test_figures.py``): in January 2026 one payment of 3000 (education, member B of
town B) and two applications were received; in December 2025 one payment of 1000 (festival, member A
of town A) and one application; nothing in January 2025.
"""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from assistance.models import Payment
from union_portal.core.errors import ApplicationError
from union_portal.core.figures import Period, figure
from union_portal.reports import services
from union_portal.reports.compute import planned_calls
from union_portal.reports.models import ReportRun, RunState

JAN_2026 = Period.month(2026, 1)


def sheet_rows(run: ReportRun, sheet: str) -> dict:
    """``{label in column A: [columns B..G]}`` of one sheet of the run's file."""
    book = openpyxl.load_workbook(io.BytesIO(run.file.open("rb").read()))
    return {row[0]: list(row[1:7]) for row in book[sheet].iter_rows(values_only=True) if row[0]}


def test_january_is_compared_with_december_and_with_january_last_year(story, people, build):
    tree, _file_c = story
    # when
    run = build(by=people.district_staff, organisation=tree.district, period=JAN_2026, period_kind="month",
                areas=["aid"])  # fmt: skip
    # then the run records what it computed, over the year end
    assert run.state == RunState.DONE
    assert run.requested_by == people.district_staff
    assert run.figures["periods"] == {
        "current": ["2026-01-01", "2026-01-31"],
        "previous": ["2025-12-01", "2025-12-31"],
        "last_year": ["2025-01-01", "2025-01-31"],
    }
    paid = run.figures["figures"]["aid.money_paid"]
    assert paid == {
        "area": "aid", "kind": "scalar", "current": "3000.00", "previous": "1000.00", "last_year": "0.00",
        "by_child": {tree.town_b.path: "3000.00"},
    }  # fmt: skip
    assert run.figures["figures"]["aid.applications"]["current"] == 2
    assert run.figures["figures"]["aid.applications"]["previous"] == 1
    assert run.figures["figures"]["aid.money_by_kind"]["previous"]["festival"] == "1000.00"
    assert run.figures["children"] == {tree.town_a.path: tree.town_a.name, tree.town_b.path: tree.town_b.name}
    # and the spreadsheet shows exactly those numbers, with the changes as formulas
    rows = sheet_rows(run, "Hardship aid")
    assert rows["Aid paid"][:3] == ["yuan", 3000, 1000]
    assert rows["Aid paid"][3].startswith("=IF(OR(D")  # change on December: (C-D)/D
    assert rows["Aid paid"][4] == 0
    assert rows["Aid applications received"][:3] == ["number", 2, 1]
    # the per-town table: applications, then money paid, of January
    assert rows[tree.town_a.name][:2] == [1, 0]
    assert rows[tree.town_b.name][:2] == [1, 3000]


def test_the_spreadsheet_is_print_ready_with_native_charts(story, people, build):
    tree, _file_c = story
    run = build(by=people.district_staff, organisation=tree.district, period=JAN_2026, period_kind="month")
    data = run.file.open("rb").read()
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Overview", "Members and coverage", "Hardship aid"]  # one sheet per area
    for sheet in book.worksheets:
        assert sheet.print_title_rows in ("$3:$3", "$4:$4")  # the header row on every page
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.page_setup.paperSize == 9  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
        assert sheet.page_setup.fitToWidth in (1, None)  # 1 is the default openpyxl leaves out
        assert sheet.page_setup.fitToHeight == 0
    charts = [
        name for name in zipfile.ZipFile(io.BytesIO(data)).namelist() if name.startswith("xl/charts/chart")
    ]
    assert len(charts) >= 4
    header = [cell.value for cell in book["Hardship aid"][4]]
    assert header[:7] == [
        "Figure", "Unit", "This period", "Previous period", "Change on previous period",
        "Same period last year", "Change on last year",
    ]  # fmt: skip


def test_a_report_is_reproducible_until_the_data_changes(story, people, build):
    tree, _file_c = story
    first = build(by=people.district_staff, organisation=tree.district, period=JAN_2026, period_kind="month")
    again = build(by=people.district_staff, organisation=tree.district, period=JAN_2026, period_kind="month")
    assert again.pk != first.pk
    assert again.figures["figures"] == first.figures["figures"]
    # when a payment of January is corrected
    Payment.objects.filter(paid_on__month=1, paid_on__year=2026).update(amount=Decimal("2500.00"))
    changed = build(
        by=people.district_staff, organisation=tree.district, period=JAN_2026, period_kind="month"
    )
    assert changed.figures["figures"]["aid.money_paid"]["current"] == "2500.00"
    first.refresh_from_db()
    assert first.figures["figures"]["aid.money_paid"]["current"] == "3000.00"  # what was handed in stays


def test_the_report_holds_the_registrys_numbers(story, people, build):
    tree, _file_c = story
    run = build(by=people.district_staff, organisation=tree.town_b, period=Period.quarter(2026, 1),
                period_kind="quarter")  # fmt: skip
    for key, stored in run.figures["figures"].items():
        value = figure(key).value(scope=tree.town_b, period=Period.quarter(2026, 1))
        assert stored["current"] == services_plain(value), key


def services_plain(value):
    from union_portal.reports.compute import plain

    return plain(value)


def test_the_number_of_queries_does_not_grow_with_the_tree(story, people, build):
    tree, _file_c = story
    small = build(by=people.district_staff, organisation=tree.district, period=JAN_2026, period_kind="month")
    # given three more towns, each with a union and members
    from union_portal.organisations.models import OrganisationKind
    from union_portal.organisations.services import organisation_add

    from ..members.factories import make_member
    from ..organisations.factories import make_enterprise, make_union

    for index in range(3):
        town = organisation_add(parent=tree.district, name=f"新镇{index}", kind=OrganisationKind.TOWN)
        union = make_union(town, f"新镇{index}工会", make_enterprise(town, name=f"新镇{index}企业"))
        for _ in range(3):
            make_member(union)
    large = build(by=people.district_staff, organisation=tree.district, period=JAN_2026, period_kind="month")
    assert len(large.figures["children"]) == 5
    expected = len(planned_calls(areas=["members", "aid"])) + 1  # one per grouped query, one for the names
    assert small.queries == expected
    assert large.queries == expected


def test_only_ones_own_subtree_and_readable_areas(story, people):
    tree, _file_c = story
    with pytest.raises(ApplicationError) as denied:
        services.report_request(by=people.town_a_staff, organisation=tree.district, period=JAN_2026,
                                period_kind="month", areas=["aid"])  # fmt: skip
    assert denied.value.code == "out_of_scope"
    with pytest.raises(ApplicationError):
        services.report_request(by=people.town_a_staff, organisation=tree.town_b, period=JAN_2026,
                                period_kind="month", areas=["aid"])  # fmt: skip
    with pytest.raises(ApplicationError) as no_area:
        services.report_request(by=people.district_staff, organisation=tree.town_a, period=JAN_2026,
                                period_kind="month", areas=["no-such-area"])  # fmt: skip
    assert no_area.value.code == "no_area"
    with pytest.raises(ApplicationError) as member:
        services.report_request(by=people.member_user, organisation=tree.town_a, period=JAN_2026,
                                period_kind="month", areas=["aid"])  # fmt: skip
    assert member.value.code == "permission_denied"
    run = services.report_request(by=people.town_a_staff, organisation=tree.union_a, period=JAN_2026,
                                  period_kind="month", areas=["aid", "aid", "members"])  # fmt: skip
    assert run.areas == ["members", "aid"]  # registry order, once each
    assert ReportRun.objects.count() == 1


def test_a_failed_build_keeps_the_error_and_can_be_built_again(story, people, build, monkeypatch):
    tree, _file_c = story
    from union_portal.reports import compute

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "report_figures", broken)
    run = build(by=people.district_staff, organisation=tree.town_a, period=JAN_2026, period_kind="month")
    assert run.state == RunState.FAILED
    assert run.error == "RuntimeError: database went away"
    assert not run.file
    monkeypatch.setattr(services, "report_figures", compute.report_figures)
    services.report_rebuild(run=run, by=people.district_staff)
    services.report_build(run=run)
    run.refresh_from_db()
    assert run.state == RunState.DONE
    assert [h.state for h in run.history.order_by("history_id")] == [
        "queued", "running", "failed", "queued", "running", "done",
    ]  # fmt: skip
    assert services.report_build(run=run).finished_at == run.finished_at  # safe twice


def test_the_spreadsheet_is_written_in_chinese(story, people, build, settings):
    tree, _file_c = story
    settings.LANGUAGE_CODE = "zh-hans"
    run = build(by=people.district_staff, organisation=tree.district, period=JAN_2026, period_kind="month",
                areas=["aid"])  # fmt: skip
    book = openpyxl.load_workbook(io.BytesIO(run.file.open("rb").read()))
    assert book.sheetnames == ["概况", "困难职工帮扶"]
    assert [cell.value for cell in book["困难职工帮扶"][4]][:7] == [
        "指标", "单位", "本期", "上期", "环比", "去年同期", "同比",
    ]  # fmt: skip
    assert book["困难职工帮扶"]["A2"].value == (
        "本期 2026-01-01—2026-01-31；上期 2025-12-01—2025-12-31；去年同期 2025-01-01—2025-01-31"
    )
    assert book["概况"]["B4"].value == "三水区总工会"


def test_a_run_abandoned_by_a_dead_worker_is_built_by_the_next_delivery(story, people, settings):
    import datetime as dt

    from django.utils import timezone

    tree, _file_c = story
    run = services.report_request(by=people.district_staff, organisation=tree.town_a, period=JAN_2026,
                                  period_kind="month", areas=["aid"])  # fmt: skip
    # given a build that started and whose worker is still within the time limit
    ReportRun.objects.filter(pk=run.pk).update(state=RunState.RUNNING, started_at=timezone.now())
    assert services.report_build(run=run).state == RunState.RUNNING  # left to the one building it
    # when the time limit has passed
    settings.CELERY_TASK_TIME_LIMIT = 600
    ReportRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - dt.timedelta(seconds=601))
    assert services.report_build(run=run).state == RunState.DONE
