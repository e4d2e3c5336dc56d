"""A partner's endpoint named by a host name is checked when a delivery is sent, not only when it
subscribes: a name whose DNS answer points into the internal network gets nothing, and the post goes
to the address that was checked (a second, different DNS answer is never asked for)."""

from __future__ import annotations

import socket

import pytest

from members import services as member_services
from tests.members.factories import member_data
from union_portal.webhooks.models import Delivery, DeliveryState

pytestmark = pytest.mark.django_db

NAME = "partner.example.org"


@pytest.fixture
def dns(monkeypatch):
    """What the partner's name resolves to, answer after answer (DNS is outside the portal); every
    other name and every address literal resolves as usual. ``dns.asked`` counts the questions."""
    real = socket.getaddrinfo

    class Answers:
        answers: list[str] = []
        asked = 0

        def __call__(self, host, port, *args, **kwargs):
            if host != NAME:
                return real(host, port, *args, **kwargs)
            self.asked += 1
            address = self.answers[min(self.asked, len(self.answers)) - 1]
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    answers = Answers()
    monkeypatch.setattr(socket, "getaddrinfo", answers)
    return answers


def _approve_pending(union, by):
    member = member_services.member_apply(
        data=member_data(union), by=by, channel=member_services.Channel.OFFICER
    )
    return member_services.member_approve(member=member, by=by)


def test_a_name_that_resolves_into_the_internal_network_gets_nothing(
    tree, people, subscribe, receiver, settings, dns, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    port = receiver.server.server_address[1]
    subscribe(tree.town_a, f"http://{NAME}:{port}/hooks/portal")  # a name: accepted when subscribing
    dns.answers = ["127.0.0.1"]  # ... that points at the portal's own machine when it is sent

    with django_capture_on_commit_callbacks(execute=True):
        _approve_pending(tree.union_a, people.district_staff)

    delivery = Delivery.objects.get()
    assert receiver.received == []
    assert (delivery.state, delivery.last_status) == (DeliveryState.PENDING, None)
    assert delivery.last_error.startswith("PrivateAddressError")
    assert "127.0.0.1" in delivery.last_error


def test_the_post_goes_to_the_address_that_was_checked(
    tree, people, subscribe, receiver, settings, dns, django_capture_on_commit_callbacks
):
    # given a name that first answers with a public address, then (rebinding) with the receiver's
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
    port = receiver.server.server_address[1]
    subscribe(tree.town_a, f"http://{NAME}:{port}/hooks/portal")
    dns.answers = ["93.184.216.34", "127.0.0.1"]

    with django_capture_on_commit_callbacks(execute=True):
        _approve_pending(tree.union_a, people.district_staff)

    # then the name was asked once, and the internal receiver never saw the body
    assert dns.asked == 1
    assert receiver.received == []
    assert Delivery.objects.get().state == DeliveryState.PENDING


def test_in_development_a_local_name_is_posted_to(
    tree, people, subscribe, receiver, settings, dns, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    port = receiver.server.server_address[1]
    subscribe(tree.town_a, f"http://{NAME}:{port}/hooks/portal")
    dns.answers = ["127.0.0.1"]

    with django_capture_on_commit_callbacks(execute=True):
        _approve_pending(tree.union_a, people.district_staff)

    assert Delivery.objects.get().state == DeliveryState.DELIVERED
    assert len(receiver.received) == 1
