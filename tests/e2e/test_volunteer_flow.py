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


def test_a_non_member_registers_on_a_phone_and_a_leader_creates_an_activity(
    browser, transactional_db, live_server, tree, people
):
    import datetime as dt
    import re

    from django.utils import timezone

    from union_portal.notifications import backends
    from volunteers.models import Activity, ActivityStatus, Volunteer

    base = live_server.url
    backends.outbox.clear()
    context = browser.new_context(**PHONE)
    phone = context.new_page()
    errors = []
    phone.on("pageerror", lambda error: errors.append(str(error)))
    phone.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    # a person who is not a member asks for a code, then registers with it and their ID number
    phone.goto(f"{base}/portal/volunteers/")
    phone.click("#vol-join")
    phone.fill("#id_mobile", "13922225678")
    phone.click("#vol-join-form button[type=submit]")
    phone.wait_for_selector("#id_code")
    code = re.search(r"\d{6}", backends.outbox[-1][1]).group()
    phone.fill("#id_code", code)
    phone.fill("#id_name", "周小燕")
    phone.fill("#id_id_number", "440604199003070014")
    phone.select_option("#id_organisation", str(tree.town_a.pk))
    phone.fill("#id_password1", "Volunteer-2026!")
    phone.fill("#id_password2", "Volunteer-2026!")
    phone.fill("#id_emergency_contact", "周大年")
    phone.fill("#id_emergency_phone", "13900001111")
    phone.click("#vol-join-form button[type=submit]")
    phone.wait_for_url(f"{base}/portal/volunteers/")
    volunteer = Volunteer.objects.get(name="周小燕")
    assert volunteer.member is None and volunteer.mobile_verified_at is not None
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375

    # a leader creates an activity of the team on the phone and publishes it
    leader = make_leader("leader_e2e_new")
    make_team(tree.town_a, leader=leader, name="西南街道志愿服务队")
    leader_phone, leader_errors = _login(browser, base, leader.username)
    leader_phone.goto(f"{base}/portal/volunteers/lead/")
    leader_phone.click("#vol-lead-new")
    start = timezone.localtime(timezone.now() + dt.timedelta(days=2)).replace(hour=9, minute=0)
    leader_phone.fill("#id_title", "江滨公园清洁")
    leader_phone.select_option("#id_category", "patrol")
    leader_phone.fill("#id_place", "江滨公园")
    leader_phone.fill("#id_starts_at", start.strftime("%Y-%m-%dT%H:%M"))
    leader_phone.fill("#id_ends_at", (start + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"))
    leader_phone.fill("#id_capacity", "20")
    leader_phone.click("#vol-lead-save")
    leader_phone.click("#vol-lead-publish")
    leader_phone.wait_for_selector(".badge-open")
    assert Activity.objects.get(title="江滨公园清洁").status == ActivityStatus.OPEN
    assert errors == [] and leader_errors == []
