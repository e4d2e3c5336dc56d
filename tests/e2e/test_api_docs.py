"""The API docs page works offline and under the strict CSP: Swagger UI from our static files."""

import pytest

pytestmark = pytest.mark.e2e


def test_api_docs_render_the_schema_without_csp_errors(browser, live_server, db):
    page = browser.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("requestfailed", lambda request: errors.append(f"failed: {request.url}"))
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".opblock-tag", timeout=15000)
    page.wait_for_selector(".opblock-summary-path", timeout=15000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/members/" in path for path in paths), paths
    assert errors == []
