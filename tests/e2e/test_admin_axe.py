"""axe-core on every admin changelist and one change form per registered model, as district staff of the
demo district (issue 10): no serious or critical violation but those listed in ``KNOWN`` with the reason."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib import admin

from .test_admin_accessibility import DESKTOP, admin_list_and_record_pages, demo, log_in  # noqa: F401
from .test_portal_accessibility import blocking_violations

pytestmark = pytest.mark.e2e

#: Violations that come from Django's own admin widgets, each with its reason: (rule, a part of the
#: page's path, a part of the selectors).
KNOWN = [
    (
        "label",
        "/change/",
        "id_household-",
        "tabular inline inputs: Django labels them by the column header only",
    ),
    (
        "select-name",
        "/change/",
        "id_household-",
        "tabular inline selects: labelled by the column header only",
    ),
    ("label", "/change/", "id_attendance-", "tabular inline inputs: labelled by the column header only"),
    ("label", "/change/", "_0", "Django's split date/time widget: one label for two inputs"),
    (
        "aria-prohibited-attr",
        "/change/",
        "aria-label",
        "Django's filter_horizontal widget (SelectFilter2.js)",
    ),
    ("label-title-only", "/admin/", "#searchbar", "Django's changelist search box is labelled by its icon"),
    ("link-name", "/admin/", '?partner="', "a list filter's choice with an empty name"),
]


def known(line: str) -> bool:
    return any(f" {rule} (" in line and path in line and part in line for rule, path, part, _why in KNOWN)


def test_every_admin_list_and_record_passes_axe(browser, live_server, demo):  # noqa: F811
    staff = demo.users["district"][0]
    urls = admin_list_and_record_pages(staff)
    base = live_server.url
    axe = Axe()
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    log_in(page, base, demo)
    found, failed = [], []
    for url in urls:
        response = page.goto(base + url)
        if response is None or response.status != 200:
            failed.append(f"{url}: {response.status if response else 'no response'}")
            continue
        found += [line for line in blocking_violations(axe, page) if not known(line)]
    context.close()
    assert failed == []
    assert len(urls) > len(admin.site._registry)
    assert found == [], "\n".join(found)
