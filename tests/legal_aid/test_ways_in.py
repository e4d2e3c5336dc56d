"""The portal for lawyers and members, the API, the admin roster grid: behaviour and query counts."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from legal_aid import services
from legal_aid.models import Consultation, Shift, ShiftStatus

from ..members.factories import make_member
from .factories import make_lawyer, make_shift, next_weekday

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _many_shifts(legal, staff, n):
    day = next_weekday(0)
    for i in range(n):
        make_shift(legal.station_a, staff, day + dt.timedelta(days=i), lawyer=legal.wang)


def test_lawyer_sees_own_shifts_and_swaps_one(legal, people):
    staff = people.district_staff
    _many_shifts(legal, staff, 2)
    client = _client(legal.wang.user)
    page = client.get(reverse("legal:home"))
    assert page.status_code == 200 and "西南法律援助工作站" in page.content.decode()
    shift = Shift.objects.filter(lawyer=legal.wang).first()
    response = client.post(reverse("legal:shift_swap", args=[shift.pk]), {"to_lawyer": legal.li.pk})
    assert response.status_code == 302
    swap = shift.swaps.get()
    other = _client(legal.li.user)
    assert other.post(reverse("legal:swap_accept", args=[swap.pk])).status_code == 302
    assert Shift.objects.get(pk=shift.pk).lawyer == legal.li
    # wang no longer reaches that shift's page
    assert client.get(reverse("legal:shift", args=[shift.pk])).status_code == 404


def test_lawyer_home_costs_the_same_at_2_and_10_shifts(legal, people, django_assert_max_num_queries):
    client = _client(legal.wang.user)
    _many_shifts(legal, people.district_staff, 2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(reverse("legal:home"))
    day = next_weekday(0) + dt.timedelta(days=20)
    for i in range(8):
        make_shift(legal.station_b, people.district_staff, day + dt.timedelta(days=i), lawyer=legal.wang)
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("legal:home"))
    assert len(small.captured_queries) == len(large.captured_queries)


def test_quick_consultation_from_the_phone(legal, people):
    client = _client(legal.wang.user)
    response = client.post(
        reverse("legal:consultation_new"),
        {"channel": "visit", "topic": "wages", "name": "陈先生", "question": "欠薪", "advice": "收集证据"},
    )
    assert response.status_code == 302
    assert Consultation.objects.get().lawyer == legal.wang


def test_report_absence_from_the_phone(legal, people):
    shift = make_shift(legal.station_a, people.district_staff, next_weekday(2), lawyer=legal.wang)
    _client(legal.wang.user).post(reverse("legal:shift_absent", args=[shift.pk]), {"reason": "生病"})
    assert Shift.objects.get(pk=shift.pk).status == ShiftStatus.ABSENT


def test_member_asks_and_requests_aid(tree, people, legal):
    make_member(tree.union_a, user=people.member_user)
    client = _client(people.member_user)
    response = client.post(reverse("legal:ask"), {"topic": "injury", "question": "工伤认定？"})
    assert response.status_code == 302
    response = client.post(
        reverse("legal:request_aid"),
        {
            "employer_name": "某厂",
            "claim_type": "wages",
            "amount": "3000",
            "arose_on": "2026-01-05",
            "details": "拖欠",
        },
    )
    assert response.status_code == 302
    case_page = client.get(response["Location"])
    assert "2027-01-05" in case_page.content.decode()  # the limitation date is shown


def test_calendar_feed_and_revocation(legal, people):
    make_shift(legal.station_a, people.district_staff, next_weekday(0), lawyer=legal.wang)
    url = reverse("legal:calendar", args=[legal.wang.calendar_token])
    feed = Client().get(url)
    assert feed.status_code == 200 and b"BEGIN:VEVENT" in feed.content
    services.calendar_token_reset(lawyer=legal.wang, by=legal.wang.user)
    assert Client().get(url).status_code == 404


def test_api_stations_public_and_cases_scoped(tree, people, legal):
    assert APIClient().get("/api/v1/legal/stations/").status_code == 200
    services.case_open(
        by=people.district_staff,
        data={"applicant_name": "张三", "employer_name": "乙厂", "organisation": tree.town_b,
              "claims": [{"type": "wages", "amount": "10"}], "arose_on": timezone.localdate(), "details": "秘密"},
    )  # fmt: skip
    client = APIClient()
    client.force_authenticate(people.town_a_staff)
    assert client.get("/api/v1/legal/cases/").json()["results"] == []
    client.force_authenticate(people.town_b_staff)
    rows = client.get("/api/v1/legal/cases/").json()["results"]
    assert len(rows) == 1 and rows[0]["applicant"] == "张*" and rows[0]["details"] == "秘密"


def test_api_case_list_query_count(tree, people, legal, django_assert_num_queries):
    client = APIClient()
    client.force_authenticate(people.district_staff)

    def add(n):
        for _ in range(n):
            services.case_open(
                by=people.district_staff,
                data={"applicant_name": "张三", "employer_name": "乙厂", "organisation": tree.town_b,
                      "claims": [{"type": "wages", "amount": "10"}], "arose_on": timezone.localdate()},
            )  # fmt: skip

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    add(2)
    with CaptureQueriesContext(connection) as small:
        client.get("/api/v1/legal/cases/")
    add(8)
    with CaptureQueriesContext(connection) as large:
        assert len(client.get("/api/v1/legal/cases/").json()["results"]) == 10
    assert len(small.captured_queries) == len(large.captured_queries)


def test_admin_roster_grid_query_count(tree, people, legal):
    client = _client(people.district_staff)
    monday = next_weekday(0)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_shift(legal.station_a, people.district_staff, monday, lawyer=legal.wang)
    url = reverse("admin:legal_aid_shift_roster") + f"?week={monday}"
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for i in range(1, 6):
        make_shift(legal.station_b, people.district_staff, monday + dt.timedelta(days=i), lawyer=legal.li)
        make_lawyer(tree.district, people.district_staff)
    with CaptureQueriesContext(connection) as large:
        page = client.get(url)
    assert "李华" in page.content.decode()
    assert len(small.captured_queries) == len(large.captured_queries)


def test_admin_generator_preview_then_confirm(tree, people, legal):
    client = _client(people.district_staff)
    url = reverse("admin:legal_aid_station_changelist")
    preview = client.post(
        url,
        {
            "action": "generate_roster",
            "_selected_action": [legal.station_a.pk],
            "month": "2026-12-01",
            "confirm": "1",
        },
    )
    assert preview.status_code == 200 and Shift.objects.count() == 0
    body = preview.content.decode()
    assert "王明" in body and "everyone available is at their cap" in body
    saved = client.post(reverse("admin:legal_aid_station_roster_save"), {"plan": preview.context["signed"]})
    assert saved.status_code == 302
    assert Shift.objects.filter(station=legal.station_a).count() == 46  # 23 days x 2 periods, staffed or not
    assert Shift.objects.filter(lawyer__isnull=False).count() == 24  # three lawyers at their cap of 8
