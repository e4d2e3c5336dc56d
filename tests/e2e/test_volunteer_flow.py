"""Volunteer service in a real browser, on phones: a volunteer signs up, checks in and out by opening
the code on the leader's phone, and the leader verifies the hours.

Playwright (sync API) drives Debian's Chromium against pytest-django's live server.
"""

import pytest

from volunteers import services
from volunteers.models import RecordStatus, ServiceRecord, Signup, SignupStatus

from ..accounts.factories import PASSWORD
from ..volunteers.factories import make_leader, make_team, make_volunteer, started_activity
from .browser import PHONE

pytestmark = pytest.mark.e2e


def _login(browser, base, username):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(f"{base}/portal/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/portal/")
    return page, errors


def test_volunteer_signs_up_checks_in_and_out_and_the_leader_verifies(
    browser, transactional_db, live_server, tree, people
):
    base = live_server.url
    leader = make_leader("leader_e2e")
    team = make_team(tree.town_a, leader=leader, name="西南街道志愿服务队")
    volunteer = make_volunteer(tree.union_a, user=people.member_user, name="陈晓明")
    activity = started_activity(team, leader, hours=3)

    # the volunteer finds the activity and signs up on the phone
    phone, errors = _login(browser, base, people.member_user.username)
    phone.goto(f"{base}/portal/volunteers/")
    phone.click(f"a[href='/portal/volunteers/activities/{activity.pk}/']")
    phone.click("#vol-signup-button")
    phone.wait_for_selector("#vol-signup-status")
    assert Signup.objects.get(volunteer=volunteer).status == SignupStatus.CONFIRMED
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375

    # the leader shows the check-in code; the volunteer opens its address and confirms
    leader_phone, leader_errors = _login(browser, base, leader.username)
    leader_phone.goto(f"{base}/portal/volunteers/lead/{activity.pk}/")
    leader_phone.click("#vol-code-in")
    code = leader_phone.inner_text("#vol-code")
    assert leader_phone.locator("#vol-qr").count() == 1
    phone.goto(f"{base}/portal/volunteers/scan/{code}/")
    phone.click("#vol-scan-confirm")
    phone.wait_for_url(f"{base}/portal/volunteers/hours/")
    assert ServiceRecord.objects.get(volunteer=volunteer).status == RecordStatus.OPEN

    # and checks out the same way
    leader_phone.goto(f"{base}/portal/volunteers/lead/{activity.pk}/code/out/")
    phone.goto(f"{base}/portal/volunteers/scan/{leader_phone.inner_text('#vol-code')}/")
    phone.click("#vol-scan-confirm")
    phone.wait_for_url(f"{base}/portal/volunteers/hours/")
    assert ServiceRecord.objects.get(volunteer=volunteer).status == RecordStatus.PENDING

    # the leader verifies the hours on the phone
    leader_phone.goto(f"{base}/portal/volunteers/lead/{activity.pk}/")
    leader_phone.click(".vol-verify")
    leader_phone.wait_for_url(f"{base}/portal/volunteers/lead/{activity.pk}/")
    assert ServiceRecord.objects.get(volunteer=volunteer).status == RecordStatus.VERIFIED
    phone.goto(f"{base}/portal/volunteers/hours/")
    assert phone.locator("#vol-records .badge-verified").count() == 1
    assert errors == [] and leader_errors == []
    assert services.waiting_position(Signup.objects.get(volunteer=volunteer)) is None
