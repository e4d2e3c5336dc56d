"""The staff screens in a desktop Chromium (issue 10): the member, hardship-aid and legal-aid lists of the
demo district at 1366×768 and 1920×1080: the page never scrolls sideways and no cell breaks its text one
character per line (each cell's lines and width measured in the page)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

pytestmark = pytest.mark.e2e

DESKTOP = {"viewport": {"width": 1366, "height": 768}, "locale": "zh-CN"}
WIDE = {"viewport": {"width": 1920, "height": 1080}, "locale": "zh-CN"}

#: The cells of the list whose text wraps to more lines than it has characters per line: a cell one
#: character wide shows each character on its own line.
NARROW_CELLS = """() => [...document.querySelectorAll('#result_list th, #result_list td')]
    .filter(cell => cell.innerText.trim().length > 1)
    .map(cell => {
        const range = document.createRange();
        range.selectNodeContents(cell);
        const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
        const style = getComputedStyle(cell);
        const width = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        return {cls: cell.className, text: cell.innerText.trim().slice(0, 20), lines, width,
                em: parseFloat(style.fontSize)};
    })
    .filter(c => c.lines > 1 && c.width < 2.2 * c.em)"""
PAGE_WIDTH = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"


def log_in(page, base: str, demo) -> None:
    user, password, _what = demo.users["district"]
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    page.locator("input[type=submit], button[type=submit]").first.click()
    page.wait_for_url(f"{base}/admin/")


def admin_list_and_record_pages(user) -> list[str]:
    """Every changelist ``user`` may open, and the change form of its first row."""
    request = RequestFactory().get("/admin/")
    request.user = user
    urls = []
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        if not model_admin.has_view_or_change_permission(request):
            continue
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        obj = model_admin.get_queryset(request).order_by("pk").first()
        if obj is not None:
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
    return urls


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    from union_portal.core.demo import seed

    settings.MEDIA_ROOT = tmp_path / "media"
    return seed(members=8)


@pytest.mark.parametrize("viewport", [DESKTOP, WIDE], ids=["1366x768", "1920x1080"])
def test_the_work_lists_fit_the_screen(browser, live_server, demo, viewport):
    base = live_server.url
    context = browser.new_context(**viewport)
    page = context.new_page()
    log_in(page, base, demo)
    problems = []
    for name in (
        "admin:members_member_changelist",
        "admin:assistance_aidapplication_changelist",
        "admin:legal_aid_disputecase_changelist",
    ):
        response = page.goto(base + reverse(name))
        assert response is not None and response.status == 200, name
        rows = page.locator("#result_list tbody tr").count()
        assert rows > 0, f"{name}: the demo district has rows to show"
        scroll, client = page.evaluate(PAGE_WIDTH)
        if scroll > client:
            problems.append(f"{name}: the page scrolls sideways ({scroll} > {client} px)")
        for cell in page.evaluate(NARROW_CELLS):
            problems.append(f"{name}: {cell}")
    context.close()
    assert problems == [], "\n".join(problems)
