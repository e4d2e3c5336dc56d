"""A partner's sync tells no member anything: the partner dealt with them; the events say who did it.

The decision (docs/partner-api.md, "Member sync"): members the provincial platform registers were
registered there, in person or by their union, and hear about it from that system. A sync therefore
sends no applied or approved message (in the portal, by SMS or by mail); the membership events record
the step as done by the partner's service user, through the API channel.
"""

from __future__ import annotations

from django.urls import reverse

from members.models import Channel, Member, MembershipEvent
from union_portal.notifications import backends
from union_portal.notifications.models import Notification

from .support import member_payload

SYNC = reverse("v1:member-sync")


def test_a_sync_that_registers_members_sends_no_message(
    tree, people, key_client, django_capture_on_commit_callbacks, mailoutbox
):
    backends.outbox.clear()
    client = key_client(people.town_a_staff, scopes=["members:write"])
    records = [member_payload(tree.union_a, name="区小凤"), member_payload(tree.union_a, name="单田芳")]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SYNC, {"members": records}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["created"] == 2
    assert Notification.objects.count() == 0
    assert backends.outbox == []
    assert mailoutbox == []
    members = Member.objects.filter(name__in=["区小凤", "单田芳"])
    assert {m.channel for m in members} == {Channel.API}
    assert sorted(MembershipEvent.objects.filter(member__in=members).values_list("kind", "by__username")) == [
        ("approved", "town_a"),
        ("approved", "town_a"),
        ("registered", "town_a"),
        ("registered", "town_a"),
    ]
