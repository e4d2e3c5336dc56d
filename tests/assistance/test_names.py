"""Members whose masked names are the same are told apart in the aid queues, the payment list and
the aid API (issue 9.11), and no full name sits in a link beside the masked one."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from assistance import services
from assistance.models import AidApplication, Payment, member_label

from ..members.factories import make_member
from .factories import checked, make_file, submit_festival

NAMES = ("陈晓明", "陈小明")


@pytest.fixture
def twins(tree, people, aid):
    """Two members of the same union whose names both mask to 陈*明, each paid in the campaign."""
    applications = []
    for name in NAMES:
        member = make_member(tree.union_a, name=name)
        make_file(member, people.district_staff)
        application = checked(submit_festival(aid, member=member, by=people.officer_a), people)
        application = services.application_approve(application=application, by=people.district_staff)
        application = services.application_pay(
            application=application,
            by=people.district_staff,
            method="bank",
            reference=f"NS-{NAMES.index(name)}",
        )
        applications.append(application)
    return applications


def _labels(applications):
    return [member_label(a.member) for a in applications]


def test_the_labels_differ_and_show_only_masked_forms(twins):
    first, second = _labels(twins)

    assert first != second
    assert first.startswith("陈*明 (card …") and second.startswith("陈*明 (card …")
    assert [a.member.card_number[-4:] in label for a, label in zip(twins, (first, second), strict=True)] == [
        True,
        True,
    ]


@pytest.mark.parametrize("model", [AidApplication, Payment])
def test_the_queue_and_the_payment_list_tell_them_apart(client, people, twins, model):
    client.force_login(people.district_staff)

    page = client.get(reverse(f"admin:assistance_{model._meta.model_name}_changelist")).content.decode()

    assert all(label in page for label in _labels(twins))
    assert "健力宝集团工会委员会" in page  # the union, in its own column
    assert [name for name in NAMES if name in page] == []


def test_the_payment_page_shows_no_full_name(client, people, twins):
    client.force_login(people.district_staff)
    payment = Payment.objects.get(application=twins[0])

    page = client.get(reverse("admin:assistance_payment_change", args=[payment.pk])).content.decode()

    assert member_label(twins[0].member) in page
    assert [name for name in NAMES if name in page] == []


def test_the_api_gives_the_label_and_the_union(people, twins):
    api = APIClient()
    api.force_authenticate(people.district_staff)

    rows = api.get(reverse("v1:aid-application-list")).json()["results"]

    by_pk = {row["id"]: row for row in rows}
    assert [by_pk[a.pk]["member_label"] for a in twins] == _labels(twins)
    assert {by_pk[a.pk]["union_name"] for a in twins} == {"健力宝集团工会委员会"}


def test_the_payment_list_costs_the_same_at_two_and_six_rows(client, tree, people, aid, twins):
    """Found by the aid bench (issue 9.19): each row's application link read its member again."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(people.district_staff)
    url = reverse("admin:assistance_payment_changelist")
    with CaptureQueriesContext(connection) as two:
        assert client.get(url).status_code == 200
    for index in range(4):
        member = make_member(tree.union_a, name=f"黄{index}丽")
        make_file(member, people.district_staff)
        application = checked(submit_festival(aid, member=member, by=people.officer_a), people)
        application = services.application_approve(application=application, by=people.district_staff)
        services.application_pay(application=application, by=people.district_staff, method="cash")
    with CaptureQueriesContext(connection) as six:
        assert client.get(url).status_code == 200
    assert Payment.objects.count() == 6
    assert len(six) == len(two)


@pytest.fixture
def queued_twins(tree, people, aid):
    """陈晓明 and 陈小明 (both 陈*明) filed by the proxy agent, side by side in each queue: to check,
    to approve, to pay."""
    pairs = {}
    for state in ("submitted", "checked", "approved"):
        pair = []
        for name in NAMES:
            member = make_member(tree.union_a, name=name)
            make_file(member, people.district_staff)
            application = submit_festival(aid, member=member, by=people.proxy_a)
            if state != "submitted":
                application = checked(application, people)
            if state == "approved":
                application = services.application_approve(application=application, by=people.district_staff)
            pair.append(application)
        pairs[state] = pair
    return pairs


def _member_cells(page: str) -> list[str]:
    return re.findall(r'<td class="field-member_name">(.*?)</td>', page)


@pytest.mark.parametrize("state", ["submitted", "checked", "approved"])
def test_each_aid_queue_tells_the_twins_apart_without_their_names(client, people, queued_twins, state):
    client.force_login(people.district_staff)

    page = client.get(
        reverse("admin:assistance_aidapplication_changelist"), {"state__exact": state}
    ).content.decode()

    cells = _member_cells(page)
    assert len(cells) == 2 and cells[0] != cells[1]
    assert all("陈*明 (card …" in cell for cell in cells)
    assert sorted(html.unescape(re.sub(r"<[^>]+>", "", c)) for c in cells) == sorted(
        _labels(queued_twins[state])
    )
    assert [name for name in NAMES if name in page] == []  # in no link text, title or aria-label


@pytest.mark.parametrize(
    ("state", "step"), [("submitted", "check"), ("checked", "approve"), ("approved", "pay")]
)
def test_the_step_pages_and_the_record_show_the_label_only(client, people, queued_twins, state, step):
    client.force_login(people.district_staff)
    first, second = queued_twins[state]
    steps, records = [], []
    for application in (first, second):
        steps.append(
            client.get(
                reverse("admin:assistance_aidapplication_step", args=[application.pk, step])
            ).content.decode()
        )
        records.append(
            client.get(
                reverse("admin:assistance_aidapplication_change", args=[application.pk])
            ).content.decode()
        )

    for own, other, pages in (
        (first, second, (steps[0], records[0])),
        (second, first, (steps[1], records[1])),
    ):
        assert all(member_label(own.member) in page for page in pages)  # the step's summary too
        assert all(member_label(other.member) not in page for page in pages)
    assert [name for name in NAMES for page in steps + records if name in page] == []


def test_the_proxy_agents_list_tells_the_twins_apart(client, people, queued_twins):
    client.force_login(people.proxy_a)

    page = client.get(reverse("aid:home")).content.decode()

    assert all(label in page for pair in queued_twins.values() for label in _labels(pair))
    assert [name for name in NAMES if name in page] == []


def test_the_masked_bank_file_tells_the_twins_apart(client, people, aid, queued_twins):
    client.force_login(people.district_staff)

    response = client.get(reverse("admin:assistance_campaign_bank_file", args=[aid.campaign.pk, "csv"]))

    rows = list(csv.reader(io.StringIO(response.content.decode("gbk"))))[2:]
    assert [row[2] for row in rows] == ["陈*明", "陈*明"]
    assert len({(row[1], row[6]) for row in rows}) == 2  # the masked accounts and application numbers differ
    assert rows[0][1] != rows[1][1]
    assert [name for name in NAMES if name in response.content.decode("gbk")] == []
