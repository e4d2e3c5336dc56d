"""Hardship aid in a real browser: a member applies on the phone with a document, staff check and
approve it, the member follows the case on the timeline and in the inbox.

Playwright (sync API) drives Debian's Chromium against pytest-django's live server.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from assistance import services
from assistance.models import AidApplication, Campaign, Document, State
from union_portal.notifications.models import Notification

from ..accounts.factories import PASSWORD
from ..members.factories import make_member
from .browser import PHONE

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

pytestmark = pytest.mark.e2e


def test_member_applies_and_follows_the_case(
    browser, transactional_db, live_server, tree, people, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    base = live_server.url
    # given a member with a hardship file and an open Spring Festival campaign
    member = make_member(tree.union_a, user=people.member_user, name="陈晓明")
    services.hardship_file_open(
        member=member, by=people.district_staff, level="severe", causes=["illness"],
        household=[{"name": "陈晓明", "relation": "self", "age": 40, "monthly_income": "2000"},
                   {"name": "配偶", "relation": "spouse", "age": 39, "health": "serious", "work": "unable", "monthly_income": "0"}],
    )  # fmt: skip
    today = timezone.localdate()
    campaign = services.campaign_save(
        campaign=Campaign(
            kind="festival", name="春节送温暖", year=today.year, festival="spring", organisation=tree.district,
            budget=Decimal("50000"), standard_amount=Decimal("1000"),
            opens_on=today - dt.timedelta(days=5), closes_on=today + dt.timedelta(days=30),
        ),
        by=people.district_staff,
    )  # fmt: skip
    pdf = tmp_path / "诊断证明.pdf"
    pdf.write_bytes(PDF)

    context = browser.new_context(**PHONE)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    # when the member logs in and applies with a document
    page.goto(f"{base}/portal/login/")
    page.fill("#id_username", people.member_user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/portal/")
    page.goto(f"{base}/portal/aid/")
    page.click("a[href='/portal/aid/apply/']")
    page.wait_for_url(f"{base}/portal/aid/apply/")
    page.select_option("#id_kind", "festival")
    page.select_option("#id_campaign", str(campaign.pk))
    page.fill("#id_reason", "爱人重病住院，家庭困难")
    page.select_option("#id_document_kind", "medical")
    page.set_input_files("#id_documents", str(pdf))
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/portal/aid/*/")

    # then the application is submitted with its document, and the timeline says so
    application = AidApplication.objects.get(member=member)
    assert application.state == State.SUBMITTED
    assert Document.objects.get(application=application).original_name == "诊断证明.pdf"
    assert page.locator("#aid-timeline li").count() == 1
    assert page.locator(f"a[href='/portal/aid/documents/{Document.objects.get().pk}/']").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    # when the union checks it and the district approves it
    services.application_check(application=application, by=people.officer_a, note="属实")
    services.application_approve(application=application, by=people.district_staff)

    # then the member sees both steps and the amount, and has messages in the inbox
    page.reload()
    assert page.locator("#aid-timeline li").count() == 3
    assert page.locator("#aid-amount").inner_text() == "¥1000.00"
    assert page.locator("#aid-timeline li.timeline-approved").is_visible()
    assert Notification.objects.filter(recipient=people.member_user, kind__startswith="aid.").count() == 3
    page.goto(f"{base}/portal/inbox/")
    assert page.locator("ul.inbox li.unread").count() == 4  # and the approval of the membership
    page.locator("ul.inbox li a").first.click()
    page.wait_for_url(f"{base}/portal/aid/{application.pk}/")
    assert Notification.objects.filter(recipient=people.member_user, read_at__isnull=False).count() == 1

    # and the document opens in the browser for its owner
    response = page.request.get(f"{base}/portal/aid/documents/{Document.objects.get().pk}/")
    assert response.status == 200 and response.body() == PDF
    context.close()
    assert errors == []
