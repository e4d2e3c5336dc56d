"""The member portal's pages in a phone-sized Chromium, checked by axe-core (issue 9.16).

No page may have a serious or critical violation; a failed submit moves the focus to the first
error, and every ``aria-describedby`` names an element of the page.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from members import services
from members.models import Channel

from ..accounts.factories import PASSWORD
from ..members.factories import make_member, member_data, next_id_number, wrong_check_digit
from .browser import PHONE

pytestmark = pytest.mark.e2e

BLOCKING = ("serious", "critical")
MISSING_DESCRIPTIONS = """() => [...document.querySelectorAll('[aria-describedby]')]
    .flatMap(el => el.getAttribute('aria-describedby').split(/\\s+/))
    .filter(id => !document.getElementById(id))"""


def visit(page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, url


def blocking_violations(axe: Axe, page) -> list[str]:
    results = axe.run(page)
    return [
        f"{page.url} {v['id']} ({v['impact']}): " + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


def log_in(page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/portal/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/portal/")


def test_the_portal_pages_pass_axe_and_errors_take_the_focus(
    browser, transactional_db, live_server, tree, people
):
    base = live_server.url
    axe = Axe()
    found: list[str] = []
    member = make_member(tree.union_a, user=people.member_user, name="陈晓明")
    filed = services.member_apply(
        data=member_data(tree.union_a, name="梁静"), by=people.proxy_a, channel=Channel.PROXY, consent=True
    )

    # --- a visitor: the home page, the application form, a failed submit, login, activation --------------
    context = browser.new_context(**PHONE)
    page = context.new_page()
    for path in ("/portal/", "/portal/apply/", "/portal/login/", "/portal/activate/"):
        visit(page, base + path)
        found += blocking_violations(axe, page)

    page.goto(f"{base}/portal/apply/")
    page.fill("#id_name", "陈嘉欣")
    page.fill("#id_id_number", wrong_check_digit(next_id_number()))  # a wrong check digit
    page.fill("#id_mobile", "12345")
    page.select_option("#id_union", label="健力宝集团工会委员会")
    page.fill("#id_password1", "Gonghui-2026-safe")
    page.fill("#id_password2", "Gonghui-2026-safe")
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    assert page.evaluate("document.activeElement.id") == "id_id_number"
    assert page.evaluate(MISSING_DESCRIPTIONS) == []
    assert page.locator("#id_id_number_error").is_visible()
    found += blocking_violations(axe, page)

    page.goto(f"{base}/portal/login/")
    page.fill("#id_username", "nobody")
    page.fill("#id_password", "wrong-password")
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    assert page.evaluate("document.activeElement.className") == "form-errors"
    found += blocking_violations(axe, page)
    context.close()

    # --- a member: home, status, card, details, messages, the card check ------------------------------------
    context = browser.new_context(**PHONE)
    page = context.new_page()
    log_in(page, base, people.member_user.username)
    for path in ("/portal/", "/portal/status/", "/portal/card/", "/portal/profile/", "/portal/inbox/"):
        visit(page, base + path)
        found += blocking_violations(axe, page)
    visit(page, f"{base}/portal/verify/{member.card_number}/")
    found += blocking_violations(axe, page)
    context.close()

    # --- a proxy agent: the filed applications, one of them, the form with the worker's consent ---------------
    context = browser.new_context(**PHONE)
    page = context.new_page()
    log_in(page, base, people.proxy_a.username)
    for path in ("/portal/proxy/", f"/portal/proxy/{filed.pk}/", "/portal/proxy/new/"):
        visit(page, base + path)
        found += blocking_violations(axe, page)
    page.click("button[type=submit].primary")  # nothing filled in
    page.wait_for_load_state()
    assert page.evaluate("document.activeElement.id") == "id_name"
    assert page.evaluate(MISSING_DESCRIPTIONS) == []
    found += blocking_violations(axe, page)
    context.close()

    assert found == []
