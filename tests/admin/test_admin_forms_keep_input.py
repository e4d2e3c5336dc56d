"""An admin form whose save a service refuses comes back with what was typed and the reason (issue 9.9)."""

from __future__ import annotations

from django.urls import reverse

from members.models import Member
from union_portal.organisations.models import Enterprise, Organisation

from ..members.factories import make_member


def _member_form(tree, **overrides) -> dict:
    data = {
        "name": "王五",
        "id_number": "440607199003070013",
        "mobile": "139 1234 0000",
        "union": tree.union_a.pk,
        "employer": tree.union_a.enterprise_id,
        "job": "电工",
        "skill_grade": "senior",
        "household_type": "local",
        "is_migrant_worker": "on",
    }
    data.update(overrides)
    return data


def test_a_duplicate_id_number_in_the_add_form_keeps_everything_typed(client, tree, people):
    # given a member who already holds this ID number
    first = make_member(tree.union_a, id_number="440607199003070013")
    client.force_login(people.officer_a)

    # when an officer registers the same person again
    response = client.post(
        reverse("admin:members_member_add"), _member_form(tree), headers={"accept-language": "en"}
    )

    # then the form comes back filled in, the error on the ID number, and nothing was saved
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors == {"id_number": ["This ID number already has an open membership or application."]}
    assert (
        form.data["name"] == "王五" and form.data["mobile"] == "139 1234 0000" and form.data["job"] == "电工"
    )
    html = response.content.decode()
    assert 'value="王五"' in html and 'value="139 1234 0000"' in html and 'value="电工"' in html
    assert '<option value="senior" selected>' in html
    assert list(Member.objects.values_list("pk", flat=True)) == [first.pk]
    assert first.events.count() == 2  # applied and approved, nothing from the refused try


def test_a_duplicate_credit_code_keeps_the_enterprise_form(client, tree, people):
    existing = tree.union_a.enterprise
    client.force_login(people.district_staff)
    data = {
        "name": "新开的企业有限公司",
        "credit_code": existing.credit_code,
        "industry": existing.industry,
        "ownership": existing.ownership,
        "town": tree.town_a.pk,
        "headcount": "120",
        "address": "西南街道某路 1 号",
        "is_active": "on",
    }

    response = client.post(
        reverse("admin:organisations_enterprise_add"), data, headers={"accept-language": "en"}
    )

    assert response.status_code == 200
    assert "credit_code" in response.context["adminform"].form.errors
    assert 'value="新开的企业有限公司"' in response.content.decode()
    assert not Enterprise.objects.filter(name="新开的企业有限公司").exists()


def test_an_organisation_the_service_refuses_keeps_the_form_instead_of_a_403(client, tree, people):
    client.force_login(people.town_a_staff)
    data = {
        "parent": tree.branch_a.pk,
        "name": "错放的工会",
        "kind": "town",  # a town federation cannot sit under a union branch
        "chair_name": "赵六",
        "phone": "",
        "address": "",
        "established_on": "",
    }

    response = client.post(
        reverse("admin:organisations_organisation_add"), data, headers={"accept-language": "en"}
    )

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors and 'value="错放的工会"' in response.content.decode()
    assert not Organisation.objects.filter(name="错放的工会").exists()
