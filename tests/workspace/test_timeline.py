"""One timeline per member on the member's admin page, across every app that declares events."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assistance import services
from union_portal.core.timeline import member_timeline

from ..assistance.factories import checked, submit_festival


def test_the_member_page_shows_membership_and_aid_events(client, people, aid):
    application = checked(submit_festival(aid), people)
    services.application_approve(application=application, by=people.district_staff)
    client.force_login(people.district_staff)
    page = client.get(reverse("admin:members_member_change", args=[aid.member.pk]))
    kinds = [row["kind"] for row in page.context["timeline"]]
    assert "membership.registered" in kinds or "membership.approved" in kinds
    assert {"aid.submitted", "aid.checked", "aid.approved", "aid.file_opened"} <= set(kinds)
    assert 'id="timeline"' in page.content.decode()
    # newest first
    times = [row["at"] for row in page.context["timeline"]]
    assert times == sorted(times, reverse=True)


def test_the_member_sees_their_own_aid_steps_without_staff_links(people, aid):
    submit_festival(aid)
    events = member_timeline(member=aid.member, viewer=aid.member_user)
    aid_events = [e for e in events if e.app == "assistance"]
    assert aid_events
    assert all(not e.link.startswith("/admin/") for e in aid_events)


def test_staff_of_another_town_see_nothing(people, aid):
    submit_festival(aid)
    assert member_timeline(member=aid.member, viewer=people.town_b_staff) == []


def test_timeline_queries_do_not_grow_with_events(people, aid):
    staff = people.district_staff
    first = checked(submit_festival(aid), people)
    with CaptureQueriesContext(connection) as few:
        member_timeline(member=aid.member, viewer=staff)
    services.application_approve(application=first, by=staff)
    services.application_pay(application=first, by=staff, method="cash", reference="", paid_on=None)
    with CaptureQueriesContext(connection) as many:
        member_timeline(member=aid.member, viewer=staff)
    assert len(many) == len(few)


def test_the_member_reads_their_own_record_in_the_portal(client, people, aid):
    # given a member with membership and aid steps, and another member of the same union
    submit_festival(aid)
    client.force_login(aid.member_user)

    page = client.get(reverse("portal:record"))

    assert page.status_code == 200
    kinds = [event.kind for event in page.context["events"]]
    assert "aid.submitted" in kinds and any(kind.startswith("membership.") for kind in kinds)
    assert {event.app for event in page.context["events"]} >= {"members", "assistance"}
    body = page.content.decode()
    assert "/admin/" not in body  # the member's own version: portal links only
    assert page.context["membership"].pk == aid.member.pk


def test_a_user_without_a_membership_gets_a_way_to_apply(client, people):
    client.force_login(people.member_user)
    page = client.get(reverse("portal:record"))
    assert page.status_code == 200 and page.context["events"] == []
    assert reverse("portal:apply") in page.content.decode()
