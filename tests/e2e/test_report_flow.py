"""A staff member asks for a report in the admin, watches it being built and downloads it, in a real
browser (Chinese, 1366×768). The Celery task is held back so that the page is seen polling a queued
run; the worker's build then runs, and the page shows the download without a reload."""

from __future__ import annotations

import openpyxl
import pytest

from union_portal.reports import services, tasks
from union_portal.reports.models import ReportRun, RunState

from ..accounts.factories import PASSWORD
from ..members.factories import make_member

pytestmark = pytest.mark.e2e

DESKTOP = {"viewport": {"width": 1366, "height": 768}, "locale": "zh-CN", "accept_downloads": True}


def test_a_staff_member_asks_watches_and_downloads(browser, transactional_db, live_server, tree, people,
                                                  settings, tmp_path, monkeypatch):  # fmt: skip
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "zh-hans"  # the portal's language, in which reports are written
    held = []
    monkeypatch.setattr(tasks.build_report, "delay", lambda **kwargs: held.append(kwargs))
    for n in range(3):
        make_member(tree.union_a, name=f"黄小明{n}")
    staff = people.town_a_staff
    base = live_server.url
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(f"{base}/admin/login/?next=/admin/reports/reportrun/add/")
    page.fill("#id_username", staff.username)
    page.fill("#id_password", PASSWORD)
    page.locator("input[type=submit], button[type=submit]").first.click()
    page.wait_for_url("**/admin/reports/reportrun/add/")

    # when they ask for the year 2026 of their town, members only
    page.locator("input[name=period_kind][value=year]").check()
    page.fill("#id_year", "2026")
    for box in page.locator("input[name=areas]").all():
        if box.get_attribute("value") != "members":
            box.uncheck()
    page.locator("#report-request input[type=submit]").click()
    page.wait_for_url("**/admin/reports/reportrun/*/change/")

    # then the run's page shows it queued and polls its status
    run = ReportRun.objects.get()
    assert (run.organisation_id, run.period_kind, run.areas) == (tree.town_a.pk, "year", ["members"])
    assert held == [{"run_id": run.pk}]
    assert page.locator("#report-state").get_attribute("data-state") == "queued"
    assert page.locator("#report-download").is_hidden()

    # when the worker builds it
    assert services.report_build(run=run).state == RunState.DONE

    # then the page shows it ready and the link, without a reload
    page.wait_for_selector("#report-state[data-state=done]", timeout=20000)
    assert page.locator("#report-percent").inner_text() == "100%"
    assert page.locator("#report-state").inner_text() == "已完成"
    with page.expect_download() as info:
        page.locator("#report-download-link").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    download.save_as(tmp_path / "report.xlsx")
    book = openpyxl.load_workbook(tmp_path / "report.xlsx")
    assert book.sheetnames == ["概况", "会员与覆盖"]
    assert [c.value for c in book["会员与覆盖"][4]][:3] == ["指标", "单位", "本期"]
    assert errors == []
    context.close()
