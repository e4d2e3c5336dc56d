"""Every app's events reach a subscriber through the app's own services (one emit line each)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from tests.assistance.factories import submit_festival
from tests.assistance.fixtures import _private_media, aid  # noqa: F401 - fixtures
from tests.members.factories import make_member
from union_portal.accounts.roles import Role
from union_portal.webhooks.events import declared_events

pytestmark = pytest.mark.django_db


def test_the_apps_declare_the_events_of_the_issue():
    assert sorted(declared_events()) == [
        "aid.application_state_changed",
        "honour.conferred",
        "legal.case_stage_changed",
        "membership.approved",
        "membership.ended",
        "membership.transferred",
    ]
    assert {name: e.scope for name, e in declared_events().items()} == {
        "aid.application_state_changed": "assistance:read",
        "honour.conferred": "competitions:read",
        "legal.case_stage_changed": "legal_aid:read",
        "membership.approved": "members:read",
        "membership.ended": "members:read",
        "membership.transferred": "members:read",
    }


def test_a_legal_case_stage_change(tree, people, subscribe, receiver, django_capture_on_commit_callbacks):
    from legal_aid import services
    from tests.legal_aid.factories import make_lawyer

    subscribe(tree.town_a, receiver.url, events=["legal.case_stage_changed"], scopes=["legal_aid:read"])
    staff = people.district_staff
    lawyer = make_lawyer(tree.district, staff, name="王明")
    case = services.case_open(
        by=staff,
        data={
            "applicant_name": "张三",
            "applicant_mobile": "13712345678",
            "employer": tree.union_a.enterprise,
            "claims": [{"type": "wages", "amount": "12000"}],
            "arose_on": timezone.localdate() - dt.timedelta(days=30),
            "details": "拖欠工资",
            "organisation": tree.town_a,
        },
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.case_assign_lawyer(case=case, lawyer=lawyer, by=staff)

    body = json.loads(receiver.received[-1].body)
    assert body["event"] == "legal.case_stage_changed"
    assert (body["data"]["case"]["id"], body["data"]["from_stage"], body["data"]["to_stage"]) == (
        case.pk,
        "intake",
        "lawyer_assigned",
    )
    assert "张三" not in receiver.received[-1].body.decode()  # no names in a delivery


def test_an_honour_entered_in_the_register(
    tree, people, subscribe, receiver, django_capture_on_commit_callbacks
):
    from competitions import services
    from tests.competitions.factories import make_title

    staff = people.district_staff
    title = make_title(tree.district, staff)
    member = make_member(tree.union_a)
    subscribe(
        tree.district, receiver.url, events=["honour.conferred"], scopes=["*"], role=Role.DISTRICT_STAFF
    )

    with django_capture_on_commit_callbacks(execute=True):
        honour = services.honour_record(
            title=title,
            by=staff,
            organisation=tree.union_a,
            conferred_on=timezone.localdate(),
            member=member,
        )

    body = json.loads(receiver.received[-1].body)
    assert body["event"] == "honour.conferred"
    assert body["data"]["honour"]["id"] == honour.pk
    assert body["data"]["honour"]["member"] == member.pk
    assert body["data"]["honour"]["title"] == {"id": title.pk, "name": title.name}


def test_an_aid_application_moving_through_its_states(
    tree,
    people,
    subscribe,
    receiver,
    django_capture_on_commit_callbacks,
    aid,  # noqa: F811 - the fixture of tests/assistance
):
    from assistance import services

    subscribe(
        tree.town_a,
        receiver.url,
        events=["aid.application_state_changed"],
        scopes=["assistance:read"],
        role=Role.TOWN_STAFF,
    )
    with django_capture_on_commit_callbacks(execute=True):
        application = submit_festival(aid)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_check(application=application, by=people.officer_a, note="情况属实")

    bodies = [json.loads(r.body) for r in receiver.received]
    assert [(b["data"]["from_state"], b["data"]["to_state"]) for b in bodies] == [
        ("", "submitted"),
        ("submitted", "checked"),
    ]
    assert bodies[-1]["data"]["application"] == {
        "id": application.pk,
        "kind": application.kind,
        "state": "checked",
        "member": aid.member.pk,
    }
    assert "情况属实" not in receiver.received[-1].body.decode()  # notes stay in the portal
