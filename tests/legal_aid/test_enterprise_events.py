"""A lawyer's advised unions in the portal, and a check-up recorded from the phone: only at a union
they advise, through ``enterprise_event_record``; the union's own officers are told."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from legal_aid import services
from legal_aid.models import EnterpriseEvent
from union_portal.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _assign(legal, people, union):
    today = timezone.localdate()
    return services.adviser_assign(lawyer=legal.wang, union=union, by=people.district_staff,
                                   starts_on=today - dt.timedelta(days=30), ends_on=today + dt.timedelta(days=300))  # fmt: skip


def test_the_lawyer_sees_the_unions_they_advise_at_the_same_cost(tree, people, legal):
    client = _client(legal.wang.user)
    _assign(legal, people, tree.union_a)
    with CaptureQueriesContext(connection) as one:
        page = client.get(reverse("legal:home")).content.decode()
    assert tree.union_a.name in page and tree.union_b.name not in page and "no visit yet" in page
    _assign(legal, people, tree.union_b)
    services.enterprise_event_record(kind="checkup", union=tree.union_b, lawyer=legal.wang, by=legal.wang.user,
                                     held_on=timezone.localdate(), attendance=12)  # fmt: skip
    with CaptureQueriesContext(connection) as two:
        page = client.get(reverse("legal:home")).content.decode()
    assert tree.union_b.name in page and f"last visit {timezone.localdate():%Y-%m-%d}" in page
    assert len(one.captured_queries) == len(two.captured_queries)


def test_a_checkup_recorded_from_the_phone_tells_the_unions_officers(
    tree, people, legal, django_capture_on_commit_callbacks
):
    assignment = _assign(legal, people, tree.union_a)
    client = _client(legal.wang.user)
    form = client.get(reverse("legal:event_new")).content.decode()
    assert tree.union_a.name in form and tree.union_b.name not in form
    data = {"assignment": assignment.pk, "kind": "checkup", "held_on": timezone.localdate().isoformat(),
            "attendance": "25", "findings": "劳动合同条款缺少工时约定"}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("legal:event_new"), data)
    assert response.status_code == 302 and response["Location"] == reverse("legal:home")
    event = EnterpriseEvent.objects.get()
    assert (event.union, event.lawyer, event.attendance, event.assignment) == (
        tree.union_a, legal.wang, 25, assignment,
    )  # fmt: skip
    told = Notification.objects.filter(kind="legal.enterprise_event")
    assert {n.recipient for n in told} == {people.officer_a}  # not union B's, not the town or district


def test_another_lawyer_or_union_is_refused(tree, people, legal):
    assignment = _assign(legal, people, tree.union_a)
    client = _client(legal.li.user)  # li advises nobody: wang's assignment is not a choice
    data = {"assignment": assignment.pk, "kind": "education", "held_on": timezone.localdate().isoformat(),
            "attendance": "5"}  # fmt: skip
    response = client.post(reverse("legal:event_new"), data)
    assert response.status_code == 200 and EnterpriseEvent.objects.count() == 0
    assert _client(people.member_user).get(reverse("legal:event_new")).status_code == 404
