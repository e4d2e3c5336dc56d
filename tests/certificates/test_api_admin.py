"""Certificates through the API (the public check, the scoped list, revoking) and the admin."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from union_portal.certificates.models import Certificate

from ..members.factories import make_member
from .factories import issue


def test_anyone_can_check_a_code_through_the_api_and_sees_a_masked_name(holder, people):
    certificate = issue(holder, people.district_staff)
    client = APIClient()

    response = client.get(f"/api/v1/certificates/verify/{certificate.display_code}/")

    assert response.status_code == 200
    assert response.json() == {
        "code": certificate.display_code,
        "valid": True,
        "revoked": False,
        "holder": "陈*明",
        "title": "获奖证书",
        "subject": "在2026年三水区叉车司机职业技能竞赛中荣获一等奖",
        "issuer": "三水区总工会",
        "issued_on": certificate.issued_on.isoformat(),
        "revoked_on": None,
    }
    missing = client.get("/api/v1/certificates/verify/0000-0000-0000-0000/")
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["code"] == "not_found"


def test_the_api_check_is_throttled(holder, people, settings):
    settings.CERTIFICATE_VERIFY_API_RATE = "2/minute"
    certificate = issue(holder, people.district_staff)
    client = APIClient()
    url = f"/api/v1/certificates/verify/{certificate.code}/"

    assert [client.get(url).status_code for _i in range(3)] == [200, 200, 429]


def test_staff_list_the_certificates_of_their_scope_and_revoke_with_a_reason(holder, people):
    mine = issue(holder, people.district_staff)
    other_town = issue(make_member(people.officer_b.organisation, name="李四"), people.district_staff)
    town_a, district = APIClient(), APIClient()
    town_a.force_authenticate(people.town_a_staff)
    district.force_authenticate(people.district_staff)

    listed = town_a.get("/api/v1/certificates/").json()["results"]
    assert [row["id"] for row in listed] == [mine.pk]
    assert listed[0]["holder"] == "陈*明"
    assert town_a.get(f"/api/v1/certificates/{other_town.pk}/").status_code == 404
    denied = town_a.post(f"/api/v1/certificates/{mine.pk}/revoke/", {"reason": "错发"}, format="json")
    assert denied.status_code == 403  # town staff may not revoke
    assert Certificate.objects.get(pk=mine.pk).revoked_at is None

    response = district.post(f"/api/v1/certificates/{mine.pk}/revoke/", {"reason": "错发"}, format="json")
    assert response.status_code == 200
    assert response.json()["revoked"] is True and response.json()["revoke_reason"] == "错发"


def test_the_admin_lists_masked_holders_and_revokes_through_the_service(client, holder, people):
    certificate = issue(holder, people.district_staff)
    client.force_login(people.district_staff)
    url = reverse("admin:certificates_certificate_changelist")

    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "陈*明" in body and "陈晓明" not in body
    assert client.get(url, {"q": certificate.display_code.lower()}).context["cl"].result_count == 1

    client.post(
        url,
        {
            "action": "revoke_selected",
            "_selected_action": [certificate.pk],
            "reason": "重复颁发",
            "confirm": "1",
        },
    )

    certificate.refresh_from_db()
    assert certificate.revoke_reason == "重复颁发" and certificate.revoked_by == people.district_staff


@pytest.mark.parametrize("rows", [3, 25])
def test_the_certificate_list_costs_the_same_at_any_length(
    rows, holder, people, django_assert_max_num_queries
):
    for index in range(rows):
        issue(make_member(holder.union, name=f"会员{index}"), people.district_staff)
    client = APIClient()
    client.force_authenticate(people.district_staff)
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/certificates/")
    assert response.json()["count"] == rows
