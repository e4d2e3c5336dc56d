"""The browser of the end-to-end tests: Debian's Chromium driven by Playwright, on a phone-sized page."""

from __future__ import annotations

import os

import pytest
from django.db import connections

# Playwright's sync API runs an event loop in the test's thread; the ORM calls of the test are fine.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from .browser import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # The test's ORM calls ran while Playwright's loop was up, in a context of their own: close their
        # connection here, or PostgreSQL cannot drop the test database at the end.
        connections.close_all()
