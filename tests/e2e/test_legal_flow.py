"""Legal aid in a real browser: a lawyer on a phone sees their shifts, records a consultation and
asks a colleague to swap a shift; the colleague accepts."""

import pytest

from legal_aid.models import Consultation, Shift, ShiftStatus, SwapRequest

from ..legal_aid.factories import make_lawyer, make_shift, make_station, next_weekday
from .browser import PHONE

pytestmark = pytest.mark.e2e
PASSWORD = "Lawyer-pass-2026"  # noqa: S105


def _login(page, base, user):
    page.goto(f"{base}/portal/login/")
    page.fill("#id_username", user.mobile)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/portal/")


def test_lawyer_on_a_phone_sees_shifts_records_and_swaps(
    browser, transactional_db, live_server, tree, people
):
    base = live_server.url
    staff = people.district_staff
    station = make_station(tree.town_a, staff)
    wang = make_lawyer(tree.district, staff, name="王明", password=PASSWORD)
    li = make_lawyer(tree.district, staff, name="李华", password=PASSWORD)
    shift = make_shift(station, staff, next_weekday(0), lawyer=wang)

    context = browser.new_context(**PHONE)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    # the lawyer logs in with the mobile number and sees the shift
    _login(page, base, wang.user)
    page.goto(f"{base}/portal/legal/")
    assert page.locator(f"a[href='/portal/legal/shifts/{shift.pk}/']").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    # records a consultation in one short form
    page.click("a[href='/portal/legal/consultations/new/']")
    page.select_option("#id_channel", "phone")
    page.select_option("#id_topic", "wages")
    page.fill("#id_name", "陈先生")
    page.fill("#id_question", "老板拖欠两个月工资")
    page.fill("#id_advice", "保留工资条，向劳动监察投诉")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/portal/legal/")
    assert Consultation.objects.get().lawyer == wang

    # asks a colleague to swap the shift
    page.goto(f"{base}/portal/legal/shifts/{shift.pk}/")
    page.select_option("#id_to_lawyer", str(li.pk))
    page.click(f"form[action='/portal/legal/shifts/{shift.pk}/swap/'] button[type=submit]")
    page.wait_for_url(f"{base}/portal/legal/shifts/{shift.pk}/")
    swap = SwapRequest.objects.get(shift=shift)

    # the colleague accepts on their phone
    other = browser.new_context(**PHONE).new_page()
    _login(other, base, li.user)
    other.goto(f"{base}/portal/legal/")
    other.click(f"form[action='/portal/legal/swaps/{swap.pk}/accept/'] button[type=submit]")
    other.wait_for_url(f"{base}/portal/legal/")
    shift = Shift.objects.get(pk=shift.pk)
    assert (shift.lawyer, shift.status) == (li, ShiftStatus.SWAPPED)
    assert errors == []
