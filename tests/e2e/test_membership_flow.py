"""The membership story in a real browser: apply on a phone, approved in the admin, card on the phone.

Playwright (sync API) drives Debian's Chromium against pytest-django's live server.
"""

import os
import re
from pathlib import Path

import pytest

from members.models import Member, MemberStatus

from ..accounts.factories import PASSWORD
from ..members.factories import next_id_number
from .browser import PHONE

# Playwright's sync API runs an event loop in this thread; the ORM calls of the test are still synchronous.

SCREENSHOTS = Path(os.environ.get("E2E_SCREENSHOTS", "/tmp"))  # noqa: S108 - where the brief wants them
WORKER_MOBILE = "13922334455"
WORKER_PASSWORD = "Gonghui-2026-safe"

pytestmark = pytest.mark.e2e


def console_errors(page) -> list[str]:
    """Errors of the page: script errors, console errors (a CSP violation shows up there) and failed loads."""
    errors: list[str] = []

    def on_console(message):
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "response",
        lambda response: (
            errors.append(f"{response.status} {response.url}") if response.status >= 400 else None
        ),
    )
    return errors


def test_worker_applies_officer_approves_member_shows_card(
    browser, transactional_db, live_server, tree, people, settings
):
    settings.SITE_URL = live_server.url
    base = live_server.url

    # --- a worker applies on their phone ---------------------------------------------------------
    worker = browser.new_context(**PHONE)
    page = worker.new_page()
    errors = console_errors(page)
    page.goto(f"{base}/portal/")
    page.click("a[href='/portal/apply/']")
    page.wait_for_url(f"{base}/portal/apply/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # nothing wider than the phone
    page.screenshot(path=str(SCREENSHOTS / "apply.png"), full_page=True)

    page.fill("#id_name", "陈嘉欣")
    page.fill("#id_id_number", next_id_number())
    page.fill("#id_mobile", "+86 139 2233 4455")
    page.select_option("#id_union", label="健力宝集团工会委员会")
    page.select_option("#id_employer", label="健力宝集团有限公司")
    page.fill("#id_job", "灌装操作工")
    page.select_option("#id_skill_grade", "intermediate")
    page.select_option("#id_household_type", "non_local")
    page.check("#id_is_migrant_worker")
    page.fill("#id_password1", WORKER_PASSWORD)
    page.fill("#id_password2", WORKER_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/portal/status/")
    assert page.locator(".badge-pending").first.is_visible()
    member = Member.objects.get(user__username=WORKER_MOBILE)
    assert member.status == MemberStatus.PENDING
    worker.close()

    # --- the union officer approves it in the admin -------------------------------------------------
    office = browser.new_context(viewport={"width": 1280, "height": 900})
    admin = office.new_page()
    admin_errors = console_errors(admin)
    admin.goto(f"{base}/admin/")
    admin.fill("#id_username", people.officer_a.username)
    admin.fill("#id_password", PASSWORD)
    admin.click("input[type=submit], button[type=submit]")
    admin.wait_for_url(f"{base}/admin/")
    admin.click("a[href='/admin/members/member/']")
    admin.wait_for_url(f"{base}/admin/members/member/")
    admin.check(f"input[name='_selected_action'][value='{member.pk}']")
    admin.select_option("select[name='action']", "approve_selected")
    admin.click("button[name='index']")
    admin.wait_for_load_state()
    assert admin.locator("ul.messagelist li.success").count() == 1
    member.refresh_from_db()
    assert member.status == MemberStatus.ACTIVE and member.card_number
    office.close()

    # --- the member logs in on the phone and shows the card ------------------------------------------
    phone = browser.new_context(**PHONE)
    page = phone.new_page()
    errors += console_errors(page)
    page.goto(f"{base}/portal/login/")
    page.fill("#id_username", "+86 139 2233 4455")
    page.fill("#id_password", WORKER_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/portal/")
    page.click("nav a[href='/portal/card/']")
    page.wait_for_url(f"{base}/portal/card/")
    assert page.locator(".card-number").inner_text() == member.card_number
    assert page.locator(".member-name").inner_text() == "陈嘉欣"
    qr = page.locator(".qr svg.segno")
    assert qr.is_visible()
    box = qr.bounding_box()
    assert box["width"] >= 150 and box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # nothing wider than the phone
    page.screenshot(path=str(SCREENSHOTS / "card.png"), full_page=True)

    # --- a merchant follows the card's verification link -----------------------------------------------
    # the link carries a signed token of the card (issue 18.2), not the bare number
    link = page.locator(f"a[href^='{base}/portal/verify/']")
    assert f"{member.card_number}:" in link.get_attribute("href")  # signed: the number and its signature
    link.click()
    page.wait_for_url(re.compile(r".*/portal/verify/[^/]+/$"))
    assert page.locator(".verdict-valid").is_visible()
    assert page.locator(".masked-name").inner_text() == "陈*欣"
    phone.close()

    assert errors == []
    assert admin_errors == []
