"""The staff workspace in a real browser at 1366×768: a district staff member starts from the
dashboard, follows the count of applications to approve, approves one from its page, and sees the
count drop; the charts are drawn (vendored Chart.js under the strict CSP); the member list fits.
"""

import pytest

from assistance.models import AidApplication, State

from ..accounts.factories import PASSWORD
from ..assistance.factories import HOUSEHOLD, make_campaign
from ..members.factories import make_member
from .test_portal_accessibility import blocking_violations

pytestmark = pytest.mark.e2e

DESKTOP = {"viewport": {"width": 1366, "height": 768}, "locale": "zh-CN"}


def test_from_the_dashboard_to_an_approval_and_back(browser, transactional_db, live_server, tree, people,
                                                    settings, tmp_path):  # fmt: skip
    from assistance import services

    settings.MEDIA_ROOT = tmp_path / "media"
    base = live_server.url
    staff = people.district_staff
    member = make_member(tree.union_a, name="陈晓明")
    services.hardship_file_open(
        member=member, by=staff, level="severe", causes=["illness"], household=HOUSEHOLD
    )
    campaign = make_campaign(tree.district, staff)
    application = services.application_submit(
        member=member,
        by=staff,
        kind="festival",
        data={"reason": "爱人重病住院，家庭困难", "campaign": campaign},
    )
    services.application_check(application=application, by=people.officer_a, note="属实")
    for n in range(12):
        make_member(tree.union_a, name=f"欧阳小明{n}")

    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    # when the district staff member logs in to the admin
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.fill("#id_username", staff.username)
    page.fill("#id_password", PASSWORD)
    page.locator("input[type=submit], button[type=submit]").first.click()
    page.wait_for_url(f"{base}/admin/")

    # then the dashboard shows one application to approve, key figures and drawn charts
    queue = page.locator('li[data-queue="aid.to_approve"]')
    assert queue.locator(".ws-queue-count").inner_text() == "1"
    assert page.locator(".ws-card").count() >= 5
    page.wait_for_selector("canvas[data-drawn]")
    assert page.locator("canvas[data-drawn]").count() >= 2
    assert "工作台" in page.locator("#dashboard h1").inner_text()
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    found = blocking_violations(axe, page)

    # when they follow the count and open the application
    queue.locator("a").click()
    page.wait_for_url("**/admin/assistance/aidapplication/?state__exact=checked")
    page.locator(f"#result_list a[href*='/aidapplication/{application.pk}/change/']").first.click()
    page.wait_for_url(f"**/aidapplication/{application.pk}/change/**")

    # and approve it from its page, seeing the request and the limit first
    page.locator('a[data-step="approve"]').click()
    page.wait_for_url(f"**/aidapplication/{application.pk}/step/approve/")
    assert "爱人重病住院" in page.locator(".ws-step-summary").inner_text()
    found += blocking_violations(axe, page)
    page.fill("#id_note", "同意")
    page.locator("input[name=confirm]").click()
    page.wait_for_url(f"**/aidapplication/{application.pk}/change/")
    assert page.locator("ul.messagelist li.success").count() == 1
    assert AidApplication.objects.get(pk=application.pk).state == State.APPROVED

    # then back on the dashboard the count has dropped and the payment queue has it
    page.goto(f"{base}/admin/")
    assert page.locator('li[data-queue="aid.to_approve"] .ws-queue-count').inner_text() == "0"
    assert page.locator('li[data-queue="aid.to_pay"] .ws-queue-count').inner_text() == "1"

    # and the member's page shows one timeline with the approval
    page.goto(f"{base}/admin/members/member/{member.pk}/change/")
    assert page.locator('#timeline li[data-kind="aid.approved"]').count() == 1

    # and the member list fits 1366 px: no name broken one character per line
    page.goto(f"{base}/admin/members/member/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    heights = page.locator("#result_list td.field-name, #result_list th.field-name").evaluate_all(
        "cells => cells.map(c => c.getBoundingClientRect().height)"
    )
    assert heights and max(heights) < 60

    context.close()
    assert errors == []
    assert found == []  # axe-core: no serious or critical violation on the dashboard and the step form
